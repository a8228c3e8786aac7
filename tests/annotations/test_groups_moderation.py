"""Group pages (create, invite, join, renew, remove, leave, feed) and moderation (flags,
curators' flagged-first admin, group owners hiding notes in their group)."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.admin.models import LogEntry
from django.test import Client

from annotations.groups import group_create, group_join
from annotations.models import Flag, Group, Membership
from config.limits import GROUP_DESCRIPTION_MAX_LENGTH, GROUP_NAME_MAX_LENGTH
from tests.conftest import read_feed
from tests.factories import make_annotation, make_brief, make_user

pytestmark = pytest.mark.django_db

BODY = "The school term starts in September.\n\nTeachers want smaller classes."


def _soup(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.parametrize(
    ("name", "description", "problem"),
    [
        ("n" * (GROUP_NAME_MAX_LENGTH + 1), "", f"name has at most {GROUP_NAME_MAX_LENGTH}"),
        ("Readers", "d" * (GROUP_DESCRIPTION_MAX_LENGTH + 1), "description has at most"),
    ],
    ids=["name", "description"],
)
def test_too_long_group_name_or_description_is_refused_not_cut(
    client, user, name, description, problem
):
    client.force_login(user)
    response = client.post("/annotations/groups/", {"name": name, "description": description})
    assert response.status_code == 200
    assert problem in _soup(response).find(class_="form-errors").get_text()
    assert not Group.objects.exists()


def test_group_name_and_description_at_their_limits_are_kept_whole(client, user):
    client.force_login(user)
    name, description = "n" * GROUP_NAME_MAX_LENGTH, "d" * GROUP_DESCRIPTION_MAX_LENGTH
    client.post("/annotations/groups/", {"name": name, "description": description})
    group = Group.objects.get()
    assert (group.name, group.description) == (name, description)


def test_a_reader_creates_a_group_and_invites_by_a_renewable_link(client, user, other_user):
    client.force_login(user)
    response = client.post("/annotations/groups/", {"name": "Parents' circle", "description": "x"})
    group = Group.objects.get()
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    assert Membership.objects.get(group=group).role == "owner"
    invite = _soup(client.get(group.get_absolute_url())).find(attrs={"aria-label": "Invite link"})["value"]

    guest = Client()
    guest.force_login(other_user)
    assert "Join the group" in guest.get(invite).content.decode()
    assert guest.get(group.get_absolute_url()).status_code == 404  # not before joining
    guest.post(invite)
    assert guest.get(group.get_absolute_url()).status_code == 200

    client.post(f"/annotations/groups/{group.slug}/invite/renew/")
    assert Client().get(invite).status_code == 302  # login first
    late = Client()
    late.force_login(make_user())
    assert late.get(invite).status_code == 404  # the old link is dead
    assert late.post(invite).status_code == 404


def test_owner_removes_a_member_and_a_member_leaves(client, user, other_user):
    group = group_create(by=user, name="Teachers")
    group_join(invite_key=group.invite_key, by=other_user)
    third = make_user()
    group_join(invite_key=group.invite_key, by=third)
    client.force_login(user)
    client.post(f"/annotations/groups/{group.slug}/members/{other_user.pk}/remove/")
    assert not Membership.objects.filter(user=other_user).exists()
    member = Client()
    member.force_login(third)
    member.post(f"/annotations/groups/{group.slug}/leave/")
    assert not Membership.objects.filter(user=third).exists()
    outsider = Client()
    outsider.force_login(third)  # no longer a member: cannot remove anyone
    assert outsider.post(f"/annotations/groups/{group.slug}/members/{user.pk}/remove/").status_code == 404


def test_group_feed_parses_and_renewing_kills_the_old_address(client, user):
    group = group_create(by=user, name="Teachers")
    brief = make_brief(body=BODY)
    make_annotation(brief, user, "smaller classes", note="Class sizes", visibility="group", group=group)
    old = Membership.objects.get(user=user).feed_key
    feed = read_feed(Client(), f"/annotations/groups/{group.slug}/feed/{old}/")
    assert "Class sizes" in feed.entries[0].summary
    client.force_login(user)
    client.post(f"/annotations/groups/{group.slug}/feed/renew/")
    assert Client().get(f"/annotations/groups/{group.slug}/feed/{old}/").status_code == 404


def test_group_page_query_count_is_pinned(client, user, django_assert_max_num_queries):
    group = group_create(by=user, name="Teachers")
    brief = make_brief(body=BODY)
    for _ in range(5):
        make_annotation(brief, user, "Teachers", note="n", visibility="group", group=group, tags=["t"])
    client.force_login(user)
    with django_assert_max_num_queries(12):
        assert client.get(group.get_absolute_url()).status_code == 200


def test_readers_flag_notes_and_curators_see_flagged_first(curator_client, user):
    brief = make_brief(body=BODY)
    calm = make_annotation(brief, user, "school term", note="calm", visibility="public")
    rude = make_annotation(brief, user, "Teachers", note="rude words", visibility="public")
    make_annotation(brief, make_user(), "September", note="newest", visibility="public")
    flagger = make_user()
    client = Client()
    client.force_login(flagger)
    client.post(f"/annotations/{rude.pk}/flag/", {"reason": "insults"})
    assert Flag.objects.get().reason == "insults"
    second = Client()
    second.force_login(make_user())
    second.post(f"/annotations/{rude.pk}/flag/")  # two flags: first in the list
    assert client.post(f"/annotations/{calm.pk}/flag/").status_code == 302
    private = make_annotation(brief, flagger, "smaller", note="mine")
    client.post(f"/annotations/{private.pk}/flag/")
    assert not Flag.objects.filter(annotation=private).exists()

    listing = curator_client.get("/admin/annotations/annotation/")
    rows = _soup(listing).select("#result_list tbody tr")
    labels = [row.select_one("th").get_text() for row in rows][:2]
    assert labels[0].startswith(f"“{rude.exact}”") and labels[1].startswith(f"“{calm.exact}”")
    assert "insults" in curator_client.get(f"/admin/annotations/annotation/{rude.pk}/change/").content.decode()
    curator_client.post(
        "/admin/annotations/annotation/",
        {"action": "clear_flags", "_selected_action": [calm.pk]},
    )
    curator_client.post(
        "/admin/annotations/annotation/", {"action": "hide", "_selected_action": [rude.pk]}
    )
    assert set(Flag.objects.values_list("annotation", flat=True)) == {rude.pk}
    rude.refresh_from_db()
    assert rude.hidden


def test_group_owner_hides_a_note_in_the_group_and_a_member_cannot(client, user, other_user):
    group = group_create(by=user, name="Teachers")
    group_join(invite_key=group.invite_key, by=other_user)
    brief = make_brief(body=BODY)
    note = make_annotation(brief, other_user, "Teachers", note="off topic", visibility="group", group=group)
    mine = make_annotation(brief, user, "school", note="owner's", visibility="group", group=group)
    member = Client()
    member.force_login(other_user)
    member.post(f"/annotations/{mine.pk}/hide/")
    mine.refresh_from_db()
    assert not mine.hidden
    client.force_login(user)
    client.post(f"/annotations/{note.pk}/hide/")
    note.refresh_from_db()
    assert note.hidden
    assert LogEntry.objects.filter(object_id=str(note.pk)).exists()
    assert "off topic" not in client.get(brief.get_absolute_url()).content.decode()
    assert "hidden by the group’s owner" in member.get(brief.get_absolute_url()).content.decode()


def test_group_owner_sees_flagged_group_notes_and_clears_or_hides_them(client, user, other_user):
    group = group_create(by=user, name="Teachers")
    group_join(invite_key=group.invite_key, by=other_user)
    brief = make_brief(body=BODY)
    fine = make_annotation(brief, other_user, "Teachers", note="fine note", visibility="group", group=group)
    rude = make_annotation(brief, other_user, "school", note="rude note", visibility="group", group=group)
    client.force_login(user)
    client.post(f"/annotations/{fine.pk}/flag/", {"reason": "unsure"})
    client.post(f"/annotations/{rude.pk}/flag/", {"reason": "insulting"})
    section = _soup(client.get(group.get_absolute_url())).select_one(".flagged-notes").get_text()
    assert "insulting" in section and "rude note" in section and "fine note" in section

    member = Client()
    member.force_login(other_user)
    assert _soup(member.get(group.get_absolute_url())).select_one(".flagged-notes") is None
    member.post(f"/annotations/{fine.pk}/flags/clear/")
    assert Flag.objects.filter(annotation=fine).exists()  # only the owner may

    client.post(f"/annotations/{fine.pk}/flags/clear/")
    client.post(f"/annotations/{rude.pk}/hide/")
    assert not Flag.objects.filter(annotation=fine).exists()
    rude.refresh_from_db()
    assert rude.hidden
    assert _soup(client.get(group.get_absolute_url())).select_one(".flagged-notes") is None


@pytest.mark.parametrize("name", ["مرحبا", "日本語", "Пример", "!!!"])
def test_a_group_named_in_any_script_is_created_with_a_working_address(client, user, name):
    client.force_login(user)
    response = client.post("/annotations/groups/", {"name": name, "description": ""})
    group = Group.objects.get()
    assert group.name == name
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    page = client.get(group.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("created") == 1  # the confirmation is shown once, not twice
