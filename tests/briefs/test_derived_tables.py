"""The derived tables of briefs migration 0015 hold what the briefs and links say after
every write path a curator, an import or a maintenance command takes, and the pages
built on them list the right briefs and counts.

``briefs_topic_timeline`` (a row per topic link of a published brief) and
``briefs_month_brief_count`` (published briefs per UTC month) are kept by triggers; the
tests below write through the admin, the services, the commands, raw bulk queries and
rolled-back transactions, then compare both tables (and the topic counts of 0013, kept
the same way) with the rows themselves, and read the pages a reader would.
"""

import datetime as dt
import io
import re
from itertools import combinations

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils.timezone import localtime

from briefs.models import (
    Brief,
    MonthBriefCount,
    Source,
    TaggedBrief,
    Topic,
    TopicBriefCount,
    TopicTimeline,
)
from briefs.services.batch import briefs_import_texts
from briefs.services.briefs import brief_set_topics, brief_update, briefs_set_status
from briefs.services.topics import topic_merge, topic_rename
from config.limits import BRIEF_LIST_PAGE_SIZE
from tests.briefs.test_import_batch import article
from tests.factories import make_brief, make_source, make_topic

pytestmark = pytest.mark.django_db

UTC = dt.UTC
BRIEFS = "/admin/briefs/brief/"
TOPICS = "/admin/briefs/topic/"


