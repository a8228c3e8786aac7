"""Topic pages read the topic timeline the database keeps, and lists the month counts
(issue 14, briefs migration 0015).

``briefs_topic_timeline`` holds a row per topic link of a published brief, keyed for
date order: what a topic page pages through (however deep), counts by month and samples
for "narrow down". The database's triggers keep it, whatever does the write, so these
tests compare it with what the links and briefs say after every kind of write, and check
that the pages built on it list exactly the briefs they did before. The month counts
(``briefs_month_brief_count``) likewise, for the home page's count and the archive.
"""

import datetime as dt

import pytest

from briefs.backup import refill_derived
from briefs.models import Brief, MonthBriefCount, TaggedBrief, TopicTimeline
from briefs.services.batch import briefs_import_texts
from briefs.services.briefs import (
    brief_update,
    briefs_add_topics,
    briefs_remove_topics,
    briefs_set_status,
)
from briefs.services.topics import topic_merge
from config.limits import BRIEF_LIST_PAGE_SIZE
from tests.briefs.test_import_batch import article
from tests.factories import make_brief, make_topic

pytestmark = pytest.mark.django_db


def moment(month, day=1, hour=12):
    return dt.datetime(2025, month, day, hour, tzinfo=dt.timezone.utc)


def expected_rows():
    """What the timeline must hold, from the links and briefs themselves."""
    return {
        (link.tag_id, dt.date(b.published_at.year, b.published_at.month, 1),
         b.published_at, b.pk)
        for link in TaggedBrief.objects.select_related("content_object")
        for b in [link.content_object]
        if b.status == Brief.Status.PUBLISHED and b.published_at is not None
    }


def stored_rows():
    return set(
        TopicTimeline.objects.values_list("topic_id", "month", "published_at", "brief_id")
    )


def expected_months():
    return sorted(Brief.objects.published().month_counts(), reverse=True)


def consistent():
    """The timeline and the month counts say what the links and briefs say."""
    assert MonthBriefCount.objects.month_counts() == expected_months()
    return stored_rows() == expected_rows()


def test_the_timeline_follows_links_status_dates_merges_and_deletes():
    rare, chips = make_topic("Rare Earths"), make_topic("Semiconductors")
    ports = make_topic("Ports")
    a = make_brief("Gallium Curbs", topics=[rare, chips], published_at=moment(3))
    b = make_brief("Fab Opens", topics=[chips], published_at=moment(5))
    draft = make_brief("Quay Draft", topics=[ports], status=Brief.Status.DRAFT)
    assert consistent() and len(stored_rows()) == 3

    briefs_add_topics(briefs=Brief.objects.filter(pk=b.pk), topics=[rare, ports])
    assert consistent()
    briefs_set_status(briefs=Brief.objects.filter(pk=draft.pk), status="published")
    assert consistent()
    briefs_set_status(briefs=Brief.objects.filter(pk=a.pk), status="draft")
    assert consistent()
    assert not TopicTimeline.objects.filter(brief_id=a.pk).exists()
    Brief.objects.filter(pk=a.pk).update(status="published")  # a bulk update, no service
    assert consistent()

    b.published_at = moment(8, 20)  # re-dated into another month
    brief_update(brief=b, changed_fields=["published_at"])
    assert consistent()
    assert set(TopicTimeline.objects.filter(brief_id=b.pk).values_list("month", flat=True)) == {
        dt.date(2025, 8, 1)}
    Brief.objects.filter(pk=b.pk).update(title="Fab Opens Early")  # text only: rows stay
    assert consistent()

    briefs_remove_topics(briefs=Brief.objects.filter(pk=b.pk), topics=[chips])
    assert consistent()
    topic_merge(keep=rare, merge=[ports])  # links move to the kept topic
    assert consistent()
    assert not TopicTimeline.objects.filter(topic_id=ports.pk).exists()
    Brief.objects.filter(pk=a.pk).delete()
    chips.delete()
    assert consistent()
    assert stored_rows()  # something is left to compare


def test_a_batch_import_fills_the_timeline_and_a_refill_rebuilds_it():
    results = list(briefs_import_texts(texts=[article(n) for n in range(1, 6)]))
    assert all(result.brief for result in results)
    assert len(stored_rows()) == 10  # five briefs, two topics each
    assert consistent()
    TopicTimeline.objects.all().delete()
    MonthBriefCount.objects.all().delete()
    refill_derived()  # what a restore and a bulk load do
    assert consistent() and len(stored_rows()) == 10
    assert MonthBriefCount.objects.total() == 5


