"""Sentence alignment for the side-by-side story page."""

from pathlib import Path

import pytest

from briefs.stories.alignment import (
    SHARED,
    UNIQUE,
    align_story,
    number_differences,
    split_sentences,
)
from tests.briefs.story_eval import evaluate

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
EVAL = Path(evaluate.__file__).resolve().parent / "briefs"

WIRE = (
    "Negotiators in Geneva agreed on Friday to a 15% tariff on imported steel.\n\n"
    "The rate applies from August 1, officials said. Talks on aluminium resume in the autumn."
)
POST = (
    "Geneva Deal Sets Steel Levy\n\n"
    "A 20% tariff on steel imports was agreed in Geneva on Friday by the negotiators. "
    "The new rate applies from Aug. 1. Stock markets in Europe rallied on the news."
)


def by_text(brief, fragment):
    return next(sentence for sentence in brief.sentences if fragment in sentence.text)


def test_sentences_keep_their_offsets_and_skip_subheadings():
    spans = split_sentences(POST)
    assert [POST[start:end] for start, end in spans] == [
        "A 20% tariff on steel imports was agreed in Geneva on Friday by the negotiators.",
        "The new rate applies from Aug. 1.",
        "Stock markets in Europe rallied on the news.",
    ]
    text = "U.S. officials met on Aug. 1. Then they left."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "U.S. officials met on Aug. 1.", "Then they left.",
    ]


def test_shared_facts_are_aligned_and_a_differing_rate_is_flagged():
    wire, post = align_story({"wire": WIRE, "post": POST})
    tariff = by_text(wire, "15% tariff")
    assert tariff.status == SHARED and tariff.aligned == ("post-0",)
    [difference] = tariff.differences
    assert (difference.other, difference.kind, difference.here, difference.there) == (
        "post-0", "percent", ("15%",), ("20%",),
    )
    date = by_text(wire, "August 1")
    assert date.aligned == ("post-1",) and date.differences == ()  # Aug. 1 is August 1
    assert by_text(wire, "aluminium").status == UNIQUE
    assert by_text(post, "rallied").status == UNIQUE
    assert by_text(post, "20% tariff").aligned == ("wire-0",)
    for brief, body in ((wire, WIRE), (post, POST)):
        assert all(body[s.start:s.end] == s.text for s in brief.sentences)


def test_a_detail_only_one_outlet_gives_is_not_a_difference():
    assert number_differences("Sales rose 31% to €610 million.",
                              "Sales rose 31% to €610 million, above estimates of €575 million.") == []
    [difference] = number_differences("The strike starts on August 1.", "It starts Sept. 1.")
    assert difference.kind == "date" and difference.here == ("August 1",)


def test_three_outlets_align_sentence_by_sentence():
    names = ("eu-india-round5-harbor", "eu-india-round5-tickerline", "eu-india-round5-meridian")
    bodies = {name: evaluate.read_candidate(EVAL / f"{name}.txt").body for name in names}
    harbor, tickerline, meridian = align_story(bodies)
    trade = by_text(harbor, "€124 billion")
    assert set(trade.aligned) == {
        by_text(tickerline, "€124 billion").id, by_text(meridian, "€124 billion").id,
    }
    ids = [s.id for brief in (harbor, tickerline, meridian) for s in brief.sentences]
    assert len(ids) == len(set(ids))
    # Alignment is symmetric: every link is listed on both sides.
    everything = {s.id: s for brief in (harbor, tickerline, meridian) for s in brief.sentences}
    assert all(s.id in everything[other].aligned for s in everything.values() for other in s.aligned)


def test_the_two_real_seed_articles_share_their_common_facts():
    paths = [SEEDS / "000_a308dd3e395b69b8.txt", SEEDS / "002_12f988887ed07eed.txt"]
    if not all(path.exists() for path in paths):
        pytest.skip(f"the shared seed articles are not at {SEEDS}")
    clash, stocktwits = align_story(
        {name: evaluate.read_candidate(path).body for name, path in zip(("clash", "st"), paths)}
    )
    assert by_text(clash, "Sean Stein").aligned == (by_text(stocktwits, "Sean Stein").id,)
    assert by_text(clash, "August 1 tariff deadline").aligned == (
        by_text(stocktwits, "Aug. 1 deadline").id,
    )
    assert by_text(clash, "antitrust probe").aligned == (by_text(stocktwits, "antitrust probe").id,)
    assert by_text(stocktwits, "MCHI has gained").status == UNIQUE
    shared = [s for brief in (clash, stocktwits) for s in brief.sentences if s.status == SHARED]
    print(f"seeds: {len(shared) // 2} aligned sentence pairs of "
          f"{len(clash.sentences)} and {len(stocktwits.sentences)} sentences")


def test_a_story_without_briefs_is_refused():
    with pytest.raises(ValueError, match="at least one brief"):
        align_story({})


@pytest.mark.parametrize(
    ("here", "there"),
    [
        ("Talks lasted 1½ days.", "Talks lasted 1.5 days."),
        ("Output fell fifteen per cent.", "Output fell 15%."),
        ("Output fell 15 percent.", "Output fell 15 per cent."),
        ("Some 12\u202f500 people marched.", "Some 12,500 people marched."),
        ("It is the third round of talks.", "It is the 3rd round of talks."),
        ("Three ships sank off Malta.", "3 ships sank off Malta."),
        ("Prices rose ¾ of a point.", "Prices rose 0.75 of a point."),
    ],
)
def test_one_number_written_two_ways_is_no_difference(here, there):
    assert number_differences(here, there) == []


@pytest.mark.parametrize(
    ("here", "there", "kind", "written"),
    [
        ("It is the fourth round of talks.", "It is the third round of talks.", "ordinal",
         (("fourth",), ("third",))),
        ("Talks lasted 2½ days.", "Talks lasted 1.5 days.", "number", (("2½",), ("1.5",))),
        ("Output fell fifteen per cent.", "Output fell 12%.", "percent",
         (("fifteen per cent",), ("12%",))),
        ("Four ships sank.", "Three ships sank.", "number", (("Four",), ("Three",))),
    ],
)
def test_a_number_word_ordinal_or_fraction_that_disagrees_is_flagged_as_written(
    here, there, kind, written
):
    [difference] = number_differences(here, there)
    assert (difference.kind, (difference.here, difference.there)) == (kind, written)


def test_the_fourth_and_the_third_round_align_but_are_flagged():
    one, _ = align_story(
        {
            1: "It is the fourth round of talks in Geneva.",
            2: "It is the third round of talks in Geneva.",
        }
    )
    [sentence] = one.sentences
    assert sentence.status == SHARED
    assert [d.kind for d in sentence.differences] == ["ordinal"]
