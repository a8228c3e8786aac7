"""The edit corpus: how often a note lands on the wrong words, and how often it is orphaned.

Run with ``-s`` to see the table. A wrong attachment is the worst outcome, so the bar is zero;
orphans (the passage was still there but the note could not be sure) are counted and capped.
"""

import collections
import functools

from diff_match_patch import diff_match_patch

from annotations.anchoring import EXACT, ORPHANED, anchor_at, reanchor, similarity
from tests.annotations.edit_corpus import KINDS, corpus, judge

CASES = corpus(per_kind=100)


def _server(case):
    anchor = anchor_at(case.old, case.start, case.end, EXACT)
    result = reanchor(
        case.old,
        case.new,
        start=case.start,
        end=case.end,
        exact=anchor.exact,
        prefix=anchor.prefix,
        suffix=anchor.suffix,
    )
    return judge(case, result.start, result.end, result.status == ORPHANED)


def _best_match_without_minimum(case):
    """A Hypothesis-style matcher: the best-scoring place for the quote, however poor."""
    anchor = anchor_at(case.old, case.start, case.end, EXACT)
    text, quote = case.new, anchor.exact
    starts = {i for i in range(len(text)) if text.startswith(quote, i)}
    dmp = diff_match_patch()
    dmp.Match_Distance = 10_000
    found = dmp.match_main(text, quote[:32], min(case.start, len(text)))
    if found != -1:
        starts.add(found)
    best = None
    for start in starts:
        end = min(len(text), start + len(quote))
        score = (
            50 * similarity(quote, text[start:end])
            + 20 * similarity(anchor.prefix, text[max(0, start - len(anchor.prefix)) : start])
            + 20 * similarity(anchor.suffix, text[end : end + len(anchor.suffix)])
            + 2 * (1 - abs(start - case.start) / max(len(text), 1))
        )
        if best is None or score > best[0]:
            best = (score, start, end)
    if best is None:
        return judge(case, 0, 0, True)
    return judge(case, best[1], best[2], False)


@functools.cache
def _tally(outcome):
    table = collections.Counter()
    for case in CASES:
        table[case.kind, outcome(case)] += 1
    return table


def _print(title, table):
    print(f"\n{title}")
    for kind in KINDS:
        row = {verdict: table[kind, verdict] for verdict in ("correct", "lost", "wrong")}
        print(f"  {kind:28} correct {row['correct']:3}  orphaned {row['lost']:3}  wrong {row['wrong']:3}")


def test_server_anchoring_never_attaches_a_note_to_the_wrong_words():
    table = _tally(_server)
    _print("server re-anchoring", table)
    wrong = sum(n for (_, verdict), n in table.items() if verdict == "wrong")
    lost = sum(n for (_, verdict), n in table.items() if verdict == "lost")
    assert wrong == 0
    # Orphaning a note whose words survived is the price of never guessing: keep it rare.
    assert lost <= 0.05 * len(CASES)


def test_passages_that_are_gone_are_orphaned_every_time():
    table = _tally(_server)
    for kind in ("quote_deleted", "look_alike_remains", "words_moved_to_new_context"):
        assert table[kind, "correct"] == 100, kind


def test_corpus_catches_a_matcher_without_minimum_score_on_both_hypothesis_failures():
    # The corpus has teeth: the best-match-wins approach goes wrong exactly where
    # Hypothesis does (a look-alike left behind; the quoted words in a new context).
    table = _tally(_best_match_without_minimum)
    _print("best match without a minimum score", table)
    assert table["look_alike_remains", "wrong"] > 0
    assert table["words_moved_to_new_context", "wrong"] > 0
