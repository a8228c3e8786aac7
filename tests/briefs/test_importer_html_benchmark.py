"""Saved news pages of the public article-extraction benchmark, read in place from shared/.

Scoring as ``../shared/extraction-benchmark/README.md`` states it: a bag-of-words F1 of
the extracted body against the ``articleBody`` a person marked, per page, averaged over
the pages. Words are runs of ``\\w`` characters, the benchmark's own tokenizer
(scrapinghub/article-extraction-benchmark, ``evaluate.py``); its published table scores
4-word shingles instead, a stricter rule, which this test does not use.
"""

import gzip
import json
import re
import statistics
from collections import Counter
from pathlib import Path

import pytest

from briefs.importer import BriefParseError, ParsedBrief
from briefs.importer.html import parse_html

BENCHMARK = Path(__file__).resolve().parents[2].parent / "shared" / "extraction-benchmark"
_WORD = re.compile(r"\w+")

needs_benchmark = pytest.mark.skipif(
    not (BENCHMARK / "ground-truth.json").is_file(),
    reason=f"extraction benchmark pages not found at {BENCHMARK} (shared/ is not beside "
    "the repository)",
)


def bag_of_words_f1(true, predicted):
    """F1 of the multiset of words of ``predicted`` against that of ``true``, in [0, 1]."""
    expected, found = Counter(_WORD.findall(true)), Counter(_WORD.findall(predicted))
    common = sum((expected & found).values())
    if not common:
        return 1.0 if not expected and not found else 0.0
    precision, recall = common / sum(found.values()), common / sum(expected.values())
    return 2 * precision * recall / (precision + recall)


def test_bag_of_words_f1_counts_repeated_words():
    assert bag_of_words_f1("a b b c", "a b b c") == 1.0
    assert bag_of_words_f1("a b", "") == 0.0
    assert bag_of_words_f1("a b b", "a b") == pytest.approx(0.8)


@pytest.mark.slow
@needs_benchmark
def test_every_benchmark_page_becomes_a_brief_whose_body_matches_the_article():
    truth = json.loads((BENCHMARK / "ground-truth.json").read_text(encoding="utf-8"))
    scores, failures = {}, {}
    for key, item in sorted(truth.items()):
        with gzip.open(BENCHMARK / "html" / f"{key}.html.gz", "rt", encoding="utf-8") as file:
            html = file.read()
        try:
            brief = parse_html(html, url=item["url"])
        except BriefParseError as error:
            failures[key] = str(error)
            continue
        assert isinstance(brief, ParsedBrief)
        assert brief.title and brief.body and len(brief.content_hash) == 64
        assert brief.published_at is None or brief.published_at.utcoffset() is not None
        scores[key] = bag_of_words_f1(item["articleBody"], brief.body)

    assert not failures, failures
    mean = statistics.mean(scores.values())
    summary = (
        f"{len(scores)} pages: mean F1 {mean:.4f}, min {min(scores.values()):.3f}, "
        f"{sum(score < 0.8 for score in scores.values())} under 0.8"
    )
    print(summary)
    assert len(scores) == len(truth)
    assert mean >= 0.95, summary
