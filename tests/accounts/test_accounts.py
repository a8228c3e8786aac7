"""Accounts: sign up, log in, log out and change a password with Django's own views."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _activation_link(mail):
    return next(line for line in mail.body.splitlines() if "/accounts/activate/" in line).strip()


def test_sign_up_mails_a_link_that_activates_the_account_and_signs_in(client, mailoutbox):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newreader",
            "email": "new@example.org",
            "password1": "quiet-harbour-lamp-9",
            "password2": "quiet-harbour-lamp-9",
        },
    )
    assert response.status_code == 200
    assert "Check your mail" in response.content.decode()
    user = get_user_model().objects.get(username="newreader")
    assert user.email == "new@example.org" and not user.is_active
    assert client.get("/annotations/mine/").status_code == 302  # not signed in yet

    (mail,) = mailoutbox
    assert mail.to == ["new@example.org"]
    link = _activation_link(mail)
    assert link.startswith("http://testserver/accounts/activate/")
    assert client.get(link.removeprefix("http://testserver")).status_code == 302
    assert client.get("/annotations/mine/").status_code == 200
    client.logout()
    assert client.get(link.removeprefix("http://testserver")).status_code == 404  # used once


def test_sign_up_refuses_weak_password_and_missing_email(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "weak", "email": "", "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This password is too common." in page
    assert "This field is required." in page
    assert not get_user_model().objects.filter(username="weak").exists()


def test_log_in_and_log_out(client):
    make_user("reader", password="quiet-harbour-lamp-9")
    response = client.post(
        "/accounts/login/", {"username": "reader", "password": "quiet-harbour-lamp-9"}
    )
    assert response.status_code == 302
    assert client.get("/annotations/mine/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/annotations/mine/").status_code == 302


def test_wrong_password_shows_an_error(client):
    make_user("reader", password="quiet-harbour-lamp-9")
    response = client.post("/accounts/login/", {"username": "reader", "password": "nope"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


def test_password_change_needs_the_old_password(client):
    user = make_user("reader", password="quiet-harbour-lamp-9")
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": "quiet-harbour-lamp-9",
            "new_password1": "brighter-harbour-lamp-10",
            "new_password2": "brighter-harbour-lamp-10",
        },
    )
    assert response["Location"] == "/accounts/password/change/done/"
    user.refresh_from_db()
    assert user.check_password("brighter-harbour-lamp-10")


@pytest.mark.django_db
@pytest.mark.usefixtures("pinned_rate_clock")
def test_sign_up_is_throttled_per_address_after_five_attempts_an_hour(client):
    for n in range(5):
        client.post(
            "/accounts/signup/",
            {"username": f"newreader{n}", "email": f"r{n}@example.org",
             "password1": "a-long-unusual-passphrase", "password2": "a-long-unusual-passphrase"},
            REMOTE_ADDR="203.0.113.77",
        )
        client.logout()
    response = client.post(
        "/accounts/signup/",
        {"username": "newreader9", "email": "r9@example.org",
         "password1": "a-long-unusual-passphrase", "password2": "a-long-unusual-passphrase"},
        REMOTE_ADDR="203.0.113.77",
    )
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert not get_user_model().objects.filter(username="newreader9").exists()


def test_header_offers_log_in_to_visitors_and_my_notes_to_readers(client):
    page = client.get("/").content.decode()
    assert 'href="/accounts/login/"' in page and "Sign up" in page

    client.force_login(make_user())
    page = client.get("/").content.decode()
    assert "My notes" in page and "Log out" in page and "Sign up" not in page


@pytest.mark.parametrize("path", ["/accounts/signup/", "/accounts/login/"])
def test_every_described_by_id_names_an_element_on_the_account_pages(client, path):
    """Screen readers follow aria-describedby to the help text and errors: each id exists."""
    for response in (client.get(path), client.post(path, {})):
        soup = BeautifulSoup(response.content, "html.parser")
        described = [tag for tag in soup.select("[aria-describedby]")]
        for tag in described:
            for target in tag["aria-describedby"].split():
                assert soup.find(id=target) is not None, (path, tag.get("name"), target)
    assert described or path.endswith("login/")


def test_password_help_is_reachable_from_its_input_on_sign_up(client):
    soup = BeautifulSoup(client.get("/accounts/signup/").content, "html.parser")
    field = soup.find("input", attrs={"name": "password1"})
    help_ids = field["aria-describedby"].split()
    assert any("at least" in soup.find(id=target).get_text() for target in help_ids)


def test_password_change_form_help_is_reachable(client, user):
    client.force_login(user)
    soup = BeautifulSoup(client.get("/accounts/password/change/").content, "html.parser")
    field = soup.find("input", attrs={"name": "new_password1"})
    assert all(soup.find(id=target) for target in field["aria-describedby"].split())
