"""The story matcher and grouping: behaviour on small cases and on the evaluation set."""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefs.stories.grouping import group_stories
from briefs.stories.mentions import date_keys, name_words, number_mentions
from briefs.stories.similarity import (
    THRESHOLD,
    StoryCandidate,
    StoryMatch,
    fact_tokens_of,
    find_matches,
    score_candidates,
    time_factor,
)
from tests.briefs.story_eval import evaluate

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SEED_FILES = ("000_a308dd3e395b69b8.txt", "002_12f988887ed07eed.txt")
NOON = datetime(2025, 9, 16, 12, tzinfo=UTC)


def brief(key, source, title, body, *, dek="", hours=0.0):
    return StoryCandidate(key, source, NOON + timedelta(hours=hours), title, dek, body)


def match(one, other, score=0.8):
    return StoryMatch(one, other, score, score, score, 0.0, True)


@pytest.fixture(scope="module")
def evaluation():
    labelled, filler = evaluate.load_labelled(), evaluate.load_filler()
    scores, gold = evaluate.score_pairs(labelled, filler), evaluate.gold_pairs(labelled)
    return labelled, filler, scores, gold


def test_mentions_read_names_numbers_and_dates_by_value():
    text = "Negotiators met U.S. Treasury Secretary Ann Lee on Aug. 1. The 20 percent levy."
    assert name_words(text) == ["us", "treasury", "secretary", "ann", "lee"]
    assert date_keys("on Aug. 1 and 1 August and September 30") == [
        "date:08-01", "date:08-01", "date:09-30",
    ]
    keys = [m.key for m in number_mentions("€42 million, 42 million euros, 15%, 15 per cent")]
    assert keys == ["amount:4.2e+07", "amount:4.2e+07", "percent:15", "percent:15"]


def test_same_source_and_far_apart_briefs_are_never_compared():
    new = brief("a", "Wire", "Port strike in Antwerp", "Dockworkers in Antwerp strike.")
    same_source = brief("b", "wire", "Antwerp port strike", "Dockworkers in Antwerp strike.")
    week_later = brief("c", "Post", "Antwerp port strike", "Dockworkers in Antwerp.", hours=24 * 7)
    assert score_candidates(new, [same_source, week_later]) == []


def test_time_factor_keeps_a_day_and_fades_to_zero_at_three_days():
    assert time_factor(0.5) == time_factor(1.0) == 1.0
    assert time_factor(2.0) == pytest.approx(0.5)
    assert time_factor(3.0) == time_factor(4.0) == 0.0


def test_grouping_needs_every_pair_to_match_and_one_brief_per_source():
    candidates = [brief(k, s, k, "") for k, s in (("a", "A"), ("b", "B"), ("c", "C"), ("d", "B"))]
    # a~b, b~c but not a~c: no chain; d (source B) also matches a but b scores higher.
    matches = [match("a", "b", 0.9), match("b", "c", 0.7), match("a", "d", 0.6)]
    assert group_stories(candidates, matches) == [frozenset("ab")]


def test_grouping_never_undoes_a_curator_decision():
    candidates = [brief(k, s, k, "") for k, s in (("a", "A"), ("b", "B"), ("c", "C"), ("d", "D"))]
    matches = [match("a", "b"), match("c", "d"), match("a", "c"), match("b", "c")]
    stories = group_stories(
        candidates, matches, pinned=[{"a", "d"}], excluded={"b"}, apart=[("c", "d")]
    )
    assert stories == [frozenset("ad")]
    # A pinned story grows by a brief that matches every member.
    grown = group_stories(candidates, [match("a", "c"), match("d", "c")], pinned=[{"a", "d"}])
    assert grown == [frozenset("acd")]


def test_grouping_refuses_contradictory_constraints():
    with pytest.raises(ValueError, match="two pinned stories"):
        group_stories([], [], pinned=[{"a", "b"}, {"b", "c"}])
    with pytest.raises(ValueError, match="excluded"):
        group_stories([], [], pinned=[{"a", "b"}], excluded={"a"})
    with pytest.raises(ValueError, match="apart"):
        group_stories([], [], pinned=[{"a", "b"}], apart=[("b", "a")])


def test_evaluation_set_precision_is_perfect_and_recall_at_least_ninety_percent(evaluation):
    labelled, filler, scores, gold = evaluation
    predicted = evaluate.predicted_pairs(labelled, filler, scores, THRESHOLD)
    metrics = evaluate.split_metrics(labelled, predicted, gold)
    for name, m in metrics.items():
        print(f"{name}: precision {m['precision']:.3f} recall {m['recall']:.3f} "
              f"found {m['found']}/{m['gold']} missed {m['missed']} wrong {m['wrong']}")
    assert all(m["precision"] == 1.0 for m in metrics.values())
    found = sum(m["found"] for m in metrics.values())
    total = sum(m["gold"] for m in metrics.values())
    assert found / total >= 0.9
    assert len(gold) >= 20 and len({event for _, event, _ in labelled}) >= 20


def test_threshold_is_the_one_read_off_the_tuning_half(evaluation):
    labelled, _, scores, gold = evaluation
    assert evaluate.choose_threshold(labelled, scores, gold) == pytest.approx(THRESHOLD, abs=0.005)


def test_the_two_real_seed_articles_are_one_story():
    paths = [SEEDS / name for name in SEED_FILES]
    if not all(path.exists() for path in paths):
        pytest.skip(f"the shared seed articles are not at {SEEDS}")
    first, second = (evaluate.read_candidate(path) for path in paths)
    found = find_matches(second, [first])
    print(f"seed pair score: {found[0].score if found else score_candidates(second, [first])}")
    assert [m.other for m in found] == [first.key]


def test_one_brief_against_two_hundred_candidates_is_cheap(evaluation):
    labelled, filler, _, _ = evaluation
    pool = [candidate for candidate, _, _ in labelled] + filler
    new = pool[0]
    # 200 distinct texts (copies of the set, each with its own closing line).
    window = [
        StoryCandidate(
            f"{c.key}-{n}", f"{c.source} {n}", new.published_at, c.title, c.dek,
            f"{c.body}\n\nFiled from desk {n}.",
        )
        for n in range(3)
        for c in pool
    ][:200]
    score_candidates(new, window)  # loads the background once per process

    def per_call(cold, runs=5):
        started = time.perf_counter()
        for _ in range(runs):
            if cold:
                fact_tokens_of.cache_clear()
            scored = score_candidates(new, window)
        assert len(scored) == 200
        return (time.perf_counter() - started) / runs

    cold, warm = per_call(cold=True), per_call(cold=False)
    print(f"one brief against 200 candidates: {cold * 1000:.0f} ms per call with no "
          f"cached facts, {warm * 1000:.0f} ms with the candidates' facts cached")
    assert cold < 1.0
