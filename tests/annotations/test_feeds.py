"""Feeds of public notes: only what anyone may see, each linking to its passage."""

import datetime as dt

import feedparser
import pytest

from annotations.models import Annotation
from tests.conftest import read_feed
from tests.factories import (
    make_annotation,
    make_brief,
    make_topic,
    make_topic_slug_redirect,
    make_user,
)

pytestmark = pytest.mark.django_db

BODY = "Gallium exports fell sharply.\n\nPrices in Rotterdam doubled within a week."


def note_on(brief, user, exact, *, visibility="public", **fields):
    """A note (public unless told otherwise) on the first copy of ``exact`` in the body."""
    return make_annotation(brief, user, exact, visibility=visibility, **fields)


@pytest.fixture
def archive():
    """Two topics, briefs on both, on one and a draft, with notes of every visibility."""
    rare, chips = make_topic("Rare Earths"), make_topic("Semiconductors")
    both = make_brief("Gallium curbs", topics=[rare, chips], body=BODY)
    one = make_brief("Rotterdam prices", topics=[rare], body=BODY)
    draft = make_brief("Unpublished", topics=[rare, chips], body=BODY, status="draft")
    ada, bo = make_user("ada"), make_user("bo")
    notes = {
        "first": note_on(both, ada, "Gallium exports fell", note="Down 40% on the year."),
        "second": note_on(one, bo, "Prices in Rotterdam doubled"),
        "third": note_on(both, bo, "within a week", note="Source?"),
        "private": note_on(both, ada, "sharply", visibility="private"),
        "hidden": note_on(both, bo, "exports", hidden=True),
        "on draft": note_on(draft, ada, "Gallium"),
    }
    return {"both": both, "one": one, "draft": draft, "notes": notes}


def ids(parsed, notes):
    by_guid = {f"tag:testserver,2025:annotation:{note.pk}": name for name, note in notes.items()}
    return [by_guid[entry.id] for entry in parsed.entries]


def test_site_note_feed_lists_public_notes_on_published_briefs_newest_first(client, archive):
    parsed = read_feed(client, "/annotations/feed/")
    assert parsed.feed.title == "Brief Archive — Public notes"
    assert ids(parsed, archive["notes"]) == ["third", "second", "first"]


def test_note_item_quotes_the_passage_gives_the_note_and_links_to_it(client, archive):
    first = archive["notes"]["first"]
    entry = read_feed(client, "/annotations/feed/").entries[-1]
    assert entry.title == "“Gallium exports fell” — on Gallium curbs"
    assert entry.link == f"http://testserver/briefs/{archive['both'].slug}/#annotation-{first.pk}"
    assert entry.author == "ada"
    assert entry.guidislink is False
    assert entry.summary == (
        "<blockquote><p>Gallium exports fell</p></blockquote>\n<p>Down 40% on the year.</p>"
    )
    assert entry.content[0].value == entry.summary
    assert entry.published_parsed[:6] == first.created_at.astimezone(dt.UTC).timetuple()[:6]


def test_brief_note_feed_holds_only_that_briefs_public_notes(client, archive):
    parsed = read_feed(client, f"/briefs/{archive['both'].slug}/annotations/feed/")
    assert parsed.feed.title == "Brief Archive — Notes on Gallium curbs"
    assert parsed.feed.link == f"http://testserver/briefs/{archive['both'].slug}/"
    assert ids(parsed, archive["notes"]) == ["third", "first"]


@pytest.mark.parametrize("slug", ["no-such-brief", "unpublished"])
def test_note_feed_of_a_missing_or_draft_brief_is_404(client, archive, slug):
    assert client.get(f"/briefs/{slug}/annotations/feed/").status_code == 404


