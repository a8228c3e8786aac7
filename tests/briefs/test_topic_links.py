"""Every way a topic gets onto a brief marks the brief changed and records who did it.

Feed readers re-poll with the validators of their last copy; a topic added by any path
must reach them as a new ``200`` with the new category, never a ``304`` with stale ones.
"""

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry

from briefs.models import Brief, TopicSuggestion
from briefs.services.briefs import briefs_add_topics
from briefs.services.importing import brief_import
from briefs.services.topics import topic_suggestion_accept
from tests.conftest import read_feed
from tests.factories import make_brief, make_topic, make_topic_suggestion

pytestmark = pytest.mark.django_db

FEED = "/feed/"


def _repoll(client, first):
    return client.get(
        FEED,
        headers={"if-none-match": first["ETag"], "if-modified-since": first["Last-Modified"]},
    )


def _brief_with_suggestion():
    brief = make_brief("Dredgers Deepen The Scheldt", topics=["Ports"])
    Brief.objects.filter(pk=brief.pk).update(
        modified_at=dt.datetime(2025, 7, 2, tzinfo=dt.timezone.utc)
    )
    topic = make_topic("Shipping")
    suggestion = make_topic_suggestion(brief=brief, topic=topic)
    return brief, suggestion


def _categories(client):
    return {tag.term for entry in read_feed(client, FEED).entries for tag in entry.tags}


def test_accepted_suggestion_reaches_a_repolling_feed_reader(client, curator):
    brief, suggestion = _brief_with_suggestion()
    first = client.get(FEED)
    assert _repoll(client, first).status_code == 304

    topic_suggestion_accept(suggestion=suggestion, by=curator)

    again = _repoll(client, first)
    assert again.status_code == 200
    assert "Shipping" in _categories(client)
    assert Brief.objects.get(pk=brief.pk).modified_at > dt.datetime(
        2025, 7, 2, tzinfo=dt.timezone.utc
    )
    assert LogEntry.objects.filter(user=curator, object_id=str(brief.pk)).exists()


def test_accepting_a_suggestion_from_the_admin_refreshes_the_feed(curator_client, client):
    brief, suggestion = _brief_with_suggestion()
    first = client.get(FEED)
    curator_client.post(f"/admin/briefs/brief/{brief.pk}/suggestions/{suggestion.pk}/accept/")
    assert _repoll(client, first).status_code == 200


def test_topic_added_in_the_admin_brief_form_refreshes_the_feed_and_history(
    curator_client, client, curator
):
    brief, _ = _brief_with_suggestion()
    shipping = TopicSuggestion.objects.get().topic
    first = client.get(FEED)
    form = curator_client.get(f"/admin/briefs/brief/{brief.pk}/change/")
    assert form.status_code == 200
    data = {
        "title": brief.title, "slug": brief.slug, "status": brief.status, "dek": "",
        "body": brief.body, "author": "", "published_at_0": "2025-07-01",
        "published_at_1": "01:00:00", "published_time_known": "on", "image_caption": "",
        "topics": [str(topic.pk) for topic in brief.topics.all()] + [str(shipping.pk)],
        "revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0",
        "revisions-MIN_NUM_FORMS": "0", "revisions-MAX_NUM_FORMS": "1000",
    }
    response = curator_client.post(f"/admin/briefs/brief/{brief.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    assert set(brief.topics.values_list("name", flat=True)) == {"Ports", "Shipping"}
    assert _repoll(client, first).status_code == 200
    assert not TopicSuggestion.objects.filter(status="pending").exists()
    messages = LogEntry.objects.filter(user=curator).values_list("change_message", flat=True)
    assert any("“Shipping”" in message for message in messages)


def test_bulk_add_and_import_refresh_the_feed_alike(client, curator):
    brief, _ = _brief_with_suggestion()
    first = client.get(FEED)
    briefs_add_topics(briefs=[brief], topics=[make_topic("Dredging")], by=curator)
    assert _repoll(client, first).status_code == 200
    assert "Dredging" in _categories(client)
    second = client.get(FEED)
    assert brief_import(raw_text=IMPORTED, by=curator).action == "created"
    assert _repoll(client, second).status_code == 200


IMPORTED = """Barge Operators Add Night Shifts As Water Levels Recover

By Staff Writer

July 3, 2025

Barge operators on the Rhine added night shifts on Thursday as water levels at Kaub rose.

Related Topics

Shipping
Rhine
"""
