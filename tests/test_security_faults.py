"""Security faults found in real use (issue 15), each turned into the behaviour that holds now."""

import json

import pytest

from tests.factories import (
    make_annotation,
    make_brief,
    make_topic,
    make_topic_slug_redirect,
    make_user,
)

pytestmark = pytest.mark.django_db


# --- Topics used only by drafts are no reader's business ------------------------------------

SECRET = "Project Nightjar"


@pytest.fixture
def draft_topic():
    """A topic only a draft carries, next to a public one on a published brief."""
    secret, public = make_topic(SECRET), make_topic("Rare Earths")
    make_brief("Embargoed story", topics=[secret, public], status="draft")
    make_brief("Published story", topics=[public], body="Gallium exports fell.\n\nMore.")
    return secret


@pytest.mark.parametrize(
    "url",
    [
        "/topics/project-nightjar/",
        "/topics/project-nightjar+rare-earths/",
        "/topics/project-nightjar/feed/",
        "/topics/project-nightjar/feed/atom/",
        "/topics/project-nightjar/feed/json/",
        "/topics/project-nightjar/annotations/feed/",
        "/topics/opml/?topics=project-nightjar",
    ],
)
def test_a_topic_used_only_by_drafts_is_404_by_slug(client, draft_topic, url):
    assert client.get(url).status_code == 404


def test_an_old_slug_of_a_draft_only_topic_is_404_too(client, draft_topic):
    make_topic_slug_redirect(old_slug="nightjar", topic=draft_topic)
    assert client.get("/topics/nightjar/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/topics/",
        "/topics/?order=count",
        "/topics/rare-earths/",
        "/topics/opml/",
        "/feed/",
        "/search/?q=story",
        "/search/?q=story&topic=project-nightjar",
        "/annotations/mine/",
        "/annotations/mine/?topic=project-nightjar",
    ],
)
def test_the_name_of_a_draft_only_topic_appears_on_no_public_surface(client, draft_topic, url):
    reader = make_user()
    client.force_login(reader)
    response = client.get(url)
    assert response.status_code in {200, 404}
    assert SECRET.encode() not in response.content


def test_a_reader_filtering_own_notes_by_a_draft_only_topic_gets_404_like_an_unknown_one(
    client, draft_topic
):
    client.force_login(make_user())
    assert client.get("/annotations/mine/?topic=project-nightjar").status_code == 404
    assert client.get("/annotations/mine/?topic=no-such-topic").status_code == 404


# --- A signed-in reader's answers stay out of shared caches ---------------------------------


@pytest.fixture
def noted():
    brief = make_brief("Magnets", body="Magnets matter.\n\nChips too.")
    reader = make_user()
    note = make_annotation(brief, reader, "Magnets", note="Mine alone.")
    return brief, reader, note


def _personal_urls(brief, note):
    return [
        "/annotations/mine/",
        "/annotations/mine/export.md",
        "/annotations/mine/export.jsonld",
        "/api/annotations/",
        f"/api/annotations/?brief={brief.slug}",
        f"/api/annotations/{note.pk}/",
        f"/briefs/{brief.slug}/",
        "/",
        "/annotations/",
        "/feed/",
        "/accounts/password/change/",
    ]


def test_every_answer_to_a_signed_in_reader_is_private(client, noted):
    brief, reader, note = noted
    client.force_login(reader)
    for url in _personal_urls(brief, note):
        response = client.get(url)
        control = response.get("Cache-Control", "")
        assert response.status_code == 200, url
        assert "private" in control or "no-store" in control, (url, control)
        assert "public" not in control, (url, control)
        assert "Cookie" in response.get("Vary", ""), url


def test_api_writes_for_a_signed_in_reader_are_private_too(client, noted):
    brief, reader, note = noted
    client.force_login(reader)
    response = client.patch(
        f"/api/annotations/{note.pk}/", json.dumps({"bodyValue": "Changed."}),
        content_type="application/ld+json",
    )
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_signed_out_readers_still_get_shareable_public_pages(client, noted):
    brief, _, _ = noted
    assert "private" not in client.get(f"/briefs/{brief.slug}/").get("Cache-Control", "")
    assert client.get("/feed/")["Cache-Control"] == "public, max-age=300"


# --- Curators never learn of private notes --------------------------------------------------


@pytest.fixture
def private_and_public(noted):
    brief, reader, private = noted
    public = make_annotation(brief, reader, "Chips", note="Shared.", visibility="public")
    return brief, private, public


def _notes_column(client):
    from bs4 import BeautifulSoup

    page = BeautifulSoup(client.get("/admin/briefs/brief/").content, "html.parser")
    return [cell.get_text(strip=True) for cell in page.select("td.field-annotation_count")]


def test_the_admin_brief_list_counts_no_private_note(client, private_and_public):
    from tests.factories import make_curator

    client.force_login(make_curator())
    assert _notes_column(client) == ["1"]


