"""My notes: edit and delete one's own notes (POST with CSRF, through the services), filter
by visibility and anchor status, and re-attach an orphan through the API."""

import json

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from annotations.models import Annotation
from tests.factories import make_annotation, make_brief

pytestmark = pytest.mark.django_db

BODY = "Cranes arrived at the new terminal.\n\nDockers tested them through the night."


def _listed(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return [q.get_text(strip=True) for q in soup.select(".annotation-item .note-quote")]


def test_edit_changes_note_and_visibility_and_returns_to_the_list(client, user):
    note = make_annotation(make_brief(body=BODY), user, "Cranes", note="old words")
    client.force_login(user)
    page = client.get(f"/annotations/mine/{note.pk}/edit/?next=/annotations/mine/%3Fvisibility%3Dprivate")
    assert page.status_code == 200 and "old words" in page.content.decode()
    response = client.post(
        f"/annotations/mine/{note.pk}/edit/",
        {"note": "new words", "visibility": "public", "next": "/annotations/mine/?visibility=public"},
    )
    assert response["Location"] == "/annotations/mine/?visibility=public"
    note.refresh_from_db()
    assert (note.note, note.visibility) == ("new words", "public")
    assert "Note saved." in client.get(response["Location"]).content.decode()


def test_edit_refuses_a_note_over_the_limit_with_the_form_again(client, user, settings):
    note = make_annotation(make_brief(body=BODY), user, "Cranes", note="short")
    client.force_login(user)
    response = client.post(
        f"/annotations/mine/{note.pk}/edit/", {"note": "x" * 10_001, "visibility": "private"}
    )
    assert response.status_code == 200
    note.refresh_from_db()
    assert note.note == "short"


def test_delete_asks_first_then_deletes_on_post(client, user):
    note = make_annotation(make_brief(body=BODY), user, "Cranes", note="to go")
    client.force_login(user)
    assert "Delete this note?" in client.get(f"/annotations/mine/{note.pk}/delete/").content.decode()
    assert Annotation.objects.filter(pk=note.pk).exists()
    response = client.post(f"/annotations/mine/{note.pk}/delete/")
    assert response["Location"] == "/annotations/mine/"
    assert not Annotation.objects.filter(pk=note.pk).exists()


def test_edit_and_delete_need_csrf_and_the_owner(user, other_user):
    note = make_annotation(make_brief(body=BODY), user, "Cranes", note="mine")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(f"/annotations/mine/{note.pk}/delete/").status_code == 403
    assert strict.post(
        f"/annotations/mine/{note.pk}/edit/", {"note": "x", "visibility": "public"}
    ).status_code == 403
    other = Client()
    other.force_login(other_user)
    assert other.get(f"/annotations/mine/{note.pk}/edit/").status_code == 404
    assert other.post(f"/annotations/mine/{note.pk}/delete/").status_code == 404
    assert Client().post(f"/annotations/mine/{note.pk}/delete/").status_code == 302  # log in
    note.refresh_from_db()
    assert note.note == "mine"


@pytest.mark.usefixtures("pinned_rate_clock")
def test_edit_and_delete_share_the_note_write_limit(client, user, settings):
    notes = [make_annotation(make_brief(body=BODY), user, "Cranes") for _ in range(3)]
    client.force_login(user)
    import annotations.views as views

    original = views.ANNOTATION_WRITES_PER_MINUTE
    views.ANNOTATION_WRITES_PER_MINUTE = 2
    try:
        assert client.post(f"/annotations/mine/{notes[0].pk}/delete/").status_code == 302
        assert client.post(f"/annotations/mine/{notes[1].pk}/delete/").status_code == 302
        assert client.post(f"/annotations/mine/{notes[2].pk}/delete/").status_code == 429
    finally:
        views.ANNOTATION_WRITES_PER_MINUTE = original
    assert Annotation.objects.filter(pk=notes[2].pk).exists()


def test_filter_by_visibility_and_anchor_status(client, user, django_assert_max_num_queries):
    brief = make_brief(body=BODY)
    make_annotation(brief, user, "Cranes", visibility="public")
    make_annotation(brief, user, "terminal")
    make_annotation(brief, user, "Dockers", anchor_status="orphaned")
    client.force_login(user)
    with django_assert_max_num_queries(10):
        response = client.get("/annotations/mine/?visibility=public")
    assert _listed(response) == ["Cranes"]
    assert _listed(client.get("/annotations/mine/?visibility=private")) == ["Dockers", "terminal"]
    assert _listed(client.get("/annotations/mine/?anchor=orphaned")) == ["Dockers"]
    assert sorted(_listed(client.get("/annotations/mine/?anchor=anchored"))) == ["Cranes", "terminal"]
    assert len(_listed(client.get("/annotations/mine/?anchor=nonsense&visibility=%C2%B2"))) == 3
    orphan_page = client.get("/annotations/mine/?anchor=orphaned").content.decode()
    assert "Re-attach on the brief" in orphan_page


def test_api_reattaches_an_orphan_to_a_new_passage(client, user):
    brief = make_brief(body=BODY)
    note = make_annotation(brief, user, "Cranes", note="keep me", anchor_status="orphaned")
    client.force_login(user)
    start = BODY.index("through the night")
    response = client.patch(
        f"/api/annotations/{note.pk}/",
        json.dumps({"target": {"selector": [
            {"type": "TextQuoteSelector", "exact": "through the night"},
            {"type": "TextPositionSelector", "start": start, "end": start + 17},
        ]}}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    note.refresh_from_db()
    assert (note.exact, note.start, note.anchor_status, note.note) == (
        "through the night", start, "exact", "keep me"
    )
    # A note still in the text is not moved this way; a wrong quote is refused.
    again = client.patch(
        f"/api/annotations/{note.pk}/",
        json.dumps({"target": {"selector": {"type": "TextQuoteSelector", "exact": "Cranes"}}}),
        content_type="application/json",
    )
    assert again.status_code == 400


def test_api_refuses_a_quote_not_in_the_text_when_reattaching(client, user):
    note = make_annotation(make_brief(body=BODY), user, "Cranes", anchor_status="orphaned")
    client.force_login(user)
    response = client.patch(
        f"/api/annotations/{note.pk}/",
        json.dumps({"target": {"selector": {"type": "TextQuoteSelector", "exact": "Zeppelins"}}}),
        content_type="application/json",
    )
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
