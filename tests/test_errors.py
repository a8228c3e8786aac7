"""Error pages with debug off: friendly, say what to try, and leak nothing.

pytest-django runs with ``DEBUG = False``, as production does, so these are the
pages a visitor would see. "Leak" means any of: a traceback, the exception's
message, a setting's name or value, Django's technical debug page.
"""

from unittest import mock

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.fault_urls")]

LEAKS = (
    "Traceback",
    "tests-leak-marker",
    "SECRET_KEY",
    settings.SECRET_KEY,
    "DATABASES",
    "settings.py",
    "Django Version",
    "DEBUG = True",
    "Connection refused",
    "OperationalError",
)


def _assert_nothing_leaks(response):
    text = response.content.decode()
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} shown on the {response.status_code} page"


def _heading(response):
    return BeautifulSoup(response.content, "html.parser").h1.get_text(strip=True)


@pytest.fixture
def visitor():
    """A browser-like client: server errors become pages instead of exceptions in the test."""
    return Client(raise_request_exception=False)


def test_debug_is_off_as_in_production():
    assert settings.DEBUG is False


def test_unknown_page_answers_404_with_a_way_back(visitor):
    response = visitor.get("/briefs/no-such-brief/")
    assert response.status_code == 404
    assert _heading(response) == "Page not found"
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find("a", href="/")
    assert page.find("form", action="/search/").find("input", attrs={"name": "q"})
    _assert_nothing_leaks(response)


@pytest.mark.parametrize(
    ("path", "status", "heading", "what_to_try"),
    [
        ("/test/crash/", 500, "Something went wrong on our side", "Try again in a minute"),
        ("/test/forbidden/", 403, "This page is not open to you", "sign in and try again"),
        ("/test/suspicious/", 400, "We could not understand that request", "reload the page"),
    ],
)
def test_error_pages_say_what_to_try_and_show_no_detail(visitor, path, status, heading, what_to_try):
    response = visitor.get(path)
    assert response.status_code == status
    assert _heading(response) == heading
    assert what_to_try in response.content.decode()
    _assert_nothing_leaks(response)


def test_unknown_host_header_answers_400_page(visitor):
    response = visitor.get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert _heading(response) == "We could not understand that request"
    assert "attacker.example" not in response.content.decode()
    _assert_nothing_leaks(response)


def test_form_without_csrf_token_answers_friendly_403():
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/test/form/", {"note": "hello"})
    assert response.status_code == 403
    assert _heading(response) == "Your form could not be accepted"
    text = response.content.decode()
    assert "reload the page" in text
    assert "CSRF cookie not set" not in text  # Django's reason stays in the log
    _assert_nothing_leaks(response)


def test_database_error_in_a_view_answers_friendly_503(visitor):
    response = visitor.get("/test/database-gone/")
    assert response.status_code == 503
    assert _heading(response) == "The archive is briefly unavailable"
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    _assert_nothing_leaks(response)


def test_database_error_outside_the_view_also_answers_503(visitor):
    """The session is saved by middleware after the view: its failure reaches handler500."""
    from django.db import OperationalError

    failing_save = mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.save",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    )
    with failing_save:
        response = visitor.get("/test/session/")
    assert response.status_code == 503
    assert _heading(response) == "The archive is briefly unavailable"
    _assert_nothing_leaks(response)


@pytest.mark.parametrize("template", ["500.html", "503.html"])
def test_fault_pages_render_with_no_context_at_all(template):
    """Django renders 500.html with an empty context; 503.html is shown with no database."""
    from django.template.loader import render_to_string

    html = render_to_string(template)
    assert "<h1>" in html
    assert "/static/css/site.css" in html


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/versions/", "/annotations/account/tokens/1/revoke/"])
def test_opening_a_form_only_address_shows_the_405_page_with_its_allow_header(client, url):
    response = client.get(url)
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "<h1>This address is not a page to open</h1>" in response.content.decode()
    assert client.head(url).content == b""
