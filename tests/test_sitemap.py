"""``/sitemap.xml`` lists the public reading pages; ``/robots.txt`` names it and keeps
crawlers out of account, personal and search pages."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from briefs.models import Brief, Story
from tests.factories import make_brief, make_source, make_topic

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _locations(client, url):
    response = client.get(url)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [loc.text for loc in root.findall(".//s:loc", NS)]


def test_sitemap_lists_published_briefs_topics_sources_and_months_only(
    client, django_assert_max_num_queries
):
    ports, hidden = make_topic("Ports"), make_topic("Drafts only")
    wire = make_source("Harbour Wire")
    shown = make_brief(
        "Cranes", topics=[ports], source=wire,
        published_at=dt.datetime(2025, 3, 2, tzinfo=dt.timezone.utc),
    )
    draft = make_brief("Secret draft", topics=[hidden], status="draft")
    other = make_brief("Cranes arrive", source=make_source("Quay Post"))
    story = Story.objects.create(title="Cranes arrive", curator_fixed=True)
    Brief.objects.filter(pk__in=[shown.pk, other.pk]).update(story=story)
    lone = Story.objects.create(title="Only one version", curator_fixed=True)
    Brief.objects.filter(pk=draft.pk).update(story=lone)
    sections = _locations(client, "/sitemap.xml")
    assert sorted(sections) == sorted(
        f"http://testserver/sitemap-{name}.xml" for name in ["briefs", "topics", "sources", "stories", "archive"]
    )
    everything = []
    for section in sections:
        with django_assert_max_num_queries(3):
            everything += _locations(client, section.removeprefix("http://testserver"))
    assert f"http://testserver{shown.get_absolute_url()}" in everything
    assert "http://testserver/topics/ports/" in everything
    assert f"http://testserver{wire.get_absolute_url()}" in everything
    assert "http://testserver/archive/2025/03/" in everything
    assert f"http://testserver{story.get_absolute_url()}" in everything
    assert f"http://testserver{lone.get_absolute_url()}" not in everything
    assert not [url for url in everything if draft.slug in url or "drafts-only" in url]
    assert not [url for url in everything if "/search/" in url or "/accounts/" in url]


def test_robots_names_the_sitemap_and_keeps_personal_and_search_pages_out(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    for path in ["/accounts/", "/annotations/mine/", "/search/", "/api/", "/admin/"]:
        assert f"Disallow: {path}" in lines
    assert "Disallow: /" not in lines


def _urls(client, url):
    """The ``(loc, lastmod)`` of each ``<url>`` of a sitemap page, and the response."""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    urls = [
        (u.findtext("s:loc", namespaces=NS), u.findtext("s:lastmod", namespaces=NS))
        for u in root.findall("s:url", NS)
    ]
    return urls, response


@pytest.fixture
def five_briefs(monkeypatch):
    from briefs.sitemaps import BriefSitemap

    monkeypatch.setattr(BriefSitemap, "limit", 2)
    base = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.timezone.utc)
    briefs = [make_brief(f"Brief {n}", published_at=base + dt.timedelta(days=n)) for n in range(5)]
    for n, brief in enumerate(briefs):  # last changed on day 10 + n
        Brief.objects.filter(pk=brief.pk).update(modified_at=base + dt.timedelta(days=10 + n))
    make_brief("A draft", status="draft")  # changed now: never dates the sitemap
    return briefs


def test_a_big_section_is_split_into_pages_newest_first_each_listed_in_the_index(
    client, five_briefs
):
    sections = _locations(client, "/sitemap.xml")
    pages = [s for s in sections if "sitemap-briefs" in s]
    assert pages == [
        "http://testserver/sitemap-briefs.xml",
        "http://testserver/sitemap-briefs.xml?p=2",
        "http://testserver/sitemap-briefs.xml?p=3",
    ]
    listed = []
    for page in pages:
        urls, response = _urls(client, page.removeprefix("http://testserver"))
        assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"
        assert len(urls) <= 2
        listed += urls
    newest_first = list(reversed(five_briefs))
    assert listed == [
        (f"http://testserver{b.get_absolute_url()}", f"2025-03-{15 - n:02d}")
        for n, b in enumerate(newest_first)
    ]


def test_a_sitemap_page_is_dated_by_its_newest_change_and_the_index_by_the_sections(
    client, five_briefs
):
    _urls_, response = _urls(client, "/sitemap-briefs.xml")
    assert response["Last-Modified"] == "Sat, 15 Mar 2025 09:30:00 GMT"
    _urls_, response = _urls(client, "/sitemap-briefs.xml?p=3")
    assert response["Last-Modified"] == "Tue, 11 Mar 2025 09:30:00 GMT"
    index = client.get("/sitemap.xml")
    root = ET.fromstring(index.content)
    dated = {
        s.findtext("s:loc", namespaces=NS): s.findtext("s:lastmod", namespaces=NS)
        for s in root.findall("s:sitemap", NS)
    }
    assert dated["http://testserver/sitemap-briefs.xml"].startswith("2025-03-15T09:30:00")


@pytest.mark.parametrize(
    "path",
    [
        "/sitemap-briefs.xml?p=4",
        "/sitemap-briefs.xml?p=0",
        "/sitemap-briefs.xml?p=two",
        "/sitemap-briefs.xml?p=1e9",
        "/sitemap-nothing.xml",
        "/sitemap-.xml",
    ],
)
def test_a_page_or_section_that_does_not_exist_is_a_404(client, five_briefs, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"Traceback" not in response.content


def test_a_sitemap_is_served_from_the_cache_until_what_it_lists_changes(
    client, five_briefs, django_assert_max_num_queries
):
    first, _response = _urls(client, "/sitemap-briefs.xml")
    with django_assert_max_num_queries(1):  # the versions it depends on
        again, _response = _urls(client, "/sitemap-briefs.xml")
    assert again == first
    newest = make_brief("Breaking", published_at=dt.datetime(2025, 4, 1, tzinfo=dt.timezone.utc))
    now, _response = _urls(client, "/sitemap-briefs.xml")
    assert now[0][0] == f"http://testserver{newest.get_absolute_url()}"
    Brief.objects.filter(pk=newest.pk).update(status="draft")
    assert _urls(client, "/sitemap-briefs.xml")[0] == first


def test_a_section_with_nothing_to_list_is_left_out_of_the_index_and_is_a_404(client):
    make_brief("Alone", topics=[make_topic("Ports")])  # no story has two versions
    sections = _locations(client, "/sitemap.xml")
    assert "http://testserver/sitemap-stories.xml" not in sections
    assert "http://testserver/sitemap-briefs.xml" in sections
    assert client.get("/sitemap-stories.xml").status_code == 404
    for section in sections:  # every listed page holds at least one link
        urls, _response = _urls(client, section.removeprefix("http://testserver"))
        assert urls


def test_sitemaps_and_robots_name_site_url_whatever_host_was_asked(client, db, settings):
    # A crawler reaching the site by another name must still be told the one address.
    from tests.factories import make_brief

    make_brief("Gallium curbs")
    settings.SITE_URL = "https://briefs.example.org"
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    robots = client.get("/robots.txt", HTTP_HOST="other.example").content.decode()
    assert "Sitemap: https://briefs.example.org/sitemap.xml" in robots
    index = client.get("/sitemap.xml", HTTP_HOST="other.example").content.decode()
    assert "<loc>https://briefs.example.org/sitemap-" in index and "other.example" not in index
    section = client.get("/sitemap-briefs.xml", HTTP_HOST="other.example").content.decode()
    assert "<loc>https://briefs.example.org/briefs/" in section and "other.example" not in section
