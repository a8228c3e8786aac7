"""The privacy matrix for group notes: who is not in the group sees nothing of them.

A non-member, a former member (left or removed), a curator and an anonymous reader never
see a group note, its reply, its quote, its tag, its existence or its count, through any
surface: brief page, lists, My notes and its exports, the API (list, detail, search,
replies), every feed, site search, the group's pages, the admin, the page cache and ETags.
A member sees it everywhere the rule allows (the positive control that keeps the matrix
honest). Runs on SQLite and, with DATABASE_URL, PostgreSQL.
"""

import pytest
from django.test import Client

from annotations.groups import group_create, group_join, group_leave, group_remove_member
from annotations.models import Annotation, Membership
from annotations.services import annotation_reply
from tests.factories import (
    make_annotation,
    make_brief,
    make_curator,
    make_story,
    make_topic,
    make_user,
)

pytestmark = pytest.mark.django_db

BODY = (
    "The council met on Tuesday about the quinoa harvest.\n\n"
    "Farmers asked for a delay to the new storage rules."
)
QUOTE = "quinoa harvest"
NOTE = "Zebrafinch minutes say otherwise"
REPLY = "Periwinkle agrees with that"
TAG = "kumquat-dossier"
SECRETS = (NOTE, REPLY, TAG, "Reading circle")


@pytest.fixture
def world(db):
    """A group with an owner and a member, a group note with a tag and a reply, and the
    readers around it (each viewer a fresh Client)."""
    topic = make_topic("Farming")
    brief = make_brief("Council on harvest", body=BODY, topics=[topic])
    owner, member = make_user(email="owner@example.org"), make_user()
    group = group_create(by=owner, name="Reading circle")
    group_join(invite_key=group.invite_key, by=member)
    former, removed = make_user(), make_user()
    for user in (former, removed):
        group_join(invite_key=group.invite_key, by=user)
    note = make_annotation(brief, owner, QUOTE, note=NOTE, visibility="group", group=group)
    note.tags.add(TAG)
    reply = annotation_reply(parent=note, by=member, note=REPLY)
    former_key = Membership.objects.get(user=former, group=group).feed_key
    group_leave(group=group, by=former)
    group_remove_member(group=group, user=removed, by=owner)
    return {
        "brief": brief,
        "topic": topic,
        "group": group,
        "note": note,
        "reply": reply,
        "owner": owner,
        "member": member,
        "former": former,
        "former_key": former_key,
        "removed": removed,
    }


def _client(world, who):
    client = Client()
    users = {
        "outsider": make_user(),
        "curator": make_curator(),
        "superuser": make_user(is_staff=True, is_superuser=True),
    }
    if who in ("member", "former", "removed"):
        client.force_login(world[who])
    elif who in users:
        client.force_login(users[who])
    return client


def _surfaces(client, world, who):
    """Every surface a reader can reach, as text, for the viewer ``who``."""
    brief, group, note, reply = world["brief"], world["group"], world["note"], world["reply"]
    get = client.get
    texts = {
        "brief page": get(brief.get_absolute_url()),
        "recent": get("/annotations/"),
        "recent by tag": get("/annotations/", {"tag": TAG}),
        "reader page": get(f"/users/{world['owner'].username}/"),
        "reader feed": get(f"/users/{world['owner'].username}/feed/"),
        "mine": get("/annotations/mine/"),
        "mine of group": get("/annotations/mine/", {"group": group.slug}),
        "mine by tag": get("/annotations/mine/", {"tag": TAG, "group": group.slug}),
        "export md": get("/annotations/mine/export.md", {"group": group.slug}),
        "export jsonld": get("/annotations/mine/export.jsonld", {"group": group.slug}),
        "tag autocomplete": get("/annotations/tags/mine.json"),
        "api list": get("/api/annotations/"),
        "api list of brief": get("/api/annotations/", {"brief": brief.slug}),
        "api detail": get(f"/api/annotations/{note.pk}/"),
        "api reply detail": get(f"/api/annotations/{reply.pk}/"),
        "api search": get("/api/search/"),
        "api search group": get("/api/search/", {"group": group.slug}),
        "api search text": get("/api/search/", {"text": "Zebrafinch"}),
        "api search tag": get("/api/search/", {"tag": TAG}),
        "api search replies": get("/api/search/", {"parent": note.pk}),
        "feed": get("/annotations/feed/"),
        "brief feed": get(f"/briefs/{brief.slug}/annotations/feed/"),
        "topic feed": get(f"/topics/{world['topic'].slug}/annotations/feed/"),
        "tag feed": get(f"/annotations/tags/{TAG}/feed/"),
        "former member's group feed": get(
            f"/annotations/groups/{group.slug}/feed/{world['former_key']}/"
        ),
        "site search": get("/search/", {"q": "Zebrafinch"}),
        "groups": get("/annotations/groups/"),
        "group page": get(group.get_absolute_url()),
        "admin notes": get("/admin/annotations/annotation/"),
        "admin note": get(f"/admin/annotations/annotation/{note.pk}/change/"),
        "admin briefs": get("/admin/briefs/brief/"),
        "admin search": get("/admin/annotations/annotation/", {"q": "Zebrafinch"}),
    }
    return {name: response for name, response in texts.items()}


