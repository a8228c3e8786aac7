"""Brief feeds as a feed reader meets them: parsed with feedparser, polled conditionally."""

import datetime as dt
import json
import time
import xml.etree.ElementTree as ET

import feedparser
import jsonschema
import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.urls import resolve, reverse
from django.utils.http import http_date, parse_http_date

from briefs.feed_formats import clean_text
from briefs.models import Brief
from core.cache import archive_changed_at
from tests.conftest import read_feed
from tests.factories import make_brief, make_source, make_topic, make_topic_slug_redirect

pytestmark = pytest.mark.django_db

UTC = dt.timezone.utc

# The parts of JSON Feed 1.1 a reader relies on, written out from the spec.
JSON_FEED_SCHEMA = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string"},
        "home_page_url": {"type": "string", "pattern": "^https?://"},
        "feed_url": {"type": "string", "pattern": "^https?://"},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
                "properties": {
                    "id": {"type": "string"},
                    "url": {"type": "string", "pattern": "^https?://"},
                    "date_published": {"type": "string", "format": "date-time"},
                    "date_modified": {"type": "string", "format": "date-time"},
                    "authors": {"type": "array", "items": {"required": ["name"]}},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}


def read_json_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    feed = json.loads(response.content)
    jsonschema.validate(feed, JSON_FEED_SCHEMA)
    return feed


def titles(parsed):
    return [entry.title for entry in parsed.entries]


def at(day, hour=12):
    return dt.datetime(2025, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def topics():
    return make_topic("Rare Earths"), make_topic("Semiconductors"), make_topic("Supply Chains")


@pytest.fixture
def combination(topics):
    """Briefs on both, on one, and a draft on both: only the first kind may show."""
    rare, chips, chains = topics
    make_brief("Both, older", topics=[rare, chips], published_at=at(1))
    make_brief("Both and more, newest", topics=[rare, chips, chains], published_at=at(3))
    make_brief("Rare earths only", topics=[rare], published_at=at(4))
    make_brief("Chips only", topics=[chips], published_at=at(5))
    make_brief("Draft on both", topics=[rare, chips], published_at=at(6), status="draft")
    return topics


def test_combination_feed_lists_exactly_the_published_briefs_with_every_topic(
    client, combination
):
    parsed = read_feed(client, "/topics/rare-earths+semiconductors/feed/")
    assert parsed.version == "rss20"
    assert parsed.feed.title == "Brief Archive — Rare Earths + Semiconductors"
    assert parsed.feed.link == "http://testserver/topics/rare-earths+semiconductors/"
    assert titles(parsed) == ["Both and more, newest", "Both, older"]


def test_reader_discovers_the_combination_feed_reads_it_and_repolls_with_304(
    client, combination
):
    page = BeautifulSoup(
        client.get("/topics/semiconductors+rare-earths/", follow=True).content, "html5lib"
    )
    advertised = {
        link["type"]: link["href"] for link in page.select('head link[rel="alternate"]')
    }
    assert advertised["application/rss+xml"] == "/topics/rare-earths+semiconductors/feed/"
    assert advertised["application/atom+xml"] == "/topics/rare-earths+semiconductors/feed/atom/"
    first = client.get(advertised["application/rss+xml"])
    parsed = feedparser.parse(first.content)
    assert parsed.bozo == 0
    assert titles(parsed) == ["Both and more, newest", "Both, older"]
    repoll = client.get(
        advertised["application/rss+xml"],
        headers={"if-none-match": first["ETag"], "if-modified-since": first["Last-Modified"]},
    )
    assert repoll.status_code == 304


def test_combination_atom_and_json_twins_hold_the_same_briefs(client, combination):
    atom = read_feed(client, "/topics/rare-earths+semiconductors/feed/atom/")
    assert atom.version == "atom10"
    assert atom.feed.title == "Brief Archive — Rare Earths + Semiconductors"
    assert titles(atom) == ["Both and more, newest", "Both, older"]
    feed = read_json_feed(client, "/topics/rare-earths+semiconductors/feed/json/")
    assert feed["title"] == "Brief Archive — Rare Earths + Semiconductors"
    assert [item["title"] for item in feed["items"]] == ["Both and more, newest", "Both, older"]
    assert feed["feed_url"] == "http://testserver/topics/rare-earths+semiconductors/feed/json/"


def test_slugs_in_any_order_give_the_same_feed(client, combination):
    moved = client.get("/topics/semiconductors+rare-earths/feed/")
    assert moved.status_code == 301
    parsed = read_feed(client, moved["Location"])
    assert titles(parsed) == ["Both and more, newest", "Both, older"]
    assert parsed.feed.link == "http://testserver/topics/rare-earths+semiconductors/"


def test_single_topic_feed_lists_every_published_brief_on_it(client, combination):
    parsed = read_feed(client, "/topics/rare-earths/feed/")
    assert parsed.feed.title == "Brief Archive — Rare Earths"
    assert titles(parsed) == ["Rare earths only", "Both and more, newest", "Both, older"]


def test_site_feed_lists_published_briefs_newest_first_and_no_drafts(client, combination):
    parsed = read_feed(client, "/feed/")
    assert parsed.feed.title == "Brief Archive — Latest briefs"
    assert titles(parsed) == [
        "Chips only",
        "Rare earths only",
        "Both and more, newest",
        "Both, older",
    ]


@pytest.fixture
def full_brief():
    source = make_source("ClashReport")
    brief = make_brief(
        "Export curbs tighten",
        topics=[make_topic("Semiconductors"), make_topic("Rare Earths")],
        dek="Licences now needed for gallium.",
        body="First paragraph here.\nSame paragraph, new line.\n\nSecond paragraph.",
        author="Dana Reyes",
        source=source,
        published_at=dt.datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC),
    )
    return Brief.objects.get(pk=brief.pk)


