"""Where an annotation's passage is after its text changed: pure text work, no models.

An annotation holds its passage twice, as the W3C selectors do: a quote (``exact`` with a
little ``prefix`` and ``suffix`` of context) and a position (``start``/``end`` offsets). When the
text changes, :func:`reanchor` decides where the passage now is, in three steps:

1. **Shift.** Map the offsets through a character diff of old and new text (diff-match-patch).
   If the diff left the quoted characters untouched, the passage moved with the text around it.
   The result is checked against the quote and its context before it is believed.
2. **Fuzzy search.** Otherwise look for the quote (exact occurrences, and approximate ones found
   from its head and tail) and score every candidate on quote, prefix and suffix similarity and
   on its distance from where the passage was expected.
3. **Orphan.** If no candidate reaches the minimum score, or two different places score alike,
   the annotation is orphaned: it keeps its old offsets and quote, and is shown to its owner
   as a note whose text has changed.

Attaching a note to the wrong words is worse than orphaning it, so the thresholds are strict:
an exact copy of the quote in a different context (a later paragraph repeating the words) is
not enough, and neither is a look-alike sentence standing where a deleted one used to be.

Every step stays near-linear in the text's length (issue 15: a 2 MB brief took 32.8 s), so a
request stays inside the worker's timeout whatever the text and selectors:

- exact copies are found with ``str.find`` and counted only as far as a decision needs
  (:func:`locate` stops at the second; a search scores at most :data:`MAX_CANDIDATES`);
- context is compared in place, over windows the length of the context, never by slicing
  the text up to a candidate;
- the approximate (bitap) search reads at most :data:`FUZZY_WINDOW` characters either side of
  where the passage was expected, and every character diff has a time budget; a diff that runs
  out of time is coarser, which can only lower a score (orphan), never raise one;
- the whole-text diff is computed once per pair of texts, not once per annotation.
"""

import functools
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

EXACT = "exact"
SHIFTED = "shifted"
FUZZY = "fuzzy"
ORPHANED = "orphaned"

CONTEXT_LENGTH = 32
"""Characters of prefix and suffix kept beside a quote (as Hypothesis does)."""

QUOTE_WEIGHT, PREFIX_WEIGHT, SUFFIX_WEIGHT, POSITION_WEIGHT = 0.5, 0.2, 0.2, 0.1
MIN_QUOTE_SIMILARITY = 0.85
"""An edited quote must be at least this similar to the stored one..."""
MIN_CONTEXT_SIMILARITY = 0.6
"""...and framed by recognisably the same prefix and suffix, both of them: one matching side
is what a look-alike sentence next to a deleted quote has."""
FRAMED_QUOTE_SIMILARITY = 0.7
FRAMED_CONTEXT_SIMILARITY = 0.9
"""A quote framed by (nearly) the same prefix and suffix was edited in place: a looser quote
similarity is enough."""
MIN_SCORE = 0.8
"""The weighted score a fuzzy candidate needs: an exact quote alone (0.5) is far from enough."""
AMBIGUITY_MARGIN = 0.03
"""Two different places scoring within this of each other: too close to call, so orphan."""
NEAR_DISTANCE = 48
"""How far (in characters) a creation request's position may be from the quote it names."""
MAX_CANDIDATES = 200
"""Exact copies of a quote a fuzzy search scores. A quote copied more often is re-found only
where its stored prefix, quote and suffix occur together, exactly and once; else orphaned."""
FUZZY_WINDOW = 32_768
"""Characters either side of the expected place read by the approximate (bitap) search."""

_DIFF_TIMEOUT_SECONDS = 2.0
"""Budget of the one diff of the whole old and new text."""
_SIMILARITY_TIMEOUT_SECONDS = 0.05
"""Budget of each quote or context comparison (passages can be long)."""
_DIFF_EQUAL, _DIFF_INSERT, _DIFF_DELETE = 0, 1, -1


@dataclass(frozen=True)
class Anchor:
    """Where an annotation is: its offsets, its status, and the quote with its context."""

    start: int
    end: int
    status: str
    exact: str
    prefix: str
    suffix: str


def _dmp(timeout=_DIFF_TIMEOUT_SECONDS):
    dmp = diff_match_patch()
    dmp.Diff_Timeout = timeout
    return dmp


@functools.lru_cache(maxsize=1)
def _text_diff(old_text, new_text):
    """The character diff of two texts; re-anchoring every note of a brief reuses it."""
    return tuple(_dmp().diff_main(old_text, new_text, False))