def _text(response):
    return response.content.decode("utf-8", "replace") if not response.streaming else ""


OUTSIDERS = ["anonymous", "outsider", "former", "removed", "curator", "superuser"]
# Surfaces whose address carries the tag, which they may echo ("Notes tagged …").
ECHO_TAG = {"recent by tag", "mine by tag", "api search tag", "tag feed"}


@pytest.mark.parametrize("who", OUTSIDERS)
def test_group_note_is_invisible_to_everyone_outside_the_group(world, who):
    client = _client(world, who)
    note, reply = world["note"], world["reply"]
    surfaces = _surfaces(client, world, who)
    if who in ("curator", "superuser"):  # the admin answers them: its lists really are checked
        assert surfaces["admin notes"].status_code == 200
        assert surfaces["admin briefs"].status_code == 200
        assert surfaces["admin note"].status_code in (302, 404)  # "does not exist" redirect
    for name, response in surfaces.items():
        text = _text(response)
        for secret in SECRETS:
            if not (secret == TAG and name in ECHO_TAG):
                assert secret not in text, (who, name, secret)
        assert f"annotation-{note.pk}" not in text, (who, name)
        assert f"note-{reply.pk}" not in text, (who, name)
        assert response.status_code in (200, 302, 404), (who, name, response.status_code)
        if name not in ("brief page", "site search", "admin briefs"):
            assert QUOTE not in text, (who, name)
    page = _text(client.get(world["brief"].get_absolute_url()))
    assert "No notes on this brief yet." in page, who
    api = client.get("/api/annotations/").json()
    assert api["total"] == 0, who
    assert client.get("/api/search/").json()["partOf"]["total"] == 0, who
    assert client.get(f"/api/annotations/{note.pk}/").status_code == 404, who
    assert client.get(world["group"].get_absolute_url()).status_code in (302, 404), who


def test_group_note_reaches_every_member_surface(world):
    """The positive control: the same surfaces do show the note to a member."""
    client = _client(world, "member")
    surfaces = {name: _text(r) for name, r in _surfaces(client, world, "member").items()}
    for name in (
        "brief page",
        "mine of group",
        "mine by tag",
        "export md",
        "export jsonld",
        "api list",
        "api list of brief",
        "api detail",
        "api search",
        "api search group",
        "api search text",
        "api search tag",
        "group page",
    ):
        assert NOTE in surfaces[name], name
    assert REPLY in surfaces["brief page"]
    assert REPLY in surfaces["api search replies"]
    member_key = Membership.objects.get(user=world["member"], group=world["group"]).feed_key
    feed = Client().get(f"/annotations/groups/{world['group'].slug}/feed/{member_key}/")
    assert feed.status_code == 200 and NOTE in _text(feed)
    assert "private" in feed["Cache-Control"]


def test_leaving_takes_effect_on_the_next_request(world):
    client = _client(world, "member")
    key = Membership.objects.get(user=world["member"], group=world["group"]).feed_key
    assert NOTE in _text(client.get(world["brief"].get_absolute_url()))
    group_leave(group=world["group"], by=world["member"])
    assert NOTE not in _text(client.get(world["brief"].get_absolute_url()))
    assert client.get(f"/api/annotations/{world['note'].pk}/").status_code == 404
    feed = Client().get(f"/annotations/groups/{world['group'].slug}/feed/{key}/")
    assert feed.status_code == 404


