"""What readers see of stories: the side-by-side page, the index, links, lists, feeds."""

import datetime as dt
import json

import pytest
from bs4 import BeautifulSoup
from django.urls import resolve, reverse

from annotations.groups import group_create
from briefs.models import Brief, Story
from briefs.services.briefs import brief_update, briefs_set_status
from briefs.services.stories import brief_story_move_out
from tests.briefs.test_stories_service import import_seeds
from tests.conftest import read_feed
from tests.factories import (
    make_annotation,
    make_brief,
    make_source,
    make_story,
    make_topic,
    make_user,
)

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2025, 3, 4, 9, tzinfo=dt.timezone.utc)


@pytest.fixture
def tariff_story():
    """Two outlets' versions of one event, grouped by a curator, plus a brief on another event."""
    topic = make_topic("Steel")
    one = make_brief(
        "Ministry sets steel tariff",
        source=make_source("North Wire"),
        topics=[topic],
        published_at=MOMENT,
        body="The ministry set a 15% tariff on steel imports from Monday. "
        "Importers said they would pass the cost on.\n\nPorts expect fewer ships.",
    )
    other = make_brief(
        "Steel imports face new duty",
        source=make_source("South Ledger"),
        topics=[topic],
        published_at=MOMENT + dt.timedelta(hours=2),
        body="The ministry set a 20% tariff on steel imports from Monday.\n\n"
        "Carmakers in Turin warned of higher prices.",
    )
    make_brief("Cocoa prices ease", topics=[topic], published_at=MOMENT + dt.timedelta(hours=1))
    story = make_story(briefs=[one, other], title="Ministry sets steel tariff")
    return story, one, other


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    return BeautifulSoup(response.content, "html.parser")


def test_story_urls_reverse_and_resolve_alike():
    for name, kwargs in [
        ("briefs:story-list", {}),
        ("briefs:story-detail", {"slug": "a"}),
        ("briefs:stories-feed", {}),
        ("briefs:stories-feed-json", {}),
        ("briefs:story-feed-atom", {"slug": "a"}),
    ]:
        assert resolve(reverse(name, kwargs=kwargs)).view_name == name


def test_seeds_read_side_by_side_with_shared_and_unique_facts(client):
    first, second = import_seeds()
    story = Story.objects.get()
    soup = page(client, story.get_absolute_url())
    assert "Stockholm" in soup.h1.text
    timeline = [li.text for li in soup.select(".story-timeline-list li")]
    # ClashReport gives only the day: it follows Stocktwits' 02:10 that day, marked so.
    assert len(timeline) == 2 and "Stocktwits" in timeline[0] and "ClashReport" in timeline[1]
    assert "(time not given)" in timeline[1]
    versions = soup.select(".story-version")
    assert [v.h2.text for v in versions] == ["ClashReport", "Stocktwits"]
    for version in versions:
        assert version.select(".sentence-shared") and version.select(".sentence-unique")
    for link in soup.select(".also a"):
        assert soup.find(id=link["href"][1:]) is not None  # points at the other version's fact
    assert "Fentanyl" in soup.text or "fentanyl" in soup.text


def test_differing_numbers_are_flagged_and_unique_sentences_marked(client, tariff_story):
    story, one, other = tariff_story
    soup = page(client, story.get_absolute_url())
    flags = [flag.text for flag in soup.select(".differs")]
    assert "percentage differs: 15% here, 20% in South Ledger" in flags
    assert "percentage differs: 20% here, 15% in North Wire" in flags
    unique = [s.text for s in soup.select(".sentence-unique")]
    assert "Carmakers in Turin warned of higher prices." in unique


def test_story_page_shows_each_readers_notes_on_each_version(client, tariff_story):
    story, one, other = tariff_story
    author, reader = make_user(), make_user()
    make_annotation(one, author, "15% tariff", note="Check the decree.", visibility="public")
    make_annotation(other, author, "Carmakers", note="My own reminder.")
    soup = page(client, story.get_absolute_url())
    notes = soup.select(".version-notes .note-text")
    assert [n.text for n in notes] == ["Check the decree."]
    client.force_login(author)
    soup = page(client, story.get_absolute_url())
    assert {n.text for n in soup.select(".version-notes .note-text")} == {
        "Check the decree.",
        "My own reminder.",
    }
    link = soup.select(".annotate-here")[0]
    assert link["href"] == one.get_absolute_url() + "#notes"
    assert link.text == "All notes on this version's page"
    client.force_login(reader)
    soup = page(client, story.get_absolute_url())
    assert [n.text for n in soup.select(".version-notes .note-text")] == ["Check the decree."]


