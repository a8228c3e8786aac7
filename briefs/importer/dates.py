"""Dates in the header lines of copied articles, found by one grammar, read by dateutil.

Sites print a date in many wordings, but from few parts: an optional weekday, the day in
one of three forms (``July 28, 2025`` / ``22 Jul, 2025``, ``27-07-2025`` / ``7/29/2025``,
``2025-07-28``), an optional time with an optional zone before or after it (``2:17 PM PDT
on May 29, 2025``, ``June 15, 2025 / 1:03 PM``), and around it labels (``Updated``,
``Published on``, ``Created:``), separators, brackets and a name, sometimes glued on
(``July 28, 2025Clash Report``, ``By Jane DoeMay 28, 2025``, ``Newsdesk27-07-2025``).
``2 hours ago`` is a date relative to a reference time.

A line is a *date line* when, after its dates and their labels are taken out, what is
left is only separators, a reading time or short names (a site, a byline); a sentence that
starts with a date is not one. Where a date is, is this module's grammar; what it says is
python-dateutil's reading of that span; the zone is applied here, exactly.
"""

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from dateutil import parser as dateutil_parser
from dateutil.relativedelta import relativedelta

from .lines import BYLINE, is_furniture, is_name_like, is_read_time

MAX_DATE_LINE = 160
UTC = dt.timezone.utc

# Fixed-offset zone abbreviations that are unambiguous in English-language news.
_ZONE_HOURS = {
    "edt": -4, "est": -5, "cdt": -5, "cst": -6, "mdt": -6, "mst": -7, "pdt": -7, "pst": -8,
    "akdt": -8, "akst": -9, "hst": -10, "adt": -3, "ast": -4, "ndt": -2.5, "nst": -3.5,
    "bst": 1, "cet": 1, "cest": 2, "eet": 2, "eest": 3, "msk": 3, "wet": 0, "west": 1,
    "hkt": 8, "sgt": 8, "jst": 9, "kst": 9, "aest": 10, "aedt": 11, "acst": 9.5, "awst": 8,
    "ist": 5.5, "pkt": 5, "npt": 5.75, "wib": 7, "ict": 7, "pht": 8, "wat": 1, "cat": 2,
    "eat": 3, "sast": 2, "nzst": 12, "nzdt": 13, "gst": 4, "trt": 3,
}
# Zones whose offset depends on the date (daylight saving): resolved with zoneinfo.
_ZONE_NAMES = {
    "et": "America/New_York", "ct": "America/Chicago", "mt": "America/Denver",
    "pt": "America/Los_Angeles", "uk": "Europe/London",
}
_MONTH_WORD = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
# A month name starts a word, or is glued after a lower-case letter ("DoeMay").
_MONTH = rf"(?:(?<![^\W\d_])|(?-i:(?<=[a-z])(?=[A-Z])))(?:{_MONTH_WORD})\.?(?![a-z])"
_WEEKDAY = (
    r"(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed"
    r"|thu(?:rs?)?|fri|sat|sun)\.?,?\s)"
)
_DAY = r"(?<!\d)\d{1,2}(?:st|nd|rd|th)?(?!\d)"
_CORE = rf"""(?P<core>
      {_MONTH}\s?{_DAY},?\s?\d{{4}}
    | {_DAY}\s(?:of\s)?{_MONTH},?\s\d{{4}}
    | (?<!\d)\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}
    | (?<![\d.])\d{{1,2}}(?P<sep>[-/.])\d{{1,2}}(?P=sep)(?:\d{{4}}|\d{{2}})
  )(?!\d)"""
