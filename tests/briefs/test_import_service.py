"""brief_import stores parsed text idempotently; suggestions wait for a curator."""

import datetime as dt

import pytest

from briefs.models import Brief, BriefRevision, Source, Topic, TopicSuggestion
from briefs.services.importing import brief_import
from briefs.services.sources import source_save
from briefs.services.topics import (
    brief_suggest_topics,
    topic_suggestion_accept,
    topic_suggestion_dismiss,
)
from briefs.signals import brief_body_changed
from briefs.topic_mentions import find_mentions
from tests.factories import make_brief, make_topic

pytestmark = pytest.mark.django_db

ARTICLE = """Grain Barges Stall On Low River Levels

A dry summer has left the river too shallow for fully loaded barges.

July 14, 2025Harbor Ledger

Cover Image
Ines Marlow

Harbor Ledger

Barge operators are carrying half loads after weeks without rain lowered the river.

Shippers say freight costs for grain have doubled since June.

Related Topics

Drought
River Freight
Grain Exports

Grain Barges Stall On Low River Levels"""

NO_TOPICS = """Barge Crews Wait For Rain

Operators say the river needs a week of steady rain.

July 20, 2025

By Jane Roe, Meridian Wire

The drought has cut river freight to a trickle, and the rare earths shipments are late too.

Crews say the Rhine has not been this low since 2018."""


@pytest.fixture
def announcements():
    received = []

    def receiver(sender, brief, old_body, new_body, **kwargs):
        received.append(brief.pk)

    brief_body_changed.connect(receiver)
    yield received
    brief_body_changed.disconnect(receiver)


def test_import_creates_a_brief_with_every_field_and_the_raw_text_kept():
    raw = "\ufeff" + ARTICLE.replace("\n", "\r\n")

    result = brief_import(raw_text=raw)

    brief = Brief.objects.get()
    assert result.action == "created" and result.brief == brief
    assert brief.title == "Grain Barges Stall On Low River Levels"
    assert brief.slug == "grain-barges-stall-on-low-river-levels"
    assert brief.source.name == "Harbor Ledger" and brief.author == "Ines Marlow"
    assert brief.published_at == dt.datetime(2025, 7, 14, tzinfo=dt.timezone.utc)
    assert brief.status == Brief.Status.PUBLISHED
    assert brief.raw_text == raw
    assert len(brief.content_hash) == 64
    assert sorted(brief.topics.names()) == ["Drought", "Grain Exports", "River Freight"]


def test_same_text_again_is_unchanged_even_with_other_line_endings():
    brief_import(raw_text=ARTICLE)

    again = brief_import(raw_text=ARTICLE.replace("\n", "\r\n") + "\n")

    assert again.action == "unchanged"
    assert Brief.objects.count() == 1


def test_changed_text_of_the_same_story_updates_in_place_and_keeps_a_revision(announcements):
    first = brief_import(raw_text=ARTICLE).brief

    changed = ARTICLE.replace("half loads", "a third of their usual loads")
    result = brief_import(raw_text=changed)

    brief = Brief.objects.get()
    assert result.action == "updated"
    assert (brief.pk, brief.slug) == (first.pk, first.slug)
    assert "a third of their usual loads" in brief.body
    assert brief.raw_text == changed
    revision = BriefRevision.objects.get()
    assert "half loads" in revision.body and revision.reason == "re-import"
    assert announcements == [brief.pk]


def test_update_keeps_the_curators_status():
    brief_import(raw_text=ARTICLE, status="draft")
    brief_import(raw_text=ARTICLE.replace("half loads", "light loads"), status="published")
    assert Brief.objects.get().status == Brief.Status.DRAFT


def test_same_title_beyond_the_copy_window_is_a_new_brief_with_its_own_slug():
    brief_import(raw_text=ARTICLE)
    brief_import(raw_text=ARTICLE.replace("July 14, 2025", "July 24, 2025"))

    assert sorted(Brief.objects.values_list("slug", flat=True)) == [
        "grain-barges-stall-on-low-river-levels",
        "grain-barges-stall-on-low-river-levels-2",
    ]


