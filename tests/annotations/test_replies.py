"""Replies: threads under a note on the brief page and in the API, the deleted placeholder,
and the mail to the note's author (with its opt-out)."""

import json

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from annotations.groups import group_create, group_join
from annotations.models import Annotation, NoteSettings
from annotations.services import annotation_delete, annotation_reply, annotation_update
from tests.annotations.w3c import assert_conforms
from tests.factories import make_annotation, make_brief, make_user

pytestmark = pytest.mark.django_db

BODY = "The ferry to the island was cancelled.\n\nStorms are expected until Friday."
QUOTE = "ferry to the island"


@pytest.fixture
def thread(db):
    author = make_user(email="author@example.org")
    brief = make_brief("Ferry cancelled", body=BODY)
    note = make_annotation(brief, author, QUOTE, note="Third time this month", visibility="public")
    return brief, author, note


def test_reply_threads_under_its_note_and_mails_the_author(client, thread, django_capture_on_commit_callbacks):
    brief, author, note = thread
    replier = make_user()
    client.force_login(replier)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/annotations/{note.pk}/reply/", {"note": "Fourth, actually"})
    assert response.status_code == 302
    reply = Annotation.objects.get(parent=note)
    assert (reply.visibility, reply.group, reply.exact, reply.start, reply.end) == (
        "public", None, "", 0, 0,
    )
    page = BeautifulSoup(client.get(brief.get_absolute_url()).content, "html.parser")
    thread_html = page.find(id=f"note-{note.pk}")
    assert "Fourth, actually" in thread_html.select_one(".note-replies").get_text()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["author@example.org"]
    assert "Fourth, actually" in message.body and replier.username in message.body
    assert f"http://testserver{brief.get_absolute_url()}#note-{note.pk}" in message.body


