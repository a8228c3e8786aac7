"""Personal API tokens (Bearer, no session or CSRF, read-only, revocable, last-used) and
``GET /api/search/`` (filters, paging, sort) under the same visibility rule."""

import datetime as dt
import json

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from annotations.models import Annotation, ApiToken
from annotations.tokens import api_token_create
from config.limits import API_TOKEN_NAME_MAX_LENGTH
from tests.annotations.w3c import assert_conforms
from tests.factories import make_annotation, make_brief, make_user

pytestmark = pytest.mark.django_db

BODY = "The bridge reopened on Monday.\n\nTraffic was light in the morning."
QUOTE = "bridge reopened"


def _bearer(text):
    client = Client(enforce_csrf_checks=True)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {text}"
    return client


def _payload(brief, note="Finally", **extra):
    start = BODY.index(QUOTE)
    document = {
        "type": "Annotation",
        "bodyValue": note,
        "target": {
            "source": f"http://testserver{brief.get_absolute_url()}",
            "selector": [
                {"type": "TextQuoteSelector", "exact": QUOTE},
                {"type": "TextPositionSelector", "start": start, "end": start + len(QUOTE)},
            ],
        },
        "visibility": "private",
    }
    document.update(extra)
    return json.dumps(document)


def test_token_is_shown_once_and_stored_hashed(client, user):
    client.force_login(user)
    page = client.post("/annotations/account/", {"token_name": "my script"})
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    text = BeautifulSoup(page.content, "html.parser").find(attrs={"aria-label": "New API token"})["value"]
    token = ApiToken.objects.get(user=user)
    assert text.startswith("ba_") and text not in (token.key_hash, token.prefix)
    assert text not in client.get("/annotations/account/").content.decode()
    assert "my script" in client.get("/annotations/account/").content.decode()


def test_too_long_token_name_is_refused_not_cut(client, user):
    client.force_login(user)
    page = client.post("/annotations/account/", {"token_name": "t" * (API_TOKEN_NAME_MAX_LENGTH + 1)})
    error = BeautifulSoup(page.content, "html.parser").find(class_="form-errors").get_text()
    assert f"at most {API_TOKEN_NAME_MAX_LENGTH} characters" in error
    assert not ApiToken.objects.exists()
    client.post("/annotations/account/", {"token_name": "t" * API_TOKEN_NAME_MAX_LENGTH})
    assert ApiToken.objects.get().name == "t" * API_TOKEN_NAME_MAX_LENGTH


def test_bearer_token_writes_without_session_or_csrf_and_records_last_use(user):
    brief = make_brief(body=BODY)
    token, text = api_token_create(by=user, name="script")
    client = _bearer(text)
    response = client.post("/api/annotations/", data=_payload(brief), content_type="application/ld+json")
    assert response.status_code == 201, response.content
    assert Annotation.objects.get().user == user
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_read_only_token_reads_but_cannot_write(user):
    brief = make_brief(body=BODY)
    note = make_annotation(brief, user, QUOTE, note="mine")
    _, text = api_token_create(by=user, name="reader", read_only=True)
    client = _bearer(text)
    assert client.get(f"/api/annotations/{note.pk}/").status_code == 200
    response = client.post("/api/annotations/", data=_payload(brief), content_type="application/ld+json")
    assert response.status_code == 403
    assert client.delete(f"/api/annotations/{note.pk}/").status_code == 403


