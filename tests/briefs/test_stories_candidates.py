"""The candidate index of story grouping (``StoryToken``): kept in step with every write
path, and the way grouping finds its pairs."""

import itertools
from pathlib import Path

import pytest

from briefs.models import Brief, Story, StoryApart, StoryToken
from briefs.services.batch import briefs_import_texts
from briefs.services.briefs import brief_update
from briefs.services.importing import brief_import
from briefs.services.stories import (
    brief_story_update,
    briefs_story_update_many,
    story_tokens_refresh,
)
from briefs.stories.candidates import (
    MAX_CANDIDATES,
    MIN_SHARED,
    RARE_MAX,
    index_day,
    index_tokens,
    pick_candidates,
)
from tests.briefs.story_eval import evaluate

pytestmark = pytest.mark.django_db

EVAL = Path(__file__).resolve().parent / "story_eval" / "briefs"
ROUND5 = ("eu-india-round5-harbor", "eu-india-round5-meridian", "eu-india-round5-tickerline")


def text_of(name):
    return (EVAL / f"{name}.txt").read_text(encoding="utf-8-sig")


def tokens_of(brief):
    return set(StoryToken.objects.filter(brief=brief).values_list("token", flat=True))


def test_pick_candidates_keeps_briefs_sharing_two_rare_tokens_most_shared_first():
    others = {
        "one": ["name:delhi"],
        "two": ["name:delhi", "number:30"],
        "three": ["name:delhi", "number:30", "number:2026", "name:unrelated"],
    }
    assert MIN_SHARED == 2
    assert pick_candidates(["name:delhi", "number:30", "number:2026"], others) == ["three", "two"]

    # Tokens held by RARE_MAX briefs of the window or more do not count...
    crowd = {number: ["name:us", "number:2026"] for number in range(RARE_MAX)}
    assert pick_candidates(["name:us", "number:2026"], crowd) == []
    assert pick_candidates(["name:us", "number:2026"], dict(list(crowd.items())[:-1]))
    # ...and at most MAX_CANDIDATES are kept, however many share rare ones.
    pairs = [("name:a", "name:b"), ("name:c", "name:d"), ("name:e", "name:f")]
    many = {n: list(pairs[n // (RARE_MAX - 1)]) for n in range(3 * (RARE_MAX - 1))}
    assert len(many) > MAX_CANDIDATES
    assert len(pick_candidates([token for pair in pairs for token in pair], many)) == MAX_CANDIDATES


def test_index_tokens_are_names_inside_sentences_and_numbers():
    tokens = index_tokens(
        "Talks Resume In 2026",
        "Negotiators met in New Delhi.",
        "The EU offered 4,800 tonnes. Officials said India's Rajiv Mehra agreed.",
    )
    assert tokens == [
        "name:delhi", "name:eu", "name:india", "name:mehra", "name:new", "name:rajiv",
        "number:2026", "number:4800",
    ]


def test_every_labelled_same_event_pair_shares_enough_tokens_to_meet():
    labelled = evaluate.load_labelled()
    tokens = {c.key: set(index_tokens(c.title, c.dek, c.body)) for c, _, _ in labelled}
    gold = evaluate.gold_pairs(labelled)
    assert gold
    assert all(len(tokens[a] & tokens[b]) > MIN_SHARED for a, b in map(tuple, gold))
    # ...while most pairs of different events never meet the scorer.
    others = [pair for pair in itertools.combinations(tokens, 2) if frozenset(pair) not in gold]
    meeting = [pair for pair in others if len(tokens[pair[0]] & tokens[pair[1]]) >= MIN_SHARED]
    assert len(meeting) < len(others) / 10


def test_an_import_writes_the_briefs_tokens_and_an_edit_rewrites_them(curator):
    brief = brief_import(raw_text=text_of(ROUND5[0])).brief
    stored = tokens_of(brief)
    assert {"name:delhi", "name:india", "number:110"} <= stored
    assert set(StoryToken.objects.filter(brief=brief).values_list("day", flat=True)) == {
        index_day(brief.published_at)
    }
    brief.body += "\n\nTalks resume in Lisbon on 12 November with a 45% quota on the table."
    brief.full_clean()
    brief_update(brief=brief, by=curator)
    edited = tokens_of(brief)
    assert edited - stored == {"name:lisbon", "number:45", "number:12"}
    assert StoryToken.objects.filter(brief=brief).count() == len(edited)


def test_an_edit_of_the_date_moves_the_tokens_to_the_new_day(curator):
    brief = brief_import(raw_text=text_of(ROUND5[0])).brief
    brief.published_at = brief.published_at.replace(year=brief.published_at.year - 1)
    brief.full_clean()
    brief_update(brief=brief, by=curator)
    days = set(StoryToken.objects.filter(brief=brief).values_list("day", flat=True))
    assert days == {index_day(brief.published_at)}


def test_a_batch_import_writes_tokens_and_its_task_groups_the_story():
    results = list(briefs_import_texts(texts=[text_of(name) for name in ROUND5]))
    briefs = [result.brief for result in results]
    assert [result.action for result in results] == ["created"] * 3
    assert all(tokens_of(brief) for brief in briefs)
    # The tests run tasks at once: the batch's task placed them (briefs_story_update_many).
    story = Story.objects.get()
    assert set(story.briefs.values_list("pk", flat=True)) == {brief.pk for brief in briefs}


def test_grouping_compares_only_the_briefs_the_index_picks():
    first, second = (brief_import(raw_text=text_of(name)).brief for name in ROUND5[:2])
    assert Brief.objects.get(pk=second.pk).story_id is not None
    Story.objects.all().delete()
    # Without the first brief's rows the index offers the second nothing to compare.
    StoryToken.objects.filter(brief=first).delete()
    assert brief_story_update(brief=Brief.objects.get(pk=second.pk)) is None
    assert briefs_story_update_many(brief_ids=[second.pk]) == 0
    # Its rows back, the pair is found through the index again.
    first.refresh_from_db()
    story_tokens_refresh(briefs=[first])
    assert briefs_story_update_many(brief_ids=[second.pk]) == 1
    assert Brief.objects.get(pk=second.pk).story_id == Brief.objects.get(pk=first.pk).story_id


def test_tokens_read_in_the_batchs_worker_processes_are_those_of_the_stored_text():
    results = list(briefs_import_texts(texts=[text_of(name) for name in ROUND5], workers=2))
    for result in results:
        stored = Brief.objects.get(pk=result.brief.pk)
        assert tokens_of(stored) == set(index_tokens(stored.title, stored.dek, stored.body))
        assert tokens_of(stored)


def _stories():
    return {frozenset(Brief.objects.filter(story=story).values_list("title", flat=True))
            for story in Story.objects.all()}


def test_a_batch_places_briefs_as_one_update_each_would_in_few_queries(
    django_assert_max_num_queries,
):
    for path in sorted(EVAL.glob("*.txt")):
        brief_import(raw_text=path.read_text(encoding="utf-8-sig"))
    ordered = list(Brief.objects.order_by("published_at", "pk").values_list("pk", flat=True))
    Story.objects.all().delete()
    for pk in ordered:
        brief_story_update(brief=Brief.objects.get(pk=pk))
    one_by_one = _stories()
    assert len(one_by_one) >= 15
    Story.objects.all().delete()
    # The index, texts and separated pairs are read once for the lot, then about six
    # queries for each brief worked out (its lock, window, story and history): 285 here,
    # where reading them brief by brief made 476.
    with django_assert_max_num_queries(300):
        done = briefs_story_update_many(brief_ids=ordered)
    assert _stories() == one_by_one
    assert 0 < done < len(ordered)


def test_a_batch_keeps_apart_the_briefs_a_curator_separated():
    briefs = [brief_import(raw_text=text_of(name)).brief for name in ROUND5]
    Story.objects.all().delete()
    first, second = sorted(brief.pk for brief in briefs[:2])
    StoryApart.objects.create(brief_id=first, other_id=second)
    briefs_story_update_many(brief_ids=[brief.pk for brief in briefs])
    first_story, second_story = (Brief.objects.get(pk=pk).story_id for pk in (first, second))
    assert first_story is not None or second_story is not None
    assert first_story != second_story
