"""Anchoring stays near-linear in the text's length, whatever the quote and context (issue 15).

A 2 MB brief of one repeated phrase took 32.8 s to resolve a quote with a prefix: the old code
sliced the text up to every copy of the quote. These tests count the characters the code
reads (a ``str`` subclass tallies what slicing and searching touch) and what the costly
diff-match-patch steps are given, so they fail on a quadratic path however fast the machine;
the wall-clock bounds are only a generous backstop. Speed targets live in ``bench/``.
"""

import time

import pytest
from diff_match_patch import diff_match_patch
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations import anchoring
from annotations.anchoring import (
    EXACT,
    FUZZY_WINDOW,
    MAX_CANDIDATES,
    NEAR_DISTANCE,
    ORPHANED,
    SHIFTED,
    SelectorMismatch,
    anchor_at,
    locate,
    reanchor,
)

PHRASE = "Port news today. "
TWO_MB = 2_000_000
MARKER = "Dockers walk out. "


class CountingText(str):
    """A text that tallies how many of its characters slicing and searching read."""

    def __new__(cls, value):
        text = super().__new__(cls, value)
        text.read = 0
        return text

    def _window(self, start, end):
        size = len(self)
        start = 0 if start is None else max(0, start + size if start < 0 else start)
        end = size if end is None else min(size, end + size if end < 0 else end)
        return start, max(start, end)

    def __getitem__(self, key):
        piece = str.__getitem__(self, key)
        self.read += len(piece) if isinstance(key, slice) else 1
        return piece

    def find(self, sub, start=None, end=None):
        found = str.find(self, sub, start, end)
        low, high = self._window(start, end)
        self.read += (found - low + len(sub)) if found != -1 else (high - low)
        return found

    def startswith(self, affix, start=None, end=None):
        self.read += len(affix)
        return str.startswith(self, affix, start, end)

    def endswith(self, affix, start=None, end=None):
        self.read += len(affix)
        return str.endswith(self, affix, start, end)


