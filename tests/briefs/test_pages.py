"""The public reading pages, read the way a visitor's browser reads them (real HTML parser)."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.contrib.staticfiles import finders
from django.db import connection
from django.urls import resolve, reverse

from briefs.models import Brief
from tests.factories import make_brief, make_source, make_topic, make_topic_slug_redirect

UTC = dt.timezone.utc


def day(year, month, dd, hour=9):
    return dt.datetime(year, month, dd, hour, tzinfo=UTC)


def get_page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return BeautifulSoup(response.content, "html5lib")


def card_titles(page):
    return [a.get_text(strip=True) for a in page.select(".card-title a")]


def index_counts(page):
    rows = page.select(".index-list li")
    return {li.a.get_text(): li.select_one(".count").get_text() for li in rows}


def alternate_feeds(page):
    return [link["href"] for link in page.select('head link[rel="alternate"]')]


@pytest.fixture
def archive(db):
    """A small archive: two sources, four topics, five published briefs and a draft."""
    wire, post = make_source("Wire Desk"), make_source("Evening Post")
    rare = make_topic("Rare Earths", description="Mining and trade of rare-earth elements.")
    chips = make_topic("Semiconductors")
    trade = make_topic("Trade Policy")
    make_topic("Unused Topic")
    briefs = {
        "magnets": make_brief(
            "Magnet Makers Expand", topics=[rare, chips, trade], source=wire,
            published_at=day(2025, 6, 3), dek="Plants open in three countries.",
        ),
        "quota": make_brief(
            "Export Quota Tightened", topics=[rare, trade], source=post,
            published_at=day(2025, 6, 20),
        ),
        "fab": make_brief(
            "New Fab Breaks Ground", topics=[chips], source=wire, published_at=day(2025, 7, 2)
        ),
        "mine": make_brief(
            "Mine Reopens in the North", topics=[rare], source=post, published_at=day(2025, 7, 9),
            published_time_known=False,
        ),
        "tariff": make_brief(
            "Tariff Talks Stall", topics=[trade, chips], source=wire,
            published_at=day(2025, 7, 15),
        ),
        "draft": make_brief(
            "Unpublished Rare Earth Scoop", topics=[rare, chips], source=wire,
            published_at=day(2025, 7, 20), status=Brief.Status.DRAFT,
        ),
    }
    return {"sources": (wire, post), "topics": (rare, chips, trade), **briefs}


# Home


def test_home_lists_published_briefs_newest_first_without_drafts(client, archive):
    page = get_page(client, "/")
    assert card_titles(page) == [
        "Tariff Talks Stall",
        "Mine Reopens in the North",
        "New Fab Breaks Ground",
        "Export Quota Tightened",
        "Magnet Makers Expand",
    ]
    assert "Unpublished Rare Earth Scoop" not in page.get_text()


def test_home_card_shows_dek_source_date_and_topic_chips(client, archive):
    page = get_page(client, "/")
    card = page.find("a", string="Magnet Makers Expand").find_parent("article")
    assert card.select_one(".dek").get_text() == "Plants open in three countries."
    assert card.select_one(".meta a").get_text() == "Wire Desk"
    assert card.select_one("time")["datetime"].startswith("2025-06-03T09:00:00")
    assert [a.get_text() for a in card.select(".chip")] == [
        "Rare Earths", "Semiconductors", "Trade Policy"
    ]


def test_home_shows_most_used_topics_with_published_counts(client, archive):
    page = get_page(client, "/")
    block = page.select_one(".popular-topics")
    counts = {
        a.contents[0].strip(): a.select_one(".count").get_text() for a in block.select(".chip")
    }
    # The draft carries Rare Earths and Semiconductors but is not counted.
    assert counts == {"Rare Earths": "3", "Semiconductors": "3", "Trade Policy": "3"}


def test_home_without_briefs_says_how_to_add_some(client, db):
    page = get_page(client, "/")
    assert "import_briefs" in page.select_one(".empty").get_text()


def test_home_paginates_and_out_of_range_pages_are_not_found(client, db):
    for number in range(25):
        make_brief(f"Filler brief {number}")
    first = get_page(client, "/")
    assert len(first.select(".card")) == 20
    next_link = first.select_one('.pagination a[rel="next"]')["href"]
    assert next_link == "?page=2"
    second = get_page(client, "/" + next_link)
    assert len(second.select(".card")) == 5
    assert second.select_one('link[rel="canonical"]')["href"] == "http://testserver/?page=2"
    for bad in ("3", "0", "-1", "abc", "99999999999999999999"):
        assert client.get(f"/?page={bad}").status_code == 404


# Brief page


def test_brief_page_reads_chips_title_dek_byline_body_in_that_order(client, archive):
    brief = archive["magnets"]
    brief.author = "Ada Reporter"
    brief.body = "Output rose sharply this spring.\n\nWhat Comes Next\n\nMore plants are planned."
    brief.save()
    page = get_page(client, brief.get_absolute_url())
    article = page.select_one("article.brief")
    chips = article.select_one(".chips")
    title = article.find("h1")
    assert chips.find_next("h1") is title
    assert [a.get_text() for a in chips.select("a")] == [
        "Rare Earths", "Semiconductors", "Trade Policy"
    ]
    assert title.get_text() == "Magnet Makers Expand"
    assert title.find_next("p").get_text() == "Plants open in three countries."
    byline = article.select_one(".byline").get_text(" ", strip=True)
    assert "Ada Reporter" in byline and "Wire Desk" in byline
    body = article.select_one(".brief-body")
    assert [tag.name for tag in body.find_all(["h2", "p"])] == ["p", "h2", "p"]
    assert body.find("h2").get_text() == "What Comes Next"


def test_brief_time_is_shown_only_when_known(client, archive):
    known = get_page(client, archive["magnets"].get_absolute_url()).select_one(".byline time")
    assert known["datetime"] == "2025-06-03T09:00:00+00:00"
    assert "09:00" in known.get_text()
    unknown = get_page(client, archive["mine"].get_absolute_url()).select_one(".byline time")
    assert unknown["datetime"] == "2025-07-09"
    assert unknown.get_text() == "9 July 2025"


def test_related_briefs_share_most_topics_then_newest_first(client, archive):
    page = get_page(client, archive["magnets"].get_absolute_url())
    related = [a.get_text() for a in page.select(".related li > a")]
    # Quota and Tariff share two topics (Tariff is newer); Fab and Mine share one.
    assert related == [
        "Tariff Talks Stall",
        "Export Quota Tightened",
        "Mine Reopens in the North",
        "New Fab Breaks Ground",
    ]


def test_brief_page_links_previous_and_next_by_date(client, archive):
    page = get_page(client, archive["fab"].get_absolute_url())
    older, newer = (page.select_one(f'.neighbours a[rel="{rel}"]') for rel in ("prev", "next"))
    assert older["href"] == archive["quota"].get_absolute_url()
    assert newer["href"] == archive["mine"].get_absolute_url()
    newest = get_page(client, archive["tariff"].get_absolute_url())
    assert newest.select_one('.neighbours a[rel="next"]') is None  # the draft is not next


def test_draft_brief_is_not_found(client, archive):
    assert client.get(archive["draft"].get_absolute_url()).status_code == 404


def test_brief_page_is_an_article_for_open_graph(client, archive):
    page = get_page(client, archive["magnets"].get_absolute_url())
    assert page.select_one('meta[property="og:type"]')["content"] == "article"
    assert page.select_one('meta[property="og:title"]')["content"] == "Magnet Makers Expand"
    description = page.select_one('meta[name="description"]')["content"]
    assert description == "Plants open in three countries."
    assert page.title.get_text() == "Magnet Makers Expand · Brief Archive"


def test_reader_text_is_escaped_everywhere(client, db):
    topic = make_topic("<b>Bold</b> Topic")
    brief = make_brief(
        "<script>alert(1)</script> Headline", topics=[topic], dek="<img src=x onerror=alert(2)>",
        body="Body with <iframe> inside.",
    )
    for url in ("/", brief.get_absolute_url(), topic.get_absolute_url(), "/topics/"):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x" not in html and "<iframe>" not in html and "<b>Bold</b>" not in html
        if url != "/topics/":
            assert "&lt;script&gt;alert(1)&lt;/script&gt; Headline" in html
        assert "&lt;b&gt;Bold&lt;/b&gt; Topic" in html


def test_brief_page_stays_light(client, db):
    brief = make_brief(
        "A long brief", body="\n\n".join(f"Paragraph {n} " + "word " * 60 for n in range(30)),
        topics=[make_topic(f"Topic {n}") for n in range(10)],
    )
    for n in range(10):
        make_brief(f"Neighbour {n}", topics=list(brief.topics.all())[:3])
    assert len(client.get(brief.get_absolute_url()).content) < 60_000
    css = finders.find("css/site.css")
    with open(css, "rb") as stylesheet:
        assert len(stylesheet.read()) < 20_000


# Topics


def test_topic_index_counts_published_briefs_and_hides_unused_topics(client, archive):
    page = get_page(client, "/topics/")
    rows = index_counts(page)
    assert rows == {
        "Rare Earths": "3 briefs", "Semiconductors": "3 briefs", "Trade Policy": "3 briefs"
    }
    assert "Unused Topic" not in page.get_text()


def test_topic_index_sorts_by_name_with_jump_list_or_by_count(client, archive):
    make_brief("Alloy prices", topics=[archive["topics"][0]])
    by_name = get_page(client, "/topics/")
    assert [li.a.get_text() for li in by_name.select(".index-list li")] == [
        "Rare Earths", "Semiconductors", "Trade Policy"
    ]
    jump = [a["href"] for a in by_name.select(".jump a")]
    assert jump == ["#letter-R", "#letter-S", "#letter-T"]
    assert all(by_name.find(id=target[1:]) for target in jump)
    by_count = get_page(client, "/topics/?sort=count")
    assert by_count.select_one(".index-list li a").get_text() == "Rare Earths"
    assert by_count.select_one(".jump") is None


def test_topic_page_lists_its_briefs_with_description(client, archive):
    page = get_page(client, "/topics/rare-earths/")
    assert page.h1.get_text() == "Rare Earths"
    assert "Mining and trade of rare-earth elements." in page.select_one(".dek").get_text()
    assert card_titles(page) == [
        "Mine Reopens in the North", "Export Quota Tightened", "Magnet Makers Expand"
    ]
    assert page.select_one('meta[name="description"]')["content"] == (
        "Mining and trade of rare-earth elements."
    )


def test_topic_page_narrows_down_to_combinations_with_counts(client, archive):
    page = get_page(client, "/topics/rare-earths/")
    narrow = {
        a["href"]: a.select_one(".count").get_text() for a in page.select(".narrow-down a")
    }
    assert narrow == {
        "/topics/rare-earths+trade-policy/": "2",
        "/topics/rare-earths+semiconductors/": "1",
    }


def test_combination_shows_briefs_with_every_topic(client, archive):
    page = get_page(client, "/topics/rare-earths+trade-policy/")
    assert page.h1.get_text() == "Rare Earths + Trade Policy"
    assert card_titles(page) == ["Export Quota Tightened", "Magnet Makers Expand"]


def test_a_combination_has_one_address_in_slug_order(client, archive):
    # Another order, or a topic named twice, moves to it: each spelling was a page (and a
    # cached copy) of its own for the same briefs.
    forward = get_page(client, "/topics/rare-earths+trade-policy/")
    assert forward.select_one('link[rel="canonical"]')["href"] == (
        "http://testserver/topics/rare-earths+trade-policy/"
    )
    for spelling, address in [
        ("/topics/trade-policy+rare-earths/?page=1", "/topics/rare-earths+trade-policy/?page=1"),
        ("/topics/rare-earths+rare-earths/", "/topics/rare-earths/"),
        ("/topics/" + "+".join(["trade-policy"] * 5) + "/", "/topics/trade-policy/"),
    ]:
        moved = client.get(spelling)
        assert (moved.status_code, moved["Location"]) == (301, address)
    backward = BeautifulSoup(
        client.get("/topics/trade-policy+rare-earths/", follow=True).content, "html5lib"
    )
    assert card_titles(backward) == card_titles(forward)


def test_combination_links_drop_each_topic(client, archive):
    page = get_page(client, "/topics/rare-earths+semiconductors+trade-policy/")
    drops = {a.get_text(): a["href"] for a in page.select(".removable a")}
    assert drops == {
        "Remove Rare Earths": "/topics/semiconductors+trade-policy/",
        "Remove Semiconductors": "/topics/rare-earths+trade-policy/",
        "Remove Trade Policy": "/topics/rare-earths+semiconductors/",
    }


def test_empty_combination_says_what_to_do(client, archive):
    make_brief("Harbour news", topics=[make_topic("Ports")])
    page = get_page(client, "/topics/ports+semiconductors/")
    empty = page.select_one(".empty")
    assert "No briefs on Ports + Semiconductors yet" in empty.get_text()
    assert empty.find("a", string="Browse all topics")["href"] == "/topics/"


def test_unknown_topic_is_not_found_and_old_slug_redirects(client, archive):
    assert client.get("/topics/no-such-topic/").status_code == 404
    assert client.get("/topics/rare-earths+no-such-topic/").status_code == 404
    make_topic_slug_redirect(old_slug="rare-metals", topic=archive["topics"][0])
    response = client.get("/topics/trade-policy+rare-metals/?page=1")
    assert response.status_code == 301
    assert response["Location"] == "/topics/rare-earths+trade-policy/?page=1"


def test_topic_pages_advertise_their_feeds(client, archive):
    single = get_page(client, "/topics/rare-earths/")
    assert reverse("briefs:topic-feed", kwargs={"slugs": "rare-earths"}) in alternate_feeds(single)
    combo = get_page(client, "/topics/rare-earths+trade-policy/")
    feeds = alternate_feeds(combo)
    assert reverse("briefs:topic-feed", kwargs={"slugs": "rare-earths+trade-policy"}) in feeds
    assert reverse("briefs:topic-feed-atom", kwargs={"slugs": "rare-earths+trade-policy"}) in feeds
    assert combo.select_one(".feed-link")["href"] == feeds[0]


# Sources and archive


def test_sources_list_counts_published_briefs(client, archive):
    page = get_page(client, "/sources/")
    rows = index_counts(page)
    assert rows == {"Evening Post": "2 briefs", "Wire Desk": "3 briefs"}


def test_source_page_lists_its_published_briefs_and_feed(client, archive):
    wire = archive["sources"][0]
    page = get_page(client, wire.get_absolute_url())
    assert page.h1.get_text() == "Wire Desk"
    assert card_titles(page) == [
        "Tariff Talks Stall", "New Fab Breaks Ground", "Magnet Makers Expand"
    ]
    assert reverse("briefs:source-feed", kwargs={"slug": wire.slug}) in alternate_feeds(page)
    assert client.get("/sources/no-such-source/").status_code == 404


def test_archive_lists_months_and_each_period_its_briefs(client, archive):
    index = get_page(client, "/archive/")
    assert [a["href"] for a in index.select(".archive-year .chip")] == [
        "/archive/2025/07/", "/archive/2025/06/"
    ]
    year = get_page(client, "/archive/2025/")
    assert len(card_titles(year)) == 5
    june = get_page(client, "/archive/2025/06/")
    assert june.h1.get_text() == "June 2025"
    assert card_titles(june) == ["Export Quota Tightened", "Magnet Makers Expand"]
    current = june.select('.months a[aria-current="page"]')
    assert [chip["href"] for chip in current] == ["/archive/2025/06/"]


def test_archive_periods_without_briefs_are_not_found(client, archive):
    for url in ("/archive/1999/", "/archive/2025/05/", "/archive/2025/13/", "/archive/2025/00/"):
        assert client.get(url).status_code == 404, url


# Every page


PAGES = [
    "/",
    "/briefs/magnet-makers-expand/",
    "/topics/",
    "/topics/rare-earths/",
    "/topics/rare-earths+trade-policy/",
    "/sources/",
    "/sources/wire-desk/",
    "/archive/",
    "/archive/2025/",
    "/archive/2025/06/",
    "/search/?q=magnet",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_title_description_canonical_and_open_graph(client, archive, url):
    page = get_page(client, url)
    assert page.title.get_text().endswith("Brief Archive")
    assert page.title.get_text() != "Brief Archive" or url == "/"
    assert page.select_one('meta[name="description"]')["content"].strip()
    canonical = page.select_one('link[rel="canonical"]')["href"]
    assert canonical.startswith("http://testserver/")
    for prop in ("og:title", "og:description", "og:url", "og:type", "og:site_name"):
        assert page.select_one(f'meta[property="{prop}"]')["content"].strip(), prop
    assert page.select_one('meta[property="og:url"]')["content"] == canonical
    assert len(page.find_all("h1")) == 1


@pytest.mark.parametrize(
    ("url", "trail"),
    [
        ("/topics/rare-earths/", ["Home", "Topics", "Rare Earths"]),
        ("/sources/wire-desk/", ["Home", "Sources", "Wire Desk"]),
        ("/archive/2025/06/", ["Home", "Archive", "2025", "June 2025"]),
        ("/briefs/magnet-makers-expand/", ["Home", "Wire Desk", "Magnet Makers Expand"]),
    ],
)
def test_breadcrumbs_lead_back_up(client, archive, url, trail):
    crumbs = get_page(client, url).select('nav[aria-label="Breadcrumb"] li')
    assert [li.get_text(strip=True) for li in crumbs] == trail
    assert crumbs[-1]["aria-current"] == "page"


def test_home_advertises_site_feeds(client, archive):
    page = get_page(client, "/")
    assert alternate_feeds(page) == [
        reverse("briefs:feed"), reverse("briefs:feed-atom"), reverse("briefs:feed-json")
    ]


@pytest.mark.parametrize(
    ("name", "kwargs", "path"),
    [
        ("briefs:topic-list", {}, "/topics/"),
        ("briefs:source-list", {}, "/sources/"),
        ("briefs:archive", {}, "/archive/"),
        ("briefs:archive-year", {"year": "2025"}, "/archive/2025/"),
        ("briefs:archive-month", {"year": "2025", "month": "07"}, "/archive/2025/07/"),
        ("briefs:search", {}, "/search/"),
    ],
)
def test_page_url_names_reverse_and_resolve_alike(name, kwargs, path):
    assert reverse(name, kwargs=kwargs) == path
    match = resolve(path)
    assert match.view_name == name
    assert match.kwargs == kwargs


# Query counts: the same for a small and a large archive.


def build_archive(size):
    """``size`` published briefs over three sources and six topics, plus drafts."""
    sources = [make_source(f"Outlet {n}") for n in range(3)]
    topics = [make_topic(f"Subject {n}", description="About it.") for n in range(6)]
    for n in range(size):
        make_brief(
            f"Archive brief {n} about magnets",
            source=sources[n % 3],
            topics=[topics[n % 6], topics[(n + 1) % 6], topics[(n + 3) % 6]],
            published_at=day(2025, 1 + n % 3, 1 + n % 27, n % 24),
        )
    make_brief("A draft about magnets", topics=topics, status=Brief.Status.DRAFT)
    return sources, topics


# Cold requests (empty cache); "+ 1" is the archive version read that keys the cache
# (core/cache.py). Warm requests need fewer: test_warm_pages_need_fewer_queries.
QUERY_BUDGET = {
    "home": 4 + 1,  # count, page, topics of the page, most used topics
    "brief": 6 + 1,  # brief, its topics, related, older, newer, visible annotations
    "topics": 2 + 1,  # count, page
    "topic": 6 + 1,  # resolve slugs, count, page, topics of the page, narrow down, months
    "combination": 6 + 1,
    "sources": 2 + 1,  # count, page
    "source": 4 + 1,  # source, count, page, topics of the page
    "archive": 1 + 1,  # months with counts
    "year": 4 + 1,  # count, page, topics of the page, months of the year
    "month": 4 + 1,
    # ?topic= filter, count, page, topics of the page, narrow-down topics; on PostgreSQL
    # also the planner's estimate of a new query's matches (an EXPLAIN, no rows read), the
    # statement_timeout set and put back around finding them, and the savepoint they run
    # in inside the test's transaction (SAVEPOINT, RELEASE)
    "search": 5 + 1 + 5 * (connection.vendor == "postgresql"),
}


def page_urls(sources, topics):
    brief = Brief.objects.published().order_by("published_at").first()
    return {
        "home": "/",
        "brief": brief.get_absolute_url(),
        "topics": "/topics/",
        "topic": topics[0].get_absolute_url(),
        "combination": f"/topics/{topics[0].slug}+{topics[1].slug}/",
        "sources": "/sources/",
        "source": sources[0].get_absolute_url(),
        "archive": "/archive/",
        "year": "/archive/2025/",
        "month": "/archive/2025/02/",
        "search": f"/search/?q=magnets&topic={topics[0].slug}",
    }


@pytest.mark.parametrize("size", [5, 50])
@pytest.mark.parametrize("page_name", sorted(QUERY_BUDGET))
def test_query_count_is_fixed_whatever_the_archive_size(
    client, db, django_assert_max_num_queries, size, page_name
):
    url = page_urls(*build_archive(size))[page_name]
    with django_assert_max_num_queries(QUERY_BUDGET[page_name]):
        response = client.get(url)
    assert response.status_code == 200


def test_neighbours_break_ties_of_the_same_moment_by_id(db):
    neighbours = Brief.objects.published().neighbours
    moment = day(2025, 3, 1, 9)
    before = make_brief("Earlier", published_at=moment - dt.timedelta(hours=1))
    first, second, third = (make_brief(f"Same {n}", published_at=moment) for n in range(3))
    after = make_brief("Later", published_at=moment + dt.timedelta(hours=1))
    assert neighbours(second) == (first, third)
    assert neighbours(first) == (before, second)
    assert neighbours(third) == (second, after)