def test_story_page_index_and_feeds_have_pinned_query_counts(
    client, tariff_story, django_assert_max_num_queries
):
    story, one, other = tariff_story
    for url in [
        story.get_absolute_url(),
        reverse("briefs:story-list"),
        reverse("briefs:stories-feed"),
        reverse("briefs:stories-feed-json"),
        reverse("briefs:story-feed", kwargs={"slug": story.slug}),
    ]:
        with django_assert_max_num_queries(6):
            assert client.get(url).status_code == 200


def _body_text(block):
    """A block's text as the annotate script reads it: the asides ("also", "only here",
    the link to the passage) left out."""
    for aside in block.select("[data-aside]"):
        aside.decompose()
    return block.get_text()


def test_each_version_body_is_its_briefs_text_for_the_annotate_script(client, tariff_story):
    story, one, other = tariff_story
    client.force_login(make_user())
    soup = page(client, story.get_absolute_url())
    for brief in (one, other):
        body = soup.select_one(f"#version-body-{brief.pk}")
        assert body["data-brief"] == str(brief.pk)
        assert body["data-source"] == brief.get_absolute_url()
        assert soup.find(id=body["data-notes"])["class"] == ["version-notes"]
        blocks = body.select("[data-start]")
        assert blocks and len(blocks) == len(brief.body.split("\n\n"))
        for block in blocks:
            start, text = int(block["data-start"]), _body_text(block)
            assert brief.body[start : start + len(text)] == text
            assert "also" not in text and "only here" not in text and "↗" not in text


def test_signed_in_reader_gets_the_annotate_script_and_a_signed_out_one_never(
    client, tariff_story
):
    story = tariff_story[0]
    soup = page(client, story.get_absolute_url())  # the signed-out copy is cached
    assert soup.select_one("[data-annotate]") is None and not soup.select("script[src*=annotate]")
    assert "log in to add them" in soup.select_one(".story-legend").text
    member = make_user()
    group = group_create(by=member, name="Steel desk")
    client.force_login(member)
    soup = page(client, story.get_absolute_url())
    tools = soup.select_one(".annotate-tools[data-annotate]")
    assert tools["data-api"] == reverse("annotations:api-list")
    assert json.loads(tools["data-groups"]) == [{"slug": group.slug, "name": "Steel desk"}]
    assert tools.select_one("#annotate-csrf")["value"]
    assert tools.select_one("script[src*='js/annotate.js']")
    assert "select a passage in a version" in soup.select_one(".story-legend").text
    client.logout()
    soup = page(client, story.get_absolute_url())
    assert soup.select_one("[data-annotate]") is None and not soup.select("#annotate-csrf")


def test_note_posted_from_a_version_shows_on_the_story_and_the_brief_page(client, tariff_story):
    story, one, other = tariff_story
    author = make_user()
    client.force_login(author)
    body = page(client, story.get_absolute_url()).select_one(f"#version-body-{other.pk}")
    paragraph = body.select("p[data-start]")[1]
    exact = _body_text(paragraph).split(" in ")[0]  # "Carmakers", as selected on the page
    start = int(paragraph["data-start"])
    response = client.post(
        reverse("annotations:api-list"),
        data=json.dumps(
            {
                "@context": "http://www.w3.org/ns/anno.jsonld",
                "type": "Annotation",
                "body": {"type": "TextualBody", "value": "Which carmakers?"},
                "target": {
                    "source": "http://testserver" + body["data-source"],
                    "selector": [
                        {"type": "TextQuoteSelector", "exact": exact},
                        {"type": "TextPositionSelector", "start": start, "end": start + len(exact)},
                    ],
                },
                "visibility": "private",
            }
        ),
        content_type="application/ld+json",
    )
    assert response.status_code == 201, response.content
    soup = page(client, story.get_absolute_url())
    notes = soup.select_one(f"#version-notes-{other.pk}")
    assert [n.text for n in notes.select(".note-quote")] == ["Carmakers"]
    assert not soup.select_one(f"#version-notes-{one.pk}").select(".note")
    brief_page = page(client, other.get_absolute_url())
    assert [m.text for m in brief_page.select("#brief-body mark.hl-own")] == ["Carmakers"]
    client.force_login(make_user())
    assert not page(client, story.get_absolute_url()).select(".version-notes .note")


