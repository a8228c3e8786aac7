"""Names, numbers and dates read from news text without an NLP model.

Both the story matcher and the sentence alignment need the same "hard facts" of a
text: proper names (capitalised word sequences), numbers with their kind
(percentages, amounts, plain counts, years) and calendar dates. Rules, not a model:

- A name is a run of capitalised words inside a sentence. A single capitalised word
  that opens a sentence is skipped ("Negotiators", "Shares"): it is usually an
  ordinary word; real names tend to be repeated mid-sentence or come in runs.
- Title-Case lines (headlines, subheadings) are skipped for names: every word of them
  is capitalised, so capitals carry no information there.
- Numbers are compared by value: "€42 million", "42 million euros" and "42m" are the
  same amount; "15%", "15 percent" and "15 per cent" the same percentage.
- Dates are month and day ("Aug. 1", "August 1", "1 August"), without the year.
"""

import re
from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from ..text import is_subheading

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DATE = re.compile(
    rf"\b(?:{_MONTH}\s+(?P<day>[0-3]?\d)(?!\d|,\d|\.\d|\s*%)\b"
    rf"|(?P<day2>[0-3]?\d)\s+(?P<month2>{_MONTH[len('(?P<month>'):-4]})\b)",
    re.IGNORECASE,
)
_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6,
    "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12,
}
_NUMBER = re.compile(
    r"(?P<currency>[$€£¥])?\s?"
    r"(?<![\w.,])(?P<value>\d{1,3}(?:,\d{3})+|\d+)(?P<decimals>\.\d+)?"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion|mn|bn|tn|[mbk])\b)?"
    r"(?:\s?(?P<percent>%|percent\b|per\s+cent\b))?",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_][\w’'&.\-]*|\d[\w.,%-]*")
# A sentence ends at . ! ? or …, but not after an initial ("U.S. Treasury").
SENTENCE_END = r"(?<!\b[A-Z])[.!?…][\"”’)]?"
_CLAUSE_BREAK = re.compile(rf"{SENTENCE_END}\s+|[\n:;]\s*|[\"“]\s*")
# Lower-case words allowed inside a name: "Port of Antwerp", "Banco Central de Chile".
NAME_JOINERS = {"of", "de", "del", "da", "do", "van", "von", "der", "al", "bin", "la", "le"}
# Capitalised words that are not names: words that open clauses, and days and months
# (relative or already read as dates; outlets write "on Monday" or "on September 8").
NOT_NAMES = {
    "the", "a", "an", "and", "but", "or", "in", "on", "at", "for", "to", "of", "by", "as",
    "it", "its", "he", "she", "they", "we", "i", "this", "that", "these", "those", "his",
    "her", "their", "our", "mr", "mrs", "ms", "dr",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
} | set(MONTHS) | ENGLISH_STOP_WORDS


@dataclass(frozen=True)
class NumberMention:
    """One number in a text: ``kind`` is percent, amount, year or number; ``value`` a float."""

    text: str
    kind: str
    value: float
    start: int
    end: int

    @property
    def key(self):
        """A token that equal numbers share: ``"percent:15"``, ``"amount:4800000000"``."""
        return f"{self.kind}:{self.value:g}"


def number_mentions(text, *, date_spans=None):
    """Numbers in ``text`` with kind and value, in order; dates are excluded (see ``date_keys``).

    ``date_spans``: the (start, end) of every ``_DATE`` match in ``text`` when the caller
    read them already (``fact_tokens``: the date pattern is a third of its time).
    """
    if date_spans is None:
        date_spans = [match.span() for match in _DATE.finditer(text)]
    found = []
    for match in _NUMBER.finditer(text):
        start, end = match.span("value")
        if any(ds <= start < de for ds, de in date_spans):
            continue
        value = float(match["value"].replace(",", "") + (match["decimals"] or ""))
        scale = (match["scale"] or "").lower()
        if scale in ("m", "b", "k") and not match["currency"]:
            scale = ""  # "5 m" is five metres, not five million, without a currency sign
        value *= _SCALES.get(scale, 1)
        if match["percent"]:
            kind = "percent"
        elif match["currency"] or scale:
            kind = "amount"
        elif not match["decimals"] and 1900 <= value <= 2100 and len(match["value"]) == 4:
            kind = "year"
        else:
            kind = "number"
        span_start = match.start("currency") if match["currency"] else start
        found.append(
            NumberMention(
                text=text[span_start:match.end()].strip(),
                kind=kind,
                value=round(value, 6),
                start=span_start,
                end=match.end(),
            )
        )
    return found


def date_mentions(text):
    """Calendar dates in ``text`` as (text as written, ``"date:MM-DD"`` token), in order."""
    return _dates(_DATE.finditer(text))


def _dates(matches):
    """``date_mentions`` of ``_DATE`` matches."""
    found = []
    for match in matches:
        month = (match["month"] or match["month2"]).lower().rstrip(".")
        day = int(match["day"] or match["day2"])
        if 1 <= day <= 31:
            found.append((match.group(), f"date:{MONTHS[month]:02d}-{day:02d}"))
    return found


def date_keys(text):
    """Calendar dates in ``text`` as ``"date:MM-DD"`` tokens, in order."""
    return [key for _, key in date_mentions(text)]


def name_words(text):
    """Lower-cased words of the proper names in ``text`` ("U.S." gives "us"), in order.

    ``text`` is prose: paragraphs separated by blank lines. Title-Case paragraphs
    (subheadings) are skipped.
    """
    words = []
    for paragraph in text.split("\n\n"):
        if is_subheading(paragraph):
            continue
        run = []
        starts = {0} | {found.end() for found in _CLAUSE_BREAK.finditer(paragraph)}
        for match in _WORD.finditer(paragraph):
            word = match.group()
            opens_sentence = match.start() in starts
            if opens_sentence:
                words.extend(_run_words(run))
                run = []
            if word[0].isupper():
                run.append((word, opens_sentence))
                continue
            if word.lower() in NAME_JOINERS and run:
                run.append((word, False))
                continue
            words.extend(_run_words(run))
            run = []
        words.extend(_run_words(run))
    return words


def _run_words(run):
    """The name words of one run of capitalised words; a lone sentence opener is none."""
    while run and run[-1][0].lower() in NAME_JOINERS:
        run = run[:-1]
    if len(run) == 1 and run[0][1]:
        return []
    words = []
    for word, _ in run:
        word = re.sub(r"['’]s?$", "", word.rstrip(".")).replace(".", "")
        acronym = word.isupper()  # "US" is a name, "us" a stop word
        word = word.lower()
        for part in word.split("-"):
            if part and (acronym or part not in NOT_NAMES) and part not in NAME_JOINERS:
                words.append(part)
    return words


def fact_tokens(text, *, names=True):
    """The hard facts of ``text`` as tokens: ``name:…``, ``date:MM-DD``, ``percent:15``, ….

    With ``names=False`` only numbers and dates are read (for Title-Case headlines).
    """
    tokens = [f"name:{word}" for word in name_words(text)] if names else []
    dates = list(_DATE.finditer(text))
    tokens.extend(key for _, key in _dates(dates))
    spans = [match.span() for match in dates]
    tokens.extend(mention.key for mention in number_mentions(text, date_spans=spans))
    return tokens
