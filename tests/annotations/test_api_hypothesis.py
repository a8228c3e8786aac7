"""``GET /api/search/`` for scripts written for Hypothesis's search API, and the API's
strictness about query parameters (docs/api.md, "Search").

A parameter an endpoint does not take is a 400 naming it, never silently ignored (a
Hypothesis script's ``uri=`` used to get every note). Hypothesis's names work where they
mean something here: ``uri``/``url``, ``limit``/``offset``, ``sort``/``order``,
``search_after``, ``user=acct:…``, ``tag``/``tags``, ``group=__world__``, ``quote``,
``any``, ``references``. No parameter shows or counts a note its caller may not see.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.test import override_settings

from annotations.api_search import SearchView
from annotations.models import Annotation
from annotations.services import annotation_reply
from tests.factories import make_annotation, make_brief, make_group, make_user

pytestmark = pytest.mark.django_db

HARBOUR = "Harbour pilots walked out at dawn.\n\nThe strike closed the container berths."
SECRET = "Zebrafinch sightings near the lighthouse.\n\nNobody else may read this."


def _at(minute):
    return dt.datetime(2025, 3, 1, 9, minute, tzinfo=dt.timezone.utc)


def _reply(parent, user, note):
    """``user``'s reply to ``parent``, made as the site makes one."""
    return annotation_reply(parent=parent, by=user, note=note)


@pytest.fixture
def world():
    """Public notes on the harbour brief, and secret ones (private, of a group the reader
    is not in) that no search of the reader's may find.

    ``public`` is in creation order, oldest first; the two middle ones share their
    creation time (keyset paging must neither skip nor repeat them).
    """
    author, reader, member = (make_user(username=n) for n in ("author", "reader", "member"))
    circle = make_group(author, name="Circle", members=[reader])
    closed = make_group(author, name="Closed", members=[member])
    harbour, secret_brief = (
        make_brief("Harbour", body=HARBOUR),
        make_brief("Lighthouse", body=SECRET),
    )
    public = [
        make_annotation(
            harbour,
            author,
            "Harbour pilots",
            note="Pilots out",
            visibility="public",
            tags=["port", "strike"],
        ),
        make_annotation(
            harbour,
            author,
            "container berths",
            note="Berths shut",
            visibility="public",
            tags=["port"],
        ),
        make_annotation(harbour, reader, "walked out", note="Third time", visibility="public"),
        make_annotation(harbour, author, "at dawn", note="Early", visibility="public"),
    ]
    for minute, note in zip((1, 2, 2, 3), public):
        Annotation.objects.filter(pk=note.pk).update(
            created_at=_at(minute), modified_at=_at(10 - minute)
        )
    reply = _reply(public[0], reader, "Confirmed by the port")
    Annotation.objects.filter(pk=reply.pk).update(created_at=_at(4), modified_at=_at(4))
    group_note = make_annotation(
        harbour, author, "The strike", note="Circle only", visibility="group", group=circle
    )
    Annotation.objects.filter(pk=group_note.pk).update(created_at=_at(5), modified_at=_at(5))
    secrets = {
        "private": make_annotation(
            secret_brief, author, "Zebrafinch", note="zebrafinch mine", tags=["secret-tag"]
        ),
        "closed": make_annotation(
            secret_brief,
            author,
            "lighthouse",
            note="zebrafinch closed",
            visibility="group",
            group=closed,
            tags=["secret-tag"],
        ),
    }
    secrets["closed reply"] = _reply(secrets["closed"], member, "zebrafinch reply")
    return {
        "author": author,
        "reader": reader,
        "member": member,
        "circle": circle,
        "closed": closed,
        "harbour": harbour,
        "secret_brief": secret_brief,
        "public": public,
        "reply": reply,
        "group_note": group_note,
        "secrets": secrets,
    }


def _search(client, query):
    response = client.get(
        f"/api/search/?{query}" if isinstance(query, str) else "/api/search/",
        None if isinstance(query, str) else query,
    )
    assert response.status_code == 200, response.content[:300]
    return response.json()


def _ids(page):
    return [int(item["id"].rstrip("/").rsplit("/", 1)[1]) for item in page["items"]]


def _error(response, status=400):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status
    return body["error"]


# Parameters an endpoint does not take ---------------------------------------------------


