"""Site-wide views that belong to no app: the health check and the error handlers.

Errors under ``/api/`` answer JSON (``{"error": ..., "status": ...}``, as the API's own
errors do) even when no API view was reached: an unknown address, a NUL in the URL, a
fault in a middleware. Everywhere else they are the friendly HTML pages.
"""

import logging
import sys

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.site import site_url

from .middleware import DATABASE_ERRORS, database_unavailable

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    """Answer 200 "ok" when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", never a traceback
        logger.warning("Health check: database unavailable", exc_info=True)
        return HttpResponse(
            "database unavailable", status=503, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


API_PREFIX = "/api/"


def _api_error(request, status, message):
    """The JSON error for a request under ``/api/``, or None for any other request."""
    if not request.path.startswith(API_PREFIX):
        return None
    return JsonResponse({"error": message, "status": status}, status=status)


def bad_request(request, exception):
    """400: JSON under /api/, else Django's page (``400.html``)."""
    return _api_error(request, 400, "The request is malformed.") or defaults.bad_request(
        request, exception
    )


def permission_denied(request, exception):
    """403: JSON under /api/, else Django's page (``403.html``)."""
    return _api_error(
        request, 403, "You may not do this."
    ) or defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    """404: JSON under /api/, else Django's page (``404.html``)."""
    return _api_error(request, 404, "No such address.") or defaults.page_not_found(
        request, exception
    )


@staff_member_required
def admin_view_on_site(request, content_type_id, object_id):
    """The admin's "view on site" redirect, for objects the curator may see in the admin only.

    Django's own (``admin/r/<type>/<id>/``) redirects any signed-in staff member to any
    object's page, which tells a curator, say, which brief a reader's private note is on.
    Here the object must be in its model admin's queryset for this request (the same rows
    the admin lists to them) and the model viewable by them; anything else is a 404 like
    an unknown id.
    """
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ContentType.DoesNotExist, ValueError, OverflowError):
        raise Http404("No such object.") from None
    model_admin = admin.site._registry.get(model)
    if model_admin is None or not model_admin.has_view_or_change_permission(request):
        raise Http404("No such object.")
    try:
        visible = model_admin.get_queryset(request).filter(pk=object_id).exists()
    except (ValueError, ValidationError, OverflowError):
        visible = False
    if not visible:
        raise Http404("No such object.")
    return contenttype_views.shortcut(request, content_type_id, object_id)


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """Render ``500.html``, or the 503 page when the exception being handled is a database outage.

    ``DatabaseUnavailableMiddleware`` catches outages inside views; this catches
    the rest (a middleware's own query, a session saved on the way out), so the
    visitor sees "try again shortly" rather than "something broke" either way.
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        return _api_error(request, 503, "The database is unavailable; try again shortly.") or (
            database_unavailable(request)
        )
    answer = _api_error(request, 500, "Something went wrong on our side.")
    if answer is not None:
        return answer
    return defaults.server_error(request, template_name=template_name)


# Pages for one signed-in reader, forms, feeds of searches and search results: nothing a
# search engine should index. Reading pages, topics, sources and the archive stay open.
ROBOTS_DISALLOWED = [
    "/accounts/",
    "/annotations/mine/",
    "/api/",
    "/admin/",
    "/search/",
]


@require_safe
def robots_txt(request):
    """``/robots.txt``: keep crawlers out of account, personal and search pages; name the sitemap."""
    lines = ["User-agent: *"] + [f"Disallow: {path}" for path in ROBOTS_DISALLOWED]
    lines += ["", f"Sitemap: {site_url(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
