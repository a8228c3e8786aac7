"""Invalidation touches only what changed (issue 14): per-entity version keys kept by triggers.

Each test warms some pages, makes one change through the ordinary write path (a service,
``save()``, a bulk ``update()``), then checks which pages are rebuilt (they show the
change) and which are still answered from the cache (``_from_reader_cache``).
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db.models import Count

from annotations.models import Annotation
from briefs.models import Brief, TaggedBrief, Topic, TopicBriefCount
from briefs.services.briefs import brief_update, briefs_remove_topics, briefs_set_status
from briefs.services.topics import topic_merge, topic_rename
from core.cache import ALL, versions
from tests.factories import make_annotation, make_brief, make_source, make_topic, make_user

BODY = "Gallium exports fell sharply in June.\n\nOfficials blamed new licence rules."


def day(month, number=1):
    return dt.datetime(2025, month, number, 12, tzinfo=dt.timezone.utc)


@pytest.fixture
def archive(db):
    """Two briefs on separate topics, sources and months, and a third topic nobody shares."""
    rare, chips, other = make_topic("Rare Earths"), make_topic("Semiconductors"), make_topic("Ports")
    wire, desk = make_source("Wire Desk"), make_source("City Desk")
    a = make_brief("Gallium Curbs", topics=[rare], source=wire, body=BODY, published_at=day(3))
    b = make_brief("Fab Opens", topics=[chips], source=desk, body=BODY, published_at=day(5))
    c = make_brief("Quay Extended", topics=[other], source=desk, body=BODY, published_at=day(5, 9))
    return {"a": a, "b": b, "c": c, "rare": rare, "chips": chips, "other": other,
            "wire": wire, "desk": desk}


def warm(client, *urls):
    """Request each page twice: the second answer must come from the page cache."""
    for url in urls:
        assert client.get(url).status_code == 200
        assert cached(client, url), url


def cached(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return getattr(response, "_from_reader_cache", False)


def test_a_note_on_one_brief_leaves_other_briefs_and_topic_pages_cached(client, archive):
    a, b = archive["a"], archive["c"]  # not "b": its page links to "a" as its neighbour
    warm(client, a.get_absolute_url(), b.get_absolute_url(), "/", "/topics/rare-earths/",
         "/topics/semiconductors/", "/sources/wire-desk/", "/archive/2025/03/")
    make_annotation(a, make_user("annotator"), "Gallium", visibility="public",
                    note="Licence rules matter")
    assert b"Licence rules matter" in client.get(a.get_absolute_url()).content
    for url in (b.get_absolute_url(), "/", "/topics/rare-earths/", "/topics/semiconductors/",
                "/sources/wire-desk/", "/archive/2025/03/"):
        assert cached(client, url), url


def test_a_note_refreshes_the_note_lists_and_feeds_it_appears_in(client, archive):
    a = archive["a"]
    feed = f"/briefs/{a.slug}/annotations/feed/"
    other_feed = f"/briefs/{archive['b'].slug}/annotations/feed/"
    warm(client, "/annotations/", "/annotations/feed/", feed, other_feed, "/api/annotations/")
    make_annotation(a, make_user("annotator"), "Gallium", visibility="public",
                    note="Licence rules matter")
    for url in ("/annotations/", "/annotations/feed/", feed):
        assert b"Licence rules matter" in client.get(url).content, url
    assert client.get("/api/annotations/").json()["total"] == 1
    assert cached(client, other_feed)


def test_a_private_note_bumps_nothing(client, archive):
    before = versions(["any", "notes", f"brief:{archive['a'].pk}"])
    make_annotation(archive["a"], make_user(), "Gallium", visibility="private")
    assert versions(["any", "notes", f"brief:{archive['a'].pk}"]) == before


def test_a_brief_edit_refreshes_its_page_topics_source_month_and_the_lists(client, archive):
    a = archive["a"]
    own = ["/", "/topics/rare-earths/", "/sources/wire-desk/", "/archive/2025/03/",
           "/archive/2025/", "/feed/", "/topics/rare-earths/feed/", "/search/?q=gallium"]
    # "c" (not "b", whose page links to "a" as its older neighbour).
    others = [archive["c"].get_absolute_url(), "/topics/semiconductors/", "/sources/city-desk/",
              "/archive/2025/05/", "/topics/semiconductors/feed/"]
    warm(client, a.get_absolute_url(), *own, *others)
    a.title = "Gallium Curbs Eased"
    brief_update(brief=a)
    for url in [a.get_absolute_url(), *own]:
        assert b"Gallium Curbs Eased" in client.get(url).content, url
    for url in others:
        assert cached(client, url), url


def test_moving_a_brief_to_another_month_and_source_refreshes_both(client, archive):
    a = archive["a"]
    warm(client, "/archive/2025/03/", "/archive/2025/05/", "/sources/wire-desk/",
         "/sources/city-desk/")
    Brief.objects.filter(pk=a.pk).update(published_at=day(5, 2), source=archive["desk"])
    assert b"Gallium Curbs" not in client.get("/archive/2025/05/").content.split(b"<main")[0]
    assert b"Gallium Curbs" in client.get("/archive/2025/05/").content
    assert b"Gallium Curbs" in client.get("/sources/city-desk/").content
    assert b"Gallium Curbs" not in client.get("/sources/wire-desk/").content
    assert client.get("/archive/2025/03/").status_code == 404


def test_a_new_topic_link_refreshes_the_topic_and_the_brief(client, archive):
    a = archive["a"]
    warm(client, a.get_absolute_url(), "/topics/ports/", "/topics/semiconductors/")
    a.topics.add(archive["other"])
    assert b"Gallium Curbs" in client.get("/topics/ports/").content
    assert b'href="/topics/ports/"' in client.get(a.get_absolute_url()).content
    assert cached(client, "/topics/semiconductors/")


def test_a_topic_rename_refreshes_the_pages_that_show_it(client, archive):
    a = archive["a"]
    warm(client, a.get_absolute_url(), "/", "/topics/", "/topics/semiconductors/")
    topic_rename(topic=archive["rare"], name="Critical Minerals")
    for url in (a.get_absolute_url(), "/", "/topics/"):
        assert b"Critical Minerals" in client.get(url).content, url
    assert b"Critical Minerals" in client.get("/topics/critical-minerals/").content


def test_a_bulk_topic_rename_without_the_service_still_refreshes(client, archive):
    a = archive["a"]
    warm(client, a.get_absolute_url())
    Topic.objects.filter(pk=archive["rare"].pk).update(name="Critical Minerals")
    assert b"Critical Minerals" in client.get(a.get_absolute_url()).content


def test_a_source_rename_refreshes_the_pages_that_show_it(client, archive):
    a = archive["a"]
    warm(client, a.get_absolute_url(), "/topics/rare-earths/")
    archive["wire"].name = "Evening Wire"
    archive["wire"].save()
    for url in (a.get_absolute_url(), "/topics/rare-earths/"):
        assert b"Evening Wire" in client.get(url).content, url


def test_a_bulk_load_marks_every_page_stale(client, archive):
    from django.db import connection

    warm(client, "/topics/semiconductors/")
    with connection.cursor() as cursor:  # what bench/make_data.py does after COPY
        cursor.execute(
            "INSERT INTO briefs_cache_version (key, n) VALUES (%s, 1) "
            "ON CONFLICT(key) DO UPDATE SET n = briefs_cache_version.n + 1", [ALL]
        )
    assert not cached(client, "/topics/semiconductors/")


# The stampede guard: one request rebuilds a stale page, the others get the old copy -----


def test_while_one_worker_rebuilds_a_stale_page_others_get_the_previous_copy(client, archive):
    url = "/topics/rare-earths/"
    warm(client, url)
    key = next(k for k in _page_keys() if k.endswith(":h"))[: -len(":h")]
    make_brief("Fresh Arrival", topics=[archive["rare"]])
    assert cache.add(key + ":lock", 1, 10)  # another worker holds the rebuild lock
    stale = client.get(url)
    assert getattr(stale, "_from_reader_cache", False)
    assert b"Fresh Arrival" not in stale.content and b"Gallium Curbs" in stale.content
    cache.delete(key + ":lock")  # that worker is done, or its lock expired
    fresh = client.get(url)
    assert b"Fresh Arrival" in fresh.content
    assert cache.get(key + ":lock") is None  # the rebuilding request let go of it
    assert cached(client, url)


def test_the_first_request_after_a_change_takes_the_lock_and_rebuilds(client, archive):
    url = archive["a"].get_absolute_url()
    warm(client, url)
    make_annotation(archive["a"], make_user(), "Gallium", visibility="public", note="Seen it")
    response = client.get(url)
    assert not getattr(response, "_from_reader_cache", False)
    assert b"Seen it" in response.content


def _page_keys():
    from django.core.cache import caches

    store = caches["default"]  # local memory in tests: its keys can be listed
    return [key.split(":", 2)[2] for key in store._cache if ":page:" in key]


# Topic brief counts kept by the database -------------------------------------------------


def aggregate_counts():
    return dict(
        TaggedBrief.objects.filter(content_object__status=Brief.Status.PUBLISHED)
        .values_list("tag").annotate(n=Count("pk")).values_list("tag", "n")
    )


def stored_counts():
    return {row.topic_id: row.n for row in TopicBriefCount.objects.all() if row.n}


def test_topic_counts_follow_links_status_merges_and_deletes(archive):
    a, b, c = archive["a"], archive["b"], archive["c"]
    assert stored_counts() == aggregate_counts() == {
        archive["rare"].pk: 1, archive["chips"].pk: 1, archive["other"].pk: 1}
    b.topics.add(archive["rare"], archive["other"])
    make_brief("A draft", topics=[archive["rare"]], status=Brief.Status.DRAFT)
    assert stored_counts() == aggregate_counts()
    briefs_set_status(briefs=Brief.objects.filter(pk__in=[a.pk, c.pk]), status="draft")
    assert stored_counts() == aggregate_counts()
    Brief.objects.filter(pk=a.pk).update(status="published")
    briefs_remove_topics(briefs=Brief.objects.filter(pk=b.pk), topics=[archive["chips"]])
    assert stored_counts() == aggregate_counts()
    topic_merge(keep=archive["rare"], merge=[archive["other"]])
    assert stored_counts() == aggregate_counts()
    Brief.objects.filter(pk=b.pk).delete()
    archive["chips"].delete()
    assert stored_counts() == aggregate_counts()
    assert set(TopicBriefCount.objects.values_list("topic", flat=True)) <= set(
        Topic.objects.values_list("pk", flat=True))


def test_topic_lists_read_the_counts_table_not_the_links(client, archive, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_brief("Second Rare", topics=[archive["rare"]])
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/topics/?sort=count").content.decode()
    assert page.index("Rare Earths") < page.index("Semiconductors")
    assert not any("briefs_taggedbrief" in q["sql"] for q in queries.captured_queries)
    assert "2 briefs" in page


def test_annotations_bump_only_when_public(archive):
    reader = make_user()
    key = f"brief:{archive['a'].pk}"
    before = versions([key])[key]
    note = make_annotation(archive["a"], reader, "Gallium", visibility="public")
    assert versions([key])[key] > before
    after = versions([key])[key]
    Annotation.objects.filter(pk=note.pk).update(hidden=True)
    assert versions([key])[key] > after


@pytest.mark.parametrize("slugs", ["rare-earths", "rare-earths+semiconductors", "café-ü", "a_b"])
def test_topic_urls_are_what_reverse_gives(slugs):
    from django.urls import reverse

    from briefs.models import topic_url

    assert topic_url(slugs) == reverse("briefs:topic-detail", kwargs={"slugs": slugs})


def test_related_briefs_come_from_the_rarest_topics_within_a_bound(client, archive, settings):
    from briefs import querysets

    common = make_topic("Everywhere")
    for n in range(4):
        make_brief(f"Common {n}", topics=[common])
    a = archive["a"]
    a.topics.add(common)
    twin = make_brief("Twin", topics=[archive["rare"], common])
    related = list(Brief.objects.published().related_to(a))
    assert related[0] == twin  # shares both topics, found through the rare one
    original = querysets.RELATED_CANDIDATES
    querysets.RELATED_CANDIDATES = 1
    try:
        assert list(Brief.objects.published().related_to(a)) == [twin]
    finally:
        querysets.RELATED_CANDIDATES = original


def _archive_counter():
    """``(n, changed_at)`` of the archive counter row (briefs migration 0012)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT n, changed_at FROM briefs_archive_version WHERE id = 1")
        return cursor.fetchone()


