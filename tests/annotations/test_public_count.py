"""The number of public notes the lists show is kept by the database (annotations 0014),
and it is always the number ``Annotation.objects.public()`` counts, whatever the write."""

import re

import pytest

from annotations.models import Annotation, BriefNoteCount, PublicNote, PublicNoteTotal
from annotations.services import annotation_delete, annotation_hide, annotation_update
from briefs.models import Brief
from briefs.services.briefs import brief_update
from tests.factories import make_annotation, make_brief, make_curator, make_user

pytestmark = pytest.mark.django_db

BODY = (
    "Pilots at the northern lock asked for a second tug.\n\n"
    "The harbour master promised an answer within a week."
)


def kept():
    """The kept total and per-brief counts, as the aggregate over the public rule gives them."""
    return Annotation.objects.public_count(), {
        row.brief_id: row.n for row in BriefNoteCount.objects.all()
    }


def aggregate():
    per_brief = {}
    for brief_id in Annotation.objects.public().values_list("brief_id", flat=True):
        per_brief[brief_id] = per_brief.get(brief_id, 0) + 1
    return Annotation.objects.public().count(), per_brief


def kept_list():
    """The public notes in list order as the database keeps them (annotations 0017)."""
    return [row["id"] for row in PublicNote.objects.newest_ids()]


def listed():
    return list(Annotation.objects.public().values_list("id", flat=True))


def assert_kept():
    assert kept() == aggregate()
    assert kept_list() == listed()


def test_public_count_follows_every_kind_of_write(client):
    alice, bob = make_user(), make_user()
    lock = make_brief("Lock pilots want a tug", body=BODY)
    ferry = make_brief("Ferry cancelled", body=BODY)
    assert kept() == (0, {})
    note = make_annotation(lock, alice, "second tug", visibility="public", note="One")
    make_annotation(lock, bob, "harbour master", visibility="public", note="Two")
    make_annotation(ferry, alice, "second tug", visibility="private", note="Mine")
    other = make_annotation(ferry, bob, "northern lock", visibility="public", note="Three")
    reply = Annotation.objects.create(
        brief=lock, user=bob, parent=note, exact="", start=0, end=0,
        note="A reply", visibility="public",
    )
    assert kept()[0] == 4
    assert_kept()

    annotation_update(annotation=other, by=bob, visibility="private")
    assert_kept()
    annotation_update(annotation=other, by=bob, visibility="public")
    assert_kept()
    annotation_hide(annotation=note, by=make_curator())
    assert kept()[0] == 2  # the note and its reply
    assert_kept()
    Annotation.objects.filter(pk=note.pk).update(hidden=False)
    Annotation.objects.filter(pk=note.pk).update(anchor_status="orphaned")
    assert_kept()
    Annotation.objects.filter(pk=note.pk).update(anchor_status="exact")
    Annotation.objects.filter(pk=other.pk).update(brief=lock)
    assert_kept()

    Brief.objects.filter(pk=lock.pk).update(status=Brief.Status.DRAFT)
    assert kept()[0] == 0
    assert_kept()
    Brief.objects.filter(pk=lock.pk).update(status=Brief.Status.PUBLISHED)
    assert_kept()
    lock.body = "The harbour master promised an answer within a week."
    brief_update(brief=lock, reason="Removed the pilots' request")
    assert_kept()

    annotation_delete(annotation=reply, by=bob)
    assert_kept()
    Annotation.objects.filter(user=alice).delete()
    assert_kept()
    Brief.objects.filter(pk=ferry.pk).delete()
    lock.delete()
    assert kept() == (0, {})


def test_refill_recounts_from_the_notes():
    brief = make_brief("Lock pilots want a tug", body=BODY)
    make_annotation(brief, make_user(), "second tug", visibility="public", note="One")
    PublicNoteTotal.objects.update(n=99)
    BriefNoteCount.objects.all().delete()
    PublicNote.objects.all().delete()
    PublicNoteTotal.refill()
    PublicNote.refill()
    assert kept() == aggregate() == (1, {brief.pk: 1})
    assert kept_list() == listed() != []


def test_public_count_refuses_a_filtered_queryset():
    with pytest.raises(TypeError):
        Annotation.objects.filter(visibility="public").public_count()


def test_note_lists_show_the_kept_total_without_counting_notes(
    client, django_assert_max_num_queries
):
    brief = make_brief("Lock pilots want a tug", body=BODY)
    for word in ("second tug", "harbour master", "northern lock"):
        make_annotation(brief, make_user(), word, visibility="public", note=word)
    make_annotation(brief, make_user(), "second tug", visibility="private", note="secret")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        collection = client.get("/api/annotations/").json()
    assert collection["total"] == 3
    assert len(collection["first"]["items"]) == 3
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/annotations/").content.decode()
    assert "secret" not in page and "harbour master" in page
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_counts_no_public_notes():
    from django.core.management import call_command

    brief = make_brief("Lock pilots want a tug", body=BODY)
    make_annotation(brief, make_user(), "second tug", visibility="public", note="One")
    assert Annotation.objects.public_count() == 1
    call_command("flush", interactive=False, verbosity=0)  # TRUNCATE on PostgreSQL
    assert kept() == (0, {})
    assert kept_list() == []


def test_a_deep_page_of_public_notes_reads_its_ids_from_the_kept_list(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from config.limits import NOTES_PAGE_SIZE

    brief = make_brief("Lock pilots want a tug", body=BODY)
    author = make_user()
    notes = [
        make_annotation(brief, author, "second tug", visibility="public", note=f"Note {n}")
        for n in range(NOTES_PAGE_SIZE + 3)
    ]
    secret = make_annotation(brief, author, "harbour master", visibility="private", note="Mine")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/annotations/?page=2").content.decode()
    # The three oldest, newest first, as the page after the first 30 of the list.
    shown = list(dict.fromkeys(re.findall(r"Note (\d+)\b", page)))
    assert shown == ["2", "1", "0"]
    assert any("annotations_public_note" in q["sql"] for q in queries.captured_queries)
    # The notes themselves are still read through the public rule: a row that should not
    # be in the list (no trigger would put it there) shows nothing more.
    PublicNote.objects.create(id=secret.pk, brief_id=brief.pk, created_at=notes[0].created_at)
    assert "Mine" not in client.get("/annotations/?page=2").content.decode()
