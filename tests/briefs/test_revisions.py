"""A body change, however it is saved, keeps the old text and announces itself."""

import pytest

from briefs.models import Brief, BriefRevision
from briefs.signals import brief_body_changed
from tests.factories import make_brief

pytestmark = pytest.mark.django_db


@pytest.fixture
def announcements():
    received = []

    def receiver(sender, brief, old_body, new_body, **kwargs):
        received.append((brief.pk, old_body, new_body))

    brief_body_changed.connect(receiver)
    yield received
    brief_body_changed.disconnect(receiver)


def test_plain_save_with_new_body_records_revision_and_signals(announcements, user):
    brief = make_brief(body="Old words.")
    brief.body = "New words."
    brief.note_change(by=user, reason="typo")
    brief.save()

    revision = BriefRevision.objects.get()
    assert (revision.body, revision.author, revision.reason) == ("Old words.", user, "typo")
    assert announcements == [(brief.pk, "Old words.", "New words.")]


def test_save_without_body_change_records_nothing(announcements):
    brief = make_brief(body="Same words.")
    brief.title = "Retitled"
    brief.save()

    assert not BriefRevision.objects.exists()
    assert announcements == []


def test_change_on_an_instance_loaded_without_its_body_is_detected(announcements):
    brief = make_brief(body="Before.")
    other = Brief.objects.defer("body").get(pk=brief.pk)
    other.body = "After."
    other.save()

    assert BriefRevision.objects.get().body == "Before."
    assert announcements == [(brief.pk, "Before.", "After.")]


def test_queryset_loaded_brief_compares_with_stored_body(announcements):
    brief = make_brief(body="One.")
    loaded = Brief.objects.get(pk=brief.pk)
    loaded.body = "Two."
    loaded.save()
    loaded.save()  # a second save of the same text is not a change

    assert BriefRevision.objects.count() == 1
    assert len(announcements) == 1