def test_sources_match_ignoring_case_and_spaces():
    Source.objects.create(name="HarborLedger")
    brief_import(raw_text=ARTICLE.replace("\nHarbor Ledger\n", "\nharbor ledger\n"))
    assert list(Source.objects.values_list("name", flat=True)) == ["HarborLedger"]


def test_topics_reuse_existing_ones_whatever_their_case():
    make_topic("drought")
    brief_import(raw_text=ARTICLE)
    assert Topic.objects.filter(name__iexact="drought").count() == 1


def test_dry_run_reports_the_action_and_writes_nothing():
    result = brief_import(raw_text=ARTICLE, dry_run=True)

    assert result.action == "created" and result.brief is None
    assert not Brief.objects.exists()
    assert not Source.objects.exists() and not Topic.objects.exists()


def test_dry_run_of_a_changed_story_says_updated_and_changes_nothing():
    brief_import(raw_text=ARTICLE)

    result = brief_import(raw_text=ARTICLE.replace("half loads", "light loads"), dry_run=True)

    assert result.action == "updated"
    assert "half loads" in Brief.objects.get().body
    assert not BriefRevision.objects.exists()


def test_bad_text_fails_with_a_reason_and_writes_nothing():
    result = brief_import(raw_text="Just A Title")
    assert result.action == "failed" and "no body text" in result.reason
    assert not Brief.objects.exists()


def test_brief_without_topic_list_gets_suggestions_not_topics():
    for name in ("Drought", "River Freight", "Rare Earths", "Rhine", "Droughts", "US"):
        make_topic(name)

    brief = brief_import(raw_text=NO_TOPICS).brief

    suggested = list(
        TopicSuggestion.objects.filter(brief=brief).values_list("topic__name", flat=True)
    )
    assert sorted(suggested) == ["Drought", "Rare Earths", "Rhine", "River Freight"]
    assert brief.topics.count() == 0


def test_dismissed_suggestion_is_not_made_again():
    make_topic("Drought")
    brief = brief_import(raw_text=NO_TOPICS).brief
    topic_suggestion_dismiss(suggestion=TopicSuggestion.objects.get(brief=brief))

    assert brief_suggest_topics(brief=brief) == []
    assert TopicSuggestion.objects.get().status == TopicSuggestion.Status.DISMISSED


def test_accepting_a_suggestion_adds_the_topic_and_removes_the_suggestion():
    make_topic("Drought")
    brief = brief_import(raw_text=NO_TOPICS).brief

    topic_suggestion_accept(suggestion=TopicSuggestion.objects.get(brief=brief))

    assert list(brief.topics.names()) == ["Drought"]
    assert not TopicSuggestion.objects.exists()


def test_suggestions_skip_topics_the_brief_already_has():
    drought = make_topic("Drought")
    brief = make_brief(body="The drought goes on.", topics=[drought])
    assert brief_suggest_topics(brief=brief) == []


def test_mentions_match_whole_words_case_insensitively_in_order_of_appearance():
    vocabulary = [(1, "Iran"), (2, "Rare Earths"), (3, "U.S.-China Trade"), (4, "AI"), (5, "C++")]
    text = "Iranian oil; then u.s.-china  trade and RARE EARTHS. Said ai, not AI."

    assert find_mentions(text, vocabulary) == [3, 2, 4]


def test_mentions_stay_fast_with_a_large_vocabulary():
    import time

    vocabulary = [(number, f"Topic Name {number}") for number in range(5000)]
    vocabulary.append((-1, "Rare Earths"))
    text = "Rare earths and topic name 4999 appear here. " * 200

    started = time.perf_counter()
    found = find_mentions(text, vocabulary)
    assert time.perf_counter() - started < 1.0
    assert found == [-1, 4999]


def test_an_article_of_a_source_a_curator_renamed_updates_its_brief_not_a_second_source():
    first = brief_import(raw_text=ARTICLE).brief
    source = first.source
    source.name = "The Harbor Ledger (Lisbon)"
    source_save(source=source)

    result = brief_import(raw_text=ARTICLE.replace("half loads", "a third of their usual loads"))

    assert result.action == "updated"
    assert list(Source.objects.values_list("name", flat=True)) == ["The Harbor Ledger (Lisbon)"]
    assert Brief.objects.get().source == source