def test_rss_item_has_link_stable_guid_author_date_topics_dek_and_full_body(client, full_brief):
    entry = read_feed(client, "/feed/").entries[0]
    assert entry.title == "Export curbs tighten"
    assert entry.link == f"http://testserver/briefs/{full_brief.slug}/"
    assert entry.id == f"tag:testserver,2025:brief:{full_brief.pk}"
    assert entry.guidislink is False
    assert entry.author == "Dana Reyes"
    assert entry.published_parsed == time.struct_time((2025, 3, 14, 9, 26, 53, 4, 73, 0))
    assert [tag.term for tag in entry.tags] == ["Rare Earths", "Semiconductors"]
    assert entry.summary == "Licences now needed for gallium."
    assert entry.content[0].value == (
        "<p>First paragraph here.<br />\nSame paragraph, new line.</p>\n<p>Second paragraph.</p>"
    )


def test_atom_entry_has_published_updated_summary_and_html_content(client, full_brief):
    entry = read_feed(client, "/feed/atom/").entries[0]
    assert entry.id == f"tag:testserver,2025:brief:{full_brief.pk}"
    assert entry.link == f"http://testserver/briefs/{full_brief.slug}/"
    assert entry.author == "Dana Reyes"
    assert entry.published_parsed[:6] == (2025, 3, 14, 9, 26, 53)
    assert entry.updated_parsed[:6] == full_brief.modified_at.astimezone(UTC).timetuple()[:6]
    assert [tag.term for tag in entry.tags] == ["Rare Earths", "Semiconductors"]
    assert entry.summary == "Licences now needed for gallium."
    assert entry.content[0].type == "text/html"
    assert entry.content[0].value.endswith("<p>Second paragraph.</p>")


def test_json_item_has_the_same_fields_as_the_rss_item(client, full_brief):
    item = read_json_feed(client, "/feed/json/")["items"][0]
    assert item == {
        "id": f"tag:testserver,2025:brief:{full_brief.pk}",
        "url": f"http://testserver/briefs/{full_brief.slug}/",
        "title": "Export curbs tighten",
        "summary": "Licences now needed for gallium.",
        "content_html": "<p>First paragraph here.<br>\nSame paragraph, new line.</p>\n"
        "<p>Second paragraph.</p>",
        "date_published": "2025-03-14T09:26:53+00:00",
        "date_modified": full_brief.modified_at.isoformat(),
        "authors": [{"name": "Dana Reyes"}],
        "tags": ["Rare Earths", "Semiconductors"],
    }


