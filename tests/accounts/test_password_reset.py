"""Password reset by e-mail, through a real SMTP server; the log-out page; return addresses."""

import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core import mail

from tests.factories import make_brief, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lantern-over-the-quay-51"


def test_reset_mail_goes_through_smtp_and_its_link_sets_a_new_password(client, smtp_inbox):
    make_user("keeper", password="old-lamp-oil-7", email="keeper@example.org")

    response = client.post("/accounts/password/reset/", {"email": "Keeper@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(smtp_inbox.messages) == 1
    message = smtp_inbox.messages[0]
    assert message["X-Envelope-To"] == "keeper@example.org"
    assert message["Subject"] == "Reset your Brief Archive password"
    [link] = smtp_inbox.links()

    # Django swaps the token for a session-held one, then shows the form.
    response = client.get(urlsplit(link).path, follow=True)
    form_url = response.redirect_chain[-1][0]
    assert "Choose a new password" in response.content.decode()
    response = client.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == "/accounts/password/reset/complete/"

    client.logout()
    assert client.post(
        "/accounts/login/", {"username": "keeper", "password": "old-lamp-oil-7"}
    ).status_code == 200  # refused: the form again
    response = client.post("/accounts/login/", {"username": "keeper", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/annotations/mine/").status_code == 200

    # The link works once.
    page = client.get(urlsplit(link).path, follow=True).content.decode()
    assert "This reset link does not work" in page


def test_reset_answers_the_same_whether_or_not_the_address_is_known(client):
    make_user("keeper", email="keeper@example.org")
    known = client.post("/accounts/password/reset/", {"email": "keeper@example.org"}, follow=True)
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert known.content == unknown.content
    assert [m.to for m in mail.outbox] == [["keeper@example.org"]]


def test_reset_mails_per_address_are_limited_silently(client):
    make_user("keeper", email="keeper@example.org")
    for n in range(5):
        response = client.post(
            "/accounts/password/reset/", {"email": "keeper@example.org"},
            REMOTE_ADDR=f"198.51.100.{n}",
        )
        assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 3  # PASSWORD_RESET_MAILS_PER_ADDRESS


@pytest.mark.usefixtures("pinned_rate_clock")
def test_reset_requests_per_client_are_limited_with_429(client):
    for n in range(10):
        assert client.post(
            "/accounts/password/reset/", {"email": f"r{n}@example.org"}, REMOTE_ADDR="203.0.113.9"
        ).status_code == 302
    response = client.post(
        "/accounts/password/reset/", {"email": "r11@example.org"}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()


def test_login_page_links_to_the_reset_page(client):
    soup = BeautifulSoup(client.get("/accounts/login/").content, "html.parser")
    assert soup.find("a", string="Forgot your password?")["href"] == "/accounts/password/reset/"
    assert client.get("/accounts/password/reset/").status_code == 200


def test_logout_opened_directly_shows_a_log_out_button(client):
    client.force_login(make_user())
    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    form = soup.select_one("main form[method=post]")
    assert form["action"] == "/accounts/logout/"
    assert form.find("button").get_text() == "Log out"
    assert client.post("/accounts/logout/")["Location"] == "/"
    assert client.get("/annotations/mine/").status_code == 302


def test_sign_up_and_log_in_links_on_a_brief_carry_it_as_next(client):
    brief = make_brief("Harbour lights")
    soup = BeautifulSoup(client.get(brief.get_absolute_url()).content, "html.parser")
    nav = soup.select_one("nav.account-nav")
    expected = f"?next={brief.get_absolute_url()}"
    assert nav.find("a", string="Log in")["href"] == "/accounts/login/" + expected
    assert nav.find("a", string="Sign up")["href"] == "/accounts/signup/" + expected
    signup = client.get("/accounts/signup/" + expected).content.decode()
    assert f'name="next" value="{brief.get_absolute_url()}"' in signup
    # From the sign-up page, "Log in" keeps the same return address.
    soup = BeautifulSoup(signup, "html.parser")
    assert soup.select_one("main").find("a", string="Log in")["href"] == "/accounts/login/" + expected


def test_login_next_off_site_is_ignored(client):
    make_user("reader", password="quiet-harbour-lamp-9")
    response = client.post(
        "/accounts/login/",
        {"username": "reader", "password": "quiet-harbour-lamp-9", "next": "//evil.example/"},
    )
    assert response["Location"] == "/"
    assert not re.search(r"evil", response["Location"])