def test_every_public_bump_moves_the_archive_change_time_forward(archive):
    """Feeds date themselves by the counter row's change time: a per-key bump moves it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE briefs_archive_version SET changed_at = changed_at - 3600")
    n, changed = _archive_counter()
    make_annotation(archive["a"], make_user(), "Gallium", visibility="public")
    assert _archive_counter()[0] > n and _archive_counter()[1] > changed
    n, changed = _archive_counter()
    make_annotation(archive["a"], make_user(), "Gallium")  # private: nothing moves
    assert _archive_counter() == (n, changed)
    Topic.objects.filter(pk=archive["other"].pk).update(name="Harbours")
    assert _archive_counter()[0] > n


def test_a_renamed_author_refreshes_the_pages_showing_their_notes_only(client, archive):
    author = make_user("grace")
    make_annotation(archive["a"], author, "Gallium", note="Check the licence data.",
                    visibility="public")
    a_page, c_page = archive["a"].get_absolute_url(), archive["c"].get_absolute_url()
    warm(client, a_page, c_page, "/annotations/", "/annotations/feed/")
    key = f"brief:{archive['c'].pk}"
    before = versions([key])[key]
    author.username = "grace-hopper"
    author.save()
    assert versions([key])[key] == before  # no note of theirs on c (nor on its neighbour b)
    assert cached(client, c_page)
    for url in (a_page, "/annotations/", "/annotations/feed/"):
        response = client.get(url)
        assert not getattr(response, "_from_reader_cache", False), url
        assert b"grace-hopper" in response.content, url


def test_story_keys_follow_the_story_its_versions_and_their_public_notes(client, archive):
    from briefs.models import Story
    from tests.factories import make_story

    story = make_story(briefs=[archive["a"], archive["b"]], title="Chip and metal curbs")
    story_page = story.get_absolute_url()
    c_page = archive["c"].get_absolute_url()
    warm(client, story_page, "/stories/", "/stories/feed/", f"{story_page}feed/", c_page)
    make_annotation(archive["a"], make_user(), "Gallium", note="Story-wide note",
                    visibility="public")
    assert b"Story-wide note" in client.get(story_page).content
    assert cached(client, c_page) and cached(client, "/stories/")
    warm(client, story_page)
    Story.objects.filter(pk=story.pk).update(title="Curbs on chips and metals")
    for url in (story_page, "/stories/", "/stories/feed/", f"{story_page}feed/"):
        assert b"Curbs on chips and metals" in client.get(url).content, url
    assert cached(client, c_page)
    warm(client, story_page, "/", c_page)
    Brief.objects.filter(pk=archive["c"].pk).update(story=story)  # a third version joins
    assert b"Quay Extended" in client.get(story_page).content
    assert not getattr(client.get("/"), "_from_reader_cache", False)
