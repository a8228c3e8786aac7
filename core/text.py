"""The one definition of the characters no stored or published text carries."""

import re

# Characters no stored or published text should carry: C0 controls other than tab,
# newline and return (PostgreSQL refuses NUL; XML 1.0 and Django's feed writer refuse
# the rest), C1 controls (legal but rendered as junk), lone surrogates, U+FFFE/U+FFFF,
# and the invisible format characters (Unicode category Cf, as of Unicode 15.1: soft
# hyphen, zero-width space and joiners, direction marks and isolates, word joiner, a BOM
# inside the text, tag characters). Copied from web pages they hide inside words, so
# "Bei\u200bjing" would neither match the topic "Beijing" nor search like it.
# The zero-width non-joiner and joiner (U+200C, U+200D) are the exception: Persian, the
# Indic scripts and emoji sequences need them ("می‌خواهم", "क्‍ष", "👩‍👩‍👧"), so they are
# dropped only at the start of a text or after an ASCII character, where they mean nothing.
_UNFIT_ASCII_SET = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_UNFIT_BMP_SET = (
    _UNFIT_ASCII_SET + "\x80-\x9f\ud800-\udfff\ufffe\uffff"
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b\u200e\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
)
_UNFIT_ASTRAL_SET = (
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_UNFIT_CHARACTERS = re.compile(f"[{_UNFIT_BMP_SET}{_UNFIT_ASTRAL_SET}]")
# Joiners where no script needs them: at the start, or after an ASCII character (once
# the characters above are gone, so "a\u200b\u200d" loses both).
_IDLE_JOINERS = re.compile("(?:^|(?<=[\x00-\x7f]))[\u200c\u200d]+")

# The same set in parts the regex engine scans faster: its ASCII members, and its members
# below U+10000 (a class with astral ranges costs ~30 ns a character, and a feed cleans
# ~300,000 characters of bodies: 8 ms of its rendering; issue 14). A part is used only on
# text that cannot hold a character of the rest, so the result is the same.
_UNFIT_ASCII = re.compile(f"[{_UNFIT_ASCII_SET}]")
_UNFIT_BMP = re.compile(f"[{_UNFIT_BMP_SET}]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def strip_unfit_characters(text):
    """``text`` without control characters, lone surrogates, non-characters and the
    invisible format characters (category Cf, soft hyphen included), but for the joiners
    a script needs (U+200C, U+200D after a non-ASCII character); other text unchanged."""
    if text.isascii():
        return _UNFIT_ASCII.sub("", text)
    if _ASTRAL.search(text) is None:
        text = _UNFIT_BMP.sub("", text)
    else:
        text = _UNFIT_CHARACTERS.sub("", text)
    if "\u200c" in text or "\u200d" in text:
        text = _IDLE_JOINERS.sub("", text)
    return text


def one_line_name(raw, *, max_length, blank, too_long):
    """A name a reader typed (``raw``: str or None), as stored: unfit characters dropped
    (``strip_unfit_characters``), runs of white space made one space.

    Raises ``ValidationError`` (code ``"name"``) with ``blank`` when nothing is left, or
    ``too_long`` (a sentence such as "A group's name") followed by the limit and the
    length when longer than ``max_length`` characters.
    """
    from django.core.exceptions import ValidationError

    name = " ".join(strip_unfit_characters(raw or "").split())
    if not name:
        raise ValidationError(blank, code="name")
    if len(name) > max_length:
        raise ValidationError(
            f"{too_long} has at most {max_length} characters (this one has {len(name):,}).",
            code="name",
        )
    return name


# The largest value a database row id (a signed 64-bit integer) can hold.
MAX_ROW_ID = 2**63 - 1


def whole_number(raw, *, low=1, high=MAX_ROW_ID):
    """``raw`` (a query parameter, a header) as an int from ``low`` to ``high``, else None.

    Only ASCII digits count: ``str.isdigit()`` accepts ``²`` and ``٣``, which ``int()``
    then refuses or reads, and unbounded numbers overflow the database's integers, so a
    hand-typed ``?page=²`` or ``?topic=99999999999999999999`` would be a 500.
    """
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        return None
    number = int(raw)
    return number if low <= number <= high else None
