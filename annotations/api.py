"""The W3C Web Annotation Protocol endpoints: ``/api/annotations/`` and ``/api/annotations/<id>/``.

One class-based view per endpoint. Session authentication with CSRF, as the site's pages
use. Every answer, errors included (a wrong method, malformed JSON of any shape, a fault
of our own), is JSON. Someone else's private (or hidden) annotation answers 404 exactly like
a missing one, so the API never reveals that it exists.
"""

import json
import logging
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from briefs import cache_keys
from briefs.models import Brief
from config.limits import ANNOTATION_WRITES_PER_MINUTE
from core.cache import CachedPaginator, depends_on
from core.ratelimit import rate_limit_hit

from . import jsonld
from .anchoring import SelectorMismatch
from .jsonld import ApiError
from .models import Annotation
from .services import NoteTooLong, annotation_create, annotation_delete, annotation_update

logger = logging.getLogger(__name__)

PAGE_SIZE = 50


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


@method_decorator(csrf_exempt, name="dispatch")  # checked in require_writer: answered as JSON
class ApiView(View):
    """A W3C API endpoint: ApiError, a wrong method or an unexpected fault answer JSON."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except ApiError as error:
            return _error_response(error)
        except Exception:  # never an HTML error page from the API
            logger.exception("Annotation API failed on %s %s", request.method, request.path)
            return _error_response(ApiError(500, "Something went wrong on our side."))

    def http_method_not_allowed(self, request, *args, **kwargs):
        allowed = ", ".join(method.upper() for method in self._allowed_methods())
        raise ApiError(405, f"{request.method} is not allowed here.", {"Allow": allowed})

    def require_writer(self):
        """401 for anonymous callers, 403 for a bad CSRF token, 429 past the write limit."""
        request = self.request
        if not request.user.is_authenticated:
            raise ApiError(401, "Log in to create or change annotations.")
        check = _CsrfCheck(lambda req: None)
        check.process_request(request)
        reason = check.process_view(request, None, (), {})
        if reason:
            raise ApiError(403, f"CSRF check failed ({reason}). Send the X-CSRFToken header.")
        retry = rate_limit_hit(
            scope="annotation-write",
            who=f"user:{request.user.pk}",
            rate=f"{ANNOTATION_WRITES_PER_MINUTE}/m",
        )
        if retry:
            raise ApiError(
                429,
                f"Too many annotation changes: at most {ANNOTATION_WRITES_PER_MINUTE} a minute. "
                f"Try again in {retry} seconds.",
                headers={"Retry-After": str(retry)},
            )

    def absolute(self, path):
        return self.request.build_absolute_uri(path)


class AnnotationCollectionView(ApiView):
    """GET the annotations the caller may see (``?brief=<slug>``, ``?page=``), POST a new one."""

    def post(self, request):
        self.require_writer()
        document = jsonld.read_json(request)
        if document.get("type", "Annotation") != "Annotation":
            raise ApiError(400, 'type must be "Annotation".')
        if document.get("motivation", "commenting") not in {"commenting", "highlighting"}:
            raise ApiError(400, 'motivation must be "commenting" or "highlighting".')
        target = document.get("target")
        if not isinstance(target, dict):
            raise ApiError(400, "target must be an object with source and selector.")
        brief = jsonld.brief_from_source(target.get("source"))
        selectors = jsonld.selectors_from(target)
        note = jsonld.note_from(document, required=True)
        visibility = jsonld.visibility_from(document, required=True)
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
        document = jsonld.annotation_document(annotation, self.absolute)
        return _ld_response(document, status=201, headers={"Location": document["id"]})

    def get(self, request):
        queryset = Annotation.objects.visible_to(request.user).select_related("brief", "user")
        self.brief_slug = request.GET.get("brief", "")
        if self.brief_slug:
            brief = Brief.objects.published().filter(slug=self.brief_slug).first()
            if brief is None:
                raise ApiError(404, f"No published brief has the slug {self.brief_slug!r}.")
            queryset = queryset.filter(brief=brief).order_by("start", "end", "pk")
        if request.user.is_authenticated:  # the reader's private notes are never cached
            paginator = Paginator(queryset, PAGE_SIZE)
        else:
            depends_on(cache_keys.NOTES, cache_keys.BRIEFS)
            paginator = CachedPaginator(queryset, PAGE_SIZE, cache_pages=False)
        number = request.GET.get("page")
        if number is not None:
            if not (number.isascii() and number.isdigit()) or not (
                1 <= int(number) <= paginator.num_pages
            ):
                raise ApiError(
                    404, f"No page {number!r}; pages run from 1 to {paginator.num_pages}."
                )
            return _ld_response(self.page_document(paginator.page(int(number)), context=True))
        collection = {
            "@context": [jsonld.ANNO_CONTEXT, jsonld.LDP_CONTEXT],
            "id": self.collection_url(),
            "type": ["BasicContainer", "AnnotationCollection"],
            "label": f"Annotations on {self.brief_slug}" if self.brief_slug else "Annotations",
            "total": paginator.count,
            "first": self.page_document(paginator.page(1), context=False),
            "last": self.collection_url(paginator.num_pages),
        }
        return _ld_response(collection)

    def collection_url(self, page=None):
        query = {}
        if self.brief_slug:
            query["brief"] = self.brief_slug
        if page:
            query["page"] = page
        path = reverse("annotations:api-list")
        return self.absolute(path + ("?" + urlencode(query) if query else ""))

    def page_document(self, page, *, context):
        """One AnnotationPage of the collection (with ``@context`` when served alone)."""
        document = {"@context": jsonld.ANNO_CONTEXT} if context else {}
        document.update(
            {
                "id": self.collection_url(page.number),
                "type": "AnnotationPage",
                "partOf": self.collection_url(),
                "startIndex": page.start_index() - 1 if page.paginator.count else 0,
                "items": [
                    jsonld.annotation_document(a, self.absolute, with_context=False)
                    for a in page.object_list
                ],
            }
        )
        if page.has_next():
            document["next"] = self.collection_url(page.next_page_number())
        if page.has_previous():
            document["prev"] = self.collection_url(page.previous_page_number())
        return document


class AnnotationDetailView(ApiView):
    """GET, PATCH/PUT (note and visibility) or DELETE one annotation."""

    def visible(self, pk):
        annotation = (
            Annotation.objects.visible_to(self.request.user)
            .select_related("brief", "user")
            .filter(pk=pk)
            .first()
        )
        if annotation is None:
            raise ApiError(404, "No such annotation.")
        return annotation

    def owned(self, pk):
        self.require_writer()
        annotation = self.visible(pk)
        if annotation.user_id != self.request.user.pk:
            raise ApiError(403, "Only the author of an annotation may change or delete it.")
        return annotation

    def get(self, request, pk):
        return _ld_response(jsonld.annotation_document(self.visible(pk), self.absolute))

    def patch(self, request, pk, *, replace=False):
        annotation = self.owned(pk)
        document = jsonld.read_json(request)
        note = jsonld.note_from(document, required=replace)
        visibility = jsonld.visibility_from(document, required=replace)
        try:
            annotation_update(
                annotation=annotation, by=request.user, note=note, visibility=visibility
            )
        except ValidationError as error:
            raise ApiError(400, " ".join(error.messages)) from None
        return _ld_response(jsonld.annotation_document(annotation, self.absolute))

    def put(self, request, pk):
        return self.patch(request, pk, replace=True)

    def delete(self, request, pk):
        annotation_delete(annotation=self.owned(pk), by=request.user)
        return HttpResponse(status=204)
