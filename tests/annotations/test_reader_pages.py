"""Notes a reader can find: the header links, a reader's public page and feeds, a brief's
notes in the text's order, bounded however many notes a brief has, and share links."""

import json
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from annotations.highlights import text_fragment
from annotations.models import Annotation
from config.limits import BRIEF_PAGE_MAX_NOTES
from tests.conftest import read_feed
from tests.factories import make_annotation, make_brief, make_user

pytestmark = pytest.mark.django_db

BODY = (
    "Talks on U.S.-China chip curbs resumed in Geneva on Monday.\n\n"
    "Negotiators met for six hours, and officials said tariffs, quotas & licences were on the table.\n\n"
    "A second round is planned for March."
)
# 4,000 notes' worth of page must stay small: the brief page draws a bounded number.
MAX_BRIEF_PAGE_BYTES = 60_000  # DESIGN.md: the HTML of a brief under 60 KB


def _soup(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html5lib")


def test_header_links_to_public_notes_and_footer_to_their_feed(client):
    soup = _soup(client.get("/"))
    assert soup.select_one("nav.site-nav").find("a", string="Notes")["href"] == "/annotations/"
    assert soup.select_one("footer").find("a", string="Feed of public notes")["href"] == (
        "/annotations/feed/"
    )
    recent = _soup(client.get("/annotations/"))
    assert {link["href"] for link in recent.select("link[rel=alternate]")} == {
        "/annotations/feed/", "/annotations/feed/atom/", "/annotations/feed/json/"
    }


def test_reader_page_lists_only_their_public_notes_and_links_its_feeds(
    client, django_assert_max_num_queries
):
    ada, bo = make_user("ada"), make_user("bo")
    brief = make_brief("Chip talks", body=BODY)
    make_annotation(brief, ada, "Geneva", note="ada in public", visibility="public")
    make_annotation(brief, ada, "six hours", note="ada in private")
    make_annotation(brief, ada, "March", note="ada hidden", visibility="public", hidden=True)
    make_annotation(brief, bo, "Monday", note="bo in public", visibility="public")
    with django_assert_max_num_queries(6):
        response = client.get("/users/ada/")
    text = _soup(response).select_one("main").get_text()
    assert "ada in public" in text
    assert not {"ada in private", "ada hidden", "bo in public"} & set(text.split("\n"))
    assert "private" not in text and "hidden" not in text and "bo in" not in text
    soup = _soup(response)
    assert soup.h1.get_text() == "Public notes by ada"
    assert soup.select_one("a.feed-link")["href"] == "/users/ada/feed/"
    # Every author link on the site's notes page leads to the reader's page.
    recent = _soup(client.get("/annotations/"))
    assert "/users/ada/" in {a["href"] for a in recent.select(".annotation-item .meta a")}


@pytest.mark.parametrize("suffix", ["", "atom/", "json/"])
def test_reader_feeds_hold_their_public_notes_only(client, suffix):
    ada = make_user("ada")
    brief = make_brief("Chip talks", body=BODY)
    make_annotation(brief, ada, "Geneva", note="ada in public", visibility="public")
    make_annotation(brief, ada, "six hours", note="ada in private")
    make_annotation(brief, make_user(), "Monday", note="someone else", visibility="public")
    url = f"/users/ada/feed/{suffix}"
    if suffix == "json/":
        response = client.get(url)
        assert response.status_code == 200
        items = json.loads(response.content)["items"]
        texts = [item["content_html"] for item in items]
    else:
        parsed = read_feed(client, url)
        texts = [entry.summary for entry in parsed.entries]
    assert len(texts) == 1 and "ada in public" in texts[0]


@pytest.mark.parametrize("name", ["nobody", "quiet"])
def test_reader_page_and_feed_are_404_for_unknown_readers_and_readers_without_public_notes(
    client, name
):
    quiet = make_user("quiet")
    make_annotation(make_brief(body=BODY), quiet, "Geneva", note="private only")
    assert client.get(f"/users/{name}/").status_code == 404
    assert client.get(f"/users/{name}/feed/").status_code == 404


def test_old_user_filter_moves_to_the_reader_page(client):
    response = client.get("/annotations/?user=ada")
    assert response.status_code == 301 and response["Location"] == "/users/ada/"
    assert client.get("/annotations/?user=a/b").status_code == 404


def test_brief_notes_are_listed_under_the_text_in_its_order(client):
    brief = make_brief("Chip talks", body=BODY)
    for word in ["March", "Geneva", "tariffs"]:
        make_annotation(brief, make_user(), word, note=f"on {word}", visibility="public")
    soup = _soup(client.get(brief.get_absolute_url()))
    listed = [li.select_one(".note-quote").get_text() for li in soup.select(".brief-notes .page-note")]
    assert listed == ["Geneva", "tariffs", "March"]


def _many_public_notes(brief, count):
    """``count`` public notes on the brief by a few readers: one made as a reader would,
    the rest copies of it on the same passage (bulk inserted: making 4,000 through the
    service would take minutes)."""
    readers = [make_user() for _ in range(5)]
    first = make_annotation(brief, readers[0], "Geneva", note="Note 0", visibility="public")
    copies = []
    for index in range(1, count):
        copy = Annotation.objects.get(pk=first.pk)
        copy.pk = None
        copy.user = readers[index % len(readers)]
        copy.note = f"Note {index}: " + "a considered remark " * 10
        copies.append(copy)
    Annotation.objects.bulk_create(copies, batch_size=500)


@pytest.mark.slow
def test_a_brief_with_4000_notes_stays_small_and_fast(client, django_assert_max_num_queries):
    brief = make_brief("Chip talks", body=BODY)
    _many_public_notes(brief, 4000)
    client.get(brief.get_absolute_url())  # warm the per-archive caches
    with django_assert_max_num_queries(12):
        response = client.get(brief.get_absolute_url())
    assert len(response.content) < MAX_BRIEF_PAGE_BYTES, len(response.content)
    soup = _soup(response)
    assert len(soup.select("#brief-body .note")) == BRIEF_PAGE_MAX_NOTES
    assert len(soup.select(".brief-notes .page-note")) == BRIEF_PAGE_MAX_NOTES
    more = soup.select_one(".more-notes")
    assert "4000 notes" in more.get_text()
    next_page = more.find("a")["href"]
    assert next_page == f"/briefs/{brief.slug}/notes/?page=2"

    with django_assert_max_num_queries(8):
        response = client.get(next_page)
    page = _soup(response)
    assert len(page.select(".page-note")) == BRIEF_PAGE_MAX_NOTES
    assert f"notes {BRIEF_PAGE_MAX_NOTES + 1}–{2 * BRIEF_PAGE_MAX_NOTES} of 4000" in page.get_text()
    assert len(response.content) < MAX_BRIEF_PAGE_BYTES


def test_brief_notes_page_shows_private_notes_only_to_their_owner(client):
    ada = make_user("ada")
    brief = make_brief("Chip talks", body=BODY)
    make_annotation(brief, ada, "Geneva", note="ada private")
    assert "ada private" not in client.get(f"/briefs/{brief.slug}/notes/").content.decode()
    client.force_login(ada)
    assert "ada private" in client.get(f"/briefs/{brief.slug}/notes/").content.decode()
    assert client.get(f"/briefs/{brief.slug}/notes/?page=²").status_code == 404
    assert client.get("/briefs/no-such-brief/notes/").status_code == 404


@pytest.mark.parametrize(
    ("exact", "prefix", "suffix", "directive"),
    [
        # A hyphen, a comma and an ampersand in a term are percent-encoded.
        ("China chip curbs", "Talks on U.S.-", " resumed in Geneva",
         "Talks%20on%20U.S.%2D-,China%20chip%20curbs,-resumed%20in%20Geneva"),
        ("quotas & licences", "tariffs, ", " were on the table.",
         "tariffs%2C-,quotas%20%26%20licences,-were%20on%20the"),
        # Two paragraphs: textStart in the first, textEnd in the last; context stays within.
        ("Monday.\n\nNegotiators met", "resumed in Geneva on ", " for six hours",
         "in%20Geneva%20on-,Monday.,Negotiators%20met,-for%20six%20hours"),
        # Long quotes by their first and last words.
        ("one two three four five six seven eight nine ten eleven twelve thirteen", "", "",
         "one%20two%20three%20four%20five%20six,eight%20nine%20ten%20eleven%20twelve%20thirteen"),
        # A quote cut inside a word grows to the whole word (browsers match whole words).
        ("ina chip", "Talks on U.S.-Ch", " curbs", "Talks%20on%20U.S.%2D-,China%20chip,-curbs"),
    ],
)
def test_share_links_are_text_directives_per_the_spec(exact, prefix, suffix, directive):
    assert text_fragment(exact, prefix, suffix) == ":~:text=" + directive


def test_context_cut_inside_a_word_is_left_out():
    # The stored prefix is the 32 characters before the quote: its first word may be cut.
    prefix = "ternationalisationsss week: the "
    assert len(prefix) == 32
    assert unquote(text_fragment("talks", prefix, "")) == ":~:text=week: the-,talks"
    # A shorter prefix reaches the start of the text: its first word is whole.
    assert unquote(text_fragment("talks", "Geneva: the ", "")) == ":~:text=Geneva: the-,talks"


def test_a_readers_own_note_past_the_cap_is_drawn_on_the_brief_page(client):
    # On a brief with more notes than the page draws, a note just made appeared nowhere.
    brief = make_brief("Chip talks", body=BODY)
    _many_public_notes(brief, BRIEF_PAGE_MAX_NOTES + 5)
    reader = make_user()
    last = Annotation.objects.filter(brief=brief).order_by("-start", "-pk").first()
    mine = make_annotation(brief, reader, last.exact, note="Mine, made last", visibility="private")
    client.force_login(reader)
    soup = _soup(client.get(brief.get_absolute_url()))
    assert soup.select_one(f'#brief-body mark[data-annotation="{mine.pk}"]') is not None
    assert "Mine, made last" in soup.select_one("#brief-body").get_text()
    assert "Mine, made last" not in Client().get(brief.get_absolute_url()).content.decode()


def test_notes_and_names_in_right_to_left_scripts_keep_their_direction(client):
    # A Persian note or group name laid out left to right scrambled the line after it.
    brief = make_brief("Chip talks", body=BODY)
    make_annotation(brief, make_user(), "Geneva", note="می‌خواهم بخوانم", visibility="public")
    soup = _soup(client.get(brief.get_absolute_url()))
    text = next(div for div in soup.select(".note-text") if "می‌خواهم" in div.get_text())
    assert text["dir"] == "auto"
    assert soup.select_one(".note-meta .note-author bdi") is not None
