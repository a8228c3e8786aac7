"""Corrected copies: the same brief from the same source, imported again after an edit.

A newsroom fixes a headline typo, adds a sentence or an "Updated" line, and the copy is
imported again. That is not a new story (``similarity`` finds *other* newsrooms' briefs
of one event); it is the stored brief, to be updated in place so its notes follow.

Two texts are copies when both their headlines and their bodies are nearly the same,
measured with ``difflib.SequenceMatcher`` ratios (2·matches / total length, 0 to 1): the
headline on characters, the body on words. The thresholds come from
``tests/briefs/test_story_copies.py``, which measures them on pairs: 200 edited copies of
the 50 evaluation and seed briefs (headline typo fixed, a word added or dropped, a
correction appended) score at least 0.89 on both; 213 different briefs of one source at
most 0.47 (headline) and 0.22 (body). Headlines built on one template ("Stocks Rise As …"
/ "Stocks Fall As …") reach 0.93, which is why the body must agree too. The body
threshold sits nearer the copies than the middle of the gap: a missed copy leaves a
duplicate a curator can merge, a false one would overwrite another story.
"""

import datetime as dt
from difflib import SequenceMatcher

COPY_TITLE_MIN = 0.75
COPY_BODY_MIN = 0.75
# How far apart the dates of two copies may be: an "Updated" line a few days later.
COPY_DATE_WINDOW = dt.timedelta(days=3)
# The body is compared on its opening words: a copy's edits do not change its start,
# and SequenceMatcher's cost grows with the product of the lengths.
COPY_BODY_WORDS = 600


def title_similarity(first, second):
    """How alike two headlines are, 0 to 1, ignoring case (characters compared)."""
    return SequenceMatcher(None, first.casefold(), second.casefold(), autojunk=False).ratio()


def body_similarity(first, second):
    """How alike two bodies are, 0 to 1, on their first ``COPY_BODY_WORDS`` words."""
    words_a = first.casefold().split()[:COPY_BODY_WORDS]
    words_b = second.casefold().split()[:COPY_BODY_WORDS]
    return SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()


def titles_alike(title, other_title):
    """Whether two headlines are close enough for a copy (the cheap first check)."""
    return bool(alike_titles(title, [other_title]))


def alike_titles(title, others):
    """The indexes of the headlines in ``others`` close enough to ``title`` for a copy.

    Alike: at least half of the words shared, and a character ratio of at least
    ``COPY_TITLE_MIN``. One matcher holds ``title`` (its index is built once); the word
    check and the ratio's O(1) and O(n) upper bounds run before the full ratio, so a few
    hundred candidates cost well under a millisecond.
    """
    if not title:
        return []
    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(title.casefold())
    words = set(title.casefold().split())
    found = []
    for index, other in enumerate(others):
        if not other:
            continue
        other = other.casefold()
        # A copy's headline keeps at least half its words (a set check costs microseconds,
        # where most unrelated headlines of one alphabet pass the character bounds).
        other_words = set(other.split())
        if 2 * len(words & other_words) < max(len(words), len(other_words)):
            continue
        matcher.set_seq1(other)
        if (
            matcher.real_quick_ratio() >= COPY_TITLE_MIN
            and matcher.quick_ratio() >= COPY_TITLE_MIN
            and matcher.ratio() >= COPY_TITLE_MIN
        ):
            found.append(index)
    return found


def is_corrected_copy(title, body, other_title, other_body):
    """Whether (``title``, ``body``) is an edited copy of (``other_title``, ``other_body``).

    Plain strings in; the headline check runs first, the body only when it passes.
    """
    return titles_alike(title, other_title) and (
        body_similarity(body, other_body) >= COPY_BODY_MIN
    )