def test_reply_mail_opt_out_is_kept_on_the_account_page(client, thread, django_capture_on_commit_callbacks):
    brief, author, note = thread
    client.force_login(author)
    client.post("/annotations/account/", {})  # the box unticked
    assert NoteSettings.objects.get(user=author).reply_mail is False
    assert 'name="reply_mail" value="1" checked' not in client.get("/annotations/account/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        annotation_reply(parent=note, by=make_user(), note="Quiet please")
    assert mail.outbox == []
    client.post("/annotations/account/", {"reply_mail": "1"})
    with django_capture_on_commit_callbacks(execute=True):
        annotation_reply(parent=note, by=make_user(), note="Loud again")
    assert len(mail.outbox) == 1


def test_no_mail_for_replying_to_oneself(thread, django_capture_on_commit_callbacks):
    _, author, note = thread
    with django_capture_on_commit_callbacks(execute=True):
        annotation_reply(parent=note, by=author, note="Adding to my own note")
    assert mail.outbox == []


def test_private_notes_take_no_replies(thread):
    brief, author, _ = thread
    private = make_annotation(brief, author, "Storms", note="mine")
    with pytest.raises(PermissionDenied):
        annotation_reply(parent=private, by=author, note="hello")
    with pytest.raises(PermissionDenied):
        annotation_reply(parent=private, by=make_user(), note="hello")


def test_reply_to_a_group_note_stays_in_the_group_however_its_note_changes(client, thread):
    # The member wrote for the group: the note's author cannot make that reply public
    # (nor move it elsewhere) by widening the note's audience.
    brief, author, _ = thread
    group = group_create(by=author, name="Islanders")
    member = make_user()
    group_join(invite_key=group.invite_key, by=member)
    note = make_annotation(brief, author, "Storms", note="g", visibility="group", group=group)
    reply = annotation_reply(parent=note, by=member, note="only for the islanders")
    assert (reply.visibility, reply.group) == ("group", group)
    for visibility in ("public", "private"):
        with pytest.raises(ValidationError, match="Other readers have replied"):
            annotation_update(annotation=note, by=author, visibility=visibility)
    note.refresh_from_db()
    reply.refresh_from_db()
    assert (note.visibility, reply.visibility, reply.group) == ("group", "group", group)
    assert "only for the islanders" not in client.get(brief.get_absolute_url()).content.decode()
    assert client.get(f"/api/annotations/{reply.pk}/").status_code == 404
    annotation_update(annotation=note, by=author, note="g, edited")  # the text still may
    note.refresh_from_db()
    assert note.note == "g, edited"


def test_a_public_note_with_others_replies_keeps_its_audience_too(thread):
    brief, author, note = thread  # public
    reply = annotation_reply(parent=note, by=make_user(), note="said in public")
    with pytest.raises(ValidationError, match="Other readers have replied"):
        annotation_update(annotation=note, by=author, visibility="private")
    reply.refresh_from_db()
    assert reply.visibility == "public"


def test_a_note_with_only_its_authors_replies_takes_them_along(thread):
    brief, author, _ = thread
    group = group_create(by=author, name="Just me")
    note = make_annotation(brief, author, "Storms", note="mine", visibility="group", group=group)
    reply = annotation_reply(parent=note, by=author, note="a thought more")
    annotation_update(annotation=note, by=author, visibility="public")
    reply.refresh_from_db()
    assert (reply.visibility, reply.group) == ("public", None)


def test_the_api_refuses_to_widen_a_note_others_replied_to(thread):
    brief, author, note = thread
    annotation_reply(parent=note, by=make_user(), note="said in public")
    client = Client()
    client.force_login(author)
    response = client.patch(
        f"/api/annotations/{note.pk}/", {"visibility": "private"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "Other readers have replied" in response.json()["error"]


def test_deleting_a_note_with_replies_leaves_a_placeholder(client, thread):
    brief, author, note = thread
    other = make_user()
    reply = annotation_reply(parent=note, by=other, note="Still worth reading")
    annotation_delete(annotation=note, by=author)
    note.refresh_from_db()
    assert note.is_deleted and note.note == ""
    page = client.get(brief.get_absolute_url()).content.decode()
    assert "This note was deleted by its author." in page
    assert "Still worth reading" in page
    assert "Third time this month" not in page
    annotation_delete(annotation=reply, by=other)  # the last reply goes: so does the placeholder
    assert not Annotation.objects.exists()


def test_a_deleted_note_kept_for_its_replies_is_no_longer_its_authors(client, thread):
    # Kept only to hold its thread: no text, no tags, no highlight, and nothing ties it to
    # the reader who deleted it (their page, feeds, the API's user and tag searches).
    brief, author, note = thread
    note_tags = ["ferries"]
    annotation_update(annotation=note, by=author, tags=note_tags)
    make_annotation(brief, author, "Storms", note="Another of mine", visibility="public")
    annotation_reply(parent=note, by=make_user(), note="Still worth reading")
    annotation_delete(annotation=note, by=author)
    note.refresh_from_db()
    assert note.user.get_username() == "(deleted)" and not note.user.is_active
    assert list(note.tags.all()) == []
    page = client.get(brief.get_absolute_url()).content.decode()
    assert "Still worth reading" in page and f'data-annotation="{note.pk}">' not in page
    name = author.get_username()
    for url in (f"/users/{name}/", f"/users/{name}/feed/", "/annotations/tags/ferries/feed/"):
        assert "Third time this month" not in client.get(url).content.decode()
    mine = client.get(f"/api/search/?user={name}").json()["items"]
    assert [item["bodyValue"] if "bodyValue" in item else item.get("body") for item in mine]
    assert all(item["id"].rstrip("/").rsplit("/", 1)[-1] != str(note.pk) for item in mine)
    assert client.get("/api/search/?tag=ferries").json()["partOf"]["total"] == 0
    assert client.get("/users/(deleted)/").status_code == 404


def test_api_reply_conforms_to_w3c_and_threads_in_the_detail(thread):
    brief, author, note = thread
    client = Client()
    client.force_login(make_user())
    # Session writes need the CSRF header only with enforce_csrf_checks; the default client skips.
    response = client.post(
        "/api/annotations/",
        data=json.dumps(
            {
                "@context": "http://www.w3.org/ns/anno.jsonld",
                "type": "Annotation",
                "motivation": "replying",
                "body": {"type": "TextualBody", "value": "Confirmed by the port", "purpose": "replying"},
                "target": f"http://testserver/api/annotations/{note.pk}/",
            }
        ),
        content_type="application/ld+json",
    )
    assert response.status_code == 201, response.content
    reply = response.json()
    assert reply["motivation"] == "replying"
    assert reply["target"] == f"http://testserver/api/annotations/{note.pk}/"
    assert reply["body"]["purpose"] == "replying"
    assert_conforms(reply)
    detail = client.get(f"/api/annotations/{note.pk}/").json()
    assert [r["id"] for r in detail["replies"]] == [reply["id"]]
    assert_conforms(detail)


def test_api_refuses_a_reply_to_an_unseen_note(thread):
    brief, author, _ = thread
    private = make_annotation(brief, author, "Storms", note="mine")
    client = Client()
    client.force_login(make_user())
    response = client.post(
        "/api/annotations/",
        data=json.dumps({"motivation": "replying", "bodyValue": "hi",
                         "target": f"http://testserver/api/annotations/{private.pk}/"}),
        content_type="application/ld+json",
    )
    assert response.status_code == 400
    assert not Annotation.objects.filter(parent=private).exists()


@pytest.mark.parametrize("count", [1, 20])
def test_brief_page_with_threads_tags_and_groups_keeps_its_query_count(
    client, count, django_assert_max_num_queries
):
    owner, member = make_user(), make_user()
    group = group_create(by=owner, name="Ferry users")
    group_join(invite_key=group.invite_key, by=member)
    brief = make_brief(body=BODY)
    for index in range(count):
        note = make_annotation(
            brief, owner, "Storms", note=f"n{index}", visibility="group", group=group,
            tags=[f"tag{index}", "ferry"],
        )
        annotation_reply(parent=note, by=member, note=f"r{index}")
    client.force_login(member)
    client.get(brief.get_absolute_url())
    with django_assert_max_num_queries(14):
        response = client.get(brief.get_absolute_url())
    page = response.content.decode()
    assert page.count('class="note note-reply') == count
    assert "tag0" in page


def test_my_notes_of_a_group_and_recent_by_tag_keep_their_query_counts(
    client, django_assert_max_num_queries
):
    owner = make_user()
    group = group_create(by=owner, name="Ferry users")
    brief = make_brief(body=BODY)
    for index in range(10):
        make_annotation(brief, owner, "Storms", note=f"n{index}", visibility="group",
                        group=group, tags=["ferry"])
        make_annotation(brief, owner, "ferry", note=f"p{index}", visibility="public", tags=["ferry"])
    with django_assert_max_num_queries(8):
        assert client.get("/annotations/", {"tag": "ferry"}).status_code == 200
    client.force_login(owner)
    with django_assert_max_num_queries(12):
        assert client.get("/annotations/mine/", {"group": group.slug}).status_code == 200


def test_lists_of_notes_show_a_reply_as_a_link_to_its_thread(client, thread):
    brief, author, note = thread
    reply = annotation_reply(parent=note, by=make_user(), note="Said in the thread")
    for url in ("/annotations/", f"/users/{reply.user.get_username()}/"):
        page = BeautifulSoup(client.get(url).content, "html5lib")
        item = next(li for li in page.select(".annotation-item") if "Said in the thread" in li.text)
        link = item.select_one("a")
        assert link.get_text() == "Reply in a thread"
        assert link["href"] == f"{brief.get_absolute_url()}#note-{note.pk}"
    annotation_delete(annotation=note, by=author)
    page = client.get("/annotations/").content.decode()
    assert "A deleted note" in page and "This note was deleted by its author." in page


def test_a_note_whose_replies_are_all_its_authors_goes_with_them(thread):
    # A placeholder would still show the author's own replies under it, under their name.
    brief, author, note = thread
    annotation_reply(parent=note, by=author, note="My own follow-up")
    annotation_delete(annotation=note, by=author)
    assert not Annotation.objects.exists()
