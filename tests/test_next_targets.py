"""Every page that sends a reader on to a ``next`` goes only to a path on this site.

A bare word (``?next=logout``) used to be read as a URL name by ``redirect()`` (a 500
for an unknown word, another page for a known one); ``//host``, ``/\\host``, schemes and
header-splitting characters must never leave the site either.
"""

import pytest
from django.test import RequestFactory

from core.redirects import local_path
from tests.factories import make_annotation, make_brief

ODD_TARGETS = [
    "foo",
    "logout",
    "accounts:logout",
    "briefs:home",
    "²",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "https://evil.example/",
    "http://testserver/",
    "/briefs/\r\nSet-Cookie: x=1",
    "/briefs/\n",
    " /briefs/",
    "/\x07bell",
    "/" + "a" * 2001,
]


def _stays_home(response, default):
    assert response.status_code in (302, 303)
    assert response["Location"] == default


@pytest.mark.parametrize("target", ODD_TARGETS)
def test_local_path_refuses_odd_targets(target):
    request = RequestFactory().get("/")
    assert local_path(target, request) is None


@pytest.mark.parametrize("target", ["/", "/briefs/a-brief/?page=2#note-3", "/topics/steel/"])
def test_local_path_keeps_site_paths(target):
    request = RequestFactory().get("/")
    assert local_path(target, request) == target


@pytest.mark.parametrize("target", ODD_TARGETS)
def test_signed_in_signup_with_odd_next_goes_home(client, user, target):
    client.force_login(user)
    _stays_home(client.get("/accounts/signup/", {"next": target}), "/")


def test_signed_in_signup_follows_a_local_next(client, user):
    client.force_login(user)
    response = client.get("/accounts/signup/", {"next": "/topics/"})
    assert response["Location"] == "/topics/"


@pytest.mark.parametrize("target", ODD_TARGETS)
def test_odd_next_never_reaches_a_form(client, target):
    page = client.get("/accounts/signup/", {"next": target}).content.decode()
    assert 'name="next" value=""' in page or 'name="next"' not in page


@pytest.mark.parametrize("target", ODD_TARGETS)
def test_note_edit_and_delete_with_odd_next_go_to_own_notes(client, user, target):
    brief = make_brief(body="First words of the brief.")
    note = make_annotation(brief, user, note="mine")
    client.force_login(user)
    edit = client.post(
        f"/annotations/mine/{note.pk}/edit/",
        {"note": "changed", "visibility": "private", "next": target},
    )
    _stays_home(edit, "/annotations/mine/")
    delete = client.post(f"/annotations/mine/{note.pk}/delete/", {"next": target})
    _stays_home(delete, "/annotations/mine/")


@pytest.mark.parametrize("target", ODD_TARGETS)
def test_note_reply_with_odd_next_goes_to_the_thread(client, user, target):
    brief = make_brief(body="First words of the brief.")
    note = make_annotation(brief, user, note="public", visibility="public")
    client.force_login(user)
    response = client.post(f"/annotations/{note.pk}/flag/", {"next": target})
    _stays_home(response, brief.get_absolute_url() + f"#note-{note.pk}")


@pytest.mark.parametrize("target", ODD_TARGETS)
def test_versions_choice_with_odd_next_goes_home(client, target):
    _stays_home(client.post("/versions/", {"show": "all", "next": target}), "/")


@pytest.mark.parametrize("target", ODD_TARGETS)
def test_log_in_and_log_out_with_odd_next_go_home(client, user, target):
    signed_in = client.post(
        "/accounts/login/",
        {"username": user.username, "password": "correct-horse-battery", "next": target},
    )
    _stays_home(signed_in, "/")
    _stays_home(client.post("/accounts/logout/", {"next": target}), "/")


def test_log_in_follows_a_local_next(client, user):
    response = client.post(
        "/accounts/login/",
        {"username": user.username, "password": "correct-horse-battery", "next": "/topics/"},
    )
    assert response["Location"] == "/topics/"
