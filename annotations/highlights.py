"""Pure text work for drawing highlights: runs of a paragraph and the spans covering each.

Overlapping and adjacent highlights are drawn by cutting a paragraph at every highlight
boundary; each run then carries the (ordered) highlights covering it, which the template tag
nests as ``<mark>`` elements. No models here.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

from .anchoring import CONTEXT_LENGTH


@dataclass(frozen=True)
class Span:
    """A highlight: body offsets ``[start, end)`` and a key (the annotation's id)."""

    start: int
    end: int
    key: int


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph's text and the spans covering all of it, outermost first."""

    text: str
    spans: tuple


def runs(text, offset, spans):
    """Cut ``text`` (which starts at body offset ``offset``) into runs at span boundaries."""
    end_of_text = offset + len(text)
    inside = [s for s in spans if s.start < end_of_text and s.end > offset]
    cuts = {offset, end_of_text}
    for span in inside:
        cuts.add(max(span.start, offset))
        cuts.add(min(span.end, end_of_text))
    ordered = sorted(inside, key=lambda s: (s.start, -s.end, s.key))
    points = sorted(cuts)
    result = []
    for left, right in zip(points, points[1:]):
        covering = tuple(s for s in ordered if s.start <= left and s.end >= right)
        result.append(Run(text[left - offset : right - offset], covering))
    return result


_WORD = re.compile(r"\S+")
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n\s*")
_WORD_CHAR = re.compile(r"\w")


def _fragment_part(text):
    """Percent-encode one term of a text directive: everything but letters, digits and ``._~``.

    The spec's syntax characters ``-``, ``,`` and ``&`` must be encoded inside terms; Python's
    ``quote`` leaves ``-`` alone, so it is encoded by hand.
    """
    return quote(text, safe="").replace("-", "%2D")


def _whole_words(exact, prefix, suffix):
    """Grow a quote that starts or ends inside a word to the whole word, from its context.

    Browsers match a text directive only at word boundaries, so "ina" of "China" would never
    match; returns ``(exact, prefix, suffix)`` with the word's pieces moved into the quote.
    """
    if exact[:1] and _WORD_CHAR.match(exact[0]) and prefix[-1:] and _WORD_CHAR.match(prefix[-1]):
        head = re.search(r"\w+$", prefix).group()
        exact, prefix = head + exact, prefix[: -len(head)]
    if exact[-1:] and _WORD_CHAR.match(exact[-1]) and suffix[:1] and _WORD_CHAR.match(suffix[0]):
        tail = re.match(r"\w+", suffix).group()
        exact, suffix = exact + tail, suffix[len(tail) :]
    return exact, prefix, suffix


def _context_words(text, count, *, before):
    """Up to ``count`` whole words of context next to the quote, within its own paragraph.

    ``before``: ``text`` is the prefix (words nearest its end); else the suffix. A context
    cut at the stored length may begin (or end) inside a word, which would never match: that
    word is dropped.
    """
    if before:
        block = _BLOCK_BREAK.split(text)[-1]
        cut = len(text) >= CONTEXT_LENGTH and block == text and not text[:1].isspace()
        words = _WORD.findall(block)[1 if cut else 0 :]
        return " ".join(words[-count:])
    block = _BLOCK_BREAK.split(text)[0]
    cut = len(text) >= CONTEXT_LENGTH and block == text and not text[-1:].isspace()
    words = _WORD.findall(block)[: -1 if cut else None]
    return " ".join(words[:count])


def text_fragment(exact, prefix="", suffix="", *, context_words=3, long_quote_words=6):
    """A text directive (``:~:text=prefix-,start,end,-suffix``) that finds a quote in the page.

    Per https://wicg.github.io/scroll-to-text-fragment/: terms are percent-encoded (``-``,
    ``,`` and ``&`` included); a term never crosses a paragraph, so a passage over several
    paragraphs, or a long one, is named by ``textStart,textEnd`` (its first words in its first
    paragraph, its last words in its last); context stays within the paragraph it touches.
    """
    exact, prefix, suffix = _whole_words(exact, prefix, suffix)
    paragraphs = [p for p in _BLOCK_BREAK.split(exact.strip()) if p.strip()] or [exact]
    first, last = _WORD.findall(paragraphs[0]), _WORD.findall(paragraphs[-1])
    if len(paragraphs) > 1:
        parts = [" ".join(first[:long_quote_words]), " ".join(last[-long_quote_words:])]
    elif len(first) > 2 * long_quote_words:
        parts = [" ".join(first[:long_quote_words]), " ".join(first[-long_quote_words:])]
    else:
        parts = [" ".join(first)]
    directive = ",".join(_fragment_part(p) for p in parts)
    before = _context_words(prefix, context_words, before=True)
    after = _context_words(suffix, context_words, before=False)
    if before:
        directive = f"{_fragment_part(before)}-,{directive}"
    if after:
        directive = f"{directive},-{_fragment_part(after)}"
    return f":~:text={directive}"


def note_fragment(annotation):
    """The text directive of an annotation-like object (``exact``, ``prefix``, ``suffix``)."""
    return text_fragment(annotation.exact, annotation.prefix, annotation.suffix)
