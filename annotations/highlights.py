"""Pure text work for drawing highlights: runs of a paragraph and the spans covering each.

Overlapping and adjacent highlights are drawn by cutting a paragraph at every highlight
boundary; each run then carries the (ordered) highlights covering it, which the template tag
nests as ``<mark>`` elements. No models here.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote


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


def _words(text, count, *, last):
    words = _WORD.findall(text)
    return " ".join(words[-count:] if last else words[:count])


def _fragment_part(text):
    return quote(text, safe="")


def text_fragment(exact, prefix="", suffix="", *, context_words=3, long_quote_words=6):
    """A Text Fragment directive (``:~:text=prefix-,start,end,-suffix``) for a quote.

    Context stops at a paragraph break, as browsers match a fragment within a block; long quotes
    are named by their first and last words.
    """
    prefix = _words(prefix.rsplit("\n\n", 1)[-1], context_words, last=True)
    suffix = _words(suffix.split("\n\n", 1)[0], context_words, last=False)
    words = _WORD.findall(exact)
    if len(words) > 2 * long_quote_words:
        parts = [
            " ".join(words[:long_quote_words]),
            " ".join(words[-long_quote_words:]),
        ]
    else:
        parts = [" ".join(words)]
    directive = ",".join(_fragment_part(p) for p in parts)
    if prefix:
        directive = f"{_fragment_part(prefix)}-,{directive}"
    if suffix:
        directive = f"{directive},-{_fragment_part(suffix)}"
    return f":~:text={directive}"