def _repeated(size=TWO_MB, marker_at=None):
    body = PHRASE * (size // len(PHRASE))
    if marker_at is not None:
        cut = marker_at - marker_at % len(PHRASE)
        body = body[:cut] + MARKER + body[cut:]
    return body


@pytest.fixture(scope="module")
def big_body():
    return _repeated(marker_at=TWO_MB // 2)


def _timed(call):
    began = time.perf_counter()
    result = call()
    return result, time.perf_counter() - began


def test_locating_a_repeated_quote_by_its_prefix_reads_the_text_a_bounded_number_of_times(big_body):
    text = CountingText(big_body)
    (start, end), seconds = _timed(
        lambda: locate(text, exact=PHRASE.strip(), prefix=MARKER)
    )
    assert big_body[start - len(MARKER) : end] == MARKER + PHRASE.strip()
    assert text.read <= 4 * len(big_body)
    assert seconds < 2


def test_a_prefix_every_copy_shares_is_refused_without_reading_the_text_per_copy(big_body):
    text = CountingText(big_body)
    with pytest.raises(SelectorMismatch, match="more than once"):
        locate(text, exact="news today.", prefix="Port ")
    assert text.read <= 4 * len(big_body)


def test_a_position_among_many_copies_reads_only_the_text_near_it(big_body):
    text = CountingText(big_body)
    at = big_body.index(MARKER) + len(MARKER)
    with pytest.raises(SelectorMismatch, match="more than once"):
        locate(text, exact=PHRASE.strip(), start=at + 1, end=at + 99)
    assert text.read < 50 * (2 * NEAR_DISTANCE + len(PHRASE))
    assert locate(text, exact=PHRASE.strip(), start=at + 1, prefix=MARKER) == (
        at,
        at + len(PHRASE.strip()),
    )


def test_a_long_periodic_quote_is_counted_only_as_far_as_the_decision_needs():
    text = CountingText("a" * TWO_MB)
    with pytest.raises(SelectorMismatch, match="more than once"):
        locate(text, exact="a" * 100_000)
    assert text.read <= 4 * TWO_MB


@pytest.fixture
def dmp_work(monkeypatch):
    """Record the size of every text handed to diff-match-patch's bitap and diff."""
    work = {"match": [], "diff": []}
    match_main, diff_main = diff_match_patch.match_main, diff_match_patch.diff_main

    def counted_match(self, text, pattern, loc):
        work["match"].append(len(text))
        return match_main(self, text, pattern, loc)

    def counted_diff(self, text1, text2, *args, **kwargs):
        work["diff"].append(len(text1) + len(text2))
        return diff_main(self, text1, text2, *args, **kwargs)

    monkeypatch.setattr(diff_match_patch, "match_main", counted_match)
    monkeypatch.setattr(diff_match_patch, "diff_main", counted_diff)
    return work


def _varied(size=TWO_MB):
    parts, length, number = [], 0, 0
    while length < size:
        part = f"Ship {number} docked at pier {number * 7 % 13}. "
        parts.append(part)
        length += len(part)
        number += 1
    return "".join(parts)


def test_a_quote_with_thousands_of_copies_edited_in_place_is_orphaned_quickly(dmp_work):
    old = _varied()
    at = old.index("docked", old.index("Ship 30000 "))
    anchor = anchor_at(old, at, at + len("docked"), EXACT)
    new = old[:at] + "dockd" + old[anchor.end :]

    result, seconds = _timed(lambda: _move(old, new, anchor))

    assert result.status == ORPHANED
    # Each copy would be scored by a few small diffs: the cap keeps them in the hundreds.
    assert len(dmp_work["diff"]) < 20 * MAX_CANDIDATES
    assert seconds < 3


def test_a_crowded_quote_standing_in_its_own_context_is_found_after_a_coarse_diff():
    old = _repeated(marker_at=TWO_MB // 2)
    at = old.index(MARKER) + len(MARKER)
    anchor = anchor_at(old, at, at + len(PHRASE.strip()), EXACT)
    new = "Breaking: " + old[: at - len(MARKER) - 40] + "A new paragraph.\n\n" + old[
        at - len(MARKER) - 40 :
    ]
    result = reanchor(
        old, new, start=anchor.start, end=anchor.end, exact=anchor.exact,
        prefix=anchor.prefix, suffix=anchor.suffix, orphaned=True,
    )
    assert (result.start, result.end) == (at + 28, at + 28 + len(anchor.exact))
    assert new[result.start - len(MARKER) : result.start] == MARKER


def test_the_approximate_search_reads_a_bounded_window_of_a_big_text(dmp_work):
    old = _varied()
    at = old.index("Ship 30000 ")
    anchor = anchor_at(old, at, at + len("Ship 30000 docked"), EXACT)
    new = old[:at] + "Boat 30000 docked" + old[anchor.end :]

    result, seconds = _timed(lambda: _move(old, new, anchor))

    assert (result.start, result.exact) == (at, "Boat 30000 docked")
    assert dmp_work["match"] and max(dmp_work["match"]) <= 2 * FUZZY_WINDOW + 32
    assert seconds < 2


def test_a_lost_quote_in_a_big_text_is_orphaned_without_scanning_it_all(dmp_work):
    old = _varied()
    at = len(old) // 2
    anchor = anchor_at(old, at, at + 40, EXACT)
    result, seconds = _timed(
        lambda: reanchor(
            old, old, start=at, end=at + 40, exact="zebra crossing on the quay at dawn",
            prefix=anchor.prefix, suffix=anchor.suffix, orphaned=True,
        )
    )
    assert result.status == ORPHANED
    assert max(dmp_work["match"]) <= 2 * FUZZY_WINDOW + 32
    assert seconds < 2


def test_the_whole_text_diff_is_computed_once_for_all_notes_of_a_brief(dmp_work):
    old = _varied(200_000)
    new = "Update: " + old
    anchors = [anchor_at(old, at, at + 20, EXACT) for at in range(1000, 150_000, 10_000)]
    results = [_move(old, new, anchor) for anchor in anchors]
    assert {r.status for r in results} == {SHIFTED}
    whole = [size for size in dmp_work["diff"] if size >= len(old)]
    assert len(whole) == 1


def _move(old, new, anchor, **kwargs):
    return reanchor(
        old, new, start=anchor.start, end=anchor.end, exact=anchor.exact,
        prefix=anchor.prefix, suffix=anchor.suffix, **kwargs,
    )


# The bounds change nothing on texts smaller than them: the same answers as before.

def _locate_before(text, *, exact, start=None, end=None, prefix="", suffix=""):
    """``locate`` as it was before issue 15 (quadratic on repeated quotes): the oracle."""
    if not exact or not exact.strip():
        raise SelectorMismatch("The quote (TextQuoteSelector.exact) is empty.")
    if start is not None and end is not None and text[start:end] == exact and start < end:
        return start, end
    occurrences = [i for i in range(len(text)) if text.startswith(exact, i)]
    if not occurrences:
        raise SelectorMismatch("The quote does not occur in the brief's text.")
    near = occurrences
    if start is not None:
        near = [p for p in occurrences if abs(p - start) <= NEAR_DISTANCE]
        if len(near) == 1:
            return near[0], near[0] + len(exact)
        if not near:
            raise SelectorMismatch("The quote does not occur at or near the given position.")
    if len(near) > 1 and (prefix or suffix):
        near = [
            p for p in near
            if text[:p].endswith(prefix) and text[p + len(exact) :].startswith(suffix)
        ]
    if len(near) != 1:
        raise SelectorMismatch(
            "The quote occurs more than once; send its position (TextPositionSelector)."
        )
    return near[0], near[0] + len(exact)


def _outcome(call):
    try:
        return call()
    except SelectorMismatch as error:
        return str(error)


small_texts = st.text(alphabet="ab .\n", max_size=160)
pieces = st.text(alphabet="ab .", max_size=6)


@settings(max_examples=300, deadline=None)
@given(text=small_texts, exact=st.text(alphabet="ab .", min_size=1, max_size=5),
       prefix=pieces, suffix=pieces,
       start=st.none() | st.integers(-60, 220), length=st.integers(0, 8))
def test_locate_answers_as_before_on_small_texts(text, exact, prefix, suffix, start, length):
    end = None if start is None else start + length
    selectors = dict(exact=exact, start=start, end=end, prefix=prefix, suffix=suffix)
    assert _outcome(lambda: locate(text, **selectors)) == _outcome(
        lambda: _locate_before(text, **selectors)
    )


@st.composite
def small_edit(draw):
    old = draw(st.text(alphabet="abc de\n.", min_size=1, max_size=150))
    start = draw(st.integers(0, len(old) - 1))
    end = draw(st.integers(start + 1, min(len(old), start + 40)))
    cut = draw(st.integers(0, len(old)))
    new = draw(st.one_of(
        st.just(old),
        st.builds(lambda a: old[:cut] + a + old[cut:], st.text(alphabet="abc de\n.", max_size=20)),
        st.builds(lambda n: old[:cut] + old[cut + n :], st.integers(1, 20)),
        st.text(alphabet="abc de\n.", max_size=150),
    ))
    return old, new, start, end, draw(st.booleans())


@settings(max_examples=200, deadline=None)
@given(small_edit())
def test_reanchoring_answers_as_without_the_bounds_on_small_texts(case):
    old, new, start, end, orphaned = case
    anchor = anchor_at(old, start, end, EXACT)
    bounded = _move(old, new, anchor, orphaned=orphaned)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(anchoring, "MAX_CANDIDATES", 10**9)
        patch.setattr(anchoring, "FUZZY_WINDOW", 10**9)
        unbounded = _move(old, new, anchor, orphaned=orphaned)
    assert bounded == unbounded

