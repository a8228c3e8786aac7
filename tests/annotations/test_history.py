"""What readers do that curators need to see later is in the admin history: who joined,
left or was removed from a group, who made or revoked an API token. Notes are not logged
(their own rows and the moderation history say who wrote and who hid them)."""

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

from annotations.groups import group_leave, group_remove_member
from annotations.models import NoteSettings
from annotations.tokens import api_token_revoke
from tests.factories import (
    make_annotation,
    make_api_token,
    make_brief,
    make_group,
    make_user,
)

pytestmark = pytest.mark.django_db


def history(obj, pk=None):
    rows = LogEntry.objects.filter(
        object_id=str(pk or obj.pk), content_type__model=obj._meta.model_name
    )
    return list(rows.order_by("pk").values_list("user__username", "action_flag", "change_message"))


def test_group_membership_changes_are_recorded_on_the_group():
    owner, member, removed = make_user("owner"), make_user("member"), make_user("removed")
    group = make_group(owner, members=[member, removed])
    group_remove_member(group=group, user=removed, by=owner)
    group_leave(group=group, by=member)
    group_leave(group=group, by=owner)
    assert history(group) == [
        ("owner", ADDITION, "Created by owner."),
        ("member", CHANGE, "member joined."),
        ("removed", CHANGE, "removed joined."),
        ("owner", CHANGE, "removed removed."),
        ("member", CHANGE, "member left."),
        ("owner", CHANGE, "owner left. No members are left: the invite link was replaced."),
    ]


def test_joining_twice_records_one_join():
    member = make_user("member")
    group = make_group(members=[member, member])
    assert [message for *_, message in history(group)].count("member joined.") == 1


def test_a_token_is_recorded_when_made_and_when_revoked():
    reader = make_user("reader")
    token, _ = make_api_token(reader, read_only=True)
    pk = token.pk
    api_token_revoke(token=token, by=reader)
    assert history(token, pk) == [
        ("reader", ADDITION, "Created (read-only)."),
        ("reader", DELETION, "Revoked."),
    ]


def test_writing_a_note_and_saving_note_settings_log_nothing(client):
    reader = make_user()
    make_annotation(make_brief(), reader, visibility="public", note="Worth a look")
    client.force_login(reader)
    client.post("/annotations/account/", {})
    assert NoteSettings.objects.get(user=reader).reply_mail is False
    assert not LogEntry.objects.exists()