def test_guid_survives_a_new_title_slug_and_body(client, full_brief):
    before = read_feed(client, "/feed/").entries[0].id
    full_brief.title = "Export curbs tighten further"
    full_brief.slug = "export-curbs-tighten-further"
    full_brief.body = "Rewritten."
    full_brief.save()
    entry = read_feed(client, "/feed/").entries[0]
    assert entry.title == "Export curbs tighten further"
    assert entry.link.endswith("/briefs/export-curbs-tighten-further/")
    assert entry.id == before


def test_html_in_title_dek_and_body_is_text_not_markup(client):
    make_brief(
        "Tariffs <up> & down",
        dek="Is <b>bold</b> & brave",
        body="<script>alert(1)</script> stays text.",
    )
    atom = read_feed(client, "/feed/atom/").entries[0]
    assert atom.title == "Tariffs <up> & down"
    assert atom.summary == "Is &lt;b&gt;bold&lt;/b&gt; &amp; brave"
    assert atom.content[0].value == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; stays text.</p>"
    )
    rss = read_feed(client, "/feed/").entries[0]
    assert "<script>" not in rss.content[0].value
    assert "&lt;script&gt;" in rss.content[0].value


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/", "/topics/odd-topic/feed/"])
def test_control_characters_are_dropped_and_the_feed_still_parses(client, url):
    make_brief(
        "Bell\x07 and\x0b tab\x1f title \u202eRTL\u202c 🛰️ e\u0301",
        topics=[make_topic("Odd\x08 Topic", slug="odd-topic")],
        dek="Dek\x01 with start-of-heading",
        body="Body\x0c with form feed\x7f.\n\nNon-character \ufffe here.",
        author="Ann\x1b Author",
    )
    entry = read_feed(client, url).entries[0]
    # Direction overrides are invisible format characters (Cf): dropped like controls.
    assert entry.title == "Bell and tab title RTL 🛰️ e\u0301"
    assert entry.summary == "Dek with start-of-heading"
    assert entry.author == "Ann Author"
    assert [tag.term for tag in entry.tags] == ["Odd Topic"]
    assert entry.content[0].value == "<p>Body with form feed.</p>\n<p>Non-character  here.</p>"


def test_json_feed_drops_control_characters_too(client):
    make_brief("Bell\x07 title", dek="Dek\x02", body="Body\x0c.")
    item = read_json_feed(client, "/feed/json/")["items"][0]
    assert (item["title"], item["summary"], item["content_html"]) == (
        "Bell title",
        "Dek",
        "<p>Body.</p>",
    )


def test_text_cleaner_also_drops_nul_and_lone_surrogates_sqlite_can_store():
    assert clean_text("a\x00b\ud800c\tline\nnext\r") == "abc\tline\nnext\r"


def make_many(count, **fields):
    """``count`` published briefs in one insert, newest last."""
    start = dt.datetime(2024, 1, 1, tzinfo=UTC)
    briefs = [
        Brief(
            title=f"Bulk {n:03d}",
            slug=f"bulk-{n:03d}",
            body=f"Body {n}.",
            published_at=start + dt.timedelta(hours=n),
            **fields,
        )
        for n in range(count)
    ]
    return Brief.objects.bulk_create(briefs)


def test_feed_holds_fifty_items_unless_asked_for_up_to_two_hundred(client):
    make_many(201)
    assert len(read_feed(client, "/feed/").entries) == 50
    assert len(read_feed(client, "/feed/?limit=200").entries) == 200
    assert titles(read_feed(client, "/feed/atom/?limit=3")) == ["Bulk 200", "Bulk 199", "Bulk 198"]
    assert len(read_json_feed(client, "/feed/json/?limit=7")["items"]) == 7


@pytest.mark.parametrize("limit", ["0", "201", "-1", "ten", "1e3", "٣", "99999999999"])
def test_unusable_limit_is_refused_with_an_explanation(client, limit):
    response = client.get("/feed/", {"limit": limit})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "limit must be a whole number from 1 to 200 (leave it out for the newest 50)."
    )


def test_feed_says_when_it_last_changed_and_how_long_to_cache(client, combination):
    newest = max(
        Brief.objects.published().with_topics(combination[:2]).values_list(
            "modified_at", flat=True
        )
    )
    response = client.get("/topics/rare-earths+semiconductors/feed/")
    # When the archive last changed: never before its newest brief, never backwards.
    assert response["Last-Modified"] == http_date(archive_changed_at())
    assert parse_http_date(response["Last-Modified"]) >= int(newest.timestamp())
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')


