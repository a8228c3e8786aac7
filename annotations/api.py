"""The W3C Web Annotation Protocol endpoints: ``/api/annotations/`` and ``/api/annotations/<id>/``.

Session authentication with CSRF, as the site's pages use. Every error is JSON with a message.
Someone else's private (or hidden) annotation answers 404 exactly like a missing one, so the
API never reveals that it exists.
"""

import json
import time
from urllib.parse import urlencode, urlsplit

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.csrf import csrf_exempt

from briefs.models import Brief
from config.limits import ANNOTATION_CREATES_PER_MINUTE
from core.cache import CachedPaginator

from . import jsonld
from .anchoring import SelectorMismatch
from .models import Annotation
from .services import (
    NOTE_MAX_LENGTH,
    NoteTooLong,
    annotation_create,
    annotation_delete,
    annotation_update,
)

PAGE_SIZE = 50
CREATE_LIMIT_PER_MINUTE = ANNOTATION_CREATES_PER_MINUTE
MAX_REQUEST_BYTES = 4 * NOTE_MAX_LENGTH + 64_000
"""Room for a maximal note in the widest UTF-8 plus the selectors; anything bigger is refused."""


class ApiError(Exception):
    """An error answered as ``{"error": message}`` with ``status``."""

    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def _error_response(error):
    response = JsonResponse({"error": error.message, "status": error.status}, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


def _ld_response(document, status=200, headers=None):
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False),
        status=status,
        content_type=jsonld.CONTENT_TYPE,
    )
    response["Vary"] = "Accept, Cookie"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


def _require_writer(request):
    """401 for anonymous callers, 403 for a missing or wrong CSRF token."""
    if not request.user.is_authenticated:
        raise ApiError(401, "Log in to create or change annotations.")
    check = _CsrfCheck(lambda req: None)
    check.process_request(request)
    reason = check.process_view(request, None, (), {})
    if reason:
        raise ApiError(403, f"CSRF check failed ({reason}). Send the X-CSRFToken header.")


def _rate_limit(user):
    window = int(time.time() // 60)
    key = f"annotations:create:{user.pk}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count > CREATE_LIMIT_PER_MINUTE:
        retry = 60 - int(time.time()) % 60
        raise ApiError(
            429,
            f"Too many new annotations: at most {CREATE_LIMIT_PER_MINUTE} a minute. "
            f"Try again in {retry} seconds.",
            headers={"Retry-After": str(retry)},
        )


def _read_json(request):
    if len(request.body) > MAX_REQUEST_BYTES:
        raise ApiError(413, "The request is too large.")
    try:
        document = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "The request body is not valid JSON.") from None
    if not isinstance(document, dict):
        raise ApiError(400, "Send one annotation as a JSON object.")
    return document


def _note_from(document, *, required):
    """The note text from a TextualBody (``body``) or ``bodyValue``; None when absent."""
    if "body" in document and "bodyValue" in document:
        raise ApiError(400, "Send either body or bodyValue, not both.")
    if "bodyValue" in document:
        body = {"type": "TextualBody", "value": document["bodyValue"]}
    else:
        body = document.get("body")
    if body is None:
        return "" if required else None
    if isinstance(body, list):
        if len(body) != 1:
            raise ApiError(400, "Send at most one body: a TextualBody with the note.")
        body = body[0]
    if not isinstance(body, dict) or body.get("type", "TextualBody") != "TextualBody":
        raise ApiError(400, "The body must be a TextualBody.")
    if body.get("format", "text/plain") != "text/plain":
        raise ApiError(400, 'Notes are plain text: the body format must be "text/plain".')
    value = body.get("value", "")
    if not isinstance(value, str):
        raise ApiError(400, "The body value must be a string.")
    if len(value) > NOTE_MAX_LENGTH:
        raise ApiError(
            413, f"The note has {len(value):,} characters; the limit is {NOTE_MAX_LENGTH:,}."
        )
    return value


