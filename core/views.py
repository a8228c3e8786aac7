"""Site-wide views that belong to no app: the health check and the error handlers.

Errors under ``/api/`` answer JSON (``{"error": ..., "status": ...}``, as the API's own
errors do) even when no API view was reached: an unknown address, a NUL in the URL, a
fault in a middleware. Everywhere else they are the friendly HTML pages.
"""

import logging
import sys

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

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