def test_a_parameter_the_search_does_not_take_is_a_400_naming_it_and_the_accepted_ones(
    client, world
):
    message = _error(client.get("/api/search/?wildcard_uri=http://x/*&colour=red"))
    assert "'wildcard_uri'" in message and "'colour'" in message
    for accepted in ("uri", "limit", "offset", "search_after", "order", "tags", "references"):
        assert accepted in message


def test_a_script_sending_hypothesis_parameters_gets_filtered_notes_not_every_note(client, world):
    url = f"http://testserver{world['harbour'].get_absolute_url()}"
    page = _search(client, {"uri": url, "limit": 2, "offset": 0, "order": "asc", "sort": "created"})
    assert page["partOf"]["total"] == 5  # four notes and the reply on the harbour brief
    assert _ids(page) == [n.pk for n in world["public"][:2]]


@pytest.mark.parametrize(
    ("method", "path", "query"),
    [
        ("get", "/api/annotations/", "limit=5"),
        ("get", "/api/annotations/", "brief=x&brief=y"),
        ("get", "/api/annotations/{pk}/", "expand=replies"),
        ("post", "/api/annotations/", "brief=harbour"),
        ("patch", "/api/annotations/{pk}/", "visibility=public"),
        ("delete", "/api/annotations/{pk}/", "dry_run=1"),
    ],
)
def test_every_endpoint_refuses_parameters_it_does_not_take_and_changes_nothing(
    client, world, method, path, query
):
    note = world["public"][2]
    client.force_login(world["reader"])
    before = list(Annotation.objects.order_by("pk").values_list("pk", "note", "visibility"))
    url = path.format(pk=note.pk) + "?" + query
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, data="{}", content_type="application/ld+json")
    message = _error(response)
    assert query.split("=")[0] in message
    assert list(Annotation.objects.order_by("pk").values_list("pk", "note", "visibility")) == before


def test_the_collection_still_takes_brief_and_page(client, world):
    response = client.get(f"/api/annotations/?brief={world['harbour'].slug}&page=1")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "name, values",
    [
        ("user", ("author", "reader")),
        ("page", (1, 2)),
        ("sort", ("created", "-created")),
        ("limit", (1, 2)),
    ],
)
def test_a_single_valued_parameter_given_twice_is_a_400(client, world, name, values):
    message = _error(client.get("/api/search/", {name: list(values)}))
    assert name in message and "more than once" in message


# Hypothesis's filters ---------------------------------------------------------------------


def test_uri_names_a_brief_in_any_of_its_address_forms(client, world):
    slug = world["harbour"].slug
    forms = [
        f"http://testserver/briefs/{slug}/",
        f"https://testserver/briefs/{slug}/",
        f"http://TESTSERVER/briefs/{slug}",
        f"/briefs/{slug}/",
        f"/briefs/{slug}",
        f"http://testserver/briefs/{slug}/#annotation-4",
        f"/briefs/{slug}/?utm_source=x",
        f"/briefs/{slug}/notes/",
        f"http://testserver/briefs/{slug}/annotations/feed/",
    ]
    for form in forms:
        for name in ("uri", "url"):
            assert _search(client, {name: form})["partOf"]["total"] == 5, (name, form)


@override_settings(SITE_URL="https://briefs.example.org")
def test_uri_on_the_sites_own_address_works_behind_a_proxy(client, world):
    url = f"https://briefs.example.org/briefs/{world['harbour'].slug}/"
    assert _search(client, {"uri": url})["partOf"]["total"] == 5


@pytest.mark.parametrize(
    "uri",
    [
        "http://elsewhere.example/briefs/{slug}/",
        "/briefs/no-such-brief/",
        "/topics/ports/",
        "urn:x-pdf:abc",
        "doi:10.1000/182",
        "http://[::1/briefs/{slug}/",
        "not a uri",
        "/",
    ],
)
def test_a_uri_naming_no_brief_here_finds_nothing_without_an_error(client, world, uri):
    page = _search(client, {"uri": uri.format(slug=world["harbour"].slug)})
    assert (page["partOf"]["total"], page["items"]) == (0, [])


def test_several_uris_find_the_notes_of_any_of_them(client, world):
    other = make_brief("Other", body="Another brief.\n\nSecond paragraph.")
    extra = make_annotation(other, world["author"], "Another", visibility="public")
    page = _search(client, f"uri=/briefs/{world['harbour'].slug}/&url=/briefs/{other.slug}/")
    assert page["partOf"]["total"] == 6 and extra.pk in _ids(page)


