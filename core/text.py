"""The one definition of the characters no stored or published text carries."""

import re

# Characters no stored or published text should carry: C0 controls other than tab,
# newline and return (PostgreSQL refuses NUL; XML 1.0 and Django's feed writer refuse
# the rest), C1 controls (legal but rendered as junk), lone surrogates, U+FFFE/U+FFFF.
_UNFIT_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def strip_unfit_characters(text):
    """``text`` without control characters, lone surrogates and non-characters."""
    return _UNFIT_CHARACTERS.sub("", text)
