"""Reading news text copied from sites into clean brief fields.

The public surface is small on purpose: ``decode_brief_bytes`` turns a file's bytes
into text (or refuses it), ``parse_brief`` turns that text into a ``ParsedBrief``, whose
``review_reasons`` (``REVIEW_UNDATED``, ``REVIEW_FUTURE_DATE``) say when to store a draft.
Both are pure (no database); ``briefs.services.brief_import`` stores the result.
"""

from .errors import BriefParseError
from .normalise import decode_brief_bytes
from .parser import REVIEW_FUTURE_DATE, REVIEW_UNDATED, ParsedBrief, parse_brief

__all__ = [
    "REVIEW_FUTURE_DATE", "REVIEW_UNDATED", "BriefParseError", "ParsedBrief",
    "decode_brief_bytes", "parse_brief",
]