def test_view_on_site_answers_404_for_a_private_note_as_for_an_unknown_one(
    client, private_and_public
):
    from django.contrib.contenttypes.models import ContentType

    from annotations.models import Annotation
    from tests.factories import make_curator

    brief, private, public = private_and_public
    client.force_login(make_curator())
    kind = ContentType.objects.get_for_model(Annotation).pk
    shown = client.get(f"/admin/r/{kind}/{public.pk}/")
    assert shown.status_code == 302 and shown["Location"].endswith(f"#annotation-{public.pk}")
    for pk in (private.pk, 999999, "x", "9" * 30):
        response = client.get(f"/admin/r/{kind}/{pk}/")
        assert response.status_code == 404, pk
        assert brief.slug.encode() not in response.content


def test_view_on_site_needs_staff(client, private_and_public):
    from django.contrib.contenttypes.models import ContentType

    from briefs.models import Brief

    brief, _, _ = private_and_public
    client.force_login(make_user())
    kind = ContentType.objects.get_for_model(Brief).pk
    assert client.get(f"/admin/r/{kind}/{brief.pk}/").status_code == 302  # to the admin login
    assert "/admin/login/" in client.get(f"/admin/r/{kind}/{brief.pk}/")["Location"]


# --- Behind a unix socket (no client address) login lockout goes by username only -----------


@pytest.fixture
def socket_logins(settings, db):
    """django-axes on, as in production; the admin and a reader behind an address-less socket."""
    import core.ratelimit

    settings.AXES_ENABLED = True
    core.ratelimit._missing_address_logged = False
    make_user("alice", password="right-password-123", is_staff=True)
    make_user("bob", password="bobs-password-456", is_staff=True)


def _socket_login(client, username, password):
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=""
    )


def test_without_a_client_address_a_lockout_is_per_username_not_for_everyone(
    client, socket_logins, caplog
):
    from django.test import Client

    for attempt in range(10):
        response = _socket_login(client, "alice", f"wrong-{attempt}")
        assert response.status_code in {200, 429}
    assert _socket_login(client, "alice", "right-password-123").status_code == 429
    other = Client()
    assert _socket_login(other, "bob", "bobs-password-456").status_code == 302
    warnings = [r for r in caplog.records if "no client address" in r.getMessage()]
    assert len(warnings) == 1


def test_a_forged_non_address_is_never_stored_as_one(client, socket_logins, settings):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        "/admin/login/", {"username": "alice", "password": "nope"},
        REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="not-an-address",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [None]


# --- Sign-up never tells whether an account exists -------------------------------------------


def _sign_up(client, username, email):
    return client.post(
        "/accounts/signup/",
        {"username": username, "email": email,
         "password1": "quiet-harbour-lamp-9", "password2": "quiet-harbour-lamp-9"},
    )


def _visible_text(response):
    from bs4 import BeautifulSoup

    page = BeautifulSoup(response.content, "html.parser")
    for token in page.select("input[name=csrfmiddlewaretoken]"):
        token.decompose()
    return page.get_text(" ", strip=True)


@pytest.mark.parametrize(
    "username, email",
    [
        ("someone-new", "taken@example.org"),  # address registered
        ("Taken", "fresh@example.org"),  # username registered (any case)
        ("taken", "TAKEN@example.org"),  # both
    ],
    ids=["email-registered", "username-registered", "both-registered"],
)
def test_sign_up_answers_the_same_whether_or_not_an_account_exists(
    client, mailoutbox, username, email
):
    from django.contrib.auth import get_user_model

    make_user("taken", email="taken@example.org")
    fresh = _sign_up(client, "brand-new", "brand-new@example.org")
    clash = _sign_up(client, username, email)
    assert fresh.status_code == clash.status_code == 200
    normalise = lambda response, address: _visible_text(response).replace(address, "ADDRESS")  # noqa: E731
    assert normalise(fresh, "brand-new@example.org") == normalise(clash, email)
    assert get_user_model().objects.filter(email__iexact="taken@example.org").count() == 1
    # Only the mailbox learns what happened.
    assert [m.to for m in mailoutbox] == [["brand-new@example.org"], [mailoutbox[1].to[0]]]
    assert "/accounts/activate/" not in mailoutbox[1].body


def test_a_registered_address_is_told_its_username_by_mail_only(client, mailoutbox):
    make_user("taken", email="taken@example.org")
    _sign_up(client, "other-name", "taken@example.org")
    (mail,) = mailoutbox
    assert mail.to == ["taken@example.org"] and "taken" in mail.body


def test_a_readers_note_list_is_the_same_for_unknown_and_silent_accounts(client):
    make_user("quiet-reader")
    known = client.get("/annotations/?user=quiet-reader", follow=True)
    unknown = client.get("/annotations/?user=nobody-at-all", follow=True)
    assert known.status_code == unknown.status_code == 404  # the reader page: no public notes
    assert _visible_text(known).replace("quiet-reader", "X") == _visible_text(unknown).replace(
        "nobody-at-all", "X"
    )