def test_user_is_a_username_or_a_hypothesis_account_of_this_site(client, world):
    for value in ("reader", "acct:reader@testserver"):
        assert sorted(_ids(_search(client, {"user": value}))) == [
            world["public"][2].pk,
            world["reply"].pk,
        ]
    for value in ("acct:reader@hypothes.is", "acct:reader", "acct:@testserver", "nobody"):
        assert _search(client, {"user": value})["partOf"]["total"] == 0, value


def test_tags_repeat_and_every_one_must_be_on_the_note(client, world):
    first, second = world["public"][:2]
    assert sorted(_ids(_search(client, "tag=port"))) == sorted([first.pk, second.pk])
    assert _ids(_search(client, "tag=PORT&tag=strike")) == [first.pk]
    assert _ids(_search(client, "tags=port&tags=strike")) == [first.pk]
    assert _ids(_search(client, "tag=port&tags=Strike")) == [first.pk]
    assert _search(client, "tag=port&tag=nothing")["partOf"]["total"] == 0


def test_group_world_is_the_public_notes_and_a_slug_its_groups_notes(client, world):
    client.force_login(world["reader"])
    public = _search(client, {"group": "__world__"})
    assert public["partOf"]["total"] == 5 and world["group_note"].pk not in _ids(public)
    assert _ids(_search(client, {"group": world["circle"].slug})) == [world["group_note"].pk]
    assert _search(client, {"group": world["closed"].slug})["partOf"]["total"] == 0


def test_quote_searches_the_passage_any_the_note_passage_and_tags(client, world):
    first, second = world["public"][:2]
    assert _ids(_search(client, {"quote": "pilots"})) == [first.pk]
    assert _search(client, {"quote": "Berths shut"})["partOf"]["total"] == 0  # a note, not a quote
    assert _ids(_search(client, {"any": "berths"})) == [second.pk]  # quote and note
    assert sorted(_ids(_search(client, {"any": "strike"}))) == [first.pk]  # its tag
    assert _ids(_search(client, {"text": "third"})) == [world["public"][2].pk]


def test_references_and_parent_give_a_notes_replies_by_id_or_iri(client, world):
    parent, reply = world["public"][0], world["reply"]
    for query in (
        {"references": parent.pk},
        {"parent": parent.pk},
        {"references": f"http://testserver/api/annotations/{parent.pk}/"},
    ):
        assert _ids(_search(client, query)) == [reply.pk]
    assert "one of them" in _error(client.get("/api/search/", {"parent": 1, "references": 1}))
    assert "IRI" in _error(client.get("/api/search/", {"references": "/briefs/x/"}))


# Order ---------------------------------------------------------------------------------------


def test_sort_and_order_combine_and_the_old_signed_sorts_still_work(client, world):
    newest_first = _ids(_search(client, "sort=-created"))
    assert _ids(_search(client, "sort=created&order=desc")) == newest_first
    assert _ids(_search(client, "order=desc")) == newest_first == _ids(_search(client, ""))
    assert _ids(_search(client, "sort=created")) == newest_first[::-1]
    assert _ids(_search(client, "order=asc")) == newest_first[::-1]
    assert _ids(_search(client, "sort=updated&order=desc")) == _ids(
        _search(client, "sort=-modified")
    )
    # Hypothesis's name, Hypothesis's default: newest first, as a script written for it expects.
    assert _ids(_search(client, "sort=updated")) == _ids(_search(client, "sort=-modified"))
    assert _ids(_search(client, "sort=updated&order=asc")) == _ids(
        _search(client, "sort=modified")
    )


@pytest.mark.parametrize(
    "query, words",
    [
        ("sort=-created&order=asc", "already says the order"),
        ("sort=id", "sort must be one of"),
        ("sort=user", "not offered"),
        ("order=up", "asc or desc"),
    ],
)
def test_an_order_the_search_cannot_give_is_a_400(client, world, query, words):
    assert words in _error(client.get(f"/api/search/?{query}"))


# Paging ----------------------------------------------------------------------------------


def test_limit_is_per_page_and_limit_zero_answers_the_total_alone(client, world):
    assert _ids(_search(client, "limit=2")) == _ids(_search(client, "per_page=2"))
    alone = _search(client, "limit=0")
    assert (alone["partOf"]["total"], alone["items"]) == (5, [])
    assert "next" not in alone
    assert _search(client, "limit=200")["partOf"]["total"] == 5


