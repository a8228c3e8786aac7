"""Search over the notes a reader may see: the filters of ``GET /api/search/``.

Parameters (all optional, combined with AND): ``brief`` (slug), ``user`` (username),
``tag``, ``group`` (slug of one of the caller's groups), ``text`` (words in the note or the
quote), ``since``/``until`` (ISO dates or datetimes, on the creation time), ``anchor``
(exact, shifted, fuzzy, orphaned), ``parent`` (an annotation id: its replies),
``sort`` (``created``, ``-created``, ``modified``, ``-modified``; default ``-created``).
Every filter narrows ``Annotation.objects.visible_to(user)``: a search never sees more
than the pages do. Bad values raise SearchError with a message for the caller.
``annotations_search_total`` gives the search's size (the kept count when nothing narrows it).
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from config.limits import NOTE_SEARCH_MAX_WORDS, SEARCH_QUERY_MAX_LENGTH
from core.text import whole_number

from .models import Annotation

SORTS = {
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "modified": ("modified_at", "id"),
    "-modified": ("-modified_at", "-id"),
}


# The parameters that narrow the search (sort, page and per_page only order and cut it).
FILTERS = ("brief", "user", "tag", "group", "text", "since", "until", "anchor", "parent")


class SearchError(ValueError):
    """A parameter the search cannot use; its message says which and why."""


def _moment(name, value, *, end_of_day):
    """``value`` (a date or an ISO datetime) as an aware UTC datetime the database can
    hold; SearchError for anything else (an impossible offset, a year out of range)."""
    problem = SearchError(f"{name} must be a date (2025-07-01) or an ISO datetime.")
    try:
        moment = parse_datetime(value) if "T" in value or " " in value else None
        if moment is None:
            day = parse_date(value)
            if day is None:
                raise problem
            moment = dt.datetime.combine(day, dt.time.max if end_of_day else dt.time.min)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, dt.timezone.utc)
        return moment.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        raise problem from None


def _text_filter(text):
    condition = Q()
    for word in text.split()[:NOTE_SEARCH_MAX_WORDS]:
        condition &= Q(note__icontains=word) | Q(exact__icontains=word)
    return condition


def annotations_search(user, params):
    """The notes ``user`` may see that match ``params`` (a QueryDict or dict), sorted."""
    queryset = Annotation.objects.visible_to(user)
    get = lambda name: (params.get(name) or "").strip()  # noqa: E731
    if get("brief"):
        queryset = queryset.filter(brief__slug=get("brief"))
    if get("user"):
        queryset = queryset.filter(user__username=get("user"))
    if get("tag"):
        queryset = queryset.filter(tagged_items__tag__name__iexact=get("tag"))
    if get("group"):
        queryset = queryset.filter(visibility="group", group__slug=get("group"))
    if get("text"):
        queryset = queryset.filter(_text_filter(get("text")[:SEARCH_QUERY_MAX_LENGTH]))
    if get("since"):
        queryset = queryset.filter(created_at__gte=_moment("since", get("since"), end_of_day=False))
    if get("until"):
        queryset = queryset.filter(created_at__lte=_moment("until", get("until"), end_of_day=True))
    if get("anchor"):
        if get("anchor") not in Annotation.AnchorStatus.values:
            raise SearchError("anchor must be one of exact, shifted, fuzzy, orphaned.")
        queryset = queryset.filter(anchor_status=get("anchor"), parent__isnull=True)
    if get("parent"):
        parent = whole_number(get("parent"))
        if parent is None:
            raise SearchError("parent must be an annotation id.")
        queryset = queryset.filter(parent_id=parent)
    sort = get("sort") or "-created"
    if sort not in SORTS:
        raise SearchError(f"sort must be one of {', '.join(SORTS)}.")
    return queryset.order_by(*SORTS[sort])


def annotations_search_total(user, params, queryset):
    """How many notes ``queryset`` (``annotations_search(user, params)``) holds, an int.

    With no filter among ``params`` the search is every note ``user`` may see, whose
    number the database keeps (``visible_count``: one row and the reader's own notes,
    instead of counting ~100k public notes per request, issue 14); else a COUNT.
    """
    if any((params.get(name) or "").strip() for name in FILTERS):
        return queryset.count()
    return Annotation.objects.visible_count(user)
