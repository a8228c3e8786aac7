"""Topic pages chart briefs per month (a server-drawn SVG with a text alternative) and slice by
month; cards show reading time; the archive marks where the reader is."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from briefs.timeline import build_timeline
from tests.factories import make_brief, make_topic

UTC = dt.timezone.utc


def test_timeline_spans_every_month_from_first_to_last_with_empty_months():
    timeline = build_timeline(
        [(dt.date(2025, 3, 1), 2), (dt.date(2024, 12, 1), 4), (dt.date(2025, 1, 1), 0)]
    )
    assert [bar.month for bar in timeline.bars] == [
        dt.date(2024, 12, 1), dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)
    ]
    assert [bar.count for bar in timeline.bars] == [4, 0, 0, 2]
    assert [bar.height for bar in timeline.bars] == [64, 0, 0, 32]
    assert timeline.total == 6 and timeline.busiest.month == dt.date(2024, 12, 1)
    assert build_timeline([]) is None


def test_a_long_timeline_keeps_the_newest_months_within_the_column():
    months = [(dt.date(2000 + n // 12, 1 + n % 12, 1), 1) for n in range(300)]
    timeline = build_timeline(months)
    assert len(timeline.bars) == 120 and timeline.last == dt.date(2024, 12, 1)
    assert timeline.width <= 640


def _soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html5lib")


@pytest.fixture
def ports(db):
    ports, weather = make_topic("Ports"), make_topic("Weather")
    for month, count in [(1, 3), (3, 1)]:
        for n in range(count):
            make_brief(
                f"Ports {month}-{n}", topics=[ports, weather], body="word " * 600,
                published_at=dt.datetime(2025, month, 2 + n, tzinfo=UTC),
            )
    return ports


@pytest.mark.parametrize("path", ["/topics/ports/", "/topics/ports+weather/"])
def test_topic_and_combination_pages_chart_briefs_per_month_with_links(client, ports, path):
    soup = _soup(client.get(path))
    figure = soup.select_one("figure.timeline")
    assert figure.figcaption.get_text() == (
        "Briefs per month, January 2025 to March 2025: 4 in all, most in January 2025 (3)."
    )
    svg = figure.find("svg")
    assert svg["aria-hidden"] == "true"
    assert [title.get_text() for title in svg.find_all("title")] == [
        "January 2025: 3 briefs", "March 2025: 1 brief"
    ]
    assert [a["href"] for a in figure.select("details a")] == [
        f"{path}?month=2025-01", f"{path}?month=2025-03"
    ]
    assert not soup.find("script", src=lambda src: src and "chart" in src)


def test_a_month_slice_lists_that_months_briefs_and_marks_it(client, ports):
    soup = _soup(client.get("/topics/ports/?month=2025-01"))
    assert soup.h1.get_text() == "Ports in January 2025"
    assert len(soup.select(".card")) == 3
    assert soup.select_one(".timeline details a[aria-current=page]").get_text() == "January 2025"
    assert soup.find("link", rel="canonical")["href"] == "http://testserver/topics/ports/?month=2025-01"
    empty = _soup(client.get("/topics/ports/?month=2025-02"))  # between its first and last
    assert len(empty.select(".card")) == 0
    assert "No briefs on Ports in February 2025." in empty.get_text()
    for outside in ("2024-12", "9999-12", "0001-01"):  # no slice of the chart: no page
        assert client.get("/topics/ports/", {"month": outside}).status_code == 404
    for odd in ["2025-13", "2025", "²⁰²⁵-01", "0000-01", ""]:
        assert client.get("/topics/ports/", {"month": odd}).status_code == 404


def test_cards_show_reading_time(client, ports):
    card = _soup(client.get("/topics/ports/")).select_one(".card")
    assert card.select_one(".reading-time").get_text() == "2 min read"  # 3,000 characters
    search = _soup(client.get("/search/?q=word"))
    assert search.select_one(".card .reading-time").get_text() == "2 min read"


def test_archive_marks_the_current_month_and_the_section(client, ports):
    soup = _soup(client.get("/archive/2025/03/"))
    assert soup.select_one(".months a[aria-current=page]").get_text(" ", strip=True).startswith("March")
    assert soup.select_one(".site-nav a[aria-current]").get_text() == "Archive"


def test_combination_and_month_slices_page_by_the_timelines_counts(client, ports, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from briefs.views import TopicDetailView

    weather = ports.__class__.objects.get(slug="weather")
    make_brief("Ports only", topics=[ports], published_at=dt.datetime(2025, 1, 9, tzinfo=UTC))
    make_brief(
        "Ports draft", topics=[ports, weather], status="draft",
        published_at=dt.datetime(2025, 1, 9, tzinfo=UTC),
    )
    monkeypatch.setattr(TopicDetailView, "paginate_by", 2)

    def pages(path):
        soup = _soup(client.get(path))
        count = soup.select_one(".page-count")
        return count.get_text() if count else "one page", len(soup.select(".card"))

    with CaptureQueriesContext(connection) as queries:
        assert pages("/topics/ports+weather/") == ("Page 1 of 2", 2)
    assert not any('COUNT(*) AS "__count"' in q["sql"] for q in queries.captured_queries)
    assert pages("/topics/ports+weather/?page=2") == ("Page 2 of 2", 2)
    assert client.get("/topics/ports+weather/?page=3").status_code == 404
    assert pages("/topics/ports+weather/?month=2025-01&page=2") == ("Page 2 of 2", 1)
    assert pages("/topics/ports+weather/?month=2025-03") == ("one page", 1)
    assert pages("/topics/ports+weather/?month=2025-02") == ("one page", 0)
    assert pages("/topics/ports/?month=2025-01&page=2") == ("Page 2 of 2", 2)
    assert pages("/topics/ports/") == ("Page 1 of 3", 2)


def test_a_month_slice_narrows_down_by_that_month_s_briefs_and_its_links_keep_the_month(
    client, ports
):
    march = dt.datetime(2025, 3, 20, tzinfo=UTC)
    make_brief("Ports and cranes", topics=[ports, make_topic("Cranes")], published_at=march)
    soup = _soup(client.get("/topics/ports/?month=2025-01"))
    chips = {a.get_text(" ", strip=True): a["href"] for a in soup.select(".narrow-down a")}
    assert chips == {"+ Weather 3": "/topics/ports+weather/?month=2025-01"}
    whole = _soup(client.get("/topics/ports/"))
    assert {a["href"] for a in whole.select(".narrow-down a")} == {
        "/topics/cranes+ports/", "/topics/ports+weather/"
    }
    combination = _soup(client.get("/topics/ports+weather/?month=2025-01"))
    assert "/topics/ports/?month=2025-01" in {a["href"] for a in combination.select("a")}


def test_a_chart_whose_busiest_months_tie_says_so_instead_of_naming_one(client, db):
    tied = make_topic("Tied")
    for month in (1, 2, 4):
        make_brief(f"Tied {month}", topics=[tied],
                   published_at=dt.datetime(2025, month, 5, tzinfo=UTC))
    caption = _soup(client.get("/topics/tied/")).select_one("figure.timeline figcaption")
    assert caption.get_text() == (
        "Briefs per month, January 2025 to April 2025: 3 in all, "
        "1 in each of the 3 busiest months, the latest April 2025."
    )
