"""Bytes to text, and text to the normalised lines the parser reads.

Copied articles arrive with a BOM or not, CRLF or LF, non-breaking spaces, stray
control characters and trailing spaces. Normalising them first means the parser
sees one shape, and the content hash ignores differences no reader could see.
"""

import re

import ftfy

from config.limits import IMPORT_MAX_FILE_BYTES
from core.text import strip_unfit_characters

from .errors import BriefParseError

IMPORT_MAX_FILE_LABEL = f"{IMPORT_MAX_FILE_BYTES // (1024 * 1024)} MB"

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Above these shares of NUL bytes / control bytes a "text" is really binary data;
# below them the odd stray control character is simply stripped.
_NUL_SHARE_LIMIT = 0.01
_CONTROL_SHARE_LIMIT = 0.05
_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 12, 13))

# Characters that are spacing in print but not ASCII spaces (NBSP, narrow NBSP,
# figure space, the en/em spaces, ideographic space).
_ODD_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\v\f]")
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x85]")
_SPACE_RUNS = re.compile(" {2,}")


def decode_brief_bytes(data):
    """Decode a file's bytes as UTF-8 (BOM or not), refusing what is not text.

    Raises BriefParseError for files over 2 MB, UTF-16 files, bytes that are not
    valid UTF-8 and data with many NUL or other control bytes (binary files).
    A handful of stray control characters is fine: the parser strips them.
    """
    if len(data) > IMPORT_MAX_FILE_BYTES:
        raise BriefParseError(f"file is larger than {IMPORT_MAX_FILE_LABEL} ({len(data):,} bytes)")
    if data.startswith(_UTF16_BOMS):
        raise BriefParseError("file is UTF-16 encoded; save it as UTF-8")
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    if _looks_binary(data):
        raise BriefParseError("file is binary data, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BriefParseError(
            f"file is not UTF-8 text (undecodable byte at position {error.start})"
        ) from None


def _looks_binary(data):
    """NUL-heavy or control-heavy data: an image, an archive, a UTF-16 file without BOM."""
    if not data:
        return False
    nul_share = data.count(0) / len(data)
    control_share = (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(data)
    return nul_share > _NUL_SHARE_LIMIT or control_share > _CONTROL_SHARE_LIMIT


def repair_mojibake(text):
    """``text`` with mojibake repaired ("CafÃ©" is "Café" again), and whether any was.

    UTF-8 text that was once decoded as Windows-1252 or Latin-1 is re-decoded by ftfy;
    only that encoding repair is made (quotes, ligatures and widths are left as printed).
    """
    if text.isascii():  # mojibake is made of non-ASCII characters; skip ftfy's scan
        return text, False
    repaired = ftfy.fix_encoding(text)
    return repaired, repaired != text


def normalise_lines(text):
    """Return the text as a list of clean lines (blank lines are ``""``).

    Line breaks become ``\\n``, odd spaces plain spaces, control and invisible format
    characters go (``core.text.strip_unfit_characters``), runs of spaces shrink to one
    and every line is stripped.
    """
    text = _LINE_BREAKS.sub("\n", text)
    text = strip_unfit_characters(_ODD_SPACES.sub(" ", text))
    return [_SPACE_RUNS.sub(" ", line).strip() for line in text.split("\n")]


def normalised_text(lines):
    """Join normalised lines into the canonical text: one blank line at most, no edges."""
    out = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")
