"""Cached reads (core/cache.py) never outlive the data: each kind of change invalidates them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from briefs.models import Brief, Source, Topic
from core.cache import archive_version
from tests.factories import make_annotation, make_brief, make_source, make_topic, make_user

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
    return make_annotation(brief, user, "Gallium", **fields)


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


# Whole pages for signed-out readers (ReaderPageCacheMiddleware) -------------------------


def queries_for(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


@pytest.mark.parametrize(
    "url",
    ["/", "/topics/rare-earths/", "/feed/", "/topics/rare-earths/feed/", "/search/?q=gallium"],
)
def test_a_warm_public_page_costs_one_counter_read(client, archive, url):
    first, _ = queries_for(client, url)
    again, count = queries_for(client, url)
    assert count == 1  # the archive counter; the page itself comes from the cache
    assert again.status_code == 200 and again.content == first.content


def test_a_new_brief_shows_on_cached_whole_pages_right_after_it_is_saved(client, archive):
    urls = ["/", "/topics/rare-earths/", "/feed/", "/topics/rare-earths/feed/"]
    for url in urls:  # twice: the second answer is the cached page
        warm(client, url, url)
    make_brief("Fresh Arrival", topics=[archive["topic"]])
    for url in urls:
        assert b"Fresh Arrival" in client.get(url).content, url


def test_a_public_annotation_shows_on_the_cached_brief_page(client, archive):
    brief = archive["briefs"][0]
    url = brief.get_absolute_url()
    warm(client, url, url)
    note(brief, make_user("annotator"), visibility="public", note="Licence rules matter")
    assert b"Licence rules matter" in client.get(url).content
    note(brief, make_user("secretive"), visibility="private", note="Only mine")
    assert b"Only mine" not in client.get(url).content


def test_signed_in_readers_never_get_a_cached_page(client, archive):
    reader = make_user("reader")
    warm(client, "/", "/")  # cached for signed-out readers
    client.force_login(reader)
    page = client.get("/").content
    assert b"Log out" in page and b"csrfmiddlewaretoken" in page
    client.logout()
    assert b"Log out" not in client.get("/").content


def test_a_signed_in_readers_page_is_never_stored(client, archive):
    brief = archive["briefs"][0]
    reader = make_user("reader")
    note(brief, reader, visibility="private", note="My private thought")
    client.force_login(reader)
    assert b"My private thought" in client.get(brief.get_absolute_url()).content
    client.logout()
    page = client.get(brief.get_absolute_url()).content
    assert b"My private thought" not in page and b"Log out" not in page


def test_a_response_that_sets_a_cookie_is_never_stored(client, db, settings):
    settings.READER_PAGE_CACHE = {"login": ()}  # a page that renders a CSRF token
    assert client.get("/accounts/login/").cookies.get("csrftoken")
    client.cookies.clear()
    assert client.get("/accounts/login/").cookies.get("csrftoken")  # rendered again, not cached


def test_a_reader_with_a_message_waiting_is_not_served_a_cached_page(client, archive):
    warm(client, "/", "/")
    assert getattr(client.get("/"), "_from_reader_cache", False)
    client.cookies["messages"] = "pending"  # a message is meant for this one reader
    assert not getattr(client.get("/"), "_from_reader_cache", False)


def test_cached_pages_keep_the_security_headers(client, archive):
    warm(client, "/")
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_a_feed_repoll_is_answered_304_from_the_cache(client, archive):
    etag = client.get("/topics/rare-earths/feed/")["ETag"]
    response, count = queries_for(client, "/topics/rare-earths/feed/", if_none_match=etag)
    assert response.status_code == 304 and count == 1
    assert response["ETag"] == etag and response["Cache-Control"] == "public, max-age=300"


def test_a_poller_that_only_asks_conditionally_is_answered_from_the_cache(client, archive):
    etag = client.get("/feed/")["ETag"]
    from django.core.cache import cache

    cache.clear()  # as if the page had been evicted: only conditional requests from now on
    assert client.get("/feed/", headers={"If-None-Match": etag}).status_code == 304
    response, count = queries_for(client, "/feed/", if_none_match=etag)
    assert response.status_code == 304 and count == 1
    # A plain request still gets the whole feed, not the remembered 304.
    full = client.get("/feed/")
    assert full.status_code == 200 and full.content
