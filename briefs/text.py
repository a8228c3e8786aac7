"""Pure text helpers for brief bodies: paragraphs with their character offsets.

Annotation offsets count characters of ``Brief.body``; the reading page and the
annotation renderer both need each paragraph's span, so it is computed here once.
"""

import re
import unicodedata
from dataclasses import dataclass

from core.text import strip_unfit_characters

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_SMALL_WORDS = {
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of", "on", "or",
    "over", "the", "to", "vs", "vs.", "with", "amid", "after", "before", "up", "out", "via",
}


@dataclass(frozen=True)
class Block:
    """One paragraph of a body: ``body[start:end] == text``."""

    kind: str  # "paragraph" or "heading"
    start: int
    end: int
    text: str


def is_subheading(text):
    """Whether a paragraph reads as a subheading: short, one line, title case, no full stop."""
    text = text.strip()
    if not text or "\n" in text or len(text) > 90:
        return False
    if text[-1] in ".!?:;,\"”’)" or text.startswith(("“", '"')):
        return False
    words = text.split()
    if not 1 <= len(words) <= 12:
        return False
    capitalised = 0
    for word in words:
        core = word.strip("()[]'\"“”‘’,")
        if not core:
            continue
        if core[0].isupper() or core[0].isdigit():
            capitalised += 1
        elif core.lower() not in _SMALL_WORDS and not core[0] in "-–—&$%":
            return False
    return capitalised >= max(1, (len(words) + 1) // 2)


_LINE_END = re.compile(r"\r\n?")
_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")


def normalise_body(body):
    """A body in the stored form: ``\\n`` line ends, one blank line between paragraphs.

    Browsers send textarea text with CRLF line ends; stored as is, the paragraphs of an
    edited brief would run together and annotation offsets would count invisible ``\\r``.
    """
    body = strip_unfit_characters(_LINE_END.sub("\n", body or ""))
    body = _TRAILING_SPACE.sub("", body.replace("\u00a0", " "))
    return _BLANK_LINES.sub("\n\n", body).strip()


def body_blocks(body):
    """Split ``body`` into paragraph blocks with exact offsets into it."""
    blocks = []
    position = 0
    for match in list(PARAGRAPH_BREAK.finditer(body)) + [None]:
        end = match.start() if match else len(body)
        raw = body[position:end]
        stripped = raw.strip()
        if stripped:
            start = position + (len(raw) - len(raw.lstrip()))
            kind = "heading" if is_subheading(stripped) else "paragraph"
            blocks.append(Block(kind, start, start + len(stripped), stripped))
        if match:
            position = match.end()
    return blocks


def topic_identity(name):
    """The key two topic names share when they name the same topic: ``str`` in, ``str`` out.

    Unicode case-insensitive (casefold after NFKC, so "Énergie Solaire", "ÉNERGIE SOLAIRE"
    and "énergie solaire", or Greek and Cyrillic capitals and their small letters, share
    one key), blind to invisible format characters and to runs of whitespace. Stored as
    ``Topic.name_key`` under a unique constraint, so both databases enforce the same rule
    (SQLite's own case folding knows ASCII only). Punctuation still counts: "U.S." and
    "US" are two names (``topic_name_key`` finds such near-duplicates for a curator).
    """
    text = unicodedata.normalize("NFKC", strip_unfit_characters(name or ""))
    text = unicodedata.normalize("NFKC", text.casefold())
    return " ".join(text.split())
