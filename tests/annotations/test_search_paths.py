"""``GET /api/search/`` on its fast paths (issue 14): the kept count for an unfiltered
search, the signed-in visibility rule said once, the deep-page id walk, the text filter
and the modified orders. Every answer must hold exactly the notes the caller may see, in
the asked order, with a ``total`` that counts those and nothing else."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from annotations.models import Annotation
from annotations.search import FILTERS
from tests.annotations.w3c import assert_conforms
from tests.factories import make_annotation, make_brief, make_group, make_user

pytestmark = pytest.mark.django_db

BODY = "Market day.\n\nThe market opened early and the market closed late."
WORD = "market"


def _at(day):
    return dt.datetime(2025, 3, day, tzinfo=dt.timezone.utc)


@pytest.fixture
def world():
    """Notes of every kind a search could wrongly show, all mentioning the market.

    ``public`` are the shown public notes, in creation order; their modification times
    run in another order. The reader belongs to ``theirs``, not to ``others``.
    """
    reader, author = make_user(username="reader"), make_user(username="author")
    theirs = make_group(author, name="Theirs", members=[reader])
    others = make_group(author, name="Others")
    brief, draft = make_brief("Open", body=BODY), make_brief("Draft", body=BODY, status="draft")
    notes = {}

    def note(name, brief=brief, user=author, **fields):
        made = make_annotation(brief, user, "market", note=f"{name} about the market", **fields)
        notes[name] = made
        return made

    for index in range(5):
        note(f"public {index}", visibility="public", tags=["stall"] if index == 0 else ())
    note("hidden", visibility="public", hidden=True)
    note("orphaned", visibility="public", anchor_status="orphaned")
    note("on a draft", brief=draft, visibility="public")
    note("private", visibility="private")
    note("their group", visibility="group", group=theirs)
    note("other group", visibility="group", group=others)
    hidden_parent = note("hidden parent", visibility="public")
    reply = Annotation.objects.create(
        brief=brief, user=author, exact="", start=0, end=0, note="reply about the market",
        visibility="public", parent=hidden_parent,
    )
    notes["reply under hidden"] = reply
    Annotation.objects.filter(pk=hidden_parent.pk).update(hidden=True)
    note("own public", user=reader, visibility="public")
    note("own private", user=reader, visibility="private")
    note("own hidden", user=reader, visibility="public", hidden=True)
    note("own on a draft", brief=draft, user=reader, visibility="private")
    for day, (name, made) in enumerate(notes.items(), start=1):
        Annotation.objects.filter(pk=made.pk).update(
            created_at=_at(day), modified_at=_at(28 - (day * 7) % 27)
        )
    public = [notes[f"public {index}"] for index in range(5)] + [notes["own public"]]
    signed_in = public + [notes["their group"], notes["own private"], notes["own hidden"]]
    return {
        "reader": reader, "notes": notes, "public": public, "signed_in": signed_in,
        "theirs": theirs, "others": others,
    }


def _ids(page):
    return [int(item["id"].rstrip("/").rsplit("/", 1)[1]) for item in page["items"]]


def _by(notes, sort):
    field = "created_at" if sort.endswith("created") else "modified_at"
    ordered = sorted(notes, key=lambda n: (getattr(n, field), n.pk))
    if sort.startswith("-"):
        ordered.reverse()
    return [n.pk for n in ordered]


def _fresh(notes):
    return list(Annotation.objects.filter(pk__in=[n.pk for n in notes]))


def _everything(client, **params):
    """Every page of a search, two notes a page; the first page's total."""
    page = client.get("/api/search/", {**params, "per_page": 2}).json()
    total, ids = page["partOf"]["total"], _ids(page)
    while "next" in page:
        page = client.get(page["next"]).json()
        assert page["partOf"]["total"] == total
        ids += _ids(page)
    return total, ids


@pytest.mark.parametrize("sort", ["-created", "created", "-modified", "modified"])
def test_signed_out_search_lists_and_counts_exactly_the_public_notes(client, world, sort):
    expected = _by(_fresh(world["public"]), sort)
    assert _by(_fresh(world["public"]), "-created") != _by(_fresh(world["public"]), "-modified")
    total, ids = _everything(client, sort=sort)
    assert (total, ids) == (len(expected), expected)
    page = client.get("/api/search/", {"sort": sort}).json()
    assert page["partOf"]["total"] == len(expected) and _ids(page) == expected
    for item in page["items"]:
        assert_conforms({"@context": page["@context"], **item})


@pytest.mark.parametrize("sort", ["-created", "created", "-modified", "modified"])
def test_signed_in_search_adds_own_and_own_groups_notes_only(client, world, sort):
    client.force_login(world["reader"])
    expected = _by(_fresh(world["signed_in"]), sort)
    assert _everything(client, sort=sort) == (len(expected), expected)


