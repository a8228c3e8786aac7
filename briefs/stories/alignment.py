"""Line up the sentences of a story's briefs for the side-by-side page.

Each body is split into sentences; for every two briefs of the story the sentences are
paired one-to-one by the assignment that maximises total similarity (the Hungarian
method, Kuhn 1955, as ``scipy.optimize.linear_sum_assignment``), keeping only pairs whose
similarity reaches ``SENTENCE_THRESHOLD``. Similarity is the cosine of sublinear TF-IDF
vectors (scikit-learn) over a sentence's words and hard facts (``mentions``), with IDF
fitted on the story's sentences. A sentence paired with one in another brief is
"shared" (several newsrooms reported it), otherwise "unique". Between paired sentences,
numbers of one kind (percentages, amounts, counts, years, dates) that disagree are
listed: the place where two outlets' figures differ. Before numbers are compared they
are normalised (``normalise_numbers``): number words one to twenty are digits, ordinals
("fourth", "4th") a kind of their own, vulgar fractions (½ ¼ ¾) decimals and grouped
digits ("12 500" with a no-break or thin space) one number, so "1½ days" and "1.5 days"
agree and "the fourth round" and "the third round" differ.
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


_CARDINALS = [
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
]
_ORDINALS = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth",
]
_FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75}
_NUMBER_TEXT = re.compile(
    rf"\b(?P<ordinal>{'|'.join(_ORDINALS)})\b"
    r"|(?<![\w.,])(?P<digits_ordinal>\d+)(?:st|nd|rd|th)\b"
    r"|(?:(?<![\w.,])(?P<whole>\d+)\s?)?(?P<fraction>[½¼¾])"
    r"|(?<![\w.,])(?P<grouped>\d{1,3}(?:[\u00a0\u202f\u2009]\d{3})+)(?![\d])"
    rf"|\b(?P<cardinal>{'|'.join(_CARDINALS)})\b",
    re.IGNORECASE,
)
# What an ordinal becomes in the normalised text: letters, so no number is read there.
_ORDINAL_MARK = "ordinal"


def normalise_numbers(sentence):
    """``(text, ordinals, origin)``: ``sentence`` with its numbers written as digits.

    Number words one to twenty become digits ("four" → "4"), vulgar fractions decimals
    ("1½" → "1.5", "¾" → "0.75"), digits grouped by a no-break, narrow no-break or thin
    space one number ("12 500" → "12500"); ordinals ("fourth", "4th", first to twentieth
    as words) are taken out as ``ordinals``, a list of (text as written, value), and
    stand as a word in ``text``. ``origin[i]`` is the (start, end) in ``sentence`` of
    the character ``text[i]`` came from, to quote numbers as written. Percentages need
    nothing here: "%", "percent" and "per cent" are one kind in ``mentions``.
    """
    pieces, origin, ordinals, last = [], [], [], 0
    for match in _NUMBER_TEXT.finditer(sentence):
        pieces.append(sentence[last : match.start()])
        origin.extend((i, i + 1) for i in range(last, match.start()))
        if match["ordinal"] or match["digits_ordinal"]:
            word = (match["ordinal"] or "").lower()
            value = _ORDINALS.index(word) + 1 if word else int(match["digits_ordinal"])
            ordinals.append((match.group(), value))
            replacement = _ORDINAL_MARK
        elif match["fraction"]:
            value = int(match["whole"] or 0) + _FRACTIONS[match["fraction"]]
            replacement = f"{value:g}"
        elif match["grouped"]:
            replacement = re.sub(r"\D", "", match["grouped"])
        else:
            replacement = str(_CARDINALS.index(match["cardinal"].lower()) + 1)
        pieces.append(replacement)
        origin.extend([match.span()] * len(replacement))
        last = match.end()
    pieces.append(sentence[last:])
    origin.extend((i, i + 1) for i in range(last, len(sentence)))
    return "".join(pieces), ordinals, origin


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
    """{kind: {token: text as written}} for the numbers, ordinals and dates of one
    sentence, its numbers normalised first (``normalise_numbers``)."""
    text, ordinals, origin = normalise_numbers(sentence)
    found = {}
    for written, value in ordinals:
        found.setdefault("ordinal", {}).setdefault(f"ordinal:{value}", written)
    for mention in number_mentions(text):
        written = sentence[origin[mention.start][0] : origin[mention.end - 1][1]].strip()
        found.setdefault(mention.kind, {}).setdefault(mention.key, written)
    for written, key in date_mentions(sentence):
        found.setdefault("date", {}).setdefault(key, written)
    return found


def _vectorizer():
    return TfidfVectorizer(analyzer=_sentence_tokens, sublinear_tf=True)


def _sentence_tokens(sentence):
    words = [
        word for word in _WORD.findall(sentence.lower()) if word not in ENGLISH_STOP_WORDS
    ]
    text, ordinals, _ = normalise_numbers(sentence)
    return words + fact_tokens(text) + [f"ordinal:{value}" for _, value in ordinals]


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
