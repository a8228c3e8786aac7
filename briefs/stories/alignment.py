"""Line up the sentences of a story's briefs for the side-by-side page.

Each body is split into sentences; for every two briefs of the story the sentences are
paired one-to-one by the assignment that maximises total similarity (the Hungarian
method, Kuhn 1955, as ``scipy.optimize.linear_sum_assignment``), keeping only pairs whose
similarity reaches ``SENTENCE_THRESHOLD``. Similarity is the cosine of sublinear TF-IDF
vectors (scikit-learn) over a sentence's words and hard facts (``mentions``), with IDF
fitted on the story's sentences. A sentence paired with one in another brief is
"shared" (several newsrooms reported it), otherwise "unique". Between paired sentences,
numbers of one kind (percentages, amounts, counts, years, dates) that disagree are
listed: the place where two outlets' figures differ.
"""

import re
from dataclasses import dataclass

from scipy.optimize import linear_sum_assignment
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from ..text import is_subheading
from .mentions import SENTENCE_END, date_mentions, fact_tokens, number_mentions

# Chosen on the seeds and tests/briefs/test_stories_alignment.py's examples: paraphrases
# of one fact score 0.3 and more, different facts of one story stay under 0.2.
SENTENCE_THRESHOLD = 0.25
SHARED, UNIQUE = "shared", "unique"

# A sentence ends where SENTENCE_END is followed by space and a capital, a quote or an
# opening bracket ("Aug. 1" and "U.S. Treasury" do not end one).
_BOUNDARY = re.compile(rf"(?P<end>{SENTENCE_END})\s+(?=[\"“‘(\[]?[A-Z])")
_WORD = re.compile(r"(?u)\b[^\W\d_]{2,}\b")


@dataclass(frozen=True)
class NumberDifference:
    """Numbers of one ``kind`` that two aligned sentences give differently: ``here`` as
    this sentence writes them, ``there`` as the sentence ``other`` (an id) does."""

    other: str
    kind: str
    here: tuple
    there: tuple


@dataclass(frozen=True)
class AlignedSentence:
    """One sentence of a body: ``body[start:end] == text``; ``id`` is unique in the story
    (``"<key>-<index>"``, usable as an HTML id); ``aligned`` holds the ids of its
    counterparts in other briefs (at most one per brief)."""

    id: str
    index: int
    start: int
    end: int
    text: str
    status: str
    aligned: tuple = ()
    differences: tuple = ()


@dataclass(frozen=True)
class AlignedBrief:
    """A brief's sentences in body order."""

    key: object
    sentences: tuple


def split_sentences(body):
    """Sentences of ``body`` as (start, end) character offsets, in order.

    Paragraphs are separated by blank lines; Title-Case subheadings are skipped (they
    state no fact). Sentences end at . ! ? … followed by a capital or a quote, not after
    an initial ("U.S.") or before a number ("Aug. 1").
    """
    spans = []
    for paragraph in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", body):
        if is_subheading(paragraph.group()):
            continue
        offset, text = paragraph.start(), paragraph.group()
        start = 0
        for boundary in _BOUNDARY.finditer(text):
            spans.append((offset + start, offset + boundary.end("end")))
            start = boundary.end()
        if text[start:].strip():
            spans.append((offset + start, offset + len(text.rstrip())))
    return spans


def align_story(bodies, *, threshold=SENTENCE_THRESHOLD):
    """Align the sentences of a story's briefs.

    ``bodies`` maps each brief's key to its body text (paragraphs separated by blank
    lines), in the order the page shows them; at least one brief. Returns a list of
    ``AlignedBrief`` in that order, each with every sentence of its body (subheadings
    left out) as an ``AlignedSentence``: status ``"shared"`` or ``"unique"``, ids of the
    aligned sentences, and ``NumberDifference`` entries. ``threshold`` is the least
    cosine (0 to 1) for two sentences to be aligned. Raises ``ValueError`` for no briefs.
    """
    if not bodies:
        raise ValueError("a story needs at least one brief to align")
    keys = list(bodies)
    spans = {key: split_sentences(bodies[key]) for key in keys}
    texts = {key: [bodies[key][start:end] for start, end in spans[key]] for key in keys}
    ids = {key: [f"{key}-{index}" for index in range(len(spans[key]))] for key in keys}
    links = {sentence_id: [] for key in keys for sentence_id in ids[key]}

    everything = [text for key in keys for text in texts[key]]
    if everything:
        vectors = _vectorizer().fit_transform(everything)
        rows, offset = {}, 0
        for key in keys:
            rows[key] = vectors[offset:offset + len(texts[key])]
            offset += len(texts[key])
        for position, one in enumerate(keys):
            for other in keys[position + 1:]:
                for i, j in _pairs(rows[one], rows[other], threshold):
                    links[ids[one][i]].append((other, j))
                    links[ids[other][j]].append((one, i))

    result = []
    for key in keys:
        sentences = []
        for index, (start, end) in enumerate(spans[key]):
            partners = links[ids[key][index]]
            differences = tuple(
                difference
                for other, j in partners
                for difference in number_differences(
                    texts[key][index], texts[other][j], other_id=ids[other][j]
                )
            )
            sentences.append(
                AlignedSentence(
                    id=ids[key][index],
                    index=index,
                    start=start,
                    end=end,
                    text=texts[key][index],
                    status=SHARED if partners else UNIQUE,
                    aligned=tuple(ids[other][j] for other, j in partners),
                    differences=differences,
                )
            )
        result.append(AlignedBrief(key=key, sentences=tuple(sentences)))
    return result


def number_differences(here, there, *, other_id=""):
    """``NumberDifference`` for each kind of number both sentences give, where each
    gives a value the other lacks ("a 15% tariff" against "a 20% tariff"). A number only
    one of them mentions (a detail the other left out) is not a difference."""
    mine, theirs = _numbers_by_kind(here), _numbers_by_kind(there)
    differences = []
    for kind in sorted(mine.keys() & theirs.keys()):
        only_here = [text for key, text in mine[kind].items() if key not in theirs[kind]]
        only_there = [text for key, text in theirs[kind].items() if key not in mine[kind]]
        if only_here and only_there:
            differences.append(
                NumberDifference(
                    other=other_id, kind=kind, here=tuple(only_here), there=tuple(only_there)
                )
            )
    return differences


def _numbers_by_kind(sentence):
    """{kind: {token: text as written}} for the numbers and dates of one sentence."""
    found = {}
    for mention in number_mentions(sentence):
        found.setdefault(mention.kind, {}).setdefault(mention.key, mention.text)
    for text, key in date_mentions(sentence):
        found.setdefault("date", {}).setdefault(key, text)
    return found


def _vectorizer():
    return TfidfVectorizer(analyzer=_sentence_tokens, sublinear_tf=True)


def _sentence_tokens(sentence):
    words = [
        word for word in _WORD.findall(sentence.lower()) if word not in ENGLISH_STOP_WORDS
    ]
    return words + fact_tokens(sentence)


def _pairs(one, other, threshold):
    """(row of one, row of other) pairs of the best one-to-one assignment that reach
    ``threshold``; ``one`` and ``other`` are L2-normalised sparse rows."""
    if one.shape[0] == 0 or other.shape[0] == 0:
        return []
    similarity = (one @ other.T).toarray()
    chosen_rows, chosen_columns = linear_sum_assignment(similarity, maximize=True)
    return [
        (int(i), int(j))
        for i, j in zip(chosen_rows, chosen_columns)
        if similarity[i, j] >= threshold
    ]