def context_of(text, start, end, length=CONTEXT_LENGTH):
    """The prefix and suffix around ``text[start:end]``."""
    return text[max(0, start - length) : start], text[end : end + length]


def anchor_at(text, start, end, status):
    """An :class:`Anchor` for ``text[start:end]`` with its quote and context read from ``text``."""
    prefix, suffix = context_of(text, start, end)
    return Anchor(start, end, status, text[start:end], prefix, suffix)


def similarity(a, b):
    """1.0 for equal strings, falling to 0.0 as their edit distance reaches the longer length.

    The distance is diff-match-patch's Levenshtein count over a Myers diff with a time budget
    (:data:`_SIMILARITY_TIMEOUT_SECONDS`): past it the diff is coarser, so the similarity can
    come out lower than the true one, never higher.
    """
    if a == b:
        return 1.0
    longest = max(len(a), len(b))
    if not longest:
        return 1.0
    dmp = _dmp(_SIMILARITY_TIMEOUT_SECONDS)
    distance = dmp.diff_levenshtein(dmp.diff_main(a, b, False))
    return max(0.0, 1.0 - distance / longest)


PARAGRAPH_BREAK = "\n\n"


def _within_paragraph(context, at_edge, *, before):
    """The part of ``context`` in the quote's own paragraph, and whether a boundary ends it.

    The edge of the text counts as a paragraph boundary: a quote opening a paragraph that
    moved to the top of the text keeps its context.
    """
    if PARAGRAPH_BREAK in context:
        if before:
            return True, context.rsplit(PARAGRAPH_BREAK, 1)[1]
        return True, context.split(PARAGRAPH_BREAK, 1)[0]
    return at_edge, context


def _context_similarity(expected, actual, *, before, expected_at_edge, actual_at_edge):
    """How well the context beside a candidate matches the stored one, paragraph-aware.

    Context across a paragraph break belongs to another paragraph, which may have moved or
    changed without saying anything about the quote: only the quote's own paragraph counts,
    plus whether that paragraph begins (or ends) at the same distance from the quote.
    """
    expected_boundary, expected_part = _within_paragraph(
        expected, expected_at_edge, before=before
    )
    actual_boundary, actual_part = _within_paragraph(actual, actual_at_edge, before=before)
    if expected_boundary and actual_boundary:
        return similarity(expected_part, actual_part)
    if not expected_part:
        return 0.0
    if before:
        actual_part = actual_part[-len(expected_part) :]
    else:
        actual_part = actual_part[: len(expected_part)]
    score = similarity(expected_part, actual_part)
    return score if expected_boundary == actual_boundary else score / 2


def _shift(diffs, start, end):
    """Map ``[start, end)`` through ``diffs``; also say whether an edit touched the range."""
    old_position = new_position = 0
    new_start = new_end = None
    touched = False
    for operation, chunk in diffs:
        size = len(chunk)
        if operation == _DIFF_EQUAL:
            if new_start is None and old_position + size > start:
                new_start = new_position + (start - old_position)
            if new_end is None and old_position + size >= end:
                new_end = new_position + (end - old_position)
            old_position += size
            new_position += size
        elif operation == _DIFF_DELETE:
            if old_position < end and old_position + size > start:
                touched = True
            if new_start is None and old_position + size > start:
                new_start = new_position
            old_position += size
        else:  # insertion
            if start < old_position < end:
                touched = True
            new_position += size
        if new_end is not None and new_start is not None:
            break
    if new_start is None:
        new_start = new_position
    if new_end is None:
        new_end = new_position
    return new_start, max(new_start, new_end), touched


def _context_scores(text, start, end, prefix, suffix):
    """Similarity of the stored prefix and suffix to the text beside ``text[start:end]``."""
    before = text[max(0, start - CONTEXT_LENGTH) : start]
    after = text[end : end + CONTEXT_LENGTH]
    return (
        _context_similarity(
            prefix,
            before,
            before=True,
            expected_at_edge=len(prefix) < CONTEXT_LENGTH,
            actual_at_edge=start < CONTEXT_LENGTH,
        ),
        _context_similarity(
            suffix,
            after,
            before=False,
            expected_at_edge=len(suffix) < CONTEXT_LENGTH,
            actual_at_edge=len(text) - end < CONTEXT_LENGTH,
        ),
    )


