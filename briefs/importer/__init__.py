"""Reading news text copied from sites into clean brief fields.

The public surface is small on purpose: ``decode_brief_bytes`` turns a file's bytes
into text (or refuses it), ``parse_brief`` turns that text into a ``ParsedBrief``.
Both are pure (no database); ``briefs.services.brief_import`` stores the result.
"""

from .errors import BriefParseError
from .normalise import decode_brief_bytes
from .parser import ParsedBrief, parse_brief

__all__ = ["BriefParseError", "ParsedBrief", "decode_brief_bytes", "parse_brief"]