@pytest.mark.parametrize(
    "url, queries",
    [("/feed/", 1), ("/feed/atom/", 1), ("/topics/rare-earths+semiconductors/feed/", 1)],
)
def test_repoll_with_etag_gets_304_from_the_archive_counter_alone(
    client, combination, django_assert_num_queries, url, queries
):
    first = client.get(url)
    with django_assert_num_queries(queries):
        again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "public, max-age=300"


def test_repoll_with_if_modified_since_gets_304(client, combination):
    first = client.get("/topics/rare-earths+semiconductors/feed/")
    again = client.get(
        "/topics/rare-earths+semiconductors/feed/",
        headers={"if-modified-since": first["Last-Modified"]},
    )
    assert again.status_code == 304


def test_an_edited_brief_makes_the_repoll_fetch_the_feed_again(client, combination):
    url = "/topics/rare-earths+semiconductors/feed/"
    first = client.get(url)
    brief = Brief.objects.get(title="Both, older")
    brief.title = "Both, older, corrected"
    brief.save()
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert "Both, older, corrected" in titles(feedparser.parse(again.content))


def test_a_brief_joining_the_selection_makes_the_repoll_fetch_the_feed_again(
    client, combination
):
    url = "/topics/rare-earths+semiconductors/feed/"
    first = client.get(url)
    Brief.objects.get(title="Rare earths only").topics.add(combination[1])
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert "Rare earths only" in titles(feedparser.parse(again.content))