def at(year, month, day=1, hour=12, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def utc_month(moment):
    moment = moment.astimezone(UTC)
    return dt.date(moment.year, moment.month, 1)


def published_briefs():
    return [b for b in Brief.objects.all() if b.status == Brief.Status.PUBLISHED]


def assert_consistent():
    """Both tables of 0015 (and the topic counts of 0013) equal what the rows say."""
    published = {b.pk: b for b in published_briefs()}
    links = list(TaggedBrief.objects.values_list("tag_id", "content_object_id"))
    expected_rows = {
        (topic, utc_month(published[brief].published_at), published[brief].published_at, brief)
        for topic, brief in links
        if brief in published
    }
    stored = set(TopicTimeline.objects.values_list("topic_id", "month", "published_at", "brief_id"))
    assert stored == expected_rows

    months = {}
    for brief in published.values():
        month = utc_month(brief.published_at)
        months[month] = months.get(month, 0) + 1
    stored_months = dict(MonthBriefCount.objects.values_list("month", "n"))
    assert {m: n for m, n in stored_months.items() if n} == months
    assert all(n >= 0 for n in stored_months.values()), stored_months
    assert MonthBriefCount.objects.total() == len(published)

    per_topic = {}
    for topic, brief in links:
        if brief in published:
            per_topic[topic] = per_topic.get(topic, 0) + 1
    counts = dict(TopicBriefCount.objects.values_list("topic_id", "n"))
    assert {t: n for t, n in counts.items() if n} == per_topic


def card_titles(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return [h.get_text(strip=True)
            for h in BeautifulSoup(response.content, "html.parser").select(".card-title")]


def expected_titles(topics, month=None):
    briefs = Brief.objects.published().with_topics(topics).order_by("-published_at", "-id")
    if month:
        briefs = briefs.in_month(month)
    return list(briefs.values_list("title", flat=True))


def listed_titles(client, url):
    """Every page of a list, page by page, until the last one."""
    titles, page = [], 1
    sep = "&" if "?" in url else "?"
    while True:
        response = client.get(f"{url}{sep}page={page}")
        if response.status_code == 404 and page > 1:
            return titles
        assert response.status_code == 200, f"{url} page {page}"
        found = [h.get_text(strip=True) for h in
                 BeautifulSoup(response.content, "html.parser").select(".card-title")]
        titles += found
        if len(found) < BRIEF_LIST_PAGE_SIZE:
            return titles
        page += 1


def assert_pages_right(client):
    """Topic pages (one, two and three topics, every month slice), the home page's page
    count and the archive's month counts match the briefs themselves."""
    topics = list(Topic.objects.order_by("pk"))
    for size in (1, 2, 3):
        for selection in combinations(topics, size):
            slugs = "+".join(sorted(topic.slug for topic in selection))
            expected = expected_titles(selection)
            if not expected:
                continue
            url = f"/topics/{slugs}/?versions=all"
            assert listed_titles(client, url) == expected, slugs
            for month in {utc_month(b.published_at) for b in Brief.objects.published()
                          .with_topics(selection)}:
                sliced = expected_titles(selection, month)
                assert listed_titles(client, f"{url}&month={month:%Y-%m}") == sliced, (
                    slugs, month)
    published = Brief.objects.published().count()
    home = client.get("/").content.decode()
    pages = max(1, -(-published // BRIEF_LIST_PAGE_SIZE))
    if pages > 1:
        assert f"Page 1 of {pages}" in home
    else:
        assert "Page 1 of" not in home
    archive = client.get("/archive/").content.decode()
    listed = [(name, int(n)) for name, n in re.findall(
        r'>\s*([A-Z][a-z]+)\s*<span class="count">(\d+)</span>', archive)]
    months = {}
    for brief in Brief.objects.published():
        month = utc_month(brief.published_at)
        months[month] = months.get(month, 0) + 1
    assert sorted(listed) == sorted((f"{month:%B}", n) for month, n in months.items())
    for month in months:
        url = f"/archive/{month:%Y/%m}/?versions=all"
        assert listed_titles(client, url) == expected_titles([], month), url


@pytest.fixture
def shelf():
    """Three topics over briefs of three months around a new year, a draft, two sources."""
    rare, chips, ports = make_topic("Rare Earths"), make_topic("Chips"), make_topic("Ports")
    harbour, ledger = make_source("Harbour Post"), make_source("Ledger")
    briefs = {
        "a": make_brief("Alpha", topics=[rare, chips], published_at=at(2024, 12, 31, 23, 30),
                        source=harbour),
        "b": make_brief("Bravo", topics=[chips, ports], published_at=at(2025, 1, 1, 0, 30),
                        source=harbour),
        "c": make_brief("Charlie", topics=[rare, chips, ports], published_at=at(2025, 1, 15),
                        source=ledger),
        "d": make_brief("Delta", topics=[rare], published_at=at(2025, 2, 1), source=ledger),
        "draft": make_brief("Echo Draft", topics=[rare, ports], status=Brief.Status.DRAFT,
                            published_at=at(2025, 1, 20)),
    }
    undated = Brief.objects.create(title="Foxtrot Undated", body="Text.", status="draft")
    undated.topics.add(chips)
    briefs["undated"] = undated
    assert_consistent()
    return {"rare": rare, "chips": chips, "ports": ports, "harbour": harbour,
            "ledger": ledger, **briefs}


# --- services and raw queries ----------------------------------------------------------


def test_redating_across_month_year_and_within_a_month_moves_every_row(shelf, client):
    a = shelf["a"]
    a.published_at = at(2025, 1, 1, 0, 15)  # across the new year, at UTC midnight
    brief_update(brief=a, changed_fields=["published_at"])
    assert_consistent()
    a.published_at = at(2025, 1, 28, 6)  # the same month
    brief_update(brief=a, changed_fields=["published_at"])
    assert_consistent()
    Brief.objects.filter(pk=a.pk).update(published_at=at(2024, 11, 30, 23, 59))
    assert_consistent()
    Brief.objects.filter(pk__in=[shelf["b"].pk, shelf["c"].pk]).update(
        published_at=at(2025, 3, 3))  # two briefs of two months into one: a tie
    assert_consistent()
    assert_pages_right(client)


def test_status_changes_of_drafts_and_undated_briefs(shelf, client):
    briefs_set_status(briefs=Brief.objects.filter(status="draft"), status="published")
    assert_consistent()  # the undated draft stays a draft
    assert Brief.objects.get(pk=shelf["undated"].pk).status == "draft"
    briefs_set_status(briefs=Brief.objects.all(), status="draft")
    assert_consistent()
    assert not TopicTimeline.objects.exists()
    assert MonthBriefCount.objects.total() == 0
    Brief.objects.filter(published_at__isnull=False).update(status="published")
    assert_consistent()
    # A status and a date moved in one statement.
    Brief.objects.filter(pk=shelf["d"].pk).update(status="draft", published_at=at(2026, 5, 5))
    assert_consistent()
    assert_pages_right(client)


def test_topic_links_set_replaced_merged_into_a_topic_the_brief_has_and_deleted(shelf, client):
    c = shelf["c"]
    brief_set_topics(brief=c, topics=[shelf["ports"]])
    assert_consistent()
    # Chips into Rare Earths: Alpha carries both (its Chips link is a duplicate to drop).
    topic_merge(keep=shelf["rare"], merge=[shelf["chips"]])
    assert_consistent()
    assert TopicTimeline.objects.filter(brief=shelf["a"]).count() == 1
    topic_rename(topic=shelf["rare"], name="Rare Earth Metals")
    assert_consistent()
    # A raw move of links onto another topic (no duplicates this time).
    TaggedBrief.objects.filter(content_object=shelf["d"]).update(tag=shelf["ports"])
    assert_consistent()
    TaggedBrief.objects.filter(content_object=shelf["b"]).delete()
    assert_consistent()
    shelf["ports"].delete()
    assert_consistent()
    assert_pages_right(client)


def test_deleting_briefs_sources_and_topics_in_bulk(shelf, client):
    shelf["harbour"].delete()  # its briefs stay, without a source
    assert_consistent()
    Brief.objects.filter(pk__in=[shelf["a"].pk, shelf["draft"].pk]).delete()
    assert_consistent()
    Topic.objects.filter(pk=shelf["chips"].pk).delete()
    assert_consistent()
    Source.objects.all().delete()
    assert_consistent()
    assert_pages_right(client)
    Brief.objects.all().delete()
    assert_consistent()
    assert not TopicTimeline.objects.exists()


def test_a_rolled_back_transaction_leaves_the_tables_as_they_were(shelf):
    before = (set(TopicTimeline.objects.values_list("topic_id", "brief_id")),
              dict(MonthBriefCount.objects.values_list("month", "n")))
    with pytest.raises(RuntimeError), transaction.atomic():
        briefs_set_status(briefs=Brief.objects.all(), status="published")
        Brief.objects.filter(pk=shelf["c"].pk).delete()
        topic_merge(keep=shelf["ports"], merge=[shelf["rare"]])
        raise RuntimeError("curator cancels")
    after = (set(TopicTimeline.objects.values_list("topic_id", "brief_id")),
             dict(MonthBriefCount.objects.values_list("month", "n")))
    assert after == before
    assert_consistent()


def test_imports_single_and_batch_and_the_import_command(tmp_path, client):
    from briefs.services.importing import brief_import

    results = list(briefs_import_texts(texts=[article(n) for n in range(1, 5)]))
    assert all(result.brief for result in results)
    assert_consistent()
    list(briefs_import_texts(texts=[article(n) for n in range(5, 8)], status="draft"))
    assert_consistent()
    list(briefs_import_texts(texts=[article(n) for n in range(12, 14)], dry_run=True))
    brief_import(raw_text=article(14), dry_run=True)
    assert_consistent()  # a dry run writes nothing, derived rows included
    brief_import(raw_text=article(9))
    assert_consistent()
    for n in (10, 11):
        (tmp_path / f"brief{n}.txt").write_text(article(n))
    call_command("import_briefs", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())
    assert_consistent()
    assert Brief.objects.published().count() == 7
    assert_pages_right(client)


def test_a_backup_restore_round_trip_rebuilds_both_tables(shelf, tmp_path, client):
    from tests.briefs.test_backup import _wipe

    path = tmp_path / "archive.jsonl"
    call_command("backup", str(path), stdout=io.StringIO())
    before = (set(TopicTimeline.objects.values_list("topic_id", "month", "brief_id")),
              MonthBriefCount.objects.month_counts())
    _wipe()
    call_command("restore", str(path), stdout=io.StringIO())
    after = (set(TopicTimeline.objects.values_list("topic_id", "month", "brief_id")),
             MonthBriefCount.objects.month_counts())
    assert after == before
    assert_consistent()
    assert_pages_right(client)


# --- the admin --------------------------------------------------------------------------


def run_action(client, url, action, objects, **extra):
    data = {"action": action, "_selected_action": [obj.pk for obj in objects], **extra}
    return client.post(url, data)


def brief_form(brief, **changes):
    when = localtime(changes.pop("published_at", brief.published_at))
    data = {
        "title": brief.title,
        "slug": brief.slug,
        "status": brief.status,
        "dek": "",
        "body": brief.body,
        "source": brief.source_id or "",
        "author": "",
        "published_at_0": when.strftime("%Y-%m-%d"),
        "published_at_1": when.strftime("%H:%M:%S"),
        "published_time_known": "on",
        "image_caption": "",
        "topics": [t.pk for t in brief.topics.all()],
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_the_admin_change_form_actions_merge_and_deletes(shelf, curator_client, admin_client,
                                                        client):
    a, d = shelf["a"], shelf["d"]
    # Re-dated across the new year and re-topiced in one save.
    data = brief_form(a, published_at=at(2025, 2, 2, 3), topics=[shelf["ports"].pk])
    response = curator_client.post(f"{BRIEFS}{a.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert_consistent()
    response = curator_client.post(f"{BRIEFS}{d.pk}/change/", brief_form(d, status="draft"))
    assert response.status_code == 302
    assert_consistent()
    run_action(curator_client, BRIEFS, "publish", [shelf["draft"], shelf["undated"], d])
    assert_consistent()
    run_action(curator_client, BRIEFS, "unpublish", [shelf["b"]])
    assert_consistent()
    run_action(curator_client, BRIEFS, "add_topics", [shelf["b"], shelf["c"], d],
               apply="yes", topics=[shelf["rare"].pk])
    assert_consistent()
    run_action(curator_client, BRIEFS, "remove_topics", [shelf["c"]],
               apply="yes", topics=[shelf["chips"].pk, shelf["ports"].pk])
    assert_consistent()
    response = run_action(curator_client, TOPICS, "merge_topics", [shelf["rare"], shelf["ports"]],
                          apply="yes", keep=shelf["ports"].pk)
    assert response.status_code == 302
    assert_consistent()
    assert_pages_right(client)
    # Deleting is a site administrator's right.
    response = admin_client.post(f"{BRIEFS}{shelf['c'].pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert_consistent()
    run_action(admin_client, BRIEFS, "delete_selected", [shelf["b"], d], post="yes")
    assert_consistent()
    assert not Brief.objects.filter(pk__in=[shelf["b"].pk, d.pk, shelf["c"].pk]).exists()
    response = admin_client.post(f"{TOPICS}{shelf['chips'].pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert_consistent()
    assert not Topic.objects.filter(pk=shelf["chips"].pk).exists()
    assert_pages_right(client)


# --- time zones -------------------------------------------------------------------------


@override_settings(TIME_ZONE="America/New_York")
def test_months_are_utc_months_whatever_the_time_zone(client):
    """A brief of 1 Feb 02:00 UTC (31 Jan in New York) is a February brief everywhere:
    its month count, its topic's February slice and the February archive page."""
    ports = make_topic("Ports")
    early = make_brief("Early February", topics=[ports], published_at=at(2025, 2, 1, 2))
    make_brief("Late January", topics=[ports], published_at=at(2025, 1, 31, 23))
    assert_consistent()
    assert MonthBriefCount.objects.month_counts() == [
        (dt.date(2025, 2, 1), 1), (dt.date(2025, 1, 1), 1)]
    assert card_titles(client, "/topics/ports/?month=2025-02") == ["Early February"]
    assert card_titles(client, "/archive/2025/02/") == ["Early February"]
    assert card_titles(client, "/archive/2025/01/") == ["Late January"]
    assert card_titles(client, "/archive/2025/") == ["Early February", "Late January"]
    assert Brief.objects.published().month_counts() == MonthBriefCount.objects.month_counts()
    sitemap = client.get("/sitemap-archive.xml").content.decode()
    assert "/archive/2025/02/" in sitemap and "/archive/2025/01/" in sitemap
    early.published_at = at(2025, 1, 31, 22)  # a re-date across UTC midnight, not local
    brief_update(brief=early, changed_fields=["published_at"])
    assert_consistent()
    assert client.get("/archive/2025/02/").status_code == 404
    assert card_titles(client, "/archive/2025/01/") == ["Late January", "Early February"]
    assert "/archive/2025/02/" not in client.get("/sitemap-archive.xml").content.decode()


# --- odd input --------------------------------------------------------------------------


@pytest.mark.parametrize("query", [
    "?page=0", "?page=-1", "?page=99999", "?page=999999999999999999999999", "?page=last",
    "?page=abc", "?month=2025-13", "?month=0000-01", "?month=9999-12", "?month=2025-1",
    "?month=2025-00", "?month=%00", "?month=2025-02&page=99999", "?page=1e3",
])
def test_odd_page_and_month_input_is_never_a_server_error(shelf, client, query):
    for path in ("/topics/rare-earths/", "/topics/chips+rare-earths/",
                 "/topics/chips+ports+rare-earths/", "/", "/archive/2025/01/", "/archive/2025/"):
        response = client.get(path + query)
        assert response.status_code < 500, (path, query, response.status_code)


def test_emptying_the_tables_as_a_flush_does_empties_the_derived_tables_too(shelf, client):
    """``flush`` (and a test database's reset) empties tables with TRUNCATE on PostgreSQL,
    which fires no row or statement trigger."""
    from tests.briefs.test_backup import _wipe

    _wipe()
    assert not TopicTimeline.objects.exists()
    assert MonthBriefCount.objects.total() == 0
    assert "Page 1 of" not in client.get("/").content.decode()
    make_brief("After The Flush", topics=[make_topic("Ports")], published_at=at(2025, 3, 1))
    assert MonthBriefCount.objects.month_counts() == [(dt.date(2025, 3, 1), 1)]
    assert TopicTimeline.objects.count() == 1


# --- concurrent writers (PostgreSQL: SQLite has one writer at a time) --------------------


def in_thread(work):
    """Run ``work`` in its own thread and database connection, in one transaction; the
    thread and a ``done`` event, set once it has committed (or failed: ``errors``)."""
    import threading

    from django.db import connection

    done, errors = threading.Event(), []

    def run():
        try:
            with transaction.atomic():
                work()
        except Exception as error:  # noqa: BLE001 (the test reports it)
            errors.append(error)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, done, errors


def race(held, other):
    """``held`` in a transaction kept open while ``other`` starts in another connection
    (and waits on it, or not); then both commit, and neither may have failed."""
    commit = held_open(held)
    thread, done, errors = in_thread(other)
    done.wait(0.5)
    commit()
    thread.join(10)
    assert not errors, errors


def held_open(work):
    """Run ``work`` in a transaction of its own connection and keep it open until the
    returned ``commit`` is called (then wait for the commit)."""
    import threading

    written, release = threading.Event(), threading.Event()

    def hold():
        work()
        written.set()
        release.wait(10)

    thread, _done, errors = in_thread(hold)
    assert written.wait(10), errors

    def commit():
        release.set()
        thread.join(10)
        assert not errors, errors

    return commit


postgres_only = pytest.mark.skipif(
    "not __import__('django.db').db.connection.vendor == 'postgresql'",
    reason="concurrent writers need PostgreSQL",
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_transactions_publishing_briefs_of_one_month_add_up():
    ports = make_topic("Ports")
    one, two = (make_brief(f"Draft {n}", topics=[ports], status="draft",
                           published_at=at(2025, 4, n)) for n in (1, 2))
    commit = held_open(lambda: briefs_set_status(briefs=Brief.objects.filter(pk=one.pk),
                                                 status="published"))
    thread, done, errors = in_thread(
        lambda: briefs_set_status(briefs=Brief.objects.filter(pk=two.pk), status="published"))
    done.wait(0.5)  # the second waits for the month's row
    commit()
    thread.join(10)
    assert not errors, errors
    assert MonthBriefCount.objects.month_counts() == [(dt.date(2025, 4, 1), 2)]
    assert_consistent()


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["publish", "link"])
def test_a_link_added_while_its_brief_is_published_gets_its_row(first):
    """Each writer's trigger reads the other's table: whichever commits first, the one
    that reads must see the other's write, not its snapshot from before it."""
    ports = make_topic("Ports")
    draft = make_brief("Quay Draft", status="draft", published_at=at(2025, 4, 2))

    def publish():
        briefs_set_status(briefs=Brief.objects.filter(pk=draft.pk), status="published")

    def link():
        TaggedBrief.objects.create(content_object_id=draft.pk, tag=ports)

    race(*((publish, link) if first == "publish" else (link, publish)))
    assert_consistent()
    assert TopicTimeline.objects.filter(brief_id=draft.pk, topic=ports).exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["publish", "unlink"])
def test_a_link_removed_while_its_brief_is_published_leaves_no_row(first):
    ports = make_topic("Ports")
    draft = make_brief("Quay Draft", topics=[ports], status="draft", published_at=at(2025, 4, 2))

    def publish():
        briefs_set_status(briefs=Brief.objects.filter(pk=draft.pk), status="published")

    def unlink():
        TaggedBrief.objects.filter(content_object_id=draft.pk).delete()

    race(*((publish, unlink) if first == "publish" else (unlink, publish)))
    assert_consistent()
    assert not TopicTimeline.objects.exists()


def test_an_import_run_whose_preview_corrects_the_date_and_topics(curator_client, client):
    """The admin's import run: the brief is imported, then re-dated into another month
    and re-topiced by the curator's corrections."""
    from tests.briefs.import_pages import preview_of
    from tests.briefs.test_import_runs import article as run_article
    from tests.briefs.test_import_runs import confirm

    preview = preview_of(curator_client, {"text": run_article(day=4), "status": "published"})
    done = confirm(curator_client, preview, date="2025-09-30", time="23:30",
                   topics="Rare Earths\nRefining")
    assert "Imported: 1 new." in done.content.decode()
    brief = Brief.objects.get()
    assert utc_month(brief.published_at) == dt.date(2025, 9, 1)
    assert_consistent()
    assert MonthBriefCount.objects.month_counts() == [(dt.date(2025, 9, 1), 1)]
    assert_pages_right(client)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_transactions_linking_then_touching_one_brief_take_turns_without_a_deadlock():
    """Adding topics links, then touches the brief (``modified_at``): two such
    transactions on one brief, their links added before either touches it, take turns
    rather than deadlock (were the link's lock on its brief a shared one, each touch
    would wait for the other's link)."""
    import threading

    ports, rail = make_topic("Ports"), make_topic("Rail")
    brief = make_brief("Quay", published_at=at(2025, 4, 2))
    linked, touch = threading.Event(), threading.Event()

    def first():
        TaggedBrief.objects.create(content_object_id=brief.pk, tag=ports)
        linked.set()
        touch.wait(10)
        Brief.objects.filter(pk=brief.pk).update(title="Quay, touched first")

    def second():
        linked.wait(10)
        TaggedBrief.objects.create(content_object_id=brief.pk, tag=rail)
        Brief.objects.filter(pk=brief.pk).update(title="Quay, touched second")

    one, _, first_errors = in_thread(first)
    two, second_done, second_errors = in_thread(second)
    assert linked.wait(10)
    second_done.wait(0.5)  # the second link waits for the first transaction
    touch.set()
    one.join(15)
    two.join(15)
    assert not first_errors and not second_errors, (first_errors, second_errors)
    assert_consistent()
    assert TopicTimeline.objects.filter(brief_id=brief.pk).count() == 2


def test_story_actions_leave_the_tables_alone(shelf, curator_client, client):
    """Putting briefs into a story, moving one out and excluding one rewrite briefs'
    story columns only: nothing to add, move or remove."""
    from briefs.models import Story

    story = Story.objects.create(title="Rare earth curbs")
    before = (set(TopicTimeline.objects.values_list("topic_id", "month", "brief_id")),
              MonthBriefCount.objects.month_counts())
    response = run_action(curator_client, BRIEFS, "put_into_story", [shelf["a"], shelf["c"]],
                          apply="yes", story=story.pk)
    assert response.status_code == 302
    assert Brief.objects.filter(story=story).count() == 2
    run_action(curator_client, BRIEFS, "move_out_of_story", [shelf["c"]])
    run_action(curator_client, BRIEFS, "exclude_from_stories", [shelf["d"]])
    assert_consistent()
    assert (set(TopicTimeline.objects.values_list("topic_id", "month", "brief_id")),
            MonthBriefCount.objects.month_counts()) == before
    assert_pages_right(client)


@pytest.mark.parametrize("path", [
    "/archive/0000/", "/archive/0001/01/", "/archive/9998/12/", "/archive/9999/12/",
    "/archive/2025/00/", "/archive/2025/13/", "/archive/2025/99/", "/topics/ports/?month=0001-01",
    "/topics/ports/?month=9999-12&page=2",
])
def test_odd_archive_periods_are_never_a_server_error(shelf, client, path):
    assert client.get(path).status_code in (200, 404)
