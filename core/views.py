"""Site-wide views that belong to no app: the health check and the 500 handler."""

import logging
import sys

from django.db import connection
from django.http import HttpResponse
from django.urls import reverse
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


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """Render ``500.html``, or the 503 page when the exception being handled is a database outage.

    ``DatabaseUnavailableMiddleware`` catches outages inside views; this catches
    the rest (a middleware's own query, a session saved on the way out), so the
    visitor sees "try again shortly" rather than "something broke" either way.
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        return database_unavailable(request)
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
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
