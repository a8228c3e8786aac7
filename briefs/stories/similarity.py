"""Which briefs from different sources report the same event: a score for each pair.

A new brief is compared with the briefs the caller selected (published within a few
days of it, from other sources, sharing at least two of its hard facts: the candidate
index of ``candidates``). Two signals, each a TF-IDF cosine (Salton & Buckley,
"Term-weighting approaches in automatic text retrieval", 1988) computed with
scikit-learn:

- ``words``: the words of title, dek and body (English stop words dropped);
- ``facts``: the hard facts (``mentions.fact_tokens``): name words, numbers by value,
  calendar dates. Two reports of one event share them even when worded apart; two
  events of one kind (two port strikes, two rate decisions) differ in them.

The score is their weighted mean, lowered by how far apart the two were published
(same-event reports come within a day or so; a follow-up two days on must be clearly
closer in content to count). Topics are not used: shared topics are not evidence of
a shared event.

IDF statistics come from the compared set itself (the new brief and its candidates)
plus a fixed background (by default the 25 demo briefs of ``briefs/demo``, counted once
per process), through a ``HashingVectorizer``: nothing is fitted or stored ahead of time
and the cost is linear in the number of candidates. Within a few-day window, a word that
many briefs use that week ("tariff" in a trade-war week) is the word that separates
least; the background keeps a tiny window (two briefs on a quiet day) from giving every
shared word the lowest weight.
"""

import functools
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import HashingVectorizer

from .mentions import fact_tokens

# Read off the tuning half of tests/briefs/story_eval (``choose_threshold``: midway
# between its best wrong pair, 0.338, and its worst right pair, 0.470); the held-out
# half was scored with it afterwards. Read again once only the briefs the candidate
# index picks were scored (``candidates``, issue 18: fewer briefs in the IDF
# statistics): 0.327 and 0.458, so 0.39; the held-out half is unchanged by it.
THRESHOLD = 0.39
FACTS_WEIGHT = 0.5
# Pairs published further apart are never compared. Reports of one event from
# different newsrooms come within about a day; after FULL_WEIGHT_DAYS the score is
# scaled down linearly, reaching 0 at MAX_DAYS, so a follow-up two days on (the outcome
# of a meeting) needs near-identical content to count.
MAX_DAYS = 3.0
FULL_WEIGHT_DAYS = 1.0

_HASH_FEATURES = 2**18
_words_vectorizer = HashingVectorizer(
    n_features=_HASH_FEATURES,
    alternate_sign=False,
    norm=None,
    stop_words="english",
    token_pattern=r"(?u)\b[^\W\d_]{2,}\b",
)
_facts_vectorizer = HashingVectorizer(
    n_features=_HASH_FEATURES,
    alternate_sign=False,
    norm=None,
    analyzer=lambda tokens: tokens,
)


