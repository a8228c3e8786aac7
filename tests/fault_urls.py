"""The site's URLs plus a few views that fail on purpose, for the error and hardening tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.http import HttpResponse
from django.urls import path

from config import urls as site_urls
from core.ratelimit import ratelimit


def crash(request):
    raise RuntimeError("tests-leak-marker: internal detail that must never reach a visitor")


def database_gone(request):
    raise OperationalError("connection to server at 127.0.0.1, port 1 failed: Connection refused")


def forbidden(request):
    raise PermissionDenied("tests-leak-marker")


def suspicious(request):
    raise SuspiciousOperation("tests-leak-marker")


def touch_session(request):
    request.session["seen"] = True
    return HttpResponse("ok")


@ratelimit(key="ip", rate="5/h")
def limited_signup(request):
    return HttpResponse("signed up")


def post_form(request):
    return HttpResponse(f"accepted {len(request.POST)} fields")


urlpatterns = [
    path("test/crash/", crash),
    path("test/database-gone/", database_gone),
    path("test/forbidden/", forbidden),
    path("test/suspicious/", suspicious),
    path("test/session/", touch_session),
    path("test/signup/", limited_signup),
    path("test/form/", post_form),
    *site_urls.urlpatterns,
]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500
