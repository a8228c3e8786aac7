"""Which briefs of a window are worth scoring: a candidate index of the hard facts.

Two reports of one event share their names, numbers and dates (``mentions.fact_tokens``:
the very tokens the ``facts`` half of the score compares); two unrelated briefs of one
week rarely share more than one. So each brief's distinct fact tokens are stored
(``StoryToken`` rows, kept by the write paths), and a new brief is scored only against
the briefs of its window that share at least ``MIN_SHARED`` of them, at most
``MAX_CANDIDATES`` of them, those sharing most first. This is the inverted-index
pre-selection of near-duplicate detection (Broder, "On the resemblance and containment
of documents", 1997; here on exact fact tokens instead of shingles, since reports of one
event are worded apart but name the same facts). The scorer is unchanged; the index only
decides whom it meets. Measured on ``tests/briefs/story_eval``: every same-event pair
there shares at least 3 fact tokens (see ``test_stories_candidates.py``).

Pure functions: plain strings in, plain values out; the SQL form of ``pick_candidates``
is in ``briefs.services.stories``.
"""

import datetime as dt

from .similarity import MAX_DAYS, fact_tokens_of

# A brief must share this many distinct fact tokens with the new one to be scored.
MIN_SHARED = 2
# At most this many candidates per new brief, those sharing most tokens first: a bound
# for weeks where a few names ("US", "China", the year) are in every brief.
MAX_CANDIDATES = 100
# Longer tokens are cut (a run of digits or a long name): an index row stays small.
TOKEN_MAX_LENGTH = 64
# Index rows carry the UTC day of publication; briefs this many calendar days apart or
# fewer are read from the index (MAX_DAYS plus the half day a date-only brief moves stay
# within four calendar days); the scorer applies the exact window.
WINDOW_DAYS = int(MAX_DAYS) + 1


def index_tokens(title, dek, body):
    """The distinct fact tokens of a brief (``fact_tokens_of``), sorted, each at most
    ``TOKEN_MAX_LENGTH`` characters: the rows the candidate index keeps for it."""
    return sorted({token[:TOKEN_MAX_LENGTH] for token in fact_tokens_of(title, dek, body)})


def index_day(published_at):
    """The index's day of an aware ``published_at``: its UTC date's proleptic ordinal."""
    return published_at.astimezone(dt.UTC).date().toordinal()


def pick_candidates(tokens, others):
    """The keys of ``others`` worth scoring against a brief with index ``tokens``.

    ``tokens`` is an iterable of index tokens; ``others`` maps each key to its own
    tokens. Keeps keys sharing at least ``MIN_SHARED`` tokens, most shared first (ties by
    key order; keys of one type), at most ``MAX_CANDIDATES``; returns a list of keys.
    """
    tokens = set(tokens)
    shared = {key: len(tokens.intersection(theirs)) for key, theirs in others.items()}
    kept = [key for key, count in shared.items() if count >= MIN_SHARED]
    kept.sort(key=lambda key: (-shared[key], key))
    return kept[:MAX_CANDIDATES]