def test_group_notes_change_no_public_page_etag_or_cached_byte(world, client):
    """An anonymous reader's pages, feeds and their validators are the same bytes whether
    or not the group writes: group notes never reach the page cache or a public ETag."""
    brief = world["brief"]
    urls = [
        brief.get_absolute_url(),
        "/annotations/",
        "/annotations/feed/",
        f"/briefs/{brief.slug}/annotations/feed/",
        f"/annotations/tags/{TAG}/feed/",
        "/api/annotations/",
    ]

    def snapshot():
        answers = {}
        for url in urls:
            response = client.get(url)
            answers[url] = (response.content, response.get("ETag"), response.get("Last-Modified"))
        return answers

    before = snapshot()
    note = make_annotation(
        brief, world["member"], "storage rules", note=NOTE, visibility="group",
        group=world["group"],
    )
    annotation_reply(parent=note, by=world["owner"], note=REPLY)
    from django.core.cache import caches

    for cache in caches.all():  # not served from the cache: rendered afresh, still the same
        cache.clear()
    assert snapshot() == before


def test_database_refuses_group_note_without_group_and_group_on_other_notes(world):
    from django.db import IntegrityError, transaction

    note = world["note"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.filter(pk=note.pk).update(group=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.filter(pk=note.pk).update(visibility="public")


def test_a_note_cannot_be_put_in_a_group_one_is_not_in(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make_annotation(
            world["brief"], world["former"], QUOTE, visibility="group", group=world["group"]
        )


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_cannot_reply_flag_hide_or_join_a_group_note_blind(world, who):
    """Writes answer like for a missing note (404 or a login redirect) and change nothing."""
    client = _client(world, who)
    note = world["note"]
    for action in ("reply", "flag", "hide", "flags/clear"):
        response = client.post(f"/annotations/{note.pk}/{action}/", {"note": "x", "reason": "y"})
        assert response.status_code in (302, 404), (who, action)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), (who, action)
    assert not note.flags.exists() and note.replies.count() == 1
    note.refresh_from_db()
    assert not note.hidden
    response = client.post(
        "/api/annotations/",
        data={"motivation": "replying", "bodyValue": "x",
              "target": f"http://testserver/api/annotations/{note.pk}/"},
        content_type="application/json",
    )
    assert response.status_code in (400, 401, 403), who
    assert NOTE not in response.content.decode()
    assert note.replies.count() == 1


def _public_versions(brief):
    """The cache versions of every public key a note on ``brief`` could touch, and the
    archive counter row (its change time dates the feeds)."""
    from django.db import connection

    from briefs import cache_keys
    from core.cache import ANY, versions

    keys = [ANY, cache_keys.NOTES, cache_keys.BRIEFS, cache_keys.brief(brief.pk)]
    if brief.story_id:
        keys.append(cache_keys.story(brief.story_id))
    with connection.cursor() as cursor:
        cursor.execute("SELECT n, changed_at FROM briefs_archive_version WHERE id = 1")
        counter = cursor.fetchone()
    return versions(keys), counter


def test_group_notes_and_replies_bump_no_public_cache_version(world):
    """Writing, editing, replying to and deleting group notes moves no public key, nor
    the archive counter: no public page goes stale, no feed's Last-Modified moves."""
    brief = world["brief"]
    make_story(briefs=[brief], title="Harvest", curator_fixed=False)
    before = _public_versions(brief)
    note = make_annotation(
        brief, world["member"], QUOTE, note=NOTE, visibility="group", group=world["group"]
    )
    reply = annotation_reply(parent=note, by=world["owner"], note=REPLY)
    Annotation.objects.filter(pk=note.pk).update(note="Edited in the group")
    reply.delete()
    note.delete()
    Annotation.objects.filter(pk=world["note"].pk).update(note="Owner's edit")
    assert _public_versions(brief) == before


def test_a_groups_address_tells_nobody_that_another_group_of_that_name_exists(db):
    # Numbered slugs ("reading-circle-2") told the second creator that a private group
    # of the same name existed. Every group's slug carries a random suffix instead.
    first = group_create(by=make_user(), name="Reading Circle")
    second = group_create(by=make_user(), name="Reading Circle")
    lone = group_create(by=make_user(), name="Chess Club")
    expected = ((first, "reading-circle"), (second, "reading-circle"), (lone, "chess-club"))
    for group, base in expected:
        stem, _, suffix = group.slug.rpartition("-")
        assert stem == base and len(suffix) == 8
    assert first.slug != second.slug
    assert group_create(by=make_user(), name="Ωμέγα").slug.startswith("group-")


def test_the_last_owner_hands_the_group_over_and_leaves(db):
    # Before, the owner was told to make another member an owner, with no way to do it.
    owner, member, stranger = make_user(), make_user(), make_user()
    group = group_create(by=owner, name="Harbour Watch")
    group_join(invite_key=group.invite_key, by=member)
    owner_client, member_client = Client(), Client()
    owner_client.force_login(owner)
    member_client.force_login(member)
    left = owner_client.post(f"/annotations/groups/{group.slug}/leave/", follow=True)
    assert "Make another member an owner" in left.content.decode()
    page = owner_client.get(group.get_absolute_url()).content.decode()
    assert f"/annotations/groups/{group.slug}/members/{member.pk}/owner/" in page
    # Only an owner may promote, and only a member.
    member_client.post(f"/annotations/groups/{group.slug}/members/{member.pk}/owner/")
    assert not Membership.objects.get(group=group, user=member).is_owner
    owner_client.post(f"/annotations/groups/{group.slug}/members/{stranger.pk}/owner/")
    assert not Membership.objects.filter(group=group, user=stranger).exists()
    owner_client.post(f"/annotations/groups/{group.slug}/members/{member.pk}/owner/")
    assert Membership.objects.get(group=group, user=member).is_owner
    owner_client.post(f"/annotations/groups/{group.slug}/leave/")
    assert list(group.memberships.values_list("user", flat=True)) == [member.pk]


def test_a_reader_who_left_a_group_adds_nothing_members_see(db):
    from django.core.exceptions import PermissionDenied

    from annotations.services import annotation_delete, annotation_update
    from tests.factories import make_annotation as annotate

    owner, leaver = make_user(), make_user()
    group = group_create(by=owner, name="Harbour Watch")
    group_join(invite_key=group.invite_key, by=leaver)
    brief = make_brief("Harbour", body="Eleven tugs waited at the lock.")
    own = annotate(brief, leaver, "Eleven tugs", visibility="group", group=group, note="Mine")
    members = annotate(brief, owner, "the lock", visibility="group", group=group, note="Ours")
    group_leave(group=group, by=leaver)
    for parent in (own, members):
        with pytest.raises(PermissionDenied):
            annotation_reply(parent=parent, by=leaver, note="after leaving")
    with pytest.raises(PermissionDenied):
        annotation_update(annotation=own, by=leaver, note="changed after leaving")
    own.refresh_from_db()
    assert own.note == "Mine" and not Annotation.objects.filter(parent__isnull=False).exists()
    client = Client(enforce_csrf_checks=False)
    client.force_login(leaver)
    reply = {
        "@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
        "motivation": "replying", "body": {"type": "TextualBody", "value": "through the API"},
        "target": f"http://testserver/api/annotations/{members.pk}/",
    }
    response = client.post("/api/annotations/", data=reply, content_type="application/ld+json")
    assert response.status_code in (400, 403, 404)
    assert not Annotation.objects.filter(parent__isnull=False).exists()
    annotation_delete(annotation=own, by=leaver)  # deleting stays possible
    assert not Annotation.objects.filter(pk=own.pk).exists()


def test_no_owner_removes_another_owner(db):
    from django.core.exceptions import PermissionDenied

    creator, promoted = make_user(), make_user()
    group = group_create(by=creator, name="Harbour Watch")
    group_join(invite_key=group.invite_key, by=promoted)
    from annotations.groups import group_make_owner

    group_make_owner(group=group, user=promoted, by=creator)
    with pytest.raises(PermissionDenied, match="An owner cannot be removed"):
        group_remove_member(group=group, user=creator, by=promoted)
    assert Membership.objects.get(group=group, user=creator).is_owner


def test_a_leavers_old_group_note_offers_delete_not_edit_or_reply(db):
    owner, leaver = make_user(), make_user()
    group = group_create(by=owner, name="Harbour Watch")
    group_join(invite_key=group.invite_key, by=leaver)
    brief = make_brief("Harbour", body="Eleven tugs waited at the lock.")
    from tests.factories import make_annotation as annotate

    annotate(brief, leaver, "Eleven tugs", visibility="group", group=group, note="Mine")
    client = Client()
    client.force_login(leaver)
    before = client.get(brief.get_absolute_url()).content.decode()
    assert 'data-action="edit"' in before and 'class="reply-form"' in before
    group_leave(group=group, by=leaver)
    after = client.get(brief.get_absolute_url()).content.decode()
    assert 'data-action="edit"' not in after and 'data-action="delete"' in after
    assert 'class="reply-form"' not in after
