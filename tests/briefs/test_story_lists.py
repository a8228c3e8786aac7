"""Lists and feeds show an event once ("N sources", every version a click away), and the
reader's switch to every version is remembered: a cookie when signed out (never mixed up
by the reader page cache), a stored preference when signed in."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from accounts.models import ReaderPreferences
from briefs.models import Brief
from briefs.services.briefs import briefs_set_status
from core.site import site_url
from tests.conftest import read_feed
from tests.factories import make_brief, make_source, make_story, make_topic, make_user

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2025, 3, 4, 9, tzinfo=dt.UTC)
GROUPED = ["Steel imports face new duty", "Cocoa prices ease"]
EVERY = ["Steel imports face new duty", "Cocoa prices ease", "Ministry sets steel tariff"]


@pytest.fixture
def story():
    """North Wire's and South Ledger's versions of one event, a brief on another event."""
    steel, trade = make_topic("Steel"), make_topic("Trade")
    one = make_brief(
        "Ministry sets steel tariff",
        source=make_source("North Wire"),
        topics=[steel, trade],
        published_at=MOMENT,
    )
    other = make_brief(
        "Steel imports face new duty",
        source=make_source("South Ledger"),
        topics=[steel, trade],
        published_at=MOMENT + dt.timedelta(hours=2),
    )
    make_brief(
        "Cocoa prices ease",
        source=make_source("East Post"),
        topics=[steel, trade],
        published_at=MOMENT + dt.timedelta(hours=1),
    )
    return make_story(briefs=[one, other], title="Ministry sets steel tariff")


LISTS = {
    "home": "/",
    "topic": "/topics/steel/",
    "topics": "/topics/steel+trade/",
    "archive-year": "/archive/2025/",
    "archive-month": "/archive/2025/03/",
}


def soup_of(response):
    assert response.status_code == 200, response.content[:300]
    return BeautifulSoup(response.content, "html.parser")


def titles(client, url):
    return [a.text for a in soup_of(client.get(url)).select(".card-title a")]


def switch(client, show, url, **extra):
    return client.post(reverse("briefs:versions-choice"), {"show": show, "next": url}, **extra)


@pytest.mark.parametrize("url", LISTS.values(), ids=LISTS.keys())
def test_a_list_says_what_it_folded_and_offers_a_button_to_show_every_version(
    client, story, url
):
    soup = soup_of(client.get(url))
    assert [a.text for a in soup.select(".card-title a")] == GROUPED
    card = soup.select_one(".story-sources")
    assert "2 sources" in card.text and card.a["href"] == story.get_absolute_url()
    toggle = soup.select_one("form.versions-toggle")
    assert toggle["method"] == "post" and toggle["action"] == reverse("briefs:versions-choice")
    assert "1 other version on this page is folded into its story" in toggle.text
    button = toggle.select_one("button")
    assert (button.text, button["name"], button["value"]) == ("Show every version", "show", "all")
    assert toggle.select_one("input[name=next]")["value"] == url
    assert not toggle.select("input[name=csrfmiddlewaretoken]")  # the page stays cacheable
    soup = soup_of(client.get(url + "?versions=all"))
    assert [a.text for a in soup.select(".card-title a")] == EVERY
    assert soup.select_one(".versions-toggle button").text == "Group by story"


def test_a_source_list_carries_the_story_of_its_own_version(client, story):
    soup = soup_of(client.get("/sources/north-wire/"))
    assert [a.text for a in soup.select(".card-title a")] == ["Ministry sets steel tariff"]
    assert "2 sources" in soup.select_one(".story-sources").text


def test_signed_out_choice_is_a_cookie_and_the_page_cache_keeps_the_two_forms_apart(story):
    reader, other = Client(), Client()
    for _ in range(2):  # the grouped page is now in the reader page cache
        assert titles(other, "/topics/steel/") == GROUPED
    response = switch(reader, "all", "/topics/steel/?page=1")
    assert response.status_code == 303 and response["Location"] == "/topics/steel/?page=1"
    assert reader.cookies["versions"].value == "all"
    assert reader.cookies["versions"]["httponly"]
    for url in ("/topics/steel/", "/", "/archive/2025/03/"):
        for _ in range(2):  # rendered, then served from the page cache
            assert titles(reader, url) == EVERY, url
            assert titles(other, url) == GROUPED, url
    assert titles(reader, "/topics/steel/?versions=stories") == GROUPED
    switch(reader, "stories", "/topics/steel/")
    assert not reader.cookies["versions"].value
    assert titles(reader, "/topics/steel/") == GROUPED


def test_a_cookie_value_that_means_nothing_is_no_choice(client, story):
    client.cookies["versions"] = "everything<script>"
    assert titles(client, "/") == GROUPED


def test_signed_in_choice_is_stored_and_kept_across_sessions(story):
    reader = make_user()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reader)
    soup = soup_of(browser.get("/"))
    token = soup.select_one("form.versions-toggle input[name=csrfmiddlewaretoken]")["value"]
    assert switch(browser, "all", "/").status_code == 403  # a signed-in write needs the token
    assert not ReaderPreferences.objects.exists()
    assert switch(browser, "all", "/", HTTP_X_CSRFTOKEN=token).status_code == 303
    assert ReaderPreferences.objects.get(user=reader).every_version
    assert "versions" not in browser.cookies
    elsewhere = Client()
    elsewhere.force_login(reader)
    assert titles(elsewhere, "/topics/steel/") == EVERY
    someone = Client()
    someone.force_login(make_user())
    assert titles(someone, "/topics/steel/") == GROUPED
    elsewhere.post(reverse("briefs:versions-choice"), {"show": "stories", "next": "/"})
    assert titles(browser, "/topics/steel/") == GROUPED


def test_signed_in_list_costs_one_query_more_for_the_preference(
    client, story, django_assert_max_num_queries
):
    client.force_login(make_user())
    client.get("/topics/steel/")
    with django_assert_max_num_queries(8):
        assert titles(client, "/topics/steel/") == GROUPED


@pytest.mark.parametrize(
    "data, status, location",
    [
        ({"show": "all", "next": "https://elsewhere.example/"}, 303, "/"),
        ({"show": "all", "next": "//elsewhere.example/"}, 303, "/"),
        ({"show": "all", "next": "/\\elsewhere.example/"}, 303, "/"),
        ({"show": "all", "next": "/topics/\r\nSet-Cookie: a=b"}, 303, "/"),
        ({"show": "all", "next": "/topics/ré/?page=2"}, 303, "/topics/r%C3%A9/?page=2"),
        ({"show": "all"}, 303, "/"),
        ({"show": "some", "next": "/"}, 400, None),
        ({}, 400, None),
    ],
)
def test_the_switch_refuses_other_answers_and_never_leads_off_site(client, data, status, location):
    response = client.post(reverse("briefs:versions-choice"), data)
    assert response.status_code == status
    if location:
        assert response["Location"] == location
    assert client.get(reverse("briefs:versions-choice")).status_code == 405


def test_a_story_split_by_a_page_boundary_shows_once_per_page_counting_every_source(client):
    topic = make_topic("Ports")
    sources = [make_source(f"Outlet {n}") for n in range(4)]
    moments = [MOMENT + dt.timedelta(minutes=n) for n in range(23)]
    briefs = [make_brief(f"Brief {n}", topics=[topic], published_at=m) for n, m in enumerate(moments)]
    # Newest first, page 1 holds briefs 22..3, page 2 holds 2..0: the story has two
    # versions on each side of the boundary.
    in_story = [briefs[22], briefs[21], briefs[2], briefs[1]]
    for brief, source in zip(in_story, sources, strict=True):
        Brief.objects.filter(pk=brief.pk).update(source=source)
    make_story(briefs=in_story, title="Port strike")
    first = soup_of(client.get("/topics/ports/"))
    second = soup_of(client.get("/topics/ports/?page=2"))
    for soup, shown, folded in ((first, "Brief 22", 1), (second, "Brief 2", 1)):
        cards = soup.select(".card")
        with_story = [c for c in cards if c.select(".story-sources")]
        assert [c.select_one(".card-title a").text for c in with_story] == [shown]
        assert "4 sources" in with_story[0].select_one(".story-sources").text
        assert f"{folded} other version on this page" in soup.select_one(".versions-toggle").text
    assert len(first.select(".card")) == 19 and len(second.select(".card")) == 2


FEEDS = {
    "latest": "/feed/{format}",
    "topic": "/topics/steel/feed/{format}",
    "topics": "/topics/steel+trade/feed/{format}",
}


def feed_items(client, url):
    """(title, text of summary and content) of each item, as a reader sees them."""
    if "/json/" in url:
        data = client.get(url).json()
        return [
            (i["title"], i.get("summary", "") + i.get("content_html", "")) for i in data["items"]
        ]
    feed = read_feed(client, url)
    return [
        (e.title, e.get("summary", "") + "".join(c.value for c in e.get("content", [])))
        for e in feed.entries
    ]


@pytest.mark.parametrize("fmt", ["", "atom/", "json/"])
@pytest.mark.parametrize("url", FEEDS.values(), ids=FEEDS.keys())
def test_feeds_show_a_story_once_with_its_sources_unless_asked_for_every_version(
    client, story, url, fmt
):
    url = url.format(format=fmt)
    items = feed_items(client, url)
    assert [title for title, _ in items] == GROUPED
    text = items[0][1]
    assert "Also reported by North Wire — 2 sources" in text
    assert f'href="{site_url(story.get_absolute_url())}"' in text
    assert "sources" not in items[1][1]
    every = feed_items(client, url + "?versions=all")
    assert [title for title, _ in every] == EVERY
    assert not any("Also reported by" in text for _, text in every)


@pytest.mark.parametrize("fmt", ["", "atom/", "json/"])
def test_a_source_feed_names_the_other_sources_of_its_story(client, story, fmt):
    [(title, text)] = feed_items(client, f"/sources/north-wire/feed/{fmt}")
    assert title == "Ministry sets steel tariff"
    assert "Also reported by South Ledger — 2 sources" in text


def test_the_every_version_feed_names_itself(client, story):
    feed = read_feed(client, "/feed/atom/?versions=all&utm_source=x")
    assert feed.feed.links[0]["href"].endswith("/feed/atom/?versions=all") or any(
        link["href"].endswith("/feed/atom/?versions=all") for link in feed.feed.links
    )


@pytest.mark.parametrize("fmt", ["", "atom/", "json/"])
def test_a_new_version_of_a_story_changes_a_feed_it_is_no_item_of(client, story, fmt):
    url = f"/sources/north-wire/feed/{fmt}"
    first = client.get(url)
    third = make_brief("Tariff hits steel", source=make_source("West Gazette"))
    Brief.objects.filter(pk=third.pk).update(story=story)
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert "Also reported by South Ledger, West Gazette — 3 sources" in again.content.decode()
    briefs_set_status(briefs=[Brief.objects.get(pk=third.pk)], status="draft")
    last = client.get(url, headers={"if-none-match": again["ETag"]})
    assert last.status_code == 200 and "— 2 sources" in last.content.decode()
    assert client.get(url, headers={"if-none-match": last["ETag"]}).status_code == 304


# As pinned in test_feeds.py, plus the versions of the items' stories and their briefs.
@pytest.mark.parametrize(
    "url, queries",
    [("/feed/", 4 + 2), ("/feed/json/", 4 + 2), ("/topics/steel+trade/feed/atom/", 5 + 2)],
)
def test_feeds_with_stories_have_pinned_query_counts(
    client, story, django_assert_max_num_queries, django_assert_num_queries, url, queries
):
    with django_assert_max_num_queries(queries):
        first = client.get(url)
    # The page cache reads the versions of the feed's keys and of its stories at once.
    with django_assert_num_queries(1):
        assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
