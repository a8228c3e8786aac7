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