def test_signed_in_story_page_has_a_pinned_query_count(
    client, tariff_story, django_assert_max_num_queries
):
    story, one, other = tariff_story
    reader = make_user()
    desk = group_create(by=reader, name="Steel desk")
    for brief in (one, other):
        make_annotation(brief, reader, "steel", note="Mine.", visibility="group", group=desk)
        make_annotation(brief, make_user(), "The ministry", note="Theirs.", visibility="public")
    client.force_login(reader)
    client.get(story.get_absolute_url())  # warm caches that are not per-request
    # Session, user, the page's cache versions, story, versions, their notes, the reader's
    # groups (the "Who can read it" choice) and the groups they own.
    with django_assert_max_num_queries(8):
        response = client.get(story.get_absolute_url())
    assert response.content.decode().count('class="note note-') == 4


def test_brief_page_says_who_else_reported_it(client, tariff_story):
    story, one, other = tariff_story
    soup = page(client, one.get_absolute_url())
    link = soup.select_one(".story-link")
    assert "Also reported by South Ledger" in link.text
    assert link.find("a", href=story.get_absolute_url())


@pytest.mark.parametrize("list_name", ["home", "topic", "source", "archive"])
def test_lists_show_an_event_once_unless_the_reader_switches_it_off(
    client, tariff_story, list_name
):
    story, one, other = tariff_story
    url = {
        "home": reverse("briefs:home"),
        "topic": reverse("briefs:topic-detail", kwargs={"slugs": "steel"}),
        "source": one.source.get_absolute_url(),
        "archive": reverse("briefs:archive-month", args=["2025", "03"]),
    }[list_name]
    soup = page(client, url)
    titles = [a.text for a in soup.select(".card-title a")]
    if list_name == "source":
        assert titles == [one.title]
    else:
        assert titles == ["Steel imports face new duty", "Cocoa prices ease"]
        assert soup.select_one(".versions-toggle button").text == "Show every version"
    assert "2 sources" in soup.select_one(".story-sources").text
    assert soup.select_one(".story-sources a")["href"] == story.get_absolute_url()
    soup = page(client, url + "?versions=all")
    if list_name != "source":
        assert len(soup.select(".card-title a")) == 3
        assert not soup.select(".story-sources")


def test_a_story_with_one_published_version_is_not_shown(client, tariff_story):
    story, one, other = tariff_story
    briefs_set_status(briefs=[other], status="draft")
    page(client, story.get_absolute_url(), status=404)
    assert not page(client, one.get_absolute_url()).select(".story-link")
    assert not page(client, reverse("briefs:story-list")).select(".card-title")
    assert client.get(reverse("briefs:story-feed", kwargs={"slug": story.slug})).status_code == 404


def test_stories_feeds_list_new_stories_and_a_storys_versions(client, tariff_story):
    story, one, other = tariff_story
    for suffix in ("", "-atom"):
        feed = read_feed(client, reverse("briefs:stories-feed" + suffix))
        assert [entry.title for entry in feed.entries] == [story.title]
        assert "North Wire, South Ledger" in feed.entries[0].summary
    data = client.get(reverse("briefs:stories-feed-json")).json()
    assert data["items"][0]["url"].endswith(story.get_absolute_url())
    feed = read_feed(client, reverse("briefs:story-feed", kwargs={"slug": story.slug}))
    assert {entry.title for entry in feed.entries} == {one.title, other.title}