@pytest.fixture
def shelf():
    """Rare Earths on 49 briefs over three months, Semiconductors on every third of the
    first 47 (all of them in March), a draft and a brief of another topic in between."""
    rare, chips = make_topic("Rare Earths"), make_topic("Semiconductors")
    other = make_topic("Ports")
    briefs = []
    for n in range(47):
        topics = [rare, chips] if n % 3 == 0 else [rare]
        when = moment(3 + n % 3, 1 + n % 27, n % 24)
        briefs.append(make_brief(f"Shelf Brief {n:02d}", topics=topics, published_at=when))
    make_brief("Unseen Draft", topics=[rare, chips], status=Brief.Status.DRAFT)
    make_brief("Elsewhere", topics=[other], published_at=moment(4, 2))
    # Two briefs at the same moment: the larger id comes first, as in every brief list.
    twins = [make_brief(f"Twin {n}", topics=[rare], published_at=moment(5, 28, 9)) for n in (1, 2)]
    return {"rare": rare, "chips": chips, "briefs": briefs + twins}


def titles_on(client, url):
    from bs4 import BeautifulSoup

    response = client.get(url)
    assert response.status_code == 200, url
    return [h.get_text(strip=True) for h in BeautifulSoup(response.content, "html.parser")
            .select(".card-title") if h.get_text(strip=True).startswith(("Shelf", "Twin"))]


def newest_first(briefs):
    return [b.title for b in sorted(briefs, key=lambda b: (b.published_at, b.pk), reverse=True)]


def test_topic_pages_list_every_brief_of_the_selection_newest_first_page_by_page(client, shelf):
    expected = newest_first(shelf["briefs"])
    listed = []
    for page in (1, 2, 3):
        listed += titles_on(client, f"/topics/rare-earths/?page={page}&versions=all")
    assert listed == expected and len(expected) > 2 * BRIEF_LIST_PAGE_SIZE
    assert client.get("/topics/rare-earths/?page=4").status_code == 404

    both = newest_first([b for b in shelf["briefs"]
                         if shelf["chips"] in b.topics.all() and b.title.startswith("Shelf")])
    assert titles_on(client, "/topics/rare-earths+semiconductors/?versions=all") == both
    april = newest_first([b for b in shelf["briefs"] if b.published_at.month == 4])
    assert titles_on(client, "/topics/rare-earths/?month=2025-04&versions=all") == april


def test_topic_pages_count_months_and_narrow_down_from_the_timeline(client, shelf):
    page = client.get("/topics/rare-earths/").content.decode()
    assert "March 2025 to May 2025: 49 in all, most in May 2025 (17)" in page
    assert TopicTimeline.objects.carrying([shelf["rare"]]).month_counts() == [
        (dt.date(2025, 5, 1), 17), (dt.date(2025, 4, 1), 16), (dt.date(2025, 3, 1), 16)]
    combination = client.get("/topics/rare-earths+semiconductors/").content.decode()
    assert ": 16 in all, most in March 2025 (16)" in combination
    assert "Page 1 of" not in combination  # 16 briefs: one page
    assert TopicTimeline.objects.carrying([shelf["rare"], shelf["chips"]]).month_counts() == [
        (dt.date(2025, 3, 1), 16)]  # every third brief: all in March
    # Narrow down offers the co-topic of the newest briefs, leading to the combination.
    assert 'href="/topics/rare-earths+semiconductors/"' in page
    assert "Page 1 of 3" in page


def test_a_deep_topic_page_costs_the_same_queries_as_the_first(
    client, shelf, django_assert_max_num_queries
):
    from django.core.cache import cache

    for page in (1, 3):
        cache.clear()
        with django_assert_max_num_queries(7):
            assert client.get(f"/topics/rare-earths/?page={page}").status_code == 200


def test_home_and_archive_pages_count_from_the_month_counts(client, shelf):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        home = client.get("/?page=2").content.decode()
        archive = client.get("/archive/").content.decode()
        april = client.get("/archive/2025/04/?page=1").content.decode()
    assert "Page 2 of 3" in home  # 50 published briefs, 20 a page
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not any("briefs_brief" in sql.split("FROM", 1)[1][:40] for sql in counts), counts
    for month, count in (("March", 16), ("April", 17), ("May", 17)):
        assert f'{month} <span class="count">{count}</span>' in archive
    assert client.get("/archive/2025/06/").status_code == 404  # no briefs that month
    assert "Page 1 of" not in april  # 17 briefs in April: one page
    assert MonthBriefCount.objects.between(dt.date(2025, 4, 1), dt.date(2025, 5, 1)).total() == 17