def test_revoked_or_wrong_tokens_answer_401(client, user):
    token, text = api_token_create(by=user, name="old")
    client.force_login(user)
    client.post(f"/annotations/account/tokens/{token.pk}/revoke/")
    assert not ApiToken.objects.exists()
    for header in (f"Bearer {text}", "Bearer ba_nonsense", "Basic abc", "Bearer"):
        anonymous = Client()
        response = anonymous.get("/api/annotations/", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert response.json()["error"]


def test_token_request_is_never_served_from_nor_stored_in_the_page_cache(user):
    brief = make_brief(body=BODY)
    make_annotation(brief, user, QUOTE, note="private words")
    anonymous = Client()
    assert anonymous.get("/api/annotations/").json()["total"] == 0  # now cached for the public
    _, text = api_token_create(by=user, name="s")
    answer = _bearer(text).get("/api/annotations/")
    assert answer.json()["total"] == 1
    assert "Authorization" in answer["Vary"]
    assert anonymous.get("/api/annotations/").json()["total"] == 0


def test_another_readers_token_sees_only_what_they_may(user, other_user):
    brief = make_brief(body=BODY)
    note = make_annotation(brief, user, QUOTE, note="private words")
    _, text = api_token_create(by=other_user, name="s")
    client = _bearer(text)
    assert client.get(f"/api/annotations/{note.pk}/").status_code == 404
    assert client.get("/api/search/", {"text": "private"}).json()["partOf"]["total"] == 0
    assert client.delete(f"/api/annotations/{note.pk}/").status_code == 404


@pytest.fixture
def searchable(user):
    bridge = make_brief("Bridge", body=BODY)
    other = make_brief("Other", body=BODY)
    notes = [
        make_annotation(bridge, user, QUOTE, note=f"bridge note {i}", visibility="public")
        for i in range(5)
    ]
    make_annotation(other, make_user(username="someone"), "Traffic", note="traffic jam",
                    visibility="public", tags=["roads"])
    for index, note in enumerate(notes):
        Annotation.objects.filter(pk=note.pk).update(
            created_at=dt.datetime(2025, 3, 1 + index, tzinfo=dt.timezone.utc)
        )
    return bridge, other, notes


def _ids(page):
    return [int(item["id"].rstrip("/").rsplit("/", 1)[1]) for item in page["items"]]


def test_search_filters_pages_and_sorts(client, user, searchable):
    bridge, other, notes = searchable
    everything = client.get("/api/search/").json()
    assert everything["type"] == "AnnotationPage" and everything["partOf"]["total"] == 6
    for item in everything["items"]:
        assert_conforms({"@context": everything["@context"], **item})
    assert _ids(client.get("/api/search/", {"brief": bridge.slug, "sort": "created"}).json()) == [
        n.pk for n in notes
    ]
    assert client.get("/api/search/", {"user": "someone"}).json()["partOf"]["total"] == 1
    assert client.get("/api/search/", {"tag": "roads"}).json()["partOf"]["total"] == 1
    assert client.get("/api/search/", {"text": "traffic jam"}).json()["partOf"]["total"] == 1
    window = client.get("/api/search/", {"since": "2025-03-02", "until": "2025-03-03"}).json()
    assert sorted(_ids(window)) == [notes[1].pk, notes[2].pk]
    assert client.get("/api/search/", {"anchor": "orphaned"}).json()["partOf"]["total"] == 0
    first = client.get("/api/search/", {"brief": bridge.slug, "per_page": 2}).json()
    assert _ids(first) == [notes[4].pk, notes[3].pk] and "next" in first
    second = client.get(first["next"]).json()
    assert _ids(second) == [notes[2].pk, notes[1].pk] and "prev" in second


@pytest.mark.parametrize(
    "params",
    [{"sort": "sideways"}, {"since": "yesterday"}, {"anchor": "lost"}, {"per_page": "0"},
     {"per_page": "100000"}, {"parent": "x"}],
)
def test_search_answers_bad_parameters_with_a_json_400(client, params):
    response = client.get("/api/search/", params)
    assert response.status_code == 400
    assert response.json()["error"]


def test_a_script_creates_searches_and_deletes_notes_with_plain_http(live_server, user):
    """What docs/api.md shows with curl, done with urllib: no session, no CSRF, only the token."""
    import urllib.request

    brief = make_brief(body=BODY)
    _, text = api_token_create(by=user, name="script")
    headers = {"Authorization": f"Bearer {text}", "Content-Type": "application/ld+json"}

    def call(method, path, data=None):
        request = urllib.request.Request(
            live_server.url + path, data=data.encode() if data else None, method=method,
            headers=headers,
        )
        with urllib.request.urlopen(request) as response:
            body = response.read()
            return response.status, json.loads(body) if body else None

    payload = json.loads(_payload(brief, note="From my script"))
    payload["target"]["source"] = live_server.url + brief.get_absolute_url()
    status, created = call("POST", "/api/annotations/", json.dumps(payload))
    assert status == 201
    status, found = call("GET", "/api/search/?text=script")
    assert status == 200 and [i["id"] for i in found["items"]] == [created["id"]]
    status, _ = call("DELETE", created["id"].replace(live_server.url, ""))
    assert status == 204
    assert call("GET", "/api/search/?text=script")[1]["partOf"]["total"] == 0


@pytest.mark.parametrize(
    "query",
    [
        "parent=99999999999999999999999",
        "parent=²",
        "since=2025-01-01T00:00:00%2B99:00",
        "since=9999-12-31T23:59:59-23:59",
        "until=0001-01-01T00:00:00%2B01:00",
    ],
)
def test_odd_search_parameters_are_a_json_400_not_a_500(client, query):
    response = client.get(f"/api/search/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/") and response.json()
