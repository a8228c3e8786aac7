"""Tags on notes: their own model, W3C tagging bodies, filters, the tag feed, autocomplete."""

import json

import pytest
from django.core.exceptions import ValidationError

from annotations.models import NoteTag
from briefs.models import Topic
from config.limits import NOTE_TAG_MAX_LENGTH, NOTE_TAGS_MAX
from tests.annotations.w3c import assert_conforms
from tests.conftest import read_feed
from tests.factories import make_annotation, make_brief, make_user

pytestmark = pytest.mark.django_db

BODY = "Wheat prices rose for a third week.\n\nMillers blamed the drought."


@pytest.fixture
def notes(db):
    brief = make_brief("Wheat up", body=BODY)
    author = make_user()
    tagged = make_annotation(
        brief, author, "Wheat prices", note="Check the index", visibility="public",
        tags=["Drought", "to-check"],
    )
    other = make_annotation(brief, author, "Millers", note="Untagged", visibility="public")
    private = make_annotation(brief, author, "drought", note="Private drought", tags=["drought"])
    return brief, author, tagged, other, private


def test_tags_are_their_own_model_and_reuse_any_case(notes):
    assert sorted(NoteTag.objects.values_list("name", flat=True)) == ["Drought", "to-check"]
    assert not Topic.objects.filter(name__iexact="drought").exists()


def test_tag_limits_are_enforced(notes):
    brief, author, *_ = notes
    with pytest.raises(ValidationError):
        make_annotation(brief, author, "third", tags=["x" * (NOTE_TAG_MAX_LENGTH + 1)])
    with pytest.raises(ValidationError):
        make_annotation(brief, author, "third", tags=[f"t{i}" for i in range(NOTE_TAGS_MAX + 1)])


def test_public_list_my_notes_and_api_filter_by_tag(client, notes):
    brief, author, tagged, other, private = notes
    page = client.get("/annotations/", {"tag": "drought"}).content.decode()
    assert "Check the index" in page and "Untagged" not in page and "Private drought" not in page
    client.force_login(author)
    mine = client.get("/annotations/mine/", {"tag": "DROUGHT"}).content.decode()
    assert "Check the index" in mine and "Private drought" in mine and "Untagged" not in mine
    found = client.get("/api/search/", {"tag": "to-check"}).json()
    assert [item["id"].rstrip("/").rsplit("/", 1)[1] for item in found["items"]] == [str(tagged.pk)]


def test_a_tag_no_public_note_carries_says_so_and_leaks_nothing(client, notes):
    page = client.get("/annotations/", {"tag": "to-check-later"}).content.decode()
    assert "No public notes are tagged “to-check-later”" in page
    assert "No public notes yet" not in page
    response = client.get("/annotations/", {"tag": "<b>x</b>"})  # a "/": no feed URL
    assert response.status_code == 200
    assert "“&lt;b&gt;x&lt;/b&gt;”" in response.content.decode()


def test_tagging_bodies_in_the_api_conform_to_w3c(client, notes):
    brief, author, tagged, *_ = notes
    document = client.get(f"/api/annotations/{tagged.pk}/").json()
    tags = sorted(b["value"] for b in document["body"] if b["purpose"] == "tagging")
    assert tags == ["Drought", "to-check"]
    assert_conforms(document)
    client.force_login(author)
    response = client.patch(
        f"/api/annotations/{tagged.pk}/",
        data=json.dumps({"body": [
            {"type": "TextualBody", "value": "Check the index", "purpose": "commenting"},
            {"type": "TextualBody", "value": "markets", "purpose": "tagging"},
        ]}),
        content_type="application/ld+json",
    )
    assert response.status_code == 200
    assert [b["value"] for b in response.json()["body"] if b["purpose"] == "tagging"] == ["markets"]
    assert_conforms(response.json())


def test_tag_feed_parses_and_holds_only_public_notes(client, notes):
    feed = read_feed(client, "/annotations/tags/drought/feed/")
    texts = " ".join(entry.summary for entry in feed.entries)
    assert "Check the index" in texts
    assert "Private drought" not in texts and "Untagged" not in texts


def test_autocomplete_offers_only_the_readers_own_tags(client, notes):
    brief, author, *_ = notes
    stranger = make_user()
    make_annotation(brief, stranger, "drought", note="x", visibility="public", tags=["secret-plan"])
    client.force_login(author)
    assert client.get("/annotations/tags/mine.json").json()["tags"] == ["Drought", "to-check"]
    assert client.get("/annotations/tags/mine.json", {"q": "to"}).json()["tags"] == ["to-check"]
    client.logout()
    assert client.get("/annotations/tags/mine.json").status_code == 302