def _score(text, start, end, exact, prefix, suffix, expected_start):
    """Weighted score of ``text[start:end]`` as the new place of the quote, with its parts."""
    quote = similarity(exact, text[start:end])
    prefix_score, suffix_score = _context_scores(text, start, end, prefix, suffix)
    position = max(0.0, 1.0 - abs(start - expected_start) / max(len(text), 1))
    score = (
        QUOTE_WEIGHT * quote
        + PREFIX_WEIGHT * prefix_score
        + SUFFIX_WEIGHT * suffix_score
        + POSITION_WEIGHT * position
    )
    return score, quote, prefix_score, suffix_score


def _acceptable(score, quote, prefix_score, suffix_score):
    """Whether a scored candidate is safe to attach the note to."""
    if score < MIN_SCORE:
        return False
    if quote == 1.0:
        return max(prefix_score, suffix_score) >= 0.5
    framing = min(prefix_score, suffix_score)
    if framing >= FRAMED_CONTEXT_SIMILARITY:
        return quote >= FRAMED_QUOTE_SIMILARITY
    return framing >= MIN_CONTEXT_SIMILARITY and quote >= MIN_QUOTE_SIMILARITY


def _occurrences(text, needle, start=0, end=None, limit=None):
    """Where ``needle`` occurs (overlaps included) inside ``text[start:end]``, in order.

    At most ``limit`` positions: each ``str.find`` after a hit costs about ``len(needle)``, so
    a limit keeps a periodic text from making the scan quadratic.
    """
    end = len(text) if end is None else end
    positions = []
    if not needle or start > len(text) or end <= start:
        return positions
    index = text.find(needle, start, end)
    while index != -1 and (limit is None or len(positions) < limit):
        positions.append(index)
        index = text.find(needle, index + 1, end)
    return positions


def _framed_by(text, position, length, prefix, suffix):
    """Whether ``text[position:position + length]`` has ``prefix`` before and ``suffix`` after.

    Compared in place (``str.startswith`` at an offset), so the cost is the context's length.
    """
    return (
        position >= len(prefix)
        and text.startswith(prefix, position - len(prefix))
        and text.startswith(suffix, position + length)
    )


def _bitap(text, pattern, near):
    """Best approximate place of ``pattern`` (at most 32 characters) in ``text``, or None.

    diff-match-patch's bitap matcher, run on at most :data:`FUZZY_WINDOW` characters either
    side of ``near``: its work grows with the text it reads.
    """
    if not pattern or not text:
        return None
    near = min(max(near, 0), len(text))
    low = max(0, near - FUZZY_WINDOW)
    window = text[low : near + FUZZY_WINDOW + len(pattern)]
    dmp = _dmp()
    dmp.Match_Threshold = 0.35
    dmp.Match_Distance = max(len(window), 1000)
    found = dmp.match_main(window, pattern, near - low)
    return None if found == -1 else low + found


def _candidates(text, exact, prefix, suffix, expected_start, shifted_range):
    """Places worth scoring: exact copies, the diff-shifted range, approximate head/tail hits."""
    length = len(exact)
    copies = _occurrences(text, exact, limit=MAX_CANDIDATES + 1)
    if len(copies) > MAX_CANDIDATES:
        # Too many copies to score each: only one standing in its stored context will do.
        copies = _occurrences(text, prefix + exact + suffix, limit=2)
        copies = [p + len(prefix) for p in copies] if len(copies) == 1 else []
    spans = {(position, position + length) for position in copies}
    if shifted_range and shifted_range[0] < shifted_range[1]:
        spans.add(shifted_range)
    width = min(length, 32)
    head = _bitap(text, exact[:width], expected_start)
    tail = _bitap(text, exact[-width:], expected_start + length - width)
    if head is not None:
        spans.add((head, min(len(text), head + length)))
    if tail is not None:
        tail_end = tail + width
        spans.add((max(0, tail_end - length), tail_end))
        if head is not None and 0.5 * length <= tail_end - head <= 1.5 * length:
            spans.add((head, tail_end))
    return [(start, end) for start, end in spans if 0 <= start < end <= len(text)]


def fuzzy_find(text, *, exact, prefix, suffix, expected_start, shifted_range=None):
    """The best place for the quote in ``text`` if it clearly beats the minimum, else None.

    ``shifted_range`` is where the diff says the passage went. Edited words (not an exact copy
    of the quote) are only taken there: elsewhere they are another sentence that looks alike.
    """
    scored = []
    for start, end in _candidates(
        text, exact, prefix, suffix, expected_start, shifted_range
    ):
        scores = _score(text, start, end, exact, prefix, suffix, expected_start)
        if scores[1] < 1.0 and shifted_range is not None:
            if not (start < shifted_range[1] and shifted_range[0] < end):
                continue
        if _acceptable(*scores):
            scored.append((scores[0], start, end))
    if not scored:
        return None
    scored.sort(reverse=True)
    best_score, best_start, best_end = scored[0]
    for score, start, end in scored[1:]:
        overlaps = start < best_end and best_start < end
        if not overlaps and best_score - score < AMBIGUITY_MARGIN:
            return None
    return best_start, best_end


