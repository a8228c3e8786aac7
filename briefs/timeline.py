"""A small bar chart of briefs per month, as plain values for a server-drawn SVG.

Pure: takes ``[(first day of month, count)]`` (``month_counts()``) and returns bars with
their geometry; no models, no drawing library, no script in the browser.
"""

import datetime as dt
from dataclasses import dataclass

from config.limits import TIMELINE_MAX_MONTHS

CHART_WIDTH = 640  # px, the reading column
CHART_HEIGHT = 64  # px for the tallest bar
MAX_BAR_WIDTH = 24


@dataclass(frozen=True)
class Bar:
    """One month: its first day, brief count and bar geometry (px) in the SVG."""

    month: dt.date
    count: int
    x: int
    width: int
    height: int

    @property
    def y(self):
        return CHART_HEIGHT - self.height


@dataclass(frozen=True)
class Timeline:
    """Bars for every month from the first to the last covered, empty months included."""

    bars: list
    width: int
    height: int = CHART_HEIGHT

    @property
    def first(self):
        return self.bars[0].month

    @property
    def last(self):
        return self.bars[-1].month

    @property
    def total(self):
        return sum(bar.count for bar in self.bars)

    @property
    def busiest(self):
        return max(self.bars, key=lambda bar: (bar.count, bar.month))

    @property
    def busiest_months(self):
        """How many months hold the busiest count (the caption says "most in" only for one)."""
        most = self.busiest.count
        return sum(1 for bar in self.bars if bar.count == most)


def _next_month(month):
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def months_between(first, last):
    """Every first-of-month date from ``first`` to ``last`` inclusive."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


def build_timeline(month_counts):
    """The chart of ``month_counts`` (any order), or None when nothing is dated.

    At most ``TIMELINE_MAX_MONTHS`` months, the newest; bars share the chart's width.
    """
    counts = {month.replace(day=1): count for month, count in month_counts if count}
    if not counts:
        return None
    months = months_between(min(counts), max(counts))[-TIMELINE_MAX_MONTHS:]
    slot = max(2, min(MAX_BAR_WIDTH, CHART_WIDTH // len(months)))
    gap = 1 if slot < 6 else 2
    tallest = max(counts.get(month, 0) for month in months)
    bars = [
        Bar(
            month=month,
            count=counts.get(month, 0),
            x=index * slot,
            width=slot - gap,
            height=round(CHART_HEIGHT * counts.get(month, 0) / tallest) if tallest else 0,
        )
        for index, month in enumerate(months)
    ]
    return Timeline(bars=bars, width=slot * len(months))
