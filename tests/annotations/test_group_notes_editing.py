"""Group notes keep their audience through edits; a group nobody is left in admits nobody."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from annotations.groups import group_create, group_join, group_leave, group_remove_member
from annotations.models import Annotation, Group
from annotations.services import annotation_reply
from tests.factories import make_annotation, make_brief, make_user

pytestmark = pytest.mark.django_db

BODY = "The school term starts in September.\n\nTeachers want smaller classes."


def _group_note(owner):
    group = group_create(by=owner, name="Teachers")
    note = make_annotation(
        make_brief(body=BODY), owner, "Teachers", note="draft", visibility="group", group=group
    )
    return group, note


def test_editing_a_group_note_in_my_notes_offers_and_keeps_its_group(client, user):
    group, note = _group_note(user)
    client.force_login(user)
    form = client.get(f"/annotations/mine/{note.pk}/edit/").content.decode()
    assert "The group “Teachers”" in form
    chosen = BeautifulSoup(form, "html.parser").select_one('input[name="visibility"][checked]')
    assert chosen["value"] == "group"
    response = client.post(
        f"/annotations/mine/{note.pk}/edit/", {"note": "typo fixed", "visibility": "group"}
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.note, note.visibility, note.group_id) == ("typo fixed", "group", group.pk)


def test_a_reply_has_no_audience_to_choose_and_the_api_refuses_one(client, user, other_user):
    group, note = _group_note(user)
    group_join(invite_key=group.invite_key, by=other_user)
    reply = annotation_reply(parent=note, by=other_user, note="agreed")
    client.force_login(other_user)
    form = client.get(f"/annotations/mine/{reply.pk}/edit/").content.decode()
    assert 'name="visibility"' not in form
    response = client.patch(
        f"/api/annotations/{reply.pk}/", {"visibility": "public"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "reply" in response.json()["error"].lower()
    reply.refresh_from_db()
    assert reply.visibility == "group"


def test_when_the_last_member_leaves_the_old_invite_link_admits_nobody(user, other_user):
    group, note = _group_note(user)
    group_join(invite_key=group.invite_key, by=other_user)
    old_link = group.invite_key
    group_remove_member(group=group, user=other_user, by=user)
    group_leave(group=group, by=user)
    with pytest.raises(Group.DoesNotExist):
        group_join(invite_key=old_link, by=make_user("stranger"))
    stranger = Client()
    stranger.force_login(make_user("another"))
    stranger.post(f"/annotations/groups/join/{old_link}/")
    assert not group.memberships.exists()
    assert not Annotation.objects.visible_to(make_user("third")).filter(pk=note.pk).exists()
