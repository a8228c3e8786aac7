"""Feed validators as a polling reader meets them, and feed identity and channel text.

A reader that sends ``If-None-Match`` must get the feed again whenever any byte it would
show changed (a source, topic or author renamed, an item deleted); one that sends only
``If-Modified-Since`` must never see ``Last-Modified`` go backwards. Ids, links and
validators come from ``SITE_URL``, never from the Host header, and channel-level text is
plain text for readers that take it as HTML.
"""

import datetime as dt
import json
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.db import connection
from django.utils.http import parse_http_date

from briefs.services.topics import topic_rename
from tests.conftest import read_feed
from tests.factories import make_annotation, make_brief, make_source, make_topic, make_user

pytestmark = pytest.mark.django_db

BODY = "Gallium exports fell sharply.\n\nPrices in Rotterdam doubled within a week."

BRIEF_FEEDS = ["/feed/", "/feed/atom/", "/feed/json/"]


@pytest.fixture
def archive():
    rare = make_topic("Rare Earths")
    source = make_source("Harbour Times")
    older = make_brief("Older brief", topics=[rare], source=source, body=BODY)
    newest = make_brief("Newest brief", topics=[rare], source=source, body=BODY)
    author = make_user("ada")
    make_annotation(older, author, "Gallium exports", note="Down 40%.", visibility="public")
    return {"topic": rare, "source": source, "older": older, "newest": newest, "author": author}


def _repoll(client, url, first):
    from django.core.cache import cache

    cache.clear()  # the page cache is keyed on the counter too; this proves the view alone
    return client.get(url, headers={"if-none-match": first["ETag"]})


@pytest.mark.parametrize("suffix", ["", "atom/", "json/"])
def test_a_renamed_source_changes_the_etag_of_its_feed(client, archive, suffix):
    url = f"/sources/harbour-times/feed/{suffix}"
    first = client.get(url)
    archive["source"].name = "Harbour Times Daily"
    archive["source"].save()
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert b"Harbour Times Daily" in again.content


@pytest.mark.parametrize("url", BRIEF_FEEDS + ["/topics/rare-earths/feed/"])
def test_a_renamed_topic_changes_the_etag_of_every_feed_showing_it(client, archive, url):
    first = client.get(url)
    topic_rename(topic=archive["topic"], name="Rare-Earth Metals", slug="rare-earths")
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert b"Rare-Earth Metals" in again.content


@pytest.mark.parametrize(
    "url",
    [
        "/annotations/feed/",
        "/briefs/{slug}/annotations/feed/",
        "/topics/rare-earths/annotations/feed/",
    ],
)
def test_a_renamed_note_author_changes_the_etag_of_the_note_feeds(client, archive, url):
    url = url.format(slug=archive["older"].slug)
    first = client.get(url)
    archive["author"].username = "ada-lovelace"
    archive["author"].save()
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert b"ada-lovelace" in again.content