_TIME = (
    r"(?<![\d.])(?:\d{1,2}[:.]\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s?[ap]\.?\s?m\.?(?![a-z]))?"
    r"|\d{1,2}\s?[ap]\.?\s?m\.?(?![a-z]))"
)
_ZONE = (
    r"(?:(?:gmt|utc)\s?[+\-−–]\s?\d{1,2}(?::?\d{2})?|gmt|utc|z|[+\-−]\d{2}:?\d{2}"
    r"|\(?(?-i:(?!(?:ON|AT|BY|IN|OF)\b)[A-Z]{2,5})\)?)(?![a-z\d])"
)
_DATE = re.compile(
    rf"""
    {_WEEKDAY}?
    (?:(?P<time1>{_TIME})(?:\s?(?P<zone1>{_ZONE}))?\s*(?:,|on|at|/|\||·|–|—|-)?\s*{_WEEKDAY}?)?
    {_CORE}
    (?:(?:\s*[|,·•@–—/]\s*|\s+-\s+|\s+|T)(?:at\s+)?(?P<time2>{_TIME})(?:\s?(?P<zone2>{_ZONE}))?)?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_RELATIVE = re.compile(
    r"(?<!\w)(?:(?P<count>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
    r"(?P<unit>sec(?:ond)?s?|min(?:ute)?s?|h(?:ou)?rs?|hours?|days?|weeks?|months?|years?)"
    r"\s+ago|^(?P<word>just now|today|yesterday)(?:,?\s+(?:at\s+)?(?P<time>" + _TIME + r"))?)"
    r"(?!\w)",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"(?:^|(?<=[\s|·•,\[(]))(?P<label>(?:(?:last|first|originally|date|time)\s+)?"
    r"(?:published|updated|posted|created|modified|uploaded|released|last\s+modified|date"
    r"|publication\s+date|pub\.?\s+date)(?:\s+(?:on|at))?|on|at)\s*:?\s*$",
    re.IGNORECASE,
)
_LABEL_ONLY = re.compile(
    r"^(?:(?:last|first|originally)\s+)?(?:published|updated|posted|created|modified)$",
    re.IGNORECASE,
)
_PIECE_SEPARATORS = re.compile(r"\s*[|·•\[\]()/,;–—]\s*|\s+-\s+")
_BY = BYLINE
_UNIT_DELTA = {
    "s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks", "y": "years",
}


@dataclass(frozen=True)
class FoundDate:
    """One date on a line: the moment in UTC, whether a time of day was given, its label."""

    label: str  # "published", "updated" or "" when the date has no label
    published_at: dt.datetime | None  # aware, UTC; None: relative, and no reference time
    time_known: bool
    warning: str = ""
    relative: bool = False


@dataclass(frozen=True)
class DateLine:
    """What a date line says besides its dates: the names printed with them."""

    dates: tuple  # of FoundDate, in line order
    site: str = ""  # one name glued to or printed with the date ("Clash Report"), or ""
    names: tuple = ()  # byline parts printed with the date ("By Jane Doe", "Gulf Times")

    @property
    def label(self):
        return self.dates[0].label


def parse_date_line(line, *, reference=None):
    """Return a DateLine when ``line`` is a date line, else None.

    ``reference`` (an aware datetime, naive is read as UTC) is the moment relative dates
    ("2 hours ago") count back from; without it they come back with ``published_at=None``
    and a warning. Never raises.
    """
    if not line or len(line) > MAX_DATE_LINE:
        return None
    found, spans = [], []
    for match in _DATE.finditer(line):
        date = _absolute(match)
        if date is not None:
            found.append(date)
            spans.append((match.start(), match.end()))
    if not found:
        match = _RELATIVE.search(line)
        if match is None:
            return None
        found.append(_relative(match, reference))
        spans.append((match.start(), match.end()))
    else:
        # "August 12, 2025 10:42 AM GMT+1 Updated 3 hours ago": a relative date beside
        # an absolute one is a date of the line too (its label decides which one wins).
        for start, end in _gaps(spans, len(line)):
            for match in _RELATIVE.finditer(line, start, end):
                found.append(_relative(match, reference))
                spans.append((match.start(), match.end()))
        order = sorted(range(len(spans)), key=lambda number: spans[number])
        found, spans = [found[n] for n in order], [spans[n] for n in order]
    return _with_rest(line, found, spans)


def _gaps(spans, length):
    """The (start, end) stretches of a line of ``length`` outside the sorted ``spans``."""
    position = 0
    for start, end in spans:
        yield position, start
        position = end
    yield position, length


def _with_rest(line, found, spans):
    """Attach labels; accept the line only when the rest is separators and names."""
    dates, names = [], []
    position = 0
    for date, (start, end) in zip(found, spans):
        gap = line[position:start]
        label_match = _LABEL.search(gap)
        label = ""
        if label_match:
            label = _label_kind(label_match["label"])
            gap = gap[: label_match.start()]
        names.extend(_pieces(gap))
        dates.append(FoundDate(label, date.published_at, date.time_known, date.warning,
                               date.relative))
        position = end
    names.extend(_pieces(line[position:]))
    if any(name is None for name in names):
        return None
    site = ""
    plain = [name for name in names if not _BY.match(name)]
    if len(plain) == 1 and len(names) == 1:
        site, names = plain[0], []
    return DateLine(tuple(dates), site, tuple(names))


def _pieces(text):
    """The names in what surrounds a date; None for a piece that is no name (a sentence)."""
    out = []
    for piece in _PIECE_SEPARATORS.split(text):
        piece = piece.strip(" :-")
        if not piece or is_read_time(piece) or _LABEL_ONLY.match(piece):
            continue
        if is_furniture(piece) and not _BY.match(piece):
            continue
        by = _BY.match(piece)
        if is_name_like(by["name"] if by else piece) and not any(c.isdigit() for c in piece):
            out.append(piece)
        else:
            out.append(None)
    return out


def _label_kind(label):
    words = label.lower().split()
    if {"updated", "modified"} & set(words) or words[:1] == ["last"]:
        return "updated"
    if words in (["on"], ["at"], ["date"]) or words[:1] == ["date"]:
        return ""
    return "published"


def _absolute(match):
    """Read one grammar match with dateutil; None when it names no real moment."""
    core = re.sub(r"(?<=\d)(?:st|nd|rd|th)\b|\bof\s", "", match["core"], flags=re.IGNORECASE)
    time_text = match["time2"] or match["time1"]
    zone_text = match["zone2"] if match["time2"] else match["zone1"]
    dayfirst, yearfirst, warning = _numeric_order(match)
    text = core + (" " + _plain_time(time_text) if time_text else "")
    try:
        moment = dateutil_parser.parse(
            text, dayfirst=dayfirst, yearfirst=yearfirst, default=dt.datetime(1900, 1, 1)
        )
    except (ValueError, OverflowError):
        return None
    if not 1900 <= moment.year <= 2100:
        return None
    moment = moment.replace(tzinfo=None)
    if not time_text:
        return FoundDate("", moment.replace(tzinfo=UTC), False, warning)
    zone, zone_warning = _zone(zone_text, moment)
    if zone is None:
        return None
    return FoundDate("", moment.replace(tzinfo=zone).astimezone(UTC), True,
                     warning or zone_warning)


def _plain_time(text):
    """ "9:38 a.m." as dateutil reads it most reliably: "9:38 am"; "19.29" as "19:29"."""
    text = re.sub(r"\s?([ap])\.?\s?m\.?", r" \1m", text, flags=re.IGNORECASE)
    return re.sub(r"^(\d{1,2})\.(\d{2})", r"\1:\2", text)


def _numeric_order(match):
    """Day-first or month-first for numeric dates, with a warning when it is a guess.

    Slashes are read month-first (7/29/2025), dashes and dots day-first (27-07-2025), as
    the sites that print them do; a day over 12 settles it either way.
    """
    separator = match["sep"]
    if not separator:
        return False, bool(re.match(r"\d{4}", match["core"])), ""
    first, second = (int(part) for part in re.split(r"[-/.]", match["core"])[:2])
    if first > 12:
        return True, False, ""
    if second > 12:
        return False, False, ""
    dayfirst = separator != "/"
    if first == second:
        return dayfirst, False, ""
    order = "day first" if dayfirst else "month first"
    return dayfirst, False, f"numeric date '{match['core']}' is ambiguous; read {order}"


def _zone(text, local):
    """The tzinfo for a printed zone (None when impossible) and a warning, if any."""
    if not text:
        return UTC, "the time has no time zone; it was read as UTC"
    text = text.strip("()")
    offset = re.fullmatch(
        r"(?:gmt|utc)?\s?(?P<sign>[+\-−–])\s?(?P<h>\d{1,2}):?(?P<m>\d{2})?", text, re.IGNORECASE
    )
    if offset:
        hours, minutes = int(offset["h"]), int(offset["m"] or 0)
        if hours > 14 or minutes > 59:
            return None, ""
        delta = dt.timedelta(hours=hours, minutes=minutes)
        return dt.timezone(-delta if offset["sign"] != "+" else delta), ""
    key = text.lower()
    if key in ("gmt", "utc", "z"):
        return UTC, ""
    if key in _ZONE_NAMES:
        try:
            return zoneinfo.ZoneInfo(_ZONE_NAMES[key]), ""
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return UTC, "the time zone database is missing; time read as UTC"
    if key in _ZONE_HOURS:
        return dt.timezone(dt.timedelta(hours=_ZONE_HOURS[key])), ""
    return UTC, f"time zone '{text}' not recognised; time read as UTC"


def _relative(match, reference):
    """ "2 hours ago", "yesterday": counted back from ``reference``."""
    printed = match.group(0)
    if reference is None:
        return FoundDate(
            "", None, False,
            f"relative date '{printed}' cannot be dated without a reference time "
            "(the file's own date); no publication date taken",
            relative=True,
        )
    reference = reference if reference.tzinfo else reference.replace(tzinfo=UTC)
    reference = reference.astimezone(UTC)
    if match["word"]:
        word = match["word"].lower()
        if word == "just now":
            return FoundDate("", reference, True, relative=True)
        day = reference - relativedelta(days=1 if word == "yesterday" else 0)
        if match["time"]:
            try:
                clock = dateutil_parser.parse(_plain_time(match["time"]))
            except (ValueError, OverflowError):
                return FoundDate("", None, False, f"unreadable time in '{printed}'", True)
            moment = day.replace(hour=clock.hour, minute=clock.minute, second=0, microsecond=0)
            return FoundDate("", moment, True, "the time has no time zone; it was read as UTC",
                             True)
        return FoundDate("", _midnight(day), False, relative=True)
    count = match["count"].lower()
    count = int(count) if count.isdigit() else _NUMBER_WORDS[count]
    unit = match["unit"].lower()
    unit_key = "m" if unit.startswith("min") else ("M" if unit.startswith("mo") else unit[0])
    if unit_key == "M":
        moment = reference - relativedelta(months=count)
    else:
        moment = reference - relativedelta(**{_UNIT_DELTA[unit_key]: count})
    if unit_key in "smh":
        return FoundDate("", moment.replace(microsecond=0), True, relative=True)
    return FoundDate("", _midnight(moment), False, relative=True)


def _midnight(moment):
    return dt.datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
