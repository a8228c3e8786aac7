"""Date lines of copied articles.

Examples: ``July 28, 2025Clash Report``, ``Updated Jul 27, 2025 | 10:10 PM GMT-04``.

A date line is a whole line that starts with a date (after an optional "Updated"/
"Published" label and weekday) and holds nothing else but a time, a UTC offset and
possibly the site name glued on. A sentence that merely starts with a date is not one.
"""

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

MAX_DATE_LINE = 120

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
# Fixed-offset zone abbreviations that are unambiguous in English-language news.
_ZONE_HOURS = {
    "edt": -4, "est": -5, "cdt": -5, "cst": -6, "mdt": -6, "mst": -7, "pdt": -7, "pst": -8,
    "bst": 1, "cet": 1, "cest": 2, "eet": 2, "eest": 3, "msk": 3,
    "hkt": 8, "sgt": 8, "jst": 9, "kst": 9, "aest": 10, "aedt": 11,
    "ist": 5.5, "pkt": 5, "wib": 7, "wat": 1, "cat": 2, "eat": 3, "sast": 2, "nzst": 12,
    "nzdt": 13,
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
_DATE_LINE = re.compile(
    r"""^
    (?:(?P<label>last\ updated|first\ published|updated|published|posted|date)
       (?:\ on)?\ ?:?\ ?)?
    (?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday
        |mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?,?\ )?
    (?:
        (?P<month>""" + _MONTH_WORD + r""")\.?\ ?(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\ ?
        (?P<year>\d{4})
      | (?P<day2>\d{1,2})(?:st|nd|rd|th)?\ (?P<month2>""" + _MONTH_WORD + r""")\.?,?[ ]
        (?P<year2>\d{4})
      | (?P<iso_year>\d{4})-(?P<iso_month>\d{2})-(?P<iso_day>\d{2})
    )
    (?!\d)
    (?:
        (?:\ ?(?:[|,·•@–—-]|at)\ ?|\ |T)
        (?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::\d{2}(?:\.\d+)?)?
        (?:\ ?(?P<ampm>[ap])\.?\ ?m\.?(?![a-z]))?
        (?:\ ?(?:
            (?P<gmt>gmt|utc)(?:\ ?(?P<sign>[+\-−–])\ ?(?P<off_h>\d{1,2})(?::?(?P<off_m>\d{2}))?)?
          | (?P<zulu>z)
          | (?P<sign2>[+\-−])(?P<off_h2>\d{2}):?(?P<off_m2>\d{2})
          | (?P<abbr>[a-z]{2,4})
        )(?![a-z\d]))?
    )?
    (?P<rest>.*)$""",
    re.IGNORECASE | re.VERBOSE,
)
_ZONE_NAMED = dt.timezone(dt.timedelta(0), "named zone")  # marker: look the zone up by date
_REST_SEPARATORS = " |·•,–—-"
_READ_TIME = re.compile(r"^\d+\s*min(?:ute)?s?\s+read$", re.IGNORECASE)
_SITE_NAME = re.compile(r"^[^\W\d_][\w&.'’ -]{0,40}$")


@dataclass(frozen=True)
class DateLine:
    """What a date line says: the moment in UTC and whether a time of day was given."""

    label: str  # "updated", "published", ... or "" when the line has no label
    published_at: dt.datetime
    time_known: bool
    site: str  # a site name glued to the date ("Clash Report"), or ""
    warning: str = ""


def parse_date_line(line):
    """Return a DateLine when the whole ``line`` is a date line, else None."""
    if not line or len(line) > MAX_DATE_LINE or not any(char.isdigit() for char in line):
        return None
    match = _DATE_LINE.match(line)
    if not match:
        return None
    site = _site_from_rest(match["rest"])
    if site is None:
        return None
    day = _calendar_day(match)
    if day is None:
        return None
    moment, time_known, warning = _moment(day, match)
    if moment is None:
        return None
    label = " ".join((match["label"] or "").lower().split())
    return DateLine(label, moment, time_known, site, warning)


def _site_from_rest(rest):
    rest = rest.strip(_REST_SEPARATORS)
    if not rest or _READ_TIME.match(rest):
        return ""
    if _SITE_NAME.match(rest) and len(rest.split()) <= 5 and rest[-1] not in ".!?":
        return rest
    return None


def _calendar_day(match):
    if match["iso_year"]:
        year, month, day = int(match["iso_year"]), int(match["iso_month"]), int(match["iso_day"])
    else:
        month_word = (match["month"] or match["month2"]).lower()
        year = int(match["year"] or match["year2"])
        month = _MONTHS[month_word[:3]]
        day = int(match["day"] or match["day2"])
    if not 1900 <= year <= 2100:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _moment(day, match):
    """The UTC datetime of the line, whether the time was given, and any warning."""
    if match["hour"] is None:
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc), False, ""
    hour, minute = int(match["hour"]), int(match["minute"])
    if match["ampm"]:
        if not 1 <= hour <= 12:
            return None, False, ""
        hour = hour % 12 + (12 if match["ampm"].lower() == "p" else 0)
    if hour > 23 or minute > 59:
        return None, False, ""
    offset, warning = _offset(match)
    if offset is None:
        return None, False, ""
    local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=offset)
    if offset is _ZONE_NAMED:
        try:
            zone = zoneinfo.ZoneInfo(_ZONE_NAMES[match["abbr"].lower()])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone, warning = dt.timezone.utc, "the time zone database is missing; time read as UTC"
        local = local.replace(tzinfo=zone)
    return local.astimezone(dt.timezone.utc), True, warning


def _offset(match):
    sign = match["sign"] or match["sign2"]
    hours = match["off_h"] or match["off_h2"]
    if sign and hours:
        minutes = int(match["off_m"] or match["off_m2"] or 0)
        if int(hours) > 14 or minutes > 59:
            return None, ""
        delta = dt.timedelta(hours=int(hours), minutes=minutes)
        return dt.timezone(-delta if sign in "-−–" else delta), ""
    if match["gmt"] or match["zulu"]:
        return dt.timezone.utc, ""
    if match["abbr"] and match["abbr"].lower() in _ZONE_NAMES:
        return _ZONE_NAMED, ""
    if match["abbr"] and match["abbr"].lower() in _ZONE_HOURS:
        return dt.timezone(dt.timedelta(hours=_ZONE_HOURS[match["abbr"].lower()])), ""
    if match["abbr"]:
        return dt.timezone.utc, f"time zone '{match['abbr']}' not recognised; time read as UTC"
    return dt.timezone.utc, "the time has no time zone; it was read as UTC"