@pytest.mark.parametrize("signed_in", [False, True])
def test_text_search_never_finds_a_note_the_caller_may_not_see(client, world, signed_in):
    if signed_in:
        client.force_login(world["reader"])
    visible = world["signed_in" if signed_in else "public"]
    for sort in ("-created", "modified"):
        expected = _by(_fresh(visible), sort)
        assert _everything(client, text=WORD.upper(), sort=sort) == (len(expected), expected)
    assert _everything(client, text="market zebra") == (0, [])


def test_deep_pages_hold_the_rows_of_their_place_in_the_order(client, world):
    client.force_login(world["reader"])
    expected = _by(_fresh(world["signed_in"]), "-modified")
    pages = (len(expected) + 1) // 2
    for number in range(2, pages + 1):
        page = client.get("/api/search/", {"sort": "-modified", "per_page": 2, "page": number})
        assert _ids(page.json()) == expected[(number - 1) * 2 : number * 2]
        assert page.json()["startIndex"] == (number - 1) * 2
    assert client.get("/api/search/", {"per_page": 2, "page": pages + 1}).status_code == 404


def test_a_page_walked_from_the_far_end_keeps_order_and_tags(
    client, world, django_assert_max_num_queries
):
    expected = _by(_fresh(world["public"]), "-created")
    last = (len(expected) + 1) // 2
    with django_assert_max_num_queries(3):
        page = client.get("/api/search/", {"per_page": 2, "page": last}).json()
    assert _ids(page) == expected[(last - 1) * 2 :]
    [oldest] = [item for item in page["items"] if item["id"].endswith(f"/{world['public'][0].pk}/")]
    assert {"type": "TextualBody", "value": "stall", "purpose": "tagging"} in oldest["body"]


@pytest.mark.parametrize("name", FILTERS)
def test_every_filter_narrows_the_total_not_only_the_items(client, world, name):
    """A filter missing from FILTERS would answer the kept count of all notes."""
    client.force_login(world["reader"])
    never = {
        "brief": "no-such-brief", "user": "nobody", "tag": "no-such-tag",
        "group": world["others"].slug, "text": "zebra", "since": "2100-01-01",
        "until": "1990-01-01", "anchor": "orphaned", "parent": "999999",
        "uri": "/briefs/no-such-brief/", "url": "/briefs/no-such-brief/", "tags": "no-such-tag",
        "quote": "zebra", "any": "zebra", "references": "999999",
    }
    page = client.get("/api/search/", {name: never[name]}).json()
    assert (page["partOf"]["total"], page["items"]) == (0, [])


def test_unfiltered_total_follows_every_change_of_what_the_caller_may_see(client, world):
    reader, notes = world["reader"], world["notes"]
    Annotation.objects.filter(pk=notes["public 0"].pk).update(hidden=True)
    Annotation.objects.filter(pk=notes["private"].pk).update(visibility="public")
    expected = _by(_fresh(world["public"][1:] + [notes["private"]]), "-created")
    assert _everything(client) == (len(expected), expected)
    world["theirs"].memberships.filter(user=reader).delete()
    client.force_login(reader)
    mine = [notes["own private"], notes["own hidden"]]
    expected = _by(_fresh(world["public"][1:] + [notes["private"]] + mine), "-created")
    assert _everything(client) == (len(expected), expected)


def test_visible_count_matches_counting_the_visible_notes(world):
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), world["reader"], world["notes"]["public 0"].user, make_user()):
        assert Annotation.objects.visible_count(user) == (
            Annotation.objects.visible_to(user).count()
        )
    with pytest.raises(TypeError):
        Annotation.objects.filter(pk=1).visible_count(world["reader"])


@pytest.mark.parametrize("signed_in, queries", [(False, 3), (True, 6)])
def test_search_query_count_is_pinned(
    client, world, django_assert_max_num_queries, signed_in, queries
):
    if signed_in:
        client.force_login(world["reader"])
    for params in ({}, {"sort": "modified", "per_page": 2, "page": 2}):
        with django_assert_max_num_queries(queries):
            assert client.get("/api/search/", params).status_code == 200


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_search_index_migration_runs_backwards_and_forwards():
    def indexes():
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, "annotations_annotation")
        return {name for name, info in found.items() if info["index"]}

    names = {"annotation_created_idx", "annotation_modified_idx"}
    if connection.vendor == "postgresql":
        names |= {"annotation_note_trgm_idx", "annotation_exact_trgm_idx"}
    assert names <= indexes()
    executor = MigrationExecutor(connection)
    executor.migrate([("annotations", "0014_public_note_counts")])
    assert not names & indexes()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert names <= indexes()