@dataclass(frozen=True)
class StoryCandidate:
    """A brief as the matcher sees it: plain values, no model.

    ``key`` is any hashable id (the brief's pk); ``source`` the outlet (briefs of one
    source are never matched); ``published_at`` an aware or naive datetime (all of one
    kind); ``time_known`` false means only the day is known (the importer then stores
    midnight UTC) and the matcher takes midday of that day; ``topics`` is carried for
    callers and ignored by the score.
    """

    key: object
    source: str
    published_at: datetime
    title: str
    dek: str = ""
    body: str = ""
    topics: tuple = field(default=(), compare=False)
    time_known: bool = True

    @property
    def moment(self):
        """``published_at``, or midday of its day when only the day is known."""
        if self.time_known:
            return self.published_at
        return self.published_at.replace(hour=12, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class StoryMatch:
    """One compared pair: ``score`` in [0, 1], ``same_event`` when it reached the threshold."""

    key: object
    other: object
    score: float
    words: float
    facts: float
    days_apart: float
    same_event: bool


@dataclass(frozen=True)
class Background:
    """Word and fact counts of fixed briefs, added to every window's IDF statistics."""

    words: object  # scipy sparse matrix, one row a brief
    facts: object
    # How many of its rows hold each hashed column, counted once rather than per call.
    word_frequency: object = field(init=False, repr=False, compare=False)
    fact_frequency: object = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        for name in ("words", "facts"):
            matrix = getattr(self, name).tocsr()
            matrix.sum_duplicates()
            matrix.eliminate_zeros()
            frequency = np.bincount(matrix.indices, minlength=matrix.shape[1])
            object.__setattr__(self, name.removesuffix("s") + "_frequency", frequency)

    @classmethod
    def from_candidates(cls, candidates):
        """Count ``StoryCandidate`` objects once; reuse the result for every call."""
        candidates = list(candidates)
        return cls(
            words=_words_vectorizer.transform(map(_words_text, candidates)),
            facts=_facts_vectorizer.transform(map(_facts, candidates)),
        )


@functools.cache
def demo_background():
    """The default ``Background``: the demo briefs (``briefs/demo``), read by the importer."""
    from ..importer import parse_brief  # pure text; imported here to keep this module light

    candidates = []
    for path in sorted((Path(__file__).resolve().parents[1] / "demo").glob("*.txt")):
        parsed = parse_brief(path.read_text(encoding="utf-8-sig"))
        candidates.append(
            StoryCandidate(path.stem, parsed.source_name, parsed.published_at, parsed.title,
                           parsed.dek, parsed.body)
        )
    return Background.from_candidates(candidates)


def score_candidates(
    new, candidates, *, threshold=THRESHOLD, max_days=MAX_DAYS, background=None
):
    """Compare ``new`` with each candidate; return ``StoryMatch`` list, best score first.

    ``new`` is a ``StoryCandidate``; ``candidates`` an iterable of them (the caller's
    window, typically all briefs within ``max_days`` of ``new``). Candidates from the
    same source as ``new``, with its key, or more than ``max_days`` days away are not
    compared and not returned. Scores: ``words`` and ``facts`` are cosines in [0, 1];
    ``score`` = their weighted mean (``FACTS_WEIGHT`` on facts) times the time factor;
    ``same_event`` is ``score >= threshold``. ``background`` is a ``Background``
    (default ``demo_background()``). Cost: one tokenising pass over ``new`` and the
    candidates and two sparse products (see the README of tests/briefs/story_eval for
    the measured time with 200 candidates).
    """
    compared = [
        candidate
        for candidate in candidates
        if candidate.key != new.key
        and candidate.source.casefold() != new.source.casefold()
        and _days_apart(new, candidate) <= max_days
    ]
    if not compared:
        return []
    documents = [new, *compared]
    background = background or demo_background()
    words = _cosines_to_first(
        _stack_rows([word_counts_of(d.title, d.dek, d.body) for d in documents]),
        background.words.shape[0],
        background.word_frequency,
    )
    facts = _cosines_to_first(
        _stack_rows([fact_counts_of(d.title, d.dek, d.body) for d in documents]),
        background.facts.shape[0],
        background.fact_frequency,
    )
    matches = []
    for index, candidate in enumerate(compared):
        days = _days_apart(new, candidate)
        content = (1 - FACTS_WEIGHT) * words[index] + FACTS_WEIGHT * facts[index]
        score = content * time_factor(days, max_days=max_days)
        matches.append(
            StoryMatch(
                key=new.key,
                other=candidate.key,
                score=round(score, 4),
                words=round(words[index], 4),
                facts=round(facts[index], 4),
                days_apart=round(days, 2),
                same_event=score >= threshold,
            )
        )
    matches.sort(key=lambda match: match.score, reverse=True)
    return matches


def find_matches(new, candidates, **options):
    """The candidates that report the same event as ``new``: ``score_candidates`` pairs
    with ``same_event`` true, best first (same arguments)."""
    return [match for match in score_candidates(new, candidates, **options) if match.same_event]


def time_factor(days, *, max_days=MAX_DAYS):
    """Weight in [0, 1] for two briefs ``days`` apart (a float, in days): 1 up to
    ``FULL_WEIGHT_DAYS``, then falling linearly to 0 at ``max_days``."""
    if days <= FULL_WEIGHT_DAYS:
        return 1.0
    if days >= max_days:
        return 0.0
    return 1.0 - (days - FULL_WEIGHT_DAYS) / (max_days - FULL_WEIGHT_DAYS)


def _days_apart(one, other):
    return abs((one.moment - other.moment).total_seconds()) / 86400


def _words_text(candidate):
    # The headline is the densest statement of the event: count it twice.
    return "\n\n".join((candidate.title, candidate.title, candidate.dek, candidate.body))


def _facts(candidate):
    return fact_tokens_of(candidate.title, candidate.dek, candidate.body)


# Reading facts is most of a call's cost and a brief's window neighbours recur from one
# import to the next: keep the latest few thousand briefs' facts per process.
@functools.lru_cache(maxsize=4096)
def fact_tokens_of(title, dek, body):
    """The fact tokens of a brief's title (numbers and dates only), dek and body, as a tuple."""
    return (
        *fact_tokens(title, names=False),
        *fact_tokens(dek),
        *fact_tokens(body),
    )


# Hashing needs no fitting, so a brief's row of counts is the same in every window: keep
# the latest few thousand briefs' rows per process, and an import tokenises one new text
# instead of its whole window (tokenising was four fifths of a call's time).
@functools.lru_cache(maxsize=4096)
def word_counts_of(title, dek, body):
    """The hashed word counts of a brief's title, dek and body: a 1-row sparse matrix."""
    return _words_vectorizer.transform(
        [_words_text(StoryCandidate(None, "", None, title, dek, body))]
    )


@functools.lru_cache(maxsize=4096)
def fact_counts_of(title, dek, body):
    """The hashed fact-token counts of a brief: a 1-row sparse matrix."""
    return _facts_vectorizer.transform([fact_tokens_of(title, dek, body)])


def _stack_rows(rows):
    """One CSR matrix of 1-row CSR matrices (``scipy.sparse.vstack`` is ten times slower
    on hundreds of single rows)."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([row.nnz for row in rows])
    return csr_matrix(
        (
            np.concatenate([row.data for row in rows]),
            np.concatenate([row.indices for row in rows]),
            indptr,
        ),
        shape=(len(rows), rows[0].shape[1]),
    )


def _cosines_to_first(counts, background_rows, background_frequency):
    """Cosine of row 0 with each other row, after sublinear TF-IDF whose IDF is fitted on
    these rows and a background of ``background_rows`` rows (``background_frequency``:
    how many of them hold each column).

    The same numbers as scikit-learn's ``TfidfTransformer(sublinear_tf=True)`` fitted on
    both and applied to ``counts`` (smooth IDF ``ln((1 + n) / (1 + df)) + 1``, term
    weight ``1 + ln(count)``, rows scaled to unit length), computed only over the terms
    present, renumbered from 0: the transformer's passes over all 2**18 hashed columns
    cost more than the window itself.
    """
    counts = counts.tocsr()
    counts.sum_duplicates()
    counts.eliminate_zeros()
    terms, columns = np.unique(counts.indices, return_inverse=True)
    documents = counts.shape[0] + background_rows
    frequency = np.bincount(columns, minlength=len(terms)) + background_frequency[terms]
    idf = np.log((1 + documents) / (1 + frequency[columns])) + 1
    weights = (1 + np.log(counts.data)) * idf
    tfidf = csr_matrix((weights, columns, counts.indptr), shape=(counts.shape[0], len(terms)))
    lengths = np.sqrt(np.asarray(tfidf.multiply(tfidf).sum(axis=1)).ravel())
    first = np.zeros(len(terms))
    first[columns[: counts.indptr[1]]] = weights[: counts.indptr[1]]
    with np.errstate(divide="ignore", invalid="ignore"):
        products = (tfidf[1:] @ first) / (lengths[1:] * lengths[0])
    return [float(value) if math.isfinite(value) else 0.0 for value in products]
