"""Pure text helpers for brief bodies: paragraphs with their character offsets.

Annotation offsets count characters of ``Brief.body``; the reading page and the
annotation renderer both need each paragraph's span, so it is computed here once.
"""

import re
from dataclasses import dataclass

# Characters no stored or published text should carry: C0 controls other than tab,
# newline and return (PostgreSQL refuses NUL; XML 1.0 and Django's feed writer refuse
# the rest), C1 controls (legal but rendered as junk), lone surrogates, U+FFFE/U+FFFF,
# and the invisible format characters (Unicode category Cf, as of Unicode 15.1: soft
# hyphen, zero-width space and joiners, direction marks and isolates, word joiner, a BOM
# inside the text, tag characters). Copied from web pages they hide inside words, so
# "Bei\u200bjing" would neither match the topic "Beijing" nor search like it.
_UNFIT_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]"
)


def strip_unfit_characters(text):
    """``text`` without control characters, lone surrogates, non-characters and the
    invisible format characters (category Cf, soft hyphen included); other text unchanged."""
    return _UNFIT_CHARACTERS.sub("", text)


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
