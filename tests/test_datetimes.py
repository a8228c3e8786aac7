"""The ``machine_datetime`` filter every ``<time datetime>`` of the site goes through."""

import datetime as dt
from zoneinfo import ZoneInfo

from core.templatetags.datetimes import machine_datetime


def test_a_moment_is_written_in_utc_to_the_second():
    moment = dt.datetime(2026, 12, 1, 10, 29, 47, 781504, tzinfo=ZoneInfo("Europe/Berlin"))
    assert machine_datetime(moment) == "2026-12-01T09:29:47+00:00"


def test_a_date_stays_a_date_and_nothing_is_empty():
    assert machine_datetime(dt.date(2025, 7, 28)) == "2025-07-28"
    assert machine_datetime(None) == ""
    assert machine_datetime("2025") == ""


def test_a_naive_moment_is_taken_as_utc():
    assert machine_datetime(dt.datetime(2025, 7, 28, 2, 10, 5, 1)) == "2025-07-28T02:10:05+00:00"