def reanchor(old_text, new_text, *, start, end, exact, prefix="", suffix="", orphaned=False):
    """Where the passage ``old_text[start:end]`` (quoted as ``exact``) is in ``new_text``.

    ``orphaned`` says the annotation had already lost its place: its offsets then belong to an
    older text, so only the search applies (an edit that restores the words re-attaches it:
    exactly, or shifted, when words and context are all back; else fuzzy).
    """
    if not orphaned and old_text == new_text and new_text[start:end] == exact:
        return Anchor(start, end, EXACT, exact, prefix, suffix)
    expected_start, shifted_range = start, None
    if not orphaned:
        diffs = _text_diff(old_text, new_text)
        new_start, new_end, touched = _shift(diffs, start, end)
        expected_start = new_start
        if not touched and new_text[new_start:new_end] == exact:
            # The words are the same; some of their context must confirm they are the
            # same words and not a repeat the diff happened to line up with.
            if max(_context_scores(new_text, new_start, new_end, prefix, suffix)) >= 0.5:
                status = EXACT if new_start == start else SHIFTED
                return anchor_at(new_text, new_start, new_end, status)
        shifted_range = (new_start, new_end)
    found = fuzzy_find(
        new_text,
        exact=exact,
        prefix=prefix,
        suffix=suffix,
        expected_start=expected_start,
        shifted_range=shifted_range,
    )
    if found is None:
        return Anchor(start, end, ORPHANED, exact, prefix, suffix)
    new_start, new_end = found
    status = FUZZY
    # The same words (for an orphan: in the same context too, the edit that took them
    # away undone) are where they were, or moved.
    if new_text[new_start:new_end] == exact and (
        not orphaned
        or (
            new_text[max(0, new_start - len(prefix)):new_start] == prefix
            and new_text[new_end:new_end + len(suffix)] == suffix
        )
    ):
        status = EXACT if new_start == start else SHIFTED
    return anchor_at(new_text, new_start, new_end, status)


class SelectorMismatch(ValueError):
    """The quote and position a client sent do not name a passage of the text."""


def locate(text, *, exact, start=None, end=None, prefix="", suffix=""):
    """Resolve a new annotation's selectors against ``text``; return ``(start, end)``.

    Offsets count code points (Python ``str`` indices), as the W3C TextPositionSelector does.
    The quote must equal ``text[start:end]``, or occur exactly once within
    :data:`NEAR_DISTANCE` of ``start``; without a position it must occur once in the text (its
    prefix and suffix may single it out). Raises :class:`SelectorMismatch` otherwise.

    Linear in ``len(text)`` plus the selectors' lengths: copies are found with ``str.find``
    (near ``start`` only, or just the first two in the text), and a prefix and suffix are
    matched as one needle ``prefix + exact + suffix`` or compared in place.
    """
    if not exact or not exact.strip():
        raise SelectorMismatch("The quote (TextQuoteSelector.exact) is empty.")
    if start is not None and end is not None and text[start:end] == exact and start < end:
        return start, end
    if start is not None:
        low = max(0, start - NEAR_DISTANCE)
        high = start + NEAR_DISTANCE + len(exact)  # a copy may start up to NEAR_DISTANCE after
        near = _occurrences(text, exact, low, high) if start + NEAR_DISTANCE >= 0 else []
        if len(near) == 1:
            return near[0], near[0] + len(exact)
        if not near:
            if text.find(exact) == -1:
                raise SelectorMismatch("The quote does not occur in the brief's text.")
            raise SelectorMismatch("The quote does not occur at or near the given position.")
        if prefix or suffix:
            near = [p for p in near if _framed_by(text, p, len(exact), prefix, suffix)]
    else:
        near = _occurrences(text, exact, limit=2)
        if not near:
            raise SelectorMismatch("The quote does not occur in the brief's text.")
        if len(near) > 1 and (prefix or suffix):
            framed = _occurrences(text, prefix + exact + suffix, limit=2)
            near = [p + len(prefix) for p in framed]
    if len(near) != 1:
        raise SelectorMismatch(
            "The quote occurs more than once; send its position (TextPositionSelector)."
        )
    return near[0], near[0] + len(exact)