def _visibility_from(document, *, required):
    visibility = document.get("visibility")
    if visibility is None:
        return Annotation.Visibility.PRIVATE if required else None
    if visibility not in Annotation.Visibility.values:
        raise ApiError(400, 'visibility must be "private" or "public".')
    return visibility


def _brief_from_source(source):
    if not isinstance(source, str) or not source:
        raise ApiError(400, "target.source must be the URL of a brief.")
    try:
        match = resolve(urlsplit(source).path)
    except Resolver404:
        match = None
    if match is None or match.view_name != "briefs:brief-detail":
        raise ApiError(400, "target.source is not the URL of a brief on this site.")
    brief = Brief.objects.published().filter(slug=match.kwargs["slug"]).first()
    if brief is None:
        raise ApiError(400, "target.source names no published brief.")
    return brief


def _selectors_from(target):
    selectors = target.get("selector")
    if isinstance(selectors, dict):
        selectors = [selectors]
    if not isinstance(selectors, list):
        raise ApiError(400, "target.selector must list a TextQuoteSelector.")
    by_type = {s.get("type"): s for s in selectors if isinstance(s, dict)}
    quote = by_type.get("TextQuoteSelector")
    if not quote or not isinstance(quote.get("exact"), str):
        raise ApiError(400, "target.selector needs a TextQuoteSelector with exact text.")
    values = {
        "exact": quote["exact"],
        "prefix": quote.get("prefix") or "",
        "suffix": quote.get("suffix") or "",
    }
    position = by_type.get("TextPositionSelector")
    if position:
        start, end = position.get("start"), position.get("end")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise ApiError(400, "TextPositionSelector start and end must be integers.")
        if not 0 <= start < end:
            raise ApiError(400, "TextPositionSelector needs 0 <= start < end.")
        values.update(start=start, end=end)
    return values


def _create(request):
    _require_writer(request)
    _rate_limit(request.user)
    document = _read_json(request)
    if document.get("type", "Annotation") != "Annotation":
        raise ApiError(400, 'type must be "Annotation".')
    if document.get("motivation", "commenting") not in {"commenting", "highlighting"}:
        raise ApiError(400, 'motivation must be "commenting" or "highlighting".')
    target = document.get("target")
    if not isinstance(target, dict):
        raise ApiError(400, "target must be an object with source and selector.")
    brief = _brief_from_source(target.get("source"))
    selectors = _selectors_from(target)
    note = _note_from(document, required=True)
    visibility = _visibility_from(document, required=True)
    try:
        annotation = annotation_create(
            brief=brief, user=request.user, note=note, visibility=visibility, **selectors
        )
    except SelectorMismatch as error:
        raise ApiError(400, f"The selector does not match the brief's text: {error}") from None
    except NoteTooLong as error:
        raise ApiError(413, error.messages[0]) from None
    except ValidationError as error:
        raise ApiError(400, " ".join(error.messages)) from None
    annotation.brief, annotation.user = brief, request.user
    document = jsonld.annotation_document(annotation, request.build_absolute_uri)
    return _ld_response(document, status=201, headers={"Location": document["id"]})


def _collection_url(request, brief_slug, page=None):
    query = {}
    if brief_slug:
        query["brief"] = brief_slug
    if page:
        query["page"] = page
    path = reverse("annotations:api-list")
    return request.build_absolute_uri(path + ("?" + urlencode(query) if query else ""))