def test_story_pages_and_feeds_change_when_the_storys_briefs_change(client, tariff_story):
    story, one, other = tariff_story
    urls = [story.get_absolute_url(), reverse("briefs:story-list"), reverse("briefs:stories-feed")]
    for url in urls:  # fill the reader page cache
        client.get(url)
    one.title = "Ministry doubles steel tariff"
    brief_update(brief=one)
    assert "Ministry doubles steel tariff" in client.get(urls[0]).content.decode()
    Story.objects.filter(pk=story.pk).update(title="Steel tariff row")
    for url in urls:
        assert "Steel tariff row" in client.get(url).content.decode(), url
    brief_story_move_out(brief=Brief.objects.get(pk=other.pk))
    assert client.get(urls[0]).status_code == 404
    assert "Steel tariff row" not in client.get(urls[1]).content.decode()


def test_every_machine_readable_time_on_story_pages_is_to_the_second(client, tariff_story):
    """HTML allows at most three fractional digits; the stories index showed six."""
    story = tariff_story[0]
    Story.objects.filter(pk=story.pk).update(
        updated_at=dt.datetime(2026, 12, 1, 9, 29, 47, 781504, tzinfo=dt.UTC)
    )
    for url in ("/stories/", story.get_absolute_url()):
        stamps = [t["datetime"] for t in page(client, url).select("time[datetime]")]
        assert stamps, url
        for stamp in stamps:
            assert len(stamp) == 10 or (len(stamp) == 25 and stamp.endswith("+00:00")), stamp
    assert "2026-12-01T09:29:47+00:00" in [
        t["datetime"] for t in page(client, "/stories/").select("time")
    ]


def test_the_stories_index_dates_a_story_by_its_briefs_not_by_the_import(client, tariff_story):
    other = tariff_story[2]
    Brief.objects.filter(pk=other.pk).update(published_at=MOMENT + dt.timedelta(days=2))
    card = page(client, "/stories/").select_one(".card")
    first, *rest = card.select(".meta")
    assert first.get_text(" ", strip=True).startswith("4 March 2025 – 6 March 2025")
    assert [t["datetime"] for t in first.select("time")] == ["2025-03-04", "2025-03-06"]
    assert "changed in the archive" in rest[0].get_text() and "changed" not in first.get_text()


def test_a_brief_giving_only_its_day_is_not_shown_as_the_first_of_that_day(client, tariff_story):
    story, one, other = tariff_story
    Brief.objects.filter(pk=one.pk).update(
        published_at=dt.datetime(2025, 7, 28, tzinfo=dt.UTC), published_time_known=False
    )
    Brief.objects.filter(pk=other.pk).update(
        published_at=dt.datetime(2025, 7, 28, 2, 10, tzinfo=dt.UTC)
    )
    soup = page(client, story.get_absolute_url())
    timeline = [li.get_text(" ", strip=True) for li in soup.select(".story-timeline-list li")]
    assert timeline[0].startswith("28 July 2025, 02:10 UTC") and "South Ledger" in timeline[0]
    assert timeline[1].startswith("28 July 2025 (time not given)") and "North Wire" in timeline[1]
    assert "which came first is not known" in soup.select_one(".story-timeline").get_text()
    assert "28 July 2025" in soup.select_one(".story-dates").get_text()


def test_signed_out_the_notes_invitation_leads_to_login_and_back_to_the_story(
    client, tariff_story
):
    story = tariff_story[0]
    soup = page(client, story.get_absolute_url())
    links = [a["href"] for a in soup.select(".version-notes a.annotate-here")]
    assert links and all(
        link == f"/accounts/login/?next={story.get_absolute_url().replace('/', '%2F')}"
        for link in links
    ), links


def test_the_stories_menu_item_is_current_on_a_story_page(client, tariff_story):
    story = tariff_story[0]
    for url, current in (("/stories/", "page"), (story.get_absolute_url(), "true")):
        item = page(client, url).select_one(".site-nav a[aria-current]")
        assert item is not None and item.get_text() == "Stories" and item["aria-current"] == current


def test_opening_the_versions_form_address_explains_instead_of_an_empty_405(client):
    response = client.get("/versions/")
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "only takes the answer of a form" in response.content.decode()
