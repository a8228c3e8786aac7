"""Site-wide middleware: the Content Security Policy, refusing NUL characters in URLs,
surviving a database outage, and keeping signed-in readers' answers out of shared caches."""

import logging

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.core.exceptions import SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
# Characters of a refused path written to the log (the path may be megabytes long).
LOGGED_PATH_LENGTH = 200


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware: the strict policy everywhere, inline styles allowed in the admin.

    Public pages carry no inline script or style at all. Django 5.2's admin has no
    inline scripts either, but some widgets write ``style`` attributes, so only
    the admin (staff behind a login) may use them; every response keeps a policy.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path_info.startswith(_admin_prefix()):
            parts.update = {**(parts.update or {}), "style-src": [UNSAFE_INLINE]}
        return parts


def _admin_prefix():
    try:
        return reverse("admin:index")
    except Exception:  # no admin mounted: nothing to relax
        return "\0"


def database_unavailable(request=None):
    """The friendly 503 page, rendered without touching the database.

    ``503.html`` is standalone (no ``base.html``, no request context) because the
    context processors and base-template tags may query the database that is down.
    """
    try:
        body = render_to_string("503.html")
    except Exception:  # the fault page itself must never fail
        logger.exception("Could not render 503.html")
        body = "<!DOCTYPE html><title>Unavailable</title><p>Brief Archive is unavailable."
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 with a friendly page when the database cannot be reached.

    A view that fails with ``OperationalError``/``InterfaceError`` (refused
    connection, server restarting, connection dropped) gets the 503 page instead
    of a 500 and a traceback in the log. Nothing is kept between requests: once the
    database answers again, the next request opens a fresh connection (Django
    discards broken ones thanks to ``CONN_HEALTH_CHECKS``), so the app recovers
    without a restart. Failures outside views (a middleware's own query) reach
    ``core.views.server_error``, which gives the same page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.warning("Database unavailable while serving %s: %s", request.path, exception)
            return database_unavailable(request)
        return None


class SignedInAnswersArePrivateMiddleware:
    """Mark every answer to a signed-in reader ``Cache-Control: private`` (and ``Vary: Cookie``).

    A signed-in reader's pages, API answers and exports may hold private notes, their name
    and a CSRF token: no proxy or CDN may keep them for someone else. One rule here rather
    than a decorator per view, so a new view cannot forget it; a view's own ``no-store``
    (the admin's) is stricter and kept. Placed after the authentication middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            control = response.get("Cache-Control", "")
            if "no-store" not in control:
                patch_cache_control(response, private=True)
            patch_vary_headers(response, ("Cookie",))
        return response


class RejectNulCharactersMiddleware:
    """Answer 400 to any request whose path or query string contains a NUL character.

    PostgreSQL refuses NUL in text, so a ``?q=%00`` or ``?topic=%00`` that reached a
    query would fail as a 500. No legitimate link carries one: refusing it here, once,
    protects every page, feed and API filter, present and future. The refusal is logged
    as one line (a probe, not a fault of ours: no traceback).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "\x00" in query or "%00" in query:
            logger.warning(
                "Refused a URL with a NUL character: %s", request.path_info[:LOGGED_PATH_LENGTH]
            )
            from core.views import bad_request  # the site's 400 answer (JSON under /api/)

            return bad_request(request, NulCharacterInRequest("NUL character in the request URL"))
        return self.get_response(request)


class NulCharacterInRequest(SuspiciousOperation):
    """A URL carried a NUL character."""


# Methods some view of the site answers; others (TRACE, CONNECT, made-up ones) get 405.
KNOWN_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class RejectUnknownMethodsMiddleware:
    """Answer 405 (with ``Allow``) to TRACE, CONNECT and made-up methods, on every URL,
    and give every empty 405 of a view the site's 405 page.

    Class-based views refuse methods they lack, but function views and feeds answer any
    method as GET would: TRACE /feed/ gave 200 with the whole feed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in KNOWN_METHODS:
            return HttpResponseNotAllowed(KNOWN_METHODS)
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and request.method != "HEAD":
            response = _explained_not_allowed(request, response)
        return response


def _explained_not_allowed(request, response):
    """An empty 405 (``require_POST``, a class-based view without ``get``) as the site's
    405 page, keeping its ``Allow``: a reader who opened a form's address sees why."""
    try:
        body = render_to_string("405.html", request=request)
    except Exception:  # the fault page itself must never fail
        logger.exception("Could not render 405.html")
        return response
    explained = HttpResponseNotAllowed(response.get("Allow", "").split(", "), body)
    explained["Cache-Control"] = "no-store"
    return explained
