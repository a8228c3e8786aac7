"""``GET /api/search/``: the notes a caller may see, by filter, as W3C AnnotationPages.

The filters and orders are annotations/search.py's; this view checks the parameters
(``ApiView``: any it does not take is a 400), pages (``page``, ``offset`` or keyset
``search_after``) and writes the page. docs/api.md documents it for script authors,
Hypothesis's parameters included.
"""

from django.urls import reverse

from briefs.querysets import LIST_DEFERRED_FIELDS
from config.limits import API_PAGE_SIZE, MAX_PAGE_SIZE
from core.text import MAX_ROW_ID

from . import jsonld
from .api import ApiView, ld_response
from .jsonld import ApiError
from .search import (
    FILTERS,
    ORDERING,
    REPEATABLE,
    SearchError,
    annotations_after,
    annotations_search,
    annotations_search_total,
    search_cursor,
)


def _window(queryset, count, bottom, top):
    """Rows ``bottom`` to ``top`` (0-based, ``top`` excluded) of ``queryset`` (totally
    ordered, ``count`` rows), as a list.

    Past the first rows the ids are read first (the OFFSET walks an index for ids alone);
    a window past the middle is read from the far end of the order (every order ends in
    the id, so reversed is exact) and turned round: the last page of 100k notes skips none.
    """
    top = min(top, count)
    if bottom >= top:
        return []
    if not bottom:
        return list(queryset[:top])
    if bottom <= count - top:
        return list(queryset.filter(pk__in=queryset.values("pk")[bottom:top]))
    reversed_ = queryset.reverse()
    ids = reversed_.values("pk")[count - top : count - bottom]
    return list(reversed_.filter(pk__in=ids))[::-1]


class SearchView(ApiView):
    """``GET /api/search/``: the caller's visible notes by filter (annotations/search.py),
    as one W3C AnnotationPage per request.

    Three ways to page, one per request: ``page`` (from 1, the default), ``offset`` (a
    start index, Hypothesis's) or ``search_after`` (keyset: the notes after a sort value,
    as fast on the thousandth page as on the first); the size is ``per_page`` (1 to
    MAX_PAGE_SIZE) or Hypothesis's ``limit`` (0 to MAX_PAGE_SIZE, 0 for the total alone).
    """

    PAGING = ("page", "per_page", "limit", "offset")
    query_parameters = {"get": (*FILTERS, *ORDERING, *PAGING)}
    repeatable = REPEATABLE

    def get(self, request):
        params = request.GET
        for one, other in (("page", "offset"), ("page", "search_after"),
                           ("offset", "search_after"), ("per_page", "limit")):
            if one in params and other in params:
                raise ApiError(400, f"{one} and {other} cannot be combined: send one of them.")
        try:
            queryset = annotations_search(request.user, params, request_host=request.get_host())
            after = annotations_after(queryset, params)
        except SearchError as error:
            raise ApiError(400, str(error)) from None
        size = self.size()
        if size == 0 and "page" in params:
            raise ApiError(400, "limit=0 asks for the total alone: it takes no page.")
        total = annotations_search_total(request.user, params, queryset)
        loaded = (
            after.select_related("brief", "user", "group")
            .defer(*(f"brief__{name}" for name in LIST_DEFERRED_FIELDS), "user__password")
            .prefetch_tags()
        )
        links, here = {}, {}
        if "search_after" in params:
            start, rows = None, list(loaded[: size + 1]) if size else []
            if len(rows) > size:
                rows = rows[:size]
                links["next"] = self.url(search_after=search_cursor(rows[-1], params))
        elif "offset" in params:
            start = self.number("offset", low=0, status=400)
            rows = _window(loaded, total, start, start + size)
            if size and start + size < total:
                links["next"] = self.url(offset=start + size)
            if size and start:
                links["prev"] = self.url(offset=max(min(start, total) - size, 0))
        else:
            pages = max(-(-total // size), 1) if size else 1
            number = self.number("page", high=pages) if "page" in params else 1
            start = (number - 1) * size
            here = {"page": number} if size else {}  # limit=0 takes no page
            rows = _window(loaded, total, start, start + size)
            if number < pages:
                links["next"] = self.url(page=number + 1)
            if number > 1:
                links["prev"] = self.url(page=number - 1)
        document = {
            "@context": jsonld.ANNO_CONTEXT,
            "id": self.url(**here),
            "type": "AnnotationPage",
            "partOf": {
                "id": self.url(**{name: None for name in ("page", "offset", "search_after")}),
                "type": "AnnotationCollection",
                "total": total,
            },
        }
        if start is not None:
            document["startIndex"] = start if total else 0
        document["items"] = [
            jsonld.annotation_document(a, self.absolute, with_context=False) for a in rows
        ]
        document.update(links)
        return ld_response(document, headers={"Cache-Control": "private, no-store"})

    def size(self):
        """The page size: ``per_page`` (1 to MAX_PAGE_SIZE), ``limit`` (0 to MAX_PAGE_SIZE),
        or API_PAGE_SIZE; 400 outside those."""
        if "limit" in self.request.GET:
            return self.number("limit", low=0, high=MAX_PAGE_SIZE, status=400)
        if "per_page" in self.request.GET:
            return self.number("per_page", high=MAX_PAGE_SIZE, status=400)
        return API_PAGE_SIZE

    def number(self, name, *, low=1, high=MAX_ROW_ID, status=404):
        """The whole number in parameter ``name``. Anything but ASCII digits from ``low``
        up is a 400; a number past ``high`` answers ``status`` (a page past the last is a
        404, a size or offset too large a 400), each with the range."""
        raw = self.request.GET.get(name)
        upper = f" to {high:,}" if high != MAX_ROW_ID else " up"
        if not (isinstance(raw, str) and raw.isascii() and raw.isdigit()):
            raise ApiError(400, f"{name} must be a whole number from {low}{upper}.")
        if len(raw) > 19 or int(raw) > MAX_ROW_ID:
            raise ApiError(400, f"{name} must be at most {MAX_ROW_ID:,}.")
        value = int(raw)
        if value < low:
            raise ApiError(400, f"{name} must be a whole number from {low}{upper}.")
        if value > high:
            raise ApiError(status, f"{name} must be a whole number from {low}{upper}.")
        return value

    def url(self, **changes):
        """This search's address with ``changes`` (a None value drops the parameter)."""
        query = self.request.GET.copy()
        for name, value in changes.items():
            query.pop(name, None)
            if value is not None:
                query[name] = value
        encoded = query.urlencode()
        return self.absolute(reverse("annotations:api-search") + ("?" + encoded if encoded else ""))
