"""The W3C Web Annotation Protocol endpoints: ``/api/annotations/`` and
``/api/annotations/<id>/``; ``ApiView``, their base and the search's (annotations/api_search.py).

One class-based view per endpoint. Session authentication with CSRF, as the site's pages
use, or a personal token (``Authorization: Bearer ba_…``, annotations/tokens.py) without
session or CSRF; a read-only token may only read. Every answer, errors included (a wrong
method, malformed JSON of any shape, a query parameter the endpoint does not take, a
fault of our own), is JSON. Someone else's private (or hidden) annotation answers 404
exactly like a missing one, so the API never reveals that it exists.
"""

import json
import logging
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.decorators import method_decorator
from django.utils.http import parse_etags
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from briefs import cache_keys
from briefs.models import Brief
from briefs.querysets import LIST_DEFERRED_FIELDS
from config.limits import ANNOTATION_WRITES_PER_MINUTE, API_PAGE_SIZE
from core.cache import CachedPaginator, depends_on
from core.ratelimit import rate_limit_hit
from core.text import whole_number

from . import jsonld
from .anchoring import SelectorMismatch
from .jsonld import ApiError
from .models import Annotation, PublicNote
from .search import site_hosts
from .services import (
    NoteTooLong,
    annotation_create,
    annotation_delete,
    annotation_reattach,
    annotation_reply,
    annotation_update,
)
from .tokens import api_token_authenticate

logger = logging.getLogger(__name__)


def not_found(request, *args, **kwargs):
    """Any other address under ``/api/``: the API's JSON 404, not the site's HTML page."""
    return _error_response(ApiError(404, "No such address."))  # as core.views.page_not_found


def _error_response(error):
    response = JsonResponse({"error": error.message, "status": error.status}, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


def ld_response(document, status=200, headers=None):
    """``document`` as a JSON-LD answer (the W3C profile), varying on who asks."""
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False),
        status=status,
        content_type=jsonld.CONTENT_TYPE,
    )
    response["Vary"] = "Accept, Cookie, Authorization"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