@pytest.mark.parametrize(
    "query, words",
    [
        ("limit=201", "from 0 to 200"),
        ("limit=-1", "from 0 to 200"),
        ("limit=x", "whole number"),
        ("per_page=0", "from 1 to 200"),
        ("offset=-3", "offset"),
        ("offset=²", "offset"),
        ("per_page=2&limit=2", "cannot be combined"),
        ("page=2&offset=2", "cannot be combined"),
        ("page=2&search_after=2025-01-01", "cannot be combined"),
        ("offset=1&search_after=2025-01-01", "cannot be combined"),
        ("limit=0&page=1", "no page"),
    ],
)
def test_paging_values_out_of_range_or_in_conflict_are_a_400(client, world, query, words):
    assert words in _error(client.get(f"/api/search/?{query}"))


def test_offset_starts_anywhere_and_links_its_neighbours(client, world):
    everything = _ids(_search(client, "sort=created&limit=200"))
    page = _search(client, "sort=created&limit=2&offset=1")
    assert _ids(page) == everything[1:3] and page["startIndex"] == 1
    assert "offset=3" in page["next"] and "offset=0" in page["prev"]
    assert _ids(_search(client, page["next"].split("?", 1)[1])) == everything[3:5]
    last = _search(client, "sort=created&limit=2&offset=4")
    assert _ids(last) == everything[4:] and "next" not in last
    beyond = _search(client, "sort=created&limit=2&offset=50")
    assert (beyond["partOf"]["total"], beyond["items"]) == (5, [])


def test_search_after_walks_every_note_once_even_when_two_share_a_moment(client, world):
    for order in ("asc", "desc"):
        page = _search(client, f"sort=created&order={order}&limit=1&search_after=")
        seen = _ids(page)
        while "next" in page:
            assert "startIndex" not in page and page["partOf"]["total"] == 5
            page = _search(client, page["next"].split("?", 1)[1])
            seen += _ids(page)
        assert seen == _ids(_search(client, f"sort=created&order={order}")), order


def test_search_after_a_bare_moment_continues_past_it_as_hypothesis_does(client, world):
    first, second, third, fourth = world["public"]
    created = _search(client, "sort=created&limit=1")["items"][0]["created"]
    assert created == "2025-03-01T09:01:00Z"
    after = _ids(_search(client, {"sort": "created", "order": "asc", "search_after": created}))
    assert after == [second.pk, third.pk, fourth.pk, world["reply"].pk]  # ties by id
    epoch_ms = int(_at(2).timestamp() * 1000)
    assert _ids(_search(client, f"order=desc&search_after={epoch_ms}")) == [first.pk]
    # Milliseconds name the whole millisecond: a note at .000400 of it is not "after" it
    # oldest first (it repeated the last note of the page before), nor before it newest first.
    first.created_at = _at(1) + dt.timedelta(microseconds=400)
    first.save(update_fields=["created_at"])
    first_ms = int(_at(1).timestamp() * 1000)
    oldest_first = _ids(_search(client, f"sort=created&order=asc&search_after={first_ms}"))
    assert first.pk not in oldest_first and second.pk in oldest_first
    assert first.pk not in _ids(_search(client, f"order=desc&search_after={first_ms}"))
    # modified ascending after 09:07: the two notes of 09:08 (by id), then the one of 09:09
    after_modified = {"sort": "modified", "search_after": _at(7).isoformat()}
    assert _ids(_search(client, after_modified)) == [second.pk, third.pk, first.pk]


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2025-03-01T09:00:00Z,x",
        "2025-13-01",
        ",5",
        "9" * 30,
        "2025-03-01T09:00:00+99:00",
    ],
)
def test_a_search_after_that_is_no_sort_value_is_a_400(client, world, value):
    assert "search_after" in _error(client.get("/api/search/", {"search_after": value}))


@pytest.mark.parametrize(
    "query", ["search_after=", "limit=2&offset=2", "limit=2&search_after=2030-01-01"]
)
def test_hypothesis_paging_keeps_the_pinned_query_count(
    client, world, django_assert_max_num_queries, query
):
    with django_assert_max_num_queries(3):
        _search(client, query)
    client.force_login(world["reader"])
    with django_assert_max_num_queries(6):
        _search(client, query)


# Privacy ---------------------------------------------------------------------------------