def _backdate_archive(seconds):
    """Move the archive's change time into the past, as if the last change were old."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE briefs_archive_version SET changed_at = changed_at - %s WHERE id = 1",
            [seconds],
        )


@pytest.mark.parametrize(
    "url", BRIEF_FEEDS + ["/sources/harbour-times/feed/", "/annotations/feed/"]
)
def test_deleting_the_newest_item_moves_last_modified_forward_never_back(client, archive, url):
    _backdate_archive(3600)
    first = client.get(url)
    archive["newest"].delete()
    archive["older"].annotations.all().delete()
    again = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert again.status_code == 200
    assert parse_http_date(again["Last-Modified"]) > parse_http_date(first["Last-Modified"])


def test_an_unchanged_feed_still_answers_if_modified_since_with_304(client, archive):
    first = client.get("/feed/")
    again = _repoll(client, "/feed/", first)
    assert again.status_code == 304
    cached = client.get("/feed/", headers={"if-modified-since": first["Last-Modified"]})
    assert cached.status_code == 304


def _ids(response):
    if response["Content-Type"].startswith("application/feed+json"):
        feed = json.loads(response.content)
        return [feed["feed_url"], feed["home_page_url"]] + [
            value for item in feed["items"] for value in (item["id"], item["url"])
        ]
    parsed = feedparser.parse(response.content)
    return [parsed.feed.link] + [v for e in parsed.entries for v in (e.id, e.link)]


@pytest.mark.parametrize(
    "url", BRIEF_FEEDS + ["/annotations/feed/", "/topics/rare-earths/feed/json/", "/topics/opml/"]
)
def test_the_same_feed_read_through_two_host_names_is_byte_identical(
    client, archive, settings, url
):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    settings.SITE_URL = "https://briefs.example.org"
    through_name = client.get(url, HTTP_HOST="localhost")
    through_address = client.get(url, HTTP_HOST="127.0.0.1:8000")
    assert through_name.status_code == through_address.status_code == 200
    assert through_name.content == through_address.content
    assert through_name.get("ETag") == through_address.get("ETag")
    assert b"localhost" not in through_name.content
    assert b"127.0.0.1" not in through_address.content
    if "opml" not in url:
        ids = _ids(through_name)
        assert ids and all(
            i.startswith(("https://briefs.example.org/", "tag:briefs.example.org,")) for i in ids
        ), ids


def test_stray_query_parameters_do_not_change_the_feed_or_its_etag(client, archive):
    plain = client.get("/feed/json/")
    tracked = client.get("/feed/json/?utm_source=newsletter")
    assert plain.content == tracked.content
    assert plain["ETag"] == tracked["ETag"]


MARKUP = '<img src=x onerror="alert(1)">'


def _channel_texts(response):
    """Channel-level title, description and subtitle as a reader decodes them."""
    if response["Content-Type"].startswith("application/feed+json"):
        feed = json.loads(response.content)
        return [feed["title"], feed.get("description") or ""]
    root = ET.fromstring(response.content)
    texts = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        parent_is_channel = tag in {"title", "description", "subtitle"}
        if parent_is_channel and element.text and MARKUP_WORD in element.text:
            texts.append(element.text)
    for outline in root.iter("outline"):
        texts += [outline.get("text", ""), outline.get("title", "")]
    return texts


MARKUP_WORD = "onerror"


@pytest.mark.parametrize("suffix", ["", "atom/", "json/"])
def test_a_topic_name_with_markup_is_plain_text_in_every_feed_format(client, suffix):
    topic = make_topic(f"Chips {MARKUP}")
    make_brief("Plain brief", topics=[topic])
    response = client.get(f"/topics/{topic.slug}/feed/{suffix}")
    texts = _channel_texts(response)
    assert texts and any(MARKUP_WORD in text for text in texts)
    assert not any("<" in text or ">" in text for text in texts), texts


@pytest.mark.parametrize("url", ["/search/feed/?q={q}", "/topics/opml/"])
def test_a_search_query_or_topic_name_with_markup_is_plain_text(client, url):
    topic = make_topic(f"Gallium {MARKUP}")
    make_brief("Gallium brief", topics=[topic], body="Gallium onerror img src x alert")
    response = client.get(url.format(q=MARKUP.replace(" ", "+").replace('"', "%22")))
    assert response.status_code == 200, response.content[:200]
    texts = _channel_texts(response)
    assert texts and any(MARKUP_WORD in text for text in texts)
    assert not any("<" in text or ">" in text for text in texts), texts


def test_the_channel_description_parses_as_text_not_as_an_image(client):
    topic = make_topic(f"Chips {MARKUP}")
    make_brief("Plain brief", topics=[topic])
    parsed = read_feed(client, f"/topics/{topic.slug}/feed/")
    assert "<img" not in parsed.feed.title and "<img" not in parsed.feed.description


# Every feed of the site in every format, for the checks every feed must pass.
EVERY_FEED = [
    f"{prefix}{suffix}"
    for prefix in (
        "/feed/",
        "/topics/rare-earths/feed/",
        "/sources/harbour-times/feed/",
        "/stories/feed/",
        "/stories/{story}/feed/",
        "/annotations/feed/",
        "/users/ada/feed/",
    )
    for suffix in ("", "atom/", "json/")
] + [
    "/search/feed/?q=gallium",
    "/briefs/{older}/annotations/feed/",
    "/topics/rare-earths/annotations/feed/",
]


@pytest.fixture
def story_archive(archive):
    """The archive with its two briefs told by a second outlet too: one story."""
    from briefs.models import Brief, Story

    other = make_brief(
        "Gallium exports drop",
        topics=[archive["topic"]],
        source=make_source("Valley Post"),
        body=BODY,
    )
    story = Story.objects.create(title="Gallium exports fall", curator_fixed=True)
    Brief.objects.filter(pk__in=[archive["older"].pk, other.pk]).update(story=story)
    return {**archive, "story": story}


def _feed_url(url, story_archive):
    return url.format(story=story_archive["story"].slug, older=story_archive["older"].slug)


@pytest.mark.parametrize("url", [u for u in EVERY_FEED if "atom/" in u])
def test_every_atom_feed_names_an_author_as_rfc_4287_requires(client, story_archive, url):
    response = client.get(_feed_url(url, story_archive))
    root = ET.fromstring(response.content)
    atom = "{http://www.w3.org/2005/Atom}"
    entries = root.findall(f"{atom}entry")
    assert entries
    feed_author = root.find(f"{atom}author/{atom}name")
    assert feed_author is not None and feed_author.text == "Brief Archive"
    assert root.find(f"{atom}author/{atom}uri").text.startswith("http")


def test_the_json_feed_names_the_archive_as_its_author(client, story_archive):
    feed = json.loads(client.get("/stories/feed/json/").content)
    [author] = feed["authors"]
    assert author["name"] == "Brief Archive" and author["url"].startswith("http")


def _contents(response):
    """Every HTML content and summary of a feed's items, as a reader gets them."""
    if response["Content-Type"].startswith("application/feed+json"):
        return [item.get("content_html", "") for item in json.loads(response.content)["items"]]
    parsed = feedparser.parse(response.content)
    texts = []
    for entry in parsed.entries:
        texts += [content.value for content in entry.get("content", [])]
        texts.append(entry.get("summary", ""))
    return texts


