"""The W3C Web Annotation API: shapes, status codes, CSRF, limits."""

import json

import pytest
from django.test import Client
from django.utils.crypto import get_random_string

from annotations import api
from annotations.models import Annotation
from config.limits import ANNOTATION_WRITES_PER_MINUTE
from tests.annotations.w3c import assert_conforms
from tests.factories import make_annotation, make_brief

pytestmark = pytest.mark.django_db

LD_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
BODY = (
    "Dock workers walked out at dawn on Thursday.\n\n"
    "The strike halted container traffic at three terminals, the port said."
)
QUOTE = "halted container traffic"


@pytest.fixture
def brief(db):
    return make_brief("Dock strike", body=BODY)


@pytest.fixture
def writer(user):
    """A signed-in client that enforces CSRF like a browser, with its token at hand."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.token = get_random_string(32)  # a CSRF secret, as the csrftoken cookie holds
    client.cookies["csrftoken"] = client.token
    return client


def _payload(brief, exact=QUOTE, start=None, note="Three of five terminals.", **extra):
    start = BODY.index(exact) if start is None else start
    document = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": "commenting",
        "body": {"type": "TextualBody", "value": note, "format": "text/plain"},
        "target": {
            "source": f"http://testserver{brief.get_absolute_url()}",
            "selector": [
                {"type": "TextQuoteSelector", "exact": exact, "prefix": "", "suffix": ""},
                {"type": "TextPositionSelector", "start": start, "end": start + len(exact)},
            ],
        },
        "visibility": "public",
    }
    document.update(extra)
    return document


def _send(client, method, url, document):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(
        url,
        data=json.dumps(document),
        content_type="application/ld+json",
        HTTP_X_CSRFTOKEN=getattr(client, "token", ""),
    )


def _error(response):
    assert response["Content-Type"].startswith("application/json")
    return response.json()["error"]


def test_post_creates_annotation_and_answers_201_with_conforming_json_ld(writer, brief, user):
    response = _send(writer, "post", "/api/annotations/", _payload(brief))

    assert response.status_code == 201
    assert response["Content-Type"] == LD_TYPE
    document = response.json()
    assert_conforms(document)
    annotation = Annotation.objects.get()
    assert document["id"] == f"http://testserver/api/annotations/{annotation.pk}/"
    assert response["Location"] == document["id"]
    assert document["type"] == "Annotation"
    assert document["motivation"] == "commenting"
    assert document["body"] == {
        "type": "TextualBody",
        "value": "Three of five terminals.",
        "format": "text/plain",
        "purpose": "commenting",
    }
    assert document["target"]["source"] == f"http://testserver/briefs/{brief.slug}/"
    quote, position = document["target"]["selector"]
    assert quote["exact"] == QUOTE and quote["prefix"].endswith("The strike ")
    assert BODY[position["start"] : position["end"]] == QUOTE
    assert document["creator"]["nickname"] == user.username
    assert document["created"].endswith("Z") and document["modified"].endswith("Z")
    assert document["visibility"] == "public"
    assert (annotation.user, annotation.exact, annotation.anchor_status) == (user, QUOTE, "exact")


def test_highlight_without_note_is_private_by_default(writer, brief):
    document = _payload(brief, motivation="highlighting")
    del document["body"], document["visibility"]
    response = _send(writer, "post", "/api/annotations/", document)

    assert response.status_code == 201
    assert response.json()["motivation"] == "highlighting"
    assert "body" not in response.json()
    assert_conforms(response.json())
    assert Annotation.objects.get().visibility == "private"


def test_position_slightly_off_is_corrected_to_the_unique_nearby_quote(writer, brief):
    start = BODY.index(QUOTE) + 2
    response = _send(writer, "post", "/api/annotations/", _payload(brief, start=start))
    assert response.status_code == 201
    assert Annotation.objects.get().start == BODY.index(QUOTE)


@pytest.mark.parametrize(
    "change",
    [
        {"exact": "words the brief never says"},
        {"start": 0},  # the quote is not at the start, nor near it
    ],
)
def test_selector_not_matching_the_text_is_400(writer, brief, change):
    document = _payload(brief, **{k: v for k, v in change.items() if k == "start"})
    if "exact" in change:
        document["target"]["selector"][0]["exact"] = change["exact"]
    response = _send(writer, "post", "/api/annotations/", document)
    assert response.status_code == 400
    assert "does not match" in _error(response)
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "not valid JSON"),
        ({"type": "Collection"}, "Annotation"),
        ({"visibility": "friends"}, "visibility"),
        ({"body": {"type": "TextualBody", "value": "x", "format": "text/html"}}, "plain text"),
        ({"target": {"source": "http://testserver/topics/x/", "selector": []}}, "not the URL of a brief"),
    ],
)
def test_malformed_requests_are_400_with_a_message(writer, brief, document, message):
    _assert_refused(writer, brief, document, message)


@pytest.mark.parametrize(
    "source",
    ["http://evil.example{path}", "ftp://testserver{path}", "https://testserver.evil{path}"],
)
def test_a_target_on_another_site_is_not_taken_for_a_brief_here(writer, brief, source):
    # Only the path was read: a note "on" evil.example's page landed on our brief.
    document = {"target": {"source": source.format(path=brief.get_absolute_url()),
                           "selector": _payload(brief)["target"]["selector"]}}
    _assert_refused(writer, brief, document, "another site")


def test_a_reply_to_an_annotation_on_another_site_is_refused(writer, brief):
    note = _send(writer, "post", "/api/annotations/", _payload(brief)).json()
    path = note["id"].split("testserver", 1)[1]
    reply = {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
             "motivation": "replying", "body": {"type": "TextualBody", "value": "Agreed"},
             "target": f"http://evil.example{path}"}
    response = _send(writer, "post", "/api/annotations/", reply)
    assert response.status_code == 400 and "another site" in _error(response)
    assert Annotation.objects.count() == 1


def _assert_refused(writer, brief, document, message):
    if isinstance(document, dict):
        document = {**_payload(brief), **document}
        body = json.dumps(document)
    else:
        body = document
    response = writer.post(
        "/api/annotations/", data=body, content_type="application/ld+json",
        HTTP_X_CSRFTOKEN=writer.token,
    )
    assert response.status_code == 400
    assert message in _error(response)


def test_anonymous_write_is_401(client, brief):
    response = _send(client, "post", "/api/annotations/", _payload(brief))
    assert response.status_code == 401
    assert "Log in" in _error(response)


def test_write_without_csrf_token_is_403(brief, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        "/api/annotations/", data=json.dumps(_payload(brief)), content_type="application/ld+json"
    )
    assert response.status_code == 403
    assert "CSRF" in _error(response)
    assert not Annotation.objects.exists()


def test_note_over_ten_thousand_characters_is_413(writer, brief):
    response = _send(writer, "post", "/api/annotations/", _payload(brief, note="x" * 10_001))
    assert response.status_code == 413
    assert "10,000" in _error(response)
    assert _send(writer, "post", "/api/annotations/", _payload(brief, note="x" * 10_000)).status_code == 201


@pytest.mark.usefixtures("pinned_rate_clock")
def test_sixty_one_creations_in_a_minute_is_429(writer, brief):
    for _ in range(ANNOTATION_WRITES_PER_MINUTE):
        assert _send(writer, "post", "/api/annotations/", _payload(brief)).status_code == 201
    response = _send(writer, "post", "/api/annotations/", _payload(brief))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Annotation.objects.count() == ANNOTATION_WRITES_PER_MINUTE


@pytest.mark.usefixtures("pinned_rate_clock")
def test_rate_limit_counts_each_user_separately(writer, brief, other_user):
    for _ in range(ANNOTATION_WRITES_PER_MINUTE + 1):
        _send(writer, "post", "/api/annotations/", _payload(brief))
    writer.force_login(other_user)
    assert _send(writer, "post", "/api/annotations/", _payload(brief)).status_code == 201


def test_patch_changes_note_and_visibility_of_own_annotation(writer, brief, user):
    annotation = make_annotation(brief, user, QUOTE, note="first")
    response = _send(
        writer, "patch", f"/api/annotations/{annotation.pk}/",
        {"body": {"type": "TextualBody", "value": "second"}, "visibility": "public"},
    )
    assert response.status_code == 200
    assert_conforms(response.json())
    annotation.refresh_from_db()
    assert (annotation.note, annotation.visibility) == ("second", "public")


def test_put_replaces_note_and_visibility(writer, brief, user):
    annotation = make_annotation(brief, user, QUOTE, note="first", visibility="public")
    response = _send(writer, "put", f"/api/annotations/{annotation.pk}/", {"type": "Annotation"})
    assert response.status_code == 200
    annotation.refresh_from_db()
    assert (annotation.note, annotation.visibility) == ("", "private")


def test_delete_removes_own_annotation_with_204(writer, brief, user):
    annotation = make_annotation(brief, user, QUOTE)
    response = writer.delete(
        f"/api/annotations/{annotation.pk}/", HTTP_X_CSRFTOKEN=writer.token
    )
    assert response.status_code == 204
    assert not Annotation.objects.exists()


def test_someone_elses_public_annotation_cannot_be_changed_403(writer, brief, other_user):
    annotation = make_annotation(brief, other_user, QUOTE, note="theirs", visibility="public")
    response = _send(writer, "patch", f"/api/annotations/{annotation.pk}/", {"visibility": "private"})
    assert response.status_code == 403
    annotation.refresh_from_db()
    assert annotation.visibility == "public"


def test_someone_elses_private_annotation_answers_404_like_a_missing_one(writer, brief, other_user):
    annotation = make_annotation(brief, other_user, QUOTE, note="secret")
    for method in ("get", "patch", "delete"):
        response = _send(writer, method, f"/api/annotations/{annotation.pk}/", {})
        missing = _send(writer, method, "/api/annotations/999999/", {})
        assert response.status_code == missing.status_code == 404
        assert response.content == missing.content
    assert Annotation.objects.filter(pk=annotation.pk).exists()


def test_collection_lists_what_the_caller_may_see_as_annotation_collection(
    client, brief, user, other_user
):
    mine_private = make_annotation(brief, user, "Dock workers", note="mine")
    theirs_public = make_annotation(brief, other_user, QUOTE, note="public one", visibility="public")
    make_annotation(brief, other_user, "three terminals", note="their secret")
    client.force_login(user)

    response = client.get(f"/api/annotations/?brief={brief.slug}")

    assert response.status_code == 200
    assert response["Content-Type"] == LD_TYPE
    collection = response.json()
    assert "AnnotationCollection" in collection["type"]
    assert collection["total"] == 2
    page = collection["first"]
    assert page["type"] == "AnnotationPage"
    assert page["partOf"] == collection["id"]
    ids = [item["id"].rstrip("/").rsplit("/", 1)[1] for item in page["items"]]
    assert ids == [str(mine_private.pk), str(theirs_public.pk)]
    for item in page["items"]:
        assert_conforms({"@context": "http://www.w3.org/ns/anno.jsonld", **item})
    assert "their secret" not in response.content.decode()


def test_anonymous_reader_gets_only_public_annotations(client, brief, user):
    make_annotation(brief, user, "Dock workers", note="private")
    public = make_annotation(brief, user, QUOTE, note="shared", visibility="public")
    collection = client.get(f"/api/annotations/?brief={brief.slug}").json()
    assert collection["total"] == 1
    assert collection["first"]["items"][0]["id"].endswith(f"/{public.pk}/")
    single = client.get(f"/api/annotations/{public.pk}/")
    assert single.status_code == 200
    assert_conforms(single.json())


def test_collection_pages_link_first_next_prev_and_last(client, brief, user, monkeypatch):
    monkeypatch.setattr(api, "API_PAGE_SIZE", 2)
    for _ in range(5):
        make_annotation(brief, user, QUOTE, visibility="public")
    collection = client.get(f"/api/annotations/?brief={brief.slug}").json()
    assert collection["total"] == 5
    assert collection["last"].endswith("page=3")
    second = client.get(collection["first"]["next"]).json()
    assert second["type"] == "AnnotationPage"
    assert second["startIndex"] == 2
    assert len(second["items"]) == 2
    assert second["prev"].endswith("page=1") and second["next"].endswith("page=3")
    assert client.get(f"/api/annotations/?brief={brief.slug}&page=4").status_code == 404


def test_unknown_brief_is_404_json(client):
    response = client.get("/api/annotations/?brief=no-such-brief")
    assert response.status_code == 404
    assert "no-such-brief" in _error(response)


def test_hidden_annotation_vanishes_from_the_api_except_for_its_owner(client, brief, user):
    annotation = make_annotation(brief, user, QUOTE, visibility="public")
    Annotation.objects.filter(pk=annotation.pk).update(hidden=True)
    assert client.get(f"/api/annotations/{annotation.pk}/").status_code == 404
    assert client.get(f"/api/annotations/?brief={brief.slug}").json()["total"] == 0
    client.force_login(user)
    assert client.get(f"/api/annotations/{annotation.pk}/").status_code == 200


def test_unsupported_method_is_405_with_allow_header_as_json(client):
    response = client.patch("/api/annotations/", "{}", content_type="application/json")
    assert response.status_code == 405
    assert "POST" in response["Allow"] and "PATCH" not in response["Allow"]
    assert response.json()["status"] == 405


def test_options_lists_the_allowed_methods(client):
    response = client.options("/api/annotations/")
    assert response.status_code == 200
    assert {"GET", "HEAD", "POST", "OPTIONS"} <= set(response["Allow"].replace(" ", "").split(","))


@pytest.mark.parametrize(
    "body",
    [
        "[" * 5_000 + "]" * 5_000,  # nested past the parser's recursion limit
        "[1, 2, 3]",
        '{"target": {"source": "http://[::1/briefs/x/", "selector": []}}',
        '{"target": {"source": "/briefs/x/", "selector": [{"type": ["TextQuoteSelector"]}]}}',
        '{"target": {"source": 7, "selector": {"type": "TextQuoteSelector", "exact": 1}}}',
        '{"target": [], "body": {"value": []}}',
        '"just a string"',
        "\xff\xfe not utf-8",
    ],
)
def test_malformed_bodies_of_any_shape_answer_json_400(client, user, body):
    client.force_login(user)
    response = client.post(
        "/api/annotations/", body, content_type="application/json",
        headers={"X-CSRFToken": "x"},
    )
    assert response.status_code in (400, 403), response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    assert "error" in response.json()


def test_note_text_is_returned_verbatim_not_as_markup(writer, brief):
    response = _send(
        writer, "post", "/api/annotations/", _payload(brief, note="<script>alert(1)</script>")
    )
    assert response.json()["body"]["value"] == "<script>alert(1)</script>"


def test_control_characters_in_a_note_are_dropped_not_a_server_error(writer, brief):
    response = _send(writer, "post", "/api/annotations/", _payload(brief, note="Nul\x00 and bell\x07 gone.\nKept."))

    assert response.status_code == 201
    assert Annotation.objects.get().note == "Nul and bell gone.\nKept."


def test_answers_carry_the_web_annotation_protocols_headers(writer, client, brief):
    # W3C Web Annotation Protocol 4.1 and 5.1: an annotation's link type, its ETag and
    # the methods allowed; a container's type, its constraints and what it takes by POST.
    created = _send(writer, "post", "/api/annotations/", _payload(brief))
    path = created.json()["id"].split("testserver", 1)[1]
    one = client.get(path)
    assert one["Link"] == '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
    assert {"GET", "PATCH", "PUT", "DELETE"} <= set(one["Allow"].split(", "))
    assert one["ETag"].startswith('"')
    assert client.get(path, HTTP_IF_NONE_MATCH=one["ETag"]).status_code == 304
    collection = client.get("/api/annotations/")
    assert "<http://www.w3.org/ns/ldp#BasicContainer>; rel=\"type\"" in collection["Link"]
    assert 'rel="http://www.w3.org/ns/ldp#constrainedBy"' in collection["Link"]
    assert collection["Accept-Post"] == (
        'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
    )
    assert "POST" in collection["Allow"] and collection["ETag"]
    _send(writer, "post", "/api/annotations/", _payload(brief, note="Another"))
    assert client.get("/api/annotations/", HTTP_IF_NONE_MATCH=collection["ETag"]).status_code == 200


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/annotations/abc/", 404),
        ("/api/annotations/-1/", 404),
        ("/api/nothing-here/", 404),
        ("/api/annotations/?page=abc", 400),
        ("/api/annotations/?page=0", 400),
        ("/api/annotations/?page=99", 404),
        ("/api/search/?page=abc", 400),
        ("/api/search/?page=%EF%BC%95", 400),
        ("/api/search/?page=99", 404),
        ("/api/search/?offset=9223372036854775808", 400),
    ],
)
def test_every_api_error_is_json_a_bad_value_400_and_a_missing_page_404(client, db, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response.json()["status"] == status and response.json()["error"]


def test_a_note_of_lone_surrogates_is_refused_not_stored_empty(writer, brief):
    body = json.dumps(_payload(brief, note="\ud800"))  # JSON's "\ud800": half a character
    response = writer.post(
        "/api/annotations/", data=body, content_type="application/ld+json",
        HTTP_X_CSRFTOKEN=writer.token,
    )
    assert response.status_code == 400 and "lone surrogate" in _error(response)
    assert not Annotation.objects.exists()


def test_a_change_from_an_old_copy_is_refused_with_412(writer, brief):
    # Two editors: the second, working from the copy before the first's change, must not
    # overwrite it unknowingly (If-Match, as the Web Annotation Protocol asks).
    created = _send(writer, "post", "/api/annotations/", _payload(brief)).json()
    path = created["id"].split("testserver", 1)[1]
    old = writer.get(path)["ETag"]
    change = {"body": {"type": "TextualBody", "value": "First editor"}}
    first = writer.patch(path, data=json.dumps(change), content_type="application/ld+json",
                         HTTP_X_CSRFTOKEN=writer.token, HTTP_IF_MATCH=old)
    assert first.status_code == 200
    stale = writer.patch(path, data=json.dumps({"bodyValue": "Second editor"}),
                         content_type="application/ld+json", HTTP_X_CSRFTOKEN=writer.token,
                         HTTP_IF_MATCH=old)
    assert stale.status_code == 412 and "If-Match" in _error(stale)
    assert writer.delete(path, HTTP_X_CSRFTOKEN=writer.token, HTTP_IF_MATCH=old).status_code == 412
    assert "First editor" in writer.get(path).content.decode()
    fresh = writer.get(path)["ETag"]
    assert writer.delete(path, HTTP_X_CSRFTOKEN=writer.token, HTTP_IF_MATCH=fresh).status_code == 204


def test_a_reply_asking_for_another_audience_than_its_thread_is_refused(writer, brief):
    note = _send(writer, "post", "/api/annotations/", _payload(brief)).json()  # public
    reply = {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
             "motivation": "replying", "body": {"type": "TextualBody", "value": "Agreed"},
             "target": note["id"], "visibility": "private"}
    response = _send(writer, "post", "/api/annotations/", reply)
    assert response.status_code == 400 and "read by whoever reads its thread" in _error(response)
    reply["visibility"] = "public"
    assert _send(writer, "post", "/api/annotations/", reply).status_code == 201


def test_search_by_parent_on_another_site_finds_nothing_and_a_total_alone_has_no_page(
    writer, client, brief
):
    note = _send(writer, "post", "/api/annotations/", _payload(brief)).json()
    reply = {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
             "motivation": "replying", "body": {"type": "TextualBody", "value": "Agreed"},
             "target": note["id"]}
    _send(writer, "post", "/api/annotations/", reply)
    pk = note["id"].rstrip("/").rsplit("/", 1)[-1]
    here = client.get("/api/search/", {"references": note["id"]}).json()
    assert here["partOf"]["total"] == 1
    elsewhere = f"http://evil.example/api/annotations/{pk}/"
    assert client.get("/api/search/", {"references": elsewhere}).json()["partOf"]["total"] == 0
    alone = client.get("/api/search/", {"limit": "0"}).json()
    assert "page=" not in alone["id"]
    assert client.get(alone["id"].split("testserver", 1)[1]).status_code == 200