def test_topic_note_feed_holds_notes_on_briefs_with_every_topic(client, archive):
    combined = read_feed(client, "/topics/rare-earths+semiconductors/annotations/feed/")
    assert combined.feed.title == "Brief Archive — Notes on Rare Earths + Semiconductors"
    assert ids(combined, archive["notes"]) == ["third", "first"]
    single = read_feed(client, "/topics/rare-earths/annotations/feed/")
    assert ids(single, archive["notes"]) == ["third", "second", "first"]


def test_topic_note_feed_follows_a_renamed_topic_and_refuses_unknown_ones(client, archive):
    make_topic_slug_redirect(
        old_slug="rare-earth-metals", topic=archive["both"].topics.get(name="Rare Earths")
    )
    moved = client.get("/topics/rare-earth-metals/annotations/feed/")
    assert moved.status_code == 301
    assert moved["Location"] == "/topics/rare-earths/annotations/feed/"
    assert client.get("/topics/nothing/annotations/feed/").status_code == 404


def test_note_feed_repoll_gets_304_until_a_note_changes(client, archive, django_assert_num_queries):
    first = client.get("/annotations/feed/")
    with django_assert_num_queries(1):
        again = client.get("/annotations/feed/", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again["Cache-Control"] == "public, max-age=300"
    note = archive["notes"]["second"]
    note.note = "Added a thought."
    note.save()
    changed = client.get("/annotations/feed/", headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200


def test_a_note_hidden_by_a_curator_leaves_the_feed_and_the_repoll_sees_it(client, archive):
    first = client.get("/annotations/feed/")
    Annotation.objects.filter(pk=archive["notes"]["third"].pk).update(hidden=True)
    again = client.get("/annotations/feed/", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert ids(feedparser.parse(again.content), archive["notes"]) == ["second", "first"]


def test_note_feed_honours_the_same_limit_as_brief_feeds(client, archive):
    assert ids(read_feed(client, "/annotations/feed/?limit=1"), archive["notes"]) == ["third"]
    assert client.get("/annotations/feed/?limit=500").status_code == 400


def test_control_characters_in_quote_and_note_are_dropped(client):
    brief = make_brief("Odd\x07 title", body="A quote\x0b with a tab stop.")
    note_on(brief, make_user("cy"), "quote\x0b with", note="Note\x1b here")
    entry = read_feed(client, "/annotations/feed/").entries[0]
    assert entry.title == "“quote with” — on Odd title"
    assert entry.summary == "<blockquote><p>quote with</p></blockquote>\n<p>Note here</p>"


# "+ 1": the archive version read that keys the cached freshness and body (core/cache.py).
@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize(
    "url, queries",
    [
        ("/annotations/feed/", 2 + 1),
        ("/briefs/{slug}/annotations/feed/", 3 + 1),
        ("/topics/rare-earths/annotations/feed/", 3 + 1),
    ],
)
def test_note_feed_query_count_does_not_grow_with_its_items(
    client, django_assert_max_num_queries, count, url, queries
):
    brief = make_brief("Many notes", topics=[make_topic("Rare Earths")], body=BODY)
    users = [make_user() for _ in range(3)]
    for n in range(count):
        note_on(brief, users[n % 3], "Gallium", note=f"Note {n}")
    with django_assert_max_num_queries(queries):
        parsed = read_feed(client, url.format(slug=brief.slug))
    assert len(parsed.entries) == count


def test_the_public_notes_feeds_point_at_the_notes_page_not_the_home_page(client, db):
    # Their Atom id was the home page's, the same as /feed/'s: two feeds, one identity.
    from tests.conftest import read_feed

    for url in ("/annotations/feed/", "/annotations/feed/atom/"):
        feed = read_feed(client, url).feed
        assert feed.link == "http://testserver/annotations/"
    atom = read_feed(client, "/annotations/feed/atom/").feed
    assert atom.id != read_feed(client, "/feed/atom/").feed.id
    json_feed = client.get("/annotations/feed/json/").json()
    assert json_feed["home_page_url"] == "http://testserver/annotations/"