@method_decorator(csrf_exempt, name="dispatch")  # checked in require_writer: answered as JSON
class ApiView(View):
    """A W3C API endpoint: ApiError, a wrong method or an unexpected fault answer JSON."""

    # The query parameters each method takes ({"get": names}); any other name answers 400
    # (a script's ``?uri=`` or ``?limit=`` must not quietly get every note), and so does a
    # second value of a name not in ``repeatable``. HEAD is GET; OPTIONS takes anything.
    query_parameters = {}
    repeatable = ()
    # The W3C Web Annotation Protocol's link types (section 4, 5): what this endpoint is.
    link = '<http://www.w3.org/ns/ldp#Resource>; rel="type"'

    def dispatch(self, request, *args, **kwargs):
        try:
            self.authenticate(request)
            self.check_query_parameters(request)
            response = super().dispatch(request, *args, **kwargs)
            return self.protocol_headers(request, response)
        except ApiError as error:
            return _error_response(error)
        except Exception:  # never an HTML error page from the API
            logger.exception("Annotation API failed on %s %s", request.method, request.path)
            return _error_response(ApiError(500, "Something went wrong on our side."))

    def protocol_headers(self, request, response):
        """``response`` with the headers the Web Annotation Protocol asks of a server: its
        link type, the methods allowed and, on a read, an ETag of the body (a digest of its
        bytes; ``If-None-Match`` with it answers 304)."""
        response["Link"] = self.link
        response["Allow"] = ", ".join(method.upper() for method in self._allowed_methods())
        if hasattr(self, "post"):
            response["Accept-Post"] = jsonld.CONTENT_TYPE
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            set_response_etag(response)
            return get_conditional_response(request, etag=response["ETag"], response=response)
        return response

    def check_query_parameters(self, request):
        """400 naming the parameters the method does not take (and those it does), or a
        single-valued one given twice; before anything is read or written."""
        method = "get" if request.method == "HEAD" else request.method.lower()
        if method == "options" or not hasattr(self, method):
            return  # OPTIONS lists the methods; a wrong method answers 405 first
        accepted = self.query_parameters.get(method, ())
        where = f"{request.method} {request.path}"
        unknown = [name for name in request.GET if name not in accepted]
        if unknown:
            # All of them: the request line bounds their number and length (gunicorn).
            shown = ", ".join(repr(name) for name in unknown)
            plural = "s" if len(unknown) > 1 else ""
            takes = (
                f"it takes {', '.join(sorted(accepted))}" if accepted
                else "it takes no query parameters"
            )
            raise ApiError(
                400, f"Unknown query parameter{plural} {shown} for {where}: {takes}."
            )
        repeated = [
            name for name in request.GET
            if name not in self.repeatable and len(request.GET.getlist(name)) > 1
        ]
        if repeated:
            raise ApiError(
                400,
                f"{', '.join(repeated)} given more than once: each takes one value"
                + (f" (only {', '.join(self.repeatable)} may repeat)." if self.repeatable else "."),
            )

    def http_method_not_allowed(self, request, *args, **kwargs):
        allowed = ", ".join(method.upper() for method in self._allowed_methods())
        raise ApiError(405, f"{request.method} is not allowed here.", {"Allow": allowed})

    def authenticate(self, request):
        """With an ``Authorization`` header, the token's user acts (a bad token answers 401).

        The header wins over any session cookie sent along, so a script never acts as
        whoever happens to be signed in in the same browser.
        """
        request.api_token = None
        header = request.headers.get("Authorization")
        if header is None:
            return
        token = api_token_authenticate(header)
        if token is None:
            raise ApiError(
                401, "The API token is missing, malformed or revoked.",
                {"WWW-Authenticate": 'Bearer realm="annotations"'},
            )
        request.api_token, request.user = token, token.user

    def require_writer(self):
        """401 for anonymous callers, 403 for a bad CSRF token or a read-only token, 429 past
        the write limit. Token requests need no CSRF token (no cookie authenticates them)."""
        request = self.request
        if not request.user.is_authenticated:
            raise ApiError(401, "Log in (or send an API token) to create or change annotations.")
        if request.api_token is not None:
            if request.api_token.read_only:
                raise ApiError(403, "This API token is read-only.")
        else:
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
        """``path`` on the address the caller used: the page's script follows these IRIs
        (PATCH, DELETE), so they must be reachable from where it runs, which SITE_URL's
        host need not be (``localhost`` against ``127.0.0.1``)."""
        return self.request.build_absolute_uri(path)

    def readable(self):
        """What the caller may see, loaded for :func:`jsonld.annotation_document`."""
        return (
            Annotation.objects.visible_to(self.request.user)
            .select_related("brief", "user", "group")
            # The document names the brief by its URL: its texts stay in the database.
            .defer(*(f"brief__{name}" for name in LIST_DEFERRED_FIELDS), "user__password")
            .prefetch_tags()
        )

    def loaded(self, pk):
        return self.readable().get(pk=pk)