def _list(request):
    queryset = Annotation.objects.visible_to(request.user).select_related("brief", "user")
    brief_slug = request.GET.get("brief", "")
    if brief_slug:
        brief = Brief.objects.published().filter(slug=brief_slug).first()
        if brief is None:
            raise ApiError(404, f"No published brief has the slug {brief_slug!r}.")
        queryset = queryset.filter(brief=brief).order_by("start", "end", "pk")
    if request.user.is_authenticated:  # the reader's private notes are never cached
        paginator = Paginator(queryset, PAGE_SIZE)
    else:
        paginator = CachedPaginator(queryset, PAGE_SIZE, cache_pages=False)
    number = request.GET.get("page")
    if number is not None and (not number.isdigit() or not 1 <= int(number) <= paginator.num_pages):
        raise ApiError(404, f"No page {number!r}; pages run from 1 to {paginator.num_pages}.")

    def page_document(page, *, with_context):
        document = {"@context": jsonld.ANNO_CONTEXT} if with_context else {}
        document.update(
            {
                "id": _collection_url(request, brief_slug, page.number),
                "type": "AnnotationPage",
                "partOf": _collection_url(request, brief_slug),
                "startIndex": page.start_index() - 1 if paginator.count else 0,
                "items": [
                    jsonld.annotation_document(a, request.build_absolute_uri, with_context=False)
                    for a in page.object_list
                ],
            }
        )
        if page.has_next():
            document["next"] = _collection_url(request, brief_slug, page.next_page_number())
        if page.has_previous():
            document["prev"] = _collection_url(request, brief_slug, page.previous_page_number())
        return document

    if number is not None:
        return _ld_response(page_document(paginator.page(int(number)), with_context=True))
    collection = {
        "@context": [jsonld.ANNO_CONTEXT, jsonld.LDP_CONTEXT],
        "id": _collection_url(request, brief_slug),
        "type": ["BasicContainer", "AnnotationCollection"],
        "label": f"Annotations on {brief_slug}" if brief_slug else "Annotations",
        "total": paginator.count,
        "first": page_document(paginator.page(1), with_context=False),
        "last": _collection_url(request, brief_slug, paginator.num_pages),
    }
    return _ld_response(collection)


def _dispatch(request, handlers):
    handler = handlers.get(request.method)
    if handler is None:
        allowed = ", ".join(sorted(handlers))
        return _error_response(
            ApiError(405, f"{request.method} is not allowed here.", {"Allow": allowed})
        )
    try:
        return handler()
    except ApiError as error:
        return _error_response(error)


@csrf_exempt  # checked in _require_writer, so a failure answers JSON rather than an HTML page
def annotation_collection(request):
    """GET the annotations the caller may see (``?brief=<slug>``), POST a new one."""
    return _dispatch(
        request, {"GET": lambda: _list(request), "HEAD": lambda: _list(request),
                  "POST": lambda: _create(request)}
    )


def _visible(request, pk):
    annotation = (
        Annotation.objects.visible_to(request.user)
        .select_related("brief", "user")
        .filter(pk=pk)
        .first()
    )
    if annotation is None:
        raise ApiError(404, "No such annotation.")
    return annotation


def _owned(request, pk):
    _require_writer(request)
    annotation = _visible(request, pk)
    if annotation.user_id != request.user.pk:
        raise ApiError(403, "Only the author of an annotation may change or delete it.")
    return annotation


def _edit(request, pk, *, replace):
    annotation = _owned(request, pk)
    document = _read_json(request)
    note = _note_from(document, required=replace)
    visibility = _visibility_from(document, required=replace)
    try:
        annotation_update(annotation=annotation, by=request.user, note=note, visibility=visibility)
    except ValidationError as error:
        raise ApiError(400, " ".join(error.messages)) from None
    return _ld_response(jsonld.annotation_document(annotation, request.build_absolute_uri))


def _delete(request, pk):
    annotation = _owned(request, pk)
    annotation_delete(annotation=annotation, by=request.user)
    return HttpResponse(status=204)


@csrf_exempt  # checked in _require_writer, so a failure answers JSON rather than an HTML page
def annotation_detail(request, pk):
    """GET, PATCH/PUT (note and visibility) or DELETE one annotation."""

    def read():
        annotation = _visible(request, pk)
        return _ld_response(jsonld.annotation_document(annotation, request.build_absolute_uri))

    return _dispatch(
        request,
        {
            "GET": read,
            "HEAD": read,
            "PATCH": lambda: _edit(request, pk, replace=False),
            "PUT": lambda: _edit(request, pk, replace=True),
            "DELETE": lambda: _delete(request, pk),
        },
    )
