"""Cached reads (briefs/cache.py) never outlive the data: each kind of change invalidates them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.models import Annotation
from briefs.cache import archive_version
from briefs.models import Brief, Source, Topic
from tests.conftest import make_brief, make_source, make_topic, make_user

BODY = "Gallium exports fell sharply in June.\n\nOfficials blamed new licence rules."


@pytest.fixture
def archive(db):
    topic = make_topic("Rare Earths")
    source = make_source("Wire Desk")
    briefs = [make_brief(f"Story {n}", topics=[topic], source=source, body=BODY) for n in range(3)]
    return {"topic": topic, "source": source, "briefs": briefs}


def warm(client, *urls):
    for url in urls:
        assert client.get(url).status_code == 200


def test_a_new_brief_shows_on_cached_lists_and_feeds(client, archive):
    warm(client, "/", "/topics/rare-earths/", "/feed/")
    make_brief("Fresh Arrival", topics=[archive["topic"]])
    assert b"Fresh Arrival" in client.get("/").content
    assert b"Fresh Arrival" in client.get("/topics/rare-earths/").content
    assert b"Fresh Arrival" in client.get("/feed/").content


def test_an_edited_brief_shows_its_new_title(client, archive):
    warm(client, "/", f"/briefs/{archive['briefs'][1].slug}/")
    brief = archive["briefs"][0]
    brief.title = "Retitled Story"
    brief.save()
    assert b"Retitled Story" in client.get("/").content
    # The related list of another brief is cached too.
    assert b"Retitled Story" in client.get(f"/briefs/{archive['briefs'][1].slug}/").content


def test_a_bulk_update_that_bypasses_signals_still_invalidates(client, archive):
    warm(client, "/")
    Brief.objects.filter(pk=archive["briefs"][0].pk).update(status=Brief.Status.DRAFT)
    assert b"Story 0" not in client.get("/").content


def test_a_renamed_topic_and_source_show_their_new_names(client, archive):
    warm(client, "/")
    Topic.objects.filter(pk=archive["topic"].pk).update(name="Critical Minerals")
    Source.objects.filter(pk=archive["source"].pk).update(name="Evening Wire")
    page = client.get("/").content
    assert b"Critical Minerals" in page and b"Evening Wire" in page


def test_a_new_topic_link_shows_on_the_topic_page(client, archive):
    other = make_brief("Unrelated Until Now")
    warm(client, "/topics/rare-earths/")
    other.topics.add(archive["topic"])
    assert b"Unrelated Until Now" in client.get("/topics/rare-earths/").content


def test_feed_etag_changes_when_the_feed_changes(client, archive):
    etag = client.get("/feed/")["ETag"]
    assert client.get("/feed/", headers={"If-None-Match": etag}).status_code == 304
    make_brief("Later Story")
    response = client.get("/feed/", headers={"If-None-Match": etag})
    assert response.status_code == 200 and b"Later Story" in response.content


def public_total(client):
    return client.get("/api/annotations/").json()["total"]


def note(brief, user, **fields):
    return Annotation.objects.create(
        brief=brief, user=user, exact="Gallium", start=0, end=7, **fields
    )


def test_public_annotation_changes_invalidate_and_private_ones_do_not(client, archive):
    brief, reader = archive["briefs"][0], make_user()
    assert public_total(client) == 0
    before = archive_version()
    private = note(brief, reader, visibility="private")
    assert archive_version() == before  # nothing cached depends on private notes
    public = note(brief, reader, visibility="public")
    assert public_total(client) == 1
    public.hidden = True
    public.save()
    assert public_total(client) == 0
    public.hidden = False
    public.save()
    assert public_total(client) == 1
    private.visibility = "public"
    private.save()
    assert public_total(client) == 2
    public.delete()
    assert public_total(client) == 1


def test_a_warm_page_needs_fewer_queries_than_a_cold_one(client, archive):
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/topics/rare-earths/").status_code == 200
        counts.append(len(queries))
    assert counts[1] < counts[0]