class AnnotationCollectionView(ApiView):
    """GET the annotations the caller may see (``?brief=<slug>``, ``?page=``), POST a new one."""

    link = (
        '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", '
        '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
    )

    query_parameters = {"get": ("brief", "page")}

    def post(self, request):
        self.require_writer()
        document = jsonld.read_json(request)
        if document.get("type", "Annotation") != "Annotation":
            raise ApiError(400, 'type must be "Annotation".')
        motivation = jsonld.choice_from(
            document, "motivation", ["commenting", "highlighting", "replying"], default="commenting"
        )
        target = document.get("target")
        try:
            if motivation == "replying" or isinstance(target, str):
                annotation = self.create_reply(document, target)
            else:
                annotation = self.create_note(document, target)
        except NoteTooLong as error:
            raise ApiError(413, error.messages[0]) from None
        except ValidationError as error:
            raise ApiError(400, " ".join(error.messages)) from None
        annotation = self.loaded(annotation.pk)
        document = jsonld.annotation_document(annotation, self.absolute)
        return ld_response(document, status=201, headers={"Location": document["id"]})

    def create_note(self, document, target):
        """A note on a passage: target names a brief and its selectors."""
        if not isinstance(target, dict):
            raise ApiError(400, "target must be an object with source and selector.")
        brief = jsonld.brief_from_source(target.get("source"), hosts=self.hosts())
        selectors = jsonld.selectors_from(target)
        try:
            return annotation_create(
                brief=brief,
                by=self.request.user,
                note=jsonld.note_from(document, required=True),
                visibility=jsonld.visibility_from(document, required=True),
                group=jsonld.group_from(document, self.request.user),
                tags=jsonld.tags_from(document) or (),
                **selectors,
            )
        except SelectorMismatch as error:
            raise ApiError(400, f"The selector does not match the brief's text: {error}") from None

    def create_reply(self, document, target):
        """A reply: target is the IRI of a public or group note the caller may see."""
        parent = self.annotation_from_iri(target)
        note = jsonld.note_from(document, required=True)
        asked = jsonld.visibility_from(document, required=False)
        thread = parent.parent.visibility if parent.parent_id else parent.visibility
        if asked is not None and asked != thread:
            raise ApiError(
                400, f"A reply is read by whoever reads its thread ({thread}): "
                f"send no visibility, or {thread!r}."
            )
        try:
            return annotation_reply(
                parent=parent,
                by=self.request.user,
                note=note,
                site_url=self.absolute("/").rstrip("/"),
            )
        except PermissionDenied as error:
            raise ApiError(403, str(error)) from None

    def hosts(self):
        """The hosts an absolute IRI of this archive may name (``site_hosts``)."""
        return site_hosts(self.request.get_host())

    def annotation_from_iri(self, target):
        if isinstance(target, dict):
            target = target.get("id") or target.get("source")
        if not isinstance(target, str):
            raise ApiError(400, "A reply's target must be the IRI of an annotation.")
        jsonld.on_this_site(target, self.hosts(), "A reply's target")
        parts = target.rstrip("/").rsplit("/", 1)
        pk = parts[-1]
        if not (pk.isascii() and pk.isdigit()) or not target.rstrip("/").endswith(
            reverse("annotations:api-detail", kwargs={"pk": int(pk)}).rstrip("/")
        ):
            raise ApiError(400, "A reply's target must be the IRI of an annotation.")
        parent = Annotation.objects.visible_to(self.request.user).filter(pk=int(pk)).first()
        if parent is None:
            raise ApiError(400, "The reply's target names no annotation you can see.")
        return parent

    def get(self, request):
        queryset = self.readable()
        self.brief_slug = request.GET.get("brief", "")
        if self.brief_slug:
            brief = Brief.objects.published().filter(slug=self.brief_slug).first()
            if brief is None:
                raise ApiError(404, f"No published brief has the slug {self.brief_slug!r}.")
            queryset = queryset.filter(brief=brief).order_by("start", "end", "pk")
        if request.user.is_authenticated:  # the reader's private notes are never cached
            paginator = Paginator(queryset, API_PAGE_SIZE)
        else:
            depends_on(cache_keys.NOTES, cache_keys.BRIEFS)
            paginator = CachedPaginator(
                queryset,
                API_PAGE_SIZE,
                cache_pages=False,
                count=None if self.brief_slug else Annotation.objects.public_count(),
                ids_first=True,
                # Every public note, in the order the database keeps (annotations 0017).
                ids=None if self.brief_slug else PublicNote.objects.newest_ids(),
            )
        raw = request.GET.get("page")
        if raw is not None:
            if whole_number(raw) is None:
                raise ApiError(400, f"page must be a whole number from 1; {raw!r} is not one.")
            number = whole_number(raw, high=paginator.num_pages)
            if number is None:
                raise ApiError(404, f"No page {raw!r}; pages run from 1 to {paginator.num_pages}.")
            return ld_response(self.page_document(paginator.page(number), context=True))
        collection = {
            "@context": [jsonld.ANNO_CONTEXT, jsonld.LDP_CONTEXT],
            "id": self.collection_url(),
            "type": ["BasicContainer", "AnnotationCollection"],
            "label": f"Annotations on {self.brief_slug}" if self.brief_slug else "Annotations",
            "total": paginator.count,
            "first": self.page_document(paginator.page(1), context=False),
            "last": self.collection_url(paginator.num_pages),
        }
        return ld_response(collection)

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
        annotation = self.readable().filter(pk=pk).first()
        if annotation is None:
            raise ApiError(404, "No such annotation.")
        return annotation

    def owned(self, pk):
        """The caller's own annotation ``pk``, for a change: 401/403/429 as
        ``require_writer``, 404 if unseen, 403 if someone else's, and 412 when an
        ``If-Match`` names no ETag the annotation has now (Web Annotation Protocol 6.2:
        an editor working from an old copy must not overwrite a newer one)."""
        self.require_writer()
        annotation = self.visible(pk)
        if annotation.user_id != self.request.user.pk:
            raise ApiError(403, "Only the author of an annotation may change or delete it.")
        wanted = self.request.headers.get("If-Match")
        if wanted is not None and wanted.strip() != "*":
            current = ld_response(self.document(annotation))
            set_response_etag(current)
            if current["ETag"] not in parse_etags(wanted):
                raise ApiError(
                    412, "The annotation changed since that copy (If-Match): GET it again."
                )
        return annotation

    def document(self, annotation):
        """What GET answers: the annotation, and a note's replies the caller may see."""
        document = jsonld.annotation_document(annotation, self.absolute)
        replies = self.readable().filter(parent=annotation).order_by("created_at", "pk")
        if annotation.parent_id is None:
            document["replies"] = [
                jsonld.annotation_document(r, self.absolute, with_context=False) for r in replies
            ]
        return document

    def get(self, request, pk):
        return ld_response(self.document(self.visible(pk)))

    def patch(self, request, pk, *, replace=False):
        """Change note and visibility; a ``target`` re-attaches an orphaned note to a passage."""
        annotation = self.owned(pk)
        document = jsonld.read_json(request)
        changes = {
            "note": jsonld.note_from(document, required=replace),
            "visibility": jsonld.visibility_from(document, required=replace),
            "tags": jsonld.tags_from(document),
        }
        if "group" in document or changes["visibility"] is not None:
            changes["group"] = jsonld.group_from(document, request.user)
        if changes["tags"] is None and replace:
            changes["tags"] = []
        target = document.get("target")
        try:
            if target is not None and not replace:
                if not isinstance(target, dict):
                    raise ApiError(400, "target must be an object with a selector.")
                annotation_reattach(
                    annotation=annotation, by=request.user, **jsonld.selectors_from(target)
                )
            annotation_update(annotation=annotation, by=request.user, **changes)
        except SelectorMismatch as error:
            raise ApiError(400, f"The selector does not match the brief's text: {error}") from None
        except NoteTooLong as error:
            raise ApiError(413, error.messages[0]) from None
        except ValidationError as error:
            raise ApiError(400, " ".join(error.messages)) from None
        except PermissionDenied as error:
            raise ApiError(403, str(error)) from None
        return ld_response(jsonld.annotation_document(self.loaded(pk), self.absolute))

    def put(self, request, pk):
        return self.patch(request, pk, replace=True)

    def delete(self, request, pk):
        annotation_delete(annotation=self.owned(pk), by=request.user)
        return HttpResponse(status=204)
