"""``{% brief_card brief %}`` and ``{% brief_time brief %}``: a list's cards built in one call each.

The same markup as the card and time templates they replace, written by Python: a page
of twenty cards spent ~60 ms of a cold request in template lookups, includes and the
``date`` filter's context handling (issue 14). What the card shows:

- the title, linking the brief's page;
- the search snippet (``snippet_html``, already safe HTML) when the list set one, else the dek;
- the source (linked), when the brief was published, its reading time;
- for a brief standing for a story (``story_card``), how many sources report it;
- its topics as chips (:func:`briefs.templatetags.topic_chips.topic_chips`).
"""

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from core.templatetags.datetimes import machine_datetime

from .topic_chips import topic_chips

register = template.Library()


@register.simple_tag
def brief_time(brief, say_untimed=False):
    """``<time>`` of when ``brief`` was published: "1 December 2026, 09:30 UTC" when its
    time is known, else the day alone ("1 December 2026", followed by " (time not given)"
    when ``say_untimed``). The ``datetime`` attribute is UTC to the second, or the date;
    the shown day and time are in the site's time zone, as the ``date`` filter gives them.
    "" inside the element for a brief with no date (a draft)."""
    published = brief.published_at
    shown = template_localtime(published)
    if brief.published_time_known:
        return mark_safe(
            f'<time datetime="{escape(machine_datetime(published))}">'
            f'{escape(date_filter(shown, "j F Y, H:i"))} UTC</time>'
        )
    untimed = " (time not given)" if say_untimed else ""
    return mark_safe(
        f'<time datetime="{escape(date_filter(shown, "Y-m-d"))}">'
        f'{escape(date_filter(shown, "j F Y"))}</time>{untimed}'
    )


@register.simple_tag
def brief_card(brief):
    """The ``<article class="card">`` of ``brief`` in a list (see the module's docstring).

    ``brief`` carries what ``for_cards()`` and ``prefetch_topics()`` fetch (``body_length``,
    ``source``, ``topic_list``); ``snippet_html`` and ``story_card`` are optional."""
    url = escape(brief.get_absolute_url())
    lines = [f'<h2 class="card-title"><a href="{url}">{escape(brief.title)}</a></h2>']
    snippet = getattr(brief, "snippet_html", None)
    if snippet:
        lines.append(f'<p class="snippet">{conditional_escape(snippet)}</p>')
    elif brief.dek:
        lines.append(f'<p class="dek">{escape(brief.dek)}</p>')
    meta = []
    source = brief.source
    if source:
        meta.append(f'<a href="{escape(source.get_absolute_url())}">{escape(source.name)}</a>')
    meta.append(brief_time(brief))
    minutes = brief.reading_minutes
    if minutes:
        meta.append(f'<span class="reading-time">{minutes} min read</span>')
    lines.append(f'<p class="meta">{" · ".join(meta)}</p>')
    story = getattr(brief, "story_card", None)
    if story:
        story_url = escape(story.get_absolute_url())
        lines.append(
            f'<p class="story-sources"><a href="{story_url}">{story.source_count} sources</a>'
            f' report this event · <a href="{story_url}">see all versions</a></p>'
        )
    chips = topic_chips(brief.topic_list)
    if chips:
        lines.append(chips)
    body = "\n  ".join(lines)
    return mark_safe(f'<article class="card">\n  {body}\n</article>')