def test_month_counts_of_one_two_and_three_topics_match_the_aggregate_over_briefs():
    """The timeline's month counts, plain and merged (read in key order, so PostgreSQL
    merges the topics' rows), say what counting the published briefs that carry every
    topic says."""
    rare, chips, ports = make_topic("Rare Earths"), make_topic("Semiconductors"), make_topic("Ports")
    for n in range(30):
        topics = [rare] + ([chips] if n % 2 else []) + ([ports] if n % 3 == 0 else [])
        make_brief(f"Brief {n}", topics=topics, published_at=moment(1 + n % 7, 1 + n % 28, n % 24))
    make_brief("Draft", topics=[rare, chips, ports], status=Brief.Status.DRAFT)
    # The last moment of a UTC month and the first of the next, for all three topics.
    make_brief("Year's end", topics=[rare, chips, ports],
               published_at=dt.datetime(2024, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc))
    make_brief("New year", topics=[rare, chips, ports],
               published_at=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc))
    lonely = make_topic("Lonely")
    make_brief("Alone", topics=[lonely], published_at=moment(2))

    for topics in ([rare], [rare, chips], [chips, rare], [rare, ports], [rare, chips, ports],
                   [lonely, rare]):
        rows = TopicTimeline.objects.carrying(topics)
        expected = Brief.objects.published().with_topics(topics).month_counts()
        assert rows.month_counts() == expected, topics
        assert rows.merged_month_counts() == expected, topics
        assert all(isinstance(month, dt.date) for month, _ in rows.merged_month_counts())
    assert TopicTimeline.objects.carrying([lonely, rare]).merged_month_counts() == []
    assert TopicTimeline.objects.none().merged_month_counts() == []
    assert TopicTimeline.objects.carrying([rare, chips, ports]).merged_month_counts()[-2:] == [
        (dt.date(2025, 1, 1), 2), (dt.date(2024, 12, 1), 1)]


def test_co_topics_count_the_same_topics_as_the_aggregate_most_first_then_by_name():
    from briefs.models import Topic

    rare, chips = make_topic("Rare Earths"), make_topic("Semiconductors")
    # Ports and Copper tie on 2 briefs (name decides), Zinc on 3 leads, Tin on 1 is last.
    zinc, ports, copper, tin = (make_topic(name) for name in ("Zinc", "Ports", "Copper", "Tin"))
    co = {0: [zinc, ports], 1: [zinc, copper], 2: [zinc, ports, copper], 3: [tin], 4: []}
    briefs = [make_brief(f"Brief {n}", topics=[rare, chips, *extra], published_at=moment(3, 1 + n))
              for n, extra in co.items()]
    make_brief("Draft", topics=[tin], status=Brief.Status.DRAFT)
    sample = Brief.objects.filter(pk__in=[b.pk for b in briefs]).values("pk")

    def expected(excluded, limit):
        return [(t.name, t.brief_count) for t in Topic.objects.with_brief_counts(sample)
                .exclude(pk__in=[t.pk for t in excluded]).order_by("-brief_count", "name")[:limit]]

    for excluded, limit in (([rare, chips], 20), ([rare, chips], 3), ([], 20), ([zinc], 2)):
        found = [(t.name, t.brief_count)
                 for t in Topic.objects.co_topics(sample, excluding=excluded, limit=limit)]
        assert found == expected(excluded, limit), (excluded, limit)
    assert found == [("Rare Earths", 5), ("Semiconductors", 5)]
    assert [(t.name, t.brief_count, t.slug) for t in Topic.objects.co_topics(
        sample, excluding=[rare, chips], limit=20)] == [
        ("Zinc", 3, "zinc"), ("Copper", 2, "copper"), ("Ports", 2, "ports"), ("Tin", 1, "tin")]
    assert list(Topic.objects.co_topics(Brief.objects.none(), limit=20)) == []
    assert list(Topic.objects.co_topics(Brief.objects.filter(pk__in=[]), limit=20)) == []