def test_empty_feed_parses_and_still_answers_conditional_requests(client, topics):
    rare, _, chains = topics
    make_brief("Rare earths alone", topics=[rare])
    make_brief("Supply chains alone", topics=[chains])
    url = "/topics/rare-earths+supply-chains/feed/"  # two public topics no brief shares
    parsed = read_feed(client, url)
    assert parsed.entries == []
    etag = client.get(url)["ETag"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304


@pytest.mark.parametrize("suffix", ["", "atom/", "json/"])
def test_old_topic_slug_feed_redirects_permanently_to_the_new_one(client, suffix):
    topic = make_topic("Rare Earth Metals")
    make_brief(topics=[topic, make_topic("Semiconductors")])
    make_topic_slug_redirect(old_slug="rare-earths", topic=topic)
    response = client.get(f"/topics/rare-earths+semiconductors/feed/{suffix}?limit=5")
    assert response.status_code == 301
    assert response["Location"] == (
        f"/topics/rare-earth-metals+semiconductors/feed/{suffix}?limit=5"
    )


def test_merged_topic_old_feed_url_lands_on_the_surviving_topics_briefs(client):
    survivor = make_topic("Rare Earths")
    make_brief("On the survivor", topics=[survivor])
    make_topic_slug_redirect(old_slug="rare-earth-elements", topic=survivor)
    response = client.get("/topics/rare-earth-elements/feed/", follow=True)
    assert response.redirect_chain == [("/topics/rare-earths/feed/", 301)]
    assert titles(feedparser.parse(response.content)) == ["On the survivor"]


@pytest.mark.parametrize(
    "url",
    [
        "/topics/no-such-topic/feed/",
        "/topics/rare-earths+no-such-topic/feed/atom/",
        "/sources/no-such-source/feed/",
    ],
)
def test_feed_of_unknown_topic_or_source_is_404(client, topics, url):
    assert client.get(url).status_code == 404


def test_source_feed_lists_only_that_sources_published_briefs(client):
    clash, other = make_source("ClashReport"), make_source("Stocktwits")
    make_brief("From Clash", source=clash, published_at=at(2))
    make_brief("Clash draft", source=clash, status="draft")
    make_brief("From elsewhere", source=other)
    parsed = read_feed(client, f"/sources/{clash.slug}/feed/atom/")
    assert parsed.feed.title == "Brief Archive — ClashReport"
    assert parsed.feed.link == f"http://testserver/sources/{clash.slug}/"
    assert titles(parsed) == ["From Clash"]
    assert [i["title"] for i in read_json_feed(client, f"/sources/{clash.slug}/feed/json/")[
        "items"
    ]] == ["From Clash"]


def test_search_feed_is_a_saved_search_of_published_briefs(client):
    make_brief("Gallium curbs", published_at=at(1))
    make_brief("Chips", body="Prices of gallium rose in Rotterdam.", published_at=at(2))
    make_brief("Unrelated", body="Nothing to see.")
    make_brief("Gallium draft", status="draft")
    parsed = read_feed(client, "/search/feed/?q=GALLIUM")
    assert parsed.feed.title == "Brief Archive — Search: GALLIUM"
    assert parsed.feed.link == "http://testserver/search/?q=GALLIUM"
    assert titles(parsed) == ["Chips", "Gallium curbs"]
    assert titles(read_feed(client, "/search/feed/?q=gallium+-rotterdam")) == ["Gallium curbs"]


def test_search_feed_lists_newest_first_not_best_match_first(client):
    make_brief("Gallium, gallium, gallium", published_at=at(1))
    make_brief("Newer", body="One mention of gallium.", published_at=at(2))
    assert titles(read_feed(client, "/search/feed/?q=gallium")) == [
        "Newer",
        "Gallium, gallium, gallium",
    ]


@pytest.mark.parametrize(
    "query, message",
    [
        ("", "/search/feed/?q="),
        ("?q=", "/search/feed/?q="),
        ("?q=%20%20", "/search/feed/?q="),
        ("?q=" + "gallium+" * 40, "too long"),
    ],
)
def test_search_feed_without_usable_words_says_what_to_do(client, query, message):
    response = client.get("/search/feed/" + query)
    assert response.status_code == 400
    assert message in response.content.decode()


def outlines(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/x-opml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.find("head/title").text == "Brief Archive — Topic feeds"
    return [dict(outline.attrib) for outline in root.find("body")]


def test_opml_lists_the_feed_of_every_topic_with_published_briefs(client, topics):
    rare, chips, chains = topics
    make_brief(topics=[rare, chips])
    make_brief(topics=[chains], status="draft")
    make_topic("Unused")
    assert outlines(client.get("/topics/opml/")) == [
        {
            "type": "rss",
            "text": name,
            "title": name,
            "xmlUrl": f"http://testserver/topics/{slug}/feed/",
            "htmlUrl": f"http://testserver/topics/{slug}/",
        }
        for name, slug in [("Rare Earths", "rare-earths"), ("Semiconductors", "semiconductors")]
    ]


def test_opml_of_chosen_topics_lists_just_those_and_follows_old_slugs(client, topics):
    make_brief(topics=topics)
    make_topic_slug_redirect(old_slug="chains", topic=topics[2])
    listed = outlines(client.get("/topics/opml/?topics=semiconductors,chains"))
    assert [outline["text"] for outline in listed] == ["Semiconductors", "Supply Chains"]
    assert listed[1]["xmlUrl"] == "http://testserver/topics/supply-chains/feed/"


def test_opml_of_an_unknown_topic_is_404(client, topics):
    assert client.get("/topics/opml/?topics=rare-earths,nope").status_code == 404


# "+ 1": the archive version read that keys the cached freshness and body (core/cache.py).
@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize(
    "url, queries",
    [
        ("/feed/", 3 + 1),
        ("/feed/atom/", 3 + 1),
        ("/feed/json/", 3 + 1),
        ("/topics/rare-earths/feed/", 4 + 1),
        ("/sources/{source}/feed/", 4 + 1),
        # The matching pks once (cached), then freshness, items and topics over them; on
        # PostgreSQL finding them is bounded in time (statement_timeout set and put back)
        # and runs in a savepoint inside the test's transaction (SAVEPOINT, RELEASE).
        ("/search/feed/?q=bulk", 4 + 1 + 4 * (connection.vendor == "postgresql")),
    ],
)
def test_feed_query_count_does_not_grow_with_its_items(
    client, django_assert_max_num_queries, count, url, queries
):
    source = make_source()
    briefs = make_many(count, source=source, author="Someone")
    rare, chips = make_topic("Rare Earths"), make_topic("Semiconductors")
    for brief in briefs:
        brief.topics.add(rare, chips)
    url = url.format(source=source.slug)
    with django_assert_max_num_queries(queries):
        if "/json/" in url:
            items = read_json_feed(client, url)["items"]
        else:
            items = read_feed(client, url).entries
    assert len(items) == count


@pytest.mark.parametrize(
    "name, kwargs, path",
    [
        ("briefs:feed", {}, "/feed/"),
        ("briefs:feed-atom", {}, "/feed/atom/"),
        ("briefs:feed-json", {}, "/feed/json/"),
        ("briefs:topic-opml", {}, "/topics/opml/"),
        ("briefs:topic-feed", {"slugs": "a+b"}, "/topics/a+b/feed/"),
        ("briefs:topic-feed-atom", {"slugs": "a"}, "/topics/a/feed/atom/"),
        ("briefs:topic-feed-json", {"slugs": "a"}, "/topics/a/feed/json/"),
        ("briefs:source-feed", {"slug": "s"}, "/sources/s/feed/"),
        ("briefs:source-feed-atom", {"slug": "s"}, "/sources/s/feed/atom/"),
        ("briefs:source-feed-json", {"slug": "s"}, "/sources/s/feed/json/"),
        ("briefs:search-feed", {}, "/search/feed/"),
    ],
)
def test_feed_url_names_reverse_and_resolve_alike(name, kwargs, path):
    assert reverse(name, kwargs=kwargs) == path
    match = resolve(path)
    assert (match.view_name, match.kwargs) == (name, kwargs)


def test_last_modified_is_the_same_from_every_build_and_never_steps_back(db, client, settings):
    from django.core.cache import cache
    from django.db import connection

    settings.READER_PAGE_LOCAL_BYTES = 0  # no copy kept in this process: the shared cache only
    make_brief("Harbour reopens", topics=[make_topic("Ports")])
    first = client.get("/feed/")["Last-Modified"]

    def another_worker_builds_it_again():
        # Its own copy of the page and the feed, built after unrelated writes moved the
        # archive's change time: an hour later, say.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE briefs_archive_version SET changed_at = changed_at + 3600")
        for key in list(cache._cache):
            if ":page:" in key or ":feed:" in key:
                cache.delete(key.split(":", 2)[2])
        return client.get("/feed/")

    again = another_worker_builds_it_again()
    assert again.content  # built anew, not a 304 or a stored copy
    assert again["Last-Modified"] == first
    make_brief("Ferry resumes")
    changed = another_worker_builds_it_again()["Last-Modified"]
    assert parse_http_date(changed) >= parse_http_date(first) + 3600 * 2


def test_a_saved_search_feed_keeps_the_pages_topic_filter(client, db):
    # The search page links its feed with its filters: the feed must list what the page
    # lists, in every format, and refuse a topic that does not exist rather than drop it.
    chile, peru = make_topic("Chile"), make_topic("Peru")
    make_brief("Lithium in Chile", body="Lithium output rose.", topics=[chile])
    make_brief("Lithium in Peru", body="Lithium output fell.", topics=[peru])
    for suffix in ("", "atom/", "json/"):
        response = client.get(f"/search/feed/{suffix}", {"q": "lithium", "topic": "chile"})
        assert response.status_code == 200
        body = response.content.decode()
        assert "Lithium in Chile" in body and "Lithium in Peru" not in body
    everywhere = client.get("/search/feed/", {"q": "lithium"}).content.decode()
    assert "Lithium in Chile" in everywhere and "Lithium in Peru" in everywhere
    unknown = client.get("/search/feed/", {"q": "lithium", "topic": "nope"})
    assert unknown.status_code == 400
    assert "No topic has the slug" in unknown.content.decode()


def test_a_combination_feed_has_one_address_too(client, db):
    rare, chips = make_topic("Rare Earths"), make_topic("Semiconductors")
    make_brief("Gallium curbs", topics=[rare, chips])
    for suffix in ("feed/", "feed/atom/", "feed/json/"):
        for spelling, address in [
            ("semiconductors+rare-earths", "rare-earths+semiconductors"),
            ("rare-earths+rare-earths", "rare-earths"),
        ]:
            moved = client.get(f"/topics/{spelling}/{suffix}")
            assert moved.status_code == 301, (spelling, suffix)
            assert moved["Location"].endswith(f"/topics/{address}/{suffix}")