def _dates(response):
    """``(published, updated)`` of every item, as datetimes (updated None when absent)."""
    if response["Content-Type"].startswith("application/feed+json"):
        items = json.loads(response.content)["items"]
        return [
            (
                dt.datetime.fromisoformat(i["date_published"]),
                dt.datetime.fromisoformat(i["date_modified"]) if "date_modified" in i else None,
            )
            for i in items
        ]
    root = ET.fromstring(response.content)
    atom = "{http://www.w3.org/2005/Atom}"
    return [
        (
            dt.datetime.fromisoformat(e.find(f"{atom}published").text),
            dt.datetime.fromisoformat(e.find(f"{atom}updated").text),
        )
        for e in root.findall(f"{atom}entry")
    ]


@pytest.mark.parametrize("url", EVERY_FEED)
def test_every_link_inside_every_feeds_content_is_absolute(client, story_archive, settings, url):
    from bs4 import BeautifulSoup

    settings.SITE_URL = "https://briefs.example.org"
    response = client.get(_feed_url(url, story_archive))
    assert response.status_code == 200
    links = [
        tag.get("href") or tag.get("src")
        for html in _contents(response)
        for tag in BeautifulSoup(html, "html.parser").find_all(["a", "img"])
    ]
    assert all(link.startswith("https://briefs.example.org/") for link in links), links
    if "stories/feed" in url:
        assert links  # the stories feed links every version


@pytest.mark.parametrize("url", [u for u in EVERY_FEED if "atom/" in u or "json/" in u])
def test_no_feed_item_is_updated_before_it_was_published(client, story_archive, url):
    from briefs.models import Story

    # A story's row is stamped created, then updated, microseconds apart in either order.
    story = story_archive["story"]
    Story.objects.filter(pk=story.pk).update(
        updated_at=story.created_at - dt.timedelta(microseconds=5)
    )
    dates = _dates(client.get(_feed_url(url, story_archive)))
    assert dates
    assert all(updated is None or updated >= published for published, updated in dates), dates