def _secret_queries(world):
    secrets, brief = world["secrets"], world["secret_brief"]
    return [
        {"uri": f"http://testserver{brief.get_absolute_url()}"},
        {"url": brief.get_absolute_url()},
        {"user": "acct:author@testserver", "limit": 0},
        {"user": "author", "any": "zebrafinch"},
        {"tag": "secret-tag"},
        {"tags": "secret-tag", "order": "asc"},
        {"quote": "zebrafinch"},
        {"quote": "lighthouse"},
        {"any": "zebrafinch"},
        {"any": "secret"},
        {"text": "zebrafinch"},
        {"group": world["closed"].slug},
        {"group": "__world__", "text": "zebrafinch"},
        {"references": secrets["closed"].pk},
        {"references": f"http://testserver/api/annotations/{secrets['closed'].pk}/"},
        {"brief": brief.slug, "limit": 1, "offset": 0},
        {"brief": brief.slug, "search_after": "2100-01-01"},
        {"brief": brief.slug, "sort": "updated", "order": "asc", "limit": 1},
    ]


@pytest.mark.parametrize("viewer", ["signed out", "reader", "member", "author"])
def test_no_hypothesis_parameter_finds_or_counts_a_note_its_caller_may_not_see(
    client, world, viewer
):
    """Every search answers exactly what it answers once the notes the caller may not see
    are gone: the same items, the same total."""
    secrets = world["secrets"]
    allowed = {
        "signed out": set(),
        "reader": set(),
        "member": {secrets["closed"].pk, secrets["closed reply"].pk},
        "author": {secrets["private"].pk, secrets["closed"].pk, secrets["closed reply"].pk},
    }[viewer]
    if viewer != "signed out":
        client.force_login(world[viewer])
    queries = _secret_queries(world)
    answers = [_search(client, query) for query in queries]
    if allowed:
        assert set(_ids(_search(client, {"brief": world["secret_brief"].slug}))) == allowed
    Annotation.objects.filter(pk__in={n.pk for n in secrets.values()} - allowed).delete()
    for query, answer in zip(queries, answers):
        alone = _search(client, query)
        assert (answer["partOf"]["total"], _ids(answer)) == (
            alone["partOf"]["total"],
            _ids(alone),
        ), (viewer, query)


# The documentation -----------------------------------------------------------------------


def test_every_parameter_the_search_takes_is_documented():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    section = docs.split("## Search", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([a-z_]+)`", section))
    assert set(SearchView.query_parameters["get"]) <= documented


@pytest.mark.parametrize(
    ("parameter", "word", "found"),
    [
        ("text", "lice", False),  # not in "alice"
        ("text", "NOT", False),  # not in "note"
        ("quote", "leve", False),  # not in "eleven"
        ("text", "tugs", True),
        ("quote", "ELEVEN", True),
        ("any", "tug's", True),
        ("text", "Öko", True),
    ],
)
def test_text_quote_and_any_match_whole_words(client, db, parameter, word, found):
    brief = make_brief("Harbour", body="Eleven tugs waited at the lock.")
    make_annotation(
        brief, make_user(), "Eleven tugs", visibility="public",
        note="A note by alice: more tugs, the tug's crew, Öko-Strom.",
    )
    total = _search(client, {parameter: word})["partOf"]["total"]
    assert total == (1 if found else 0)


def test_tags_match_in_any_case_whatever_the_script(client, db):
    # SQLite's LIKE folds ASCII only: "öko-tag" did not find a note tagged "Öko-Tag".
    from annotations.models import NoteTag
    from annotations.services import annotation_update

    brief = make_brief("Harbour", body="Eleven tugs waited at the lock.")
    author = make_user()
    note = make_annotation(brief, author, "Eleven tugs", visibility="public", note="Tugs")
    annotation_update(annotation=note, by=author, tags=["Öko-Tag"])
    other = make_annotation(brief, author, "tugs waited", visibility="public", note="More")
    annotation_update(annotation=other, by=author, tags=["ÖKO-TAG"])
    assert NoteTag.objects.count() == 1  # the same tag, reused whatever its case
    for spelling in ("öko-tag", "ÖKO-TAG", "Öko-Tag"):
        assert _search(client, {"tag": spelling})["partOf"]["total"] == 2, spelling
        assert "Eleven tugs" in client.get("/annotations/", {"tag": spelling}).content.decode()
        feed = client.get(f"/annotations/tags/{spelling}/feed/").content.decode()
        assert "Eleven tugs" in feed, spelling
    assert _search(client, {"any": "öko"})["partOf"]["total"] == 2
