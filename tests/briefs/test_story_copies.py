"""A corrected copy of a stored story updates it in place instead of making a second brief.

The thresholds of ``briefs.stories.copies`` are measured here on pairs: edited copies of
the evaluation and seed briefs (must match) against different briefs of one source and
headlines built on one template (must not). The numbers printed by
``pytest tests/briefs/test_story_copies.py -q -s`` are the ones in the module docstring.
"""

import datetime as dt
import itertools
import random
from pathlib import Path

import pytest

from annotations.models import Annotation
from briefs.importer import parse_brief
from briefs.models import Brief, BriefRevision
from briefs.services.importing import brief_import
from briefs.stories.copies import (
    COPY_BODY_MIN,
    COPY_TITLE_MIN,
    body_similarity,
    is_corrected_copy,
    title_similarity,
)
from tests.factories import make_annotation

UTC = dt.timezone.utc
EVALUATION = Path(__file__).resolve().parent / "story_eval" / "briefs"
SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"

STORY = """Council Approves Night Buses For The Old Town

Three routes will run until 3 a.m. from the first of October.

By Marta Kovac, Riverside Courier

August 28, 2025

The council voted nine to two for a year-long trial of night buses in the old town.

Bar and restaurant owners had asked for late transport for staff and guests for years.

The trial will cost about 400,000 euros, paid from parking income.

Topics: Transport, Night Life
"""
# Headlines from one template, bodies of different days: never one story.
TEMPLATE_PAIRS = [
    ("Stocks Rise As Fed Holds Rates", "Stocks Fall As Fed Holds Rates"),
    ("Oil Climbs On Supply Worries", "Oil Slips On Supply Worries"),
    ("Morning Briefing: Tuesday, July 8", "Morning Briefing: Tuesday, July 15"),
]


def _briefs():
    files = sorted(EVALUATION.glob("*.txt")) + sorted(SEEDS.glob("*.txt"))
    return [parse_brief(path.read_text(encoding="utf-8"), require_date=False) for path in files]


def _edited_copies(brief, rng):
    """Copies a newsroom would publish: a headline typo fixed, a word added or dropped,
    a correction appended to the body."""
    title, words = brief.title, brief.title.split()
    cut = rng.randrange(1, len(title) - 1)
    titles = [
        title[:cut] + title[cut + 1:],
        title + " (Updated)",
        " ".join(words[:-1]) if len(words) > 5 else title + " Again",
        title.replace(words[1], words[1] + "s", 1),
    ]
    body = brief.body + "\n\nCorrection: an earlier version misstated a figure in the third paragraph."
    return [(edited, body) for edited in titles]


@pytest.mark.slow
def test_thresholds_separate_edited_copies_from_other_briefs_of_one_source():
    briefs = _briefs()
    rng = random.Random(13)
    copies = [
        (title_similarity(b.title, t), body_similarity(b.body, body))
        for b in briefs for t, body in _edited_copies(b, rng)
    ]
    others = [
        (title_similarity(a.title, b.title), body_similarity(a.body, b.body))
        for a, b in itertools.combinations(briefs, 2)
        if a.source_name == b.source_name
    ]
    print(
        f"\n{len(copies)} copies: headline >= {min(t for t, _ in copies):.2f}, "
        f"body >= {min(b for _, b in copies):.2f}; {len(others)} other pairs: headline <= "
        f"{max(t for t, _ in others):.2f}, body <= {max(b for _, b in others):.2f}"
    )
    assert len(copies) >= 150 and len(others) >= 150
    assert all(t >= COPY_TITLE_MIN and b >= COPY_BODY_MIN for t, b in copies)
    assert not any(t >= COPY_TITLE_MIN and b >= COPY_BODY_MIN for t, b in others)


@pytest.mark.parametrize(("first", "second"), TEMPLATE_PAIRS)
def test_template_headlines_with_different_bodies_are_not_copies(first, second):
    monday = "Shares in miners led the market higher after the central bank kept its rate."
    tuesday = "Technology stocks dragged the index lower as bond yields climbed to a new high."

    assert title_similarity(first, second) >= COPY_TITLE_MIN  # the headline alone would merge
    assert not is_corrected_copy(first, monday, second, tuesday)


@pytest.mark.django_db
def test_a_headline_typo_fix_updates_the_brief_and_its_notes_follow(user):
    first = brief_import(raw_text=STORY.replace("Approves", "Aproves")).brief
    note = make_annotation(first, user, exact="year-long trial", note="Check the vote.")

    corrected = STORY.replace(
        "The council voted", "After a long debate, the council voted"
    )
    result = brief_import(raw_text=corrected)

    brief = Brief.objects.get()
    assert result.action == "updated" and brief.pk == first.pk and brief.slug == first.slug
    assert brief.title == "Council Approves Night Buses For The Old Town"
    assert BriefRevision.objects.filter(brief=brief).count() == 1
    note = Annotation.objects.get(pk=note.pk)
    assert brief.body[note.start:note.end] == "year-long trial"


@pytest.mark.django_db
def test_a_later_updated_line_a_few_days_on_updates_the_same_brief():
    brief_import(raw_text=STORY)
    later = STORY.replace("August 28, 2025", "Updated August 30, 2025, 9:15 a.m. UTC")

    result = brief_import(raw_text=later)

    assert result.action == "updated"
    assert Brief.objects.get().published_at == dt.datetime(2025, 8, 30, 9, 15, tzinfo=UTC)


@pytest.mark.django_db
def test_the_same_text_weeks_later_or_from_another_source_is_a_new_brief():
    brief_import(raw_text=STORY)
    brief_import(raw_text=STORY.replace("August 28, 2025", "September 20, 2025"))
    brief_import(raw_text=STORY.replace("Riverside Courier", "Valley Herald"))

    assert Brief.objects.count() == 3


@pytest.mark.django_db
def test_another_story_under_a_template_headline_is_a_new_brief():
    brief_import(raw_text=STORY)
    other = (
        "Council Approves Night Trams For The Old Town\n\n"
        "The tram company will add late services on two lines.\n\n"
        "By Marta Kovac, Riverside Courier\n\nAugust 29, 2025\n\n"
        "Trams on lines 4 and 9 will run every half hour after midnight on weekends.\n\n"
        "The operator asked for a subsidy that councillors refused last spring.\n"
    )

    result = brief_import(raw_text=other)

    assert result.action == "created" and Brief.objects.count() == 2


@pytest.mark.django_db
def test_an_undated_corrected_copy_updates_the_undated_draft():
    undated = STORY.replace("August 28, 2025\n\n", "")
    first = brief_import(raw_text=undated).brief
    result = brief_import(raw_text=undated.replace("nine to two", "nine votes to two"))

    assert result.action == "updated" and result.brief.pk == first.pk
    assert Brief.objects.get().status == Brief.Status.DRAFT
