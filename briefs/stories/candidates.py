"""Which briefs of a window are worth scoring: a candidate index of the hard facts.

Two reports of one event share their names and numbers (what the ``facts`` half of the
score compares, ``mentions.fact_tokens``); two unrelated briefs of one week rarely share
more than one rare one. So each brief's distinct index tokens are stored (``StoryToken``
rows, kept by the write paths), and a new brief is scored only against the briefs of its
window that share at least ``MIN_SHARED`` of its rare tokens (held by fewer than
``RARE_MAX`` other briefs of the window: a country, a year or a round number in every
other brief says nothing about which event), at most ``MAX_CANDIDATES`` of them, those
sharing most first. This is the inverted-index pre-selection of near-duplicate
detection (Broder, "On the resemblance and containment of documents", 1997; here on
exact name and number tokens instead of shingles, since reports of one event are worded
apart but name the same facts). The scorer is unchanged; the index only decides whom it
meets.

Index tokens are a cheap cousin of ``fact_tokens``, read on every import: ``name:`` for
each capitalised word that does not open a sentence (stop words dropped, as
``mentions.name_words`` does), ``number:`` for each run of digits as written ("4,800"
gives ``number:4800``; no units, no dates). Two regular expressions over the text, about
0.35 ms for a 750-word body where ``fact_tokens`` takes 2.5 ms. Measured on
``tests/briefs/story_eval``: every same-event pair there shares at least 3 index tokens,
and 96 of its 2,602 other pairs share 2 or more (see ``test_stories_candidates.py``).

Pure functions: plain strings in, plain values out; the SQL form of ``pick_candidates``
is in ``briefs.services.stories``.
"""

import datetime as dt
import re
from collections import Counter

from .mentions import NAME_JOINERS, NOT_NAMES
from .similarity import MAX_DAYS

# A brief must share this many distinct index tokens with the new one to be scored.
MIN_SHARED = 2
# A token held by this many other briefs of the window or more is not rare: the 100k
# benchmark archive has ~500 briefs in a window (55 a day); an event's own names are in
# a few dozen at most. A story bigger than that (every brief of a week names a summit)
# is found through its rarer tokens, or not at all: precision and cost first.
RARE_MAX = 50
# At most this many candidates per new brief, those sharing most tokens first.
MAX_CANDIDATES = 100
# Longer tokens are cut (a run of digits or a long name): an index row stays small.
TOKEN_MAX_LENGTH = 64
# Index rows carry the UTC day of publication; briefs this many calendar days apart or
# fewer are read from the index (MAX_DAYS plus the half day a date-only brief moves stay
# within four calendar days); the scorer applies the exact window.
WINDOW_DAYS = int(MAX_DAYS) + 1


_CAPITAL = re.compile(r"(?<![\w’'.])[A-Z][\w’'&.-]*")
_DIGITS = re.compile(r"(?<![\w.,])\d[\d,.]*")
# What may stand just before a word that opens a sentence, a clause or a paragraph.
_OPENER = re.compile(r"(?:[.!?…:;\"“”)]\s*|\n\s*)$")


def index_tokens(title, dek, body):
    """The distinct index tokens of a brief, sorted, each at most ``TOKEN_MAX_LENGTH``
    characters: the rows the candidate index keeps for it. Names are read from ``dek``
    and ``body`` (a Title-Case headline capitalises every word), numbers from all three.
    """
    tokens = set()
    for text in (dek, body):
        for match in _CAPITAL.finditer(text):
            start = match.start()
            if start == 0 or _OPENER.search(text, max(0, start - 3), start):
                continue
            word = re.sub(r"['’]s?$", "", match.group().rstrip(".")).replace(".", "")
            acronym = word.isupper()  # "US" is a name, "us" a stop word
            for part in word.lower().split("-"):
                if part and (acronym or part not in NOT_NAMES) and part not in NAME_JOINERS:
                    tokens.add(f"name:{part}")
    for text in (title, dek, body):
        tokens.update(
            f"number:{match.group().rstrip('.,').replace(',', '')}"
            for match in _DIGITS.finditer(text)
        )
    return sorted({token[:TOKEN_MAX_LENGTH] for token in tokens})


def index_day(published_at):
    """The index's day of an aware ``published_at``: its UTC date's proleptic ordinal."""
    return published_at.astimezone(dt.UTC).date().toordinal()


def pick_candidates(tokens, others):
    """The keys of ``others`` worth scoring against a brief with index ``tokens``.

    ``tokens`` is an iterable of index tokens; ``others`` maps each key to its own
    tokens (the briefs of the window). Only the rare tokens count (held by fewer than
    ``RARE_MAX`` of ``others``). Keeps keys sharing at least ``MIN_SHARED`` of them, most
    shared first (ties by key order; keys of one type), at most ``MAX_CANDIDATES``;
    returns a list of keys.
    """
    tokens = set(tokens)
    held = Counter(token for theirs in others.values() for token in tokens.intersection(theirs))
    tokens = {token for token in tokens if held[token] < RARE_MAX}
    shared = {key: len(tokens.intersection(theirs)) for key, theirs in others.items()}
    kept = [key for key, count in shared.items() if count >= MIN_SHARED]
    kept.sort(key=lambda key: (-shared[key], key))
    return kept[:MAX_CANDIDATES]
