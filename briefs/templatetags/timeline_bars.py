"""``{% timeline_bars %}`` and ``{% timeline_months %}``: the month chart's bars and its list
of months (templates/includes/timeline.html), built in one call each.

The same markup as a ``{% for %}`` over the bars with ``|date`` filters and localised
numbers, without the template work per bar: a topic's five years are 60 bars, each
formatting its month four times and five numbers, a fifth of a topic page's rendering
(issue 14).
"""

from django import template
from django.utils.dateformat import format as format_date
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()
CURRENT = ' aria-current="page"'


def _shown(timeline):
    """``(bar, "March 2025", "2025-03")`` for each bar with briefs."""
    return [
        (bar, format_date(bar.month, "F Y"), f"{bar.month.year:04d}-{bar.month.month:02d}")
        for bar in timeline.bars
        if bar.count
    ]


@register.simple_tag
def timeline_bars(timeline, url, current=None):
    """The SVG's linked bars of ``timeline`` (briefs/timeline.py), each to ``url?month=``;
    the bar of the month ``current`` (a date, or None) marked."""
    url = escape(url)
    return mark_safe("".join(
        f'<a href="{url}?month={param}" tabindex="-1"><rect class="timeline-bar'
        f'{" is-current" if bar.month == current else ""}" x="{bar.x}" y="{bar.y}" '
        f'width="{bar.width}" height="{bar.height}"><title>{escape(label)}: {bar.count} '
        f'brief{"" if bar.count == 1 else "s"}</title></rect></a>'
        for bar, label, param in _shown(timeline)
    ))


@register.simple_tag
def timeline_months(timeline, url, current=None):
    """The same months as list items linking their slices, the current one marked."""
    url = escape(url)
    return mark_safe("".join(
        f'<li><a href="{url}?month={param}"'
        f'{CURRENT if bar.month == current else ""}>{escape(label)}</a> '
        f'<span class="count">{bar.count}</span></li>'
        for bar, label, param in _shown(timeline)
    ))
