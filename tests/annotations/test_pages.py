"""The brief page's highlights and notes, re-anchoring on save, and the notes pages."""

import json

import pytest
from bs4 import BeautifulSoup

from annotations.models import Annotation
from annotations.services import annotation_hide
from briefs.services.topics import topic_rename
from tests.factories import make_annotation, make_brief, make_topic, make_user

pytestmark = pytest.mark.django_db

BODY = (
    "Farmers blocked the ring road before dawn on Monday.\n\n"
    "Police said the protest over diesel prices would be tolerated until noon. "
    "Traffic backed up for twelve kilometres.\n\n"
    "The agriculture minister agreed to meet union delegates on Wednesday."
)


def _soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html5lib")


def _body_text(soup):
    """The body's paragraphs' text as a reader sees it (marks add no characters)."""
    return "\n\n".join(p.get_text() for p in soup.select("#brief-body [data-start]"))


def test_public_highlight_shows_to_a_signed_out_reader_with_its_note(client):
    brief = make_brief(body=BODY)
    annotation = make_annotation(brief, make_user(), "diesel prices", note="Up 40% since May.", visibility="public")
    soup = _soup(client.get(brief.get_absolute_url()))
    mark = soup.find(id=f"annotation-{annotation.pk}")
    assert mark.name == "mark" and mark.get_text() == "diesel prices"
    assert "hl-public" in mark["class"]
    assert soup.find(id=f"note-{annotation.pk}").get_text().count("Up 40% since May.") == 1
    assert _body_text(soup) == BODY


def test_own_private_highlight_is_marked_private_and_differs_from_public(client, user):
    brief = make_brief(body=BODY)
    private = make_annotation(brief, user, "ring road")
    public = make_annotation(brief, make_user(), "twelve kilometres", visibility="public")
    client.force_login(user)
    soup = _soup(client.get(brief.get_absolute_url()))
    assert "hl-private" in soup.find(id=f"annotation-{private.pk}")["class"]
    assert "hl-public" in soup.find(id=f"annotation-{public.pk}")["class"]


def test_overlapping_and_adjacent_highlights_each_keep_their_words(client, user):
    brief = make_brief(body=BODY)
    outer = make_annotation(brief, user, "the protest over diesel prices", visibility="public")
    inner = make_annotation(brief, user, "diesel prices would be", visibility="public")
    adjacent = make_annotation(brief, user, " tolerated", visibility="public")
    client.force_login(user)
    soup = _soup(client.get(brief.get_absolute_url()))

    def words(annotation):
        return "".join(m.get_text() for m in soup.select(f'mark[data-annotation="{annotation.pk}"]'))

    assert words(outer) == "the protest over diesel prices"
    assert words(inner) == "diesel prices would be"
    assert words(adjacent) == " tolerated"
    assert _body_text(soup) == BODY
    for annotation in (outer, inner, adjacent):
        assert len(soup.select(f"#annotation-{annotation.pk}")) == 1


def test_note_markup_is_shown_as_text(client):
    brief = make_brief(body=BODY)
    make_annotation(brief, make_user(), "ring road", note="<script>alert(1)</script>", visibility="public")
    response = client.get(brief.get_absolute_url())
    assert b"<script>alert(1)</script>" not in response.content
    assert "<script>alert(1)</script>" in _soup(response).select_one(".note-text").get_text()


def test_permalink_and_text_fragment_link_point_at_the_passage(client):
    brief = make_brief(body=BODY)
    annotation = make_annotation(brief, make_user(), "would be tolerated", visibility="public")
    soup = _soup(client.get(brief.get_absolute_url()))
    note = soup.find(id=f"note-{annotation.pk}")
    hrefs = [a["href"] for a in note.find_all("a")]
    assert annotation.get_absolute_url() == f"/briefs/{brief.slug}/#annotation-{annotation.pk}"
    assert annotation.get_absolute_url() in hrefs
    assert f"/briefs/{brief.slug}/#:~:text=over%20diesel%20prices-,would%20be%20tolerated,-until%20noon.%20Traffic" in hrefs


def test_editing_the_paragraph_above_keeps_the_highlight_on_the_same_words(client, user):
    brief = make_brief(body=BODY)
    annotation = make_annotation(brief, user, "agreed to meet union delegates", visibility="public")
    brief.body = BODY.replace(
        "Traffic backed up for twelve kilometres.",
        "Traffic backed up for twelve kilometres, and two schools closed early.",
    )
    brief.note_change(by=make_user(is_staff=True), reason="update")
    brief.save()

    annotation.refresh_from_db()
    assert annotation.anchor_status == Annotation.AnchorStatus.SHIFTED
    assert brief.body[annotation.start : annotation.end] == "agreed to meet union delegates"
    mark = _soup(client.get(brief.get_absolute_url())).find(id=f"annotation-{annotation.pk}")
    assert mark.get_text() == "agreed to meet union delegates"


def test_orphaned_note_shows_to_its_owner_with_its_original_words_and_nobody_else(client, user):
    brief = make_brief(body=BODY)
    annotation = make_annotation(brief, user, "Traffic backed up for twelve kilometres", note="Long!", visibility="public")
    brief.body = BODY.replace(" Traffic backed up for twelve kilometres.", "")
    brief.save()
    annotation.refresh_from_db()
    assert annotation.anchor_status == Annotation.AnchorStatus.ORPHANED
    assert Annotation.objects.filter(pk=annotation.pk).exists()

    anonymous = _soup(client.get(brief.get_absolute_url()))
    assert anonymous.find(id=f"note-{annotation.pk}") is None
    client.force_login(user)
    soup = _soup(client.get(brief.get_absolute_url()))
    assert soup.find(id=f"annotation-{annotation.pk}") is None
    orphan = soup.select_one(".orphaned-notes").find(id=f"note-{annotation.pk}")
    assert orphan.select_one(".note-quote").get_text() == "Traffic backed up for twelve kilometres"
    assert "the text these notes were on has changed" in soup.select_one(".brief-notes").get_text().lower()


def test_hidden_note_vanishes_from_the_page_but_stays_for_its_owner(client, user):
    brief = make_brief(body=BODY)
    annotation = make_annotation(brief, user, "ring road", note="spam", visibility="public")
    annotation_hide(annotation=annotation, by=make_user(is_staff=True))
    assert b"spam" not in client.get(brief.get_absolute_url()).content
    assert b"spam" not in client.get("/annotations/").content
    client.force_login(user)
    note = _soup(client.get(brief.get_absolute_url())).find(id=f"note-{annotation.pk}")
    assert "hidden by a curator" in note.get_text()


@pytest.mark.parametrize("count", [1, 30])
def test_brief_page_query_count_does_not_grow_with_annotations(
    client, user, count, django_assert_max_num_queries
):
    brief = make_brief(body=BODY, topics=[make_topic()])
    words = BODY.split()
    for index in range(count):
        word = words[index % len(words)]
        make_annotation(brief, make_user() if index % 2 else user, word, note=f"n{index}", visibility="public")
    client.force_login(user)
    client.get(brief.get_absolute_url())  # warm caches that are not per-request
    with django_assert_max_num_queries(12) as captured:
        response = client.get(brief.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('class="note ') == count
    annotation_queries = [q for q in captured.captured_queries if "annotations_annotation" in q["sql"]]
    # The notes drawn, their replies, the signed-in reader's orphans.
    assert len(annotation_queries) == 3


def test_signed_out_reader_is_invited_to_log_in_and_gets_no_script(client):
    brief = make_brief(body=BODY)
    soup = _soup(client.get(brief.get_absolute_url()))
    notes = soup.select_one(".brief-notes")
    assert notes.find("a", string="Log in")["href"].startswith("/accounts/login/?next=")
    assert notes.find("script") is None


def test_my_notes_lists_own_notes_newest_first_with_topic_filter_and_search(client, user):
    energy, farming = make_topic("Energy"), make_topic("Farming")
    first = make_brief("Fuel", body="Diesel rose again.", topics=[energy])
    second = make_brief("Fields", body="Wheat harvest began early.", topics=[farming])
    make_annotation(first, user, "Diesel rose", note="price spiral")
    make_annotation(second, user, "Wheat harvest", note="early crop")
    make_annotation(second, make_user(), "began early", note="someone else's")
    client.force_login(user)

    items = _soup(client.get("/annotations/mine/")).select(".annotation-item")
    assert [i.select_one(".note-text").get_text() for i in items] == ["early crop", "price spiral"]
    by_topic = _soup(client.get("/annotations/mine/?topic=energy")).select(".annotation-item")
    assert [i.select_one(".note-text").get_text() for i in by_topic] == ["price spiral"]
    searched = _soup(client.get("/annotations/mine/?q=crop")).select(".annotation-item")
    assert [i.select_one(".note-text").get_text() for i in searched] == ["early crop"]


def test_my_notes_topic_filter_follows_an_old_slug_of_a_renamed_topic(client, user, curator):
    energy, farming = make_topic("Energy"), make_topic("Farming")
    first = make_brief("Fuel", body="Diesel rose again.", topics=[energy])
    second = make_brief("Fields", body="Wheat harvest began early.", topics=[farming])
    make_annotation(first, user, "Diesel rose", note="price spiral")
    make_annotation(second, user, "Wheat harvest", note="early crop")
    topic_rename(topic=energy, name="Power", by=curator)
    client.force_login(user)

    by_old = _soup(client.get("/annotations/mine/?topic=energy")).select(".annotation-item")
    assert [i.select_one(".note-text").get_text() for i in by_old] == ["price spiral"]


@pytest.mark.parametrize("slug", ["no-such-topic", "energy+farming", "ener\x07gy", "²"])
def test_my_notes_topic_filter_answers_404_for_what_names_no_topic(client, user, slug):
    make_brief("Fuel", body="Diesel rose again.", topics=[make_topic("Energy")])
    make_topic("Farming")
    client.force_login(user)
    assert client.get("/annotations/mine/", {"topic": slug}).status_code == 404


def test_my_notes_needs_login(client):
    response = client.get("/annotations/mine/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_markdown_export_holds_own_quotes_and_notes_as_text(client, user):
    brief = make_brief("Fuel *prices*", body="Diesel rose again.")
    make_annotation(brief, user, "Diesel rose", note="see [link](javascript:alert(1))")
    make_annotation(brief, make_user(), "rose again", note="not mine")
    client.force_login(user)
    response = client.get("/annotations/mine/export.md")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/markdown")
    assert "attachment" in response["Content-Disposition"]
    assert "> Diesel rose" in text
    assert "see \\[link\\]\\(javascript:alert\\(1\\)\\)" in text
    assert "Fuel \\*prices\\*" in text
    assert "not mine" not in text


def test_json_ld_export_is_a_collection_of_own_annotations(client, user):
    from tests.annotations.w3c import assert_conforms

    brief = make_brief(body="Diesel rose again.")
    make_annotation(brief, user, "Diesel rose", note="mine", visibility="public")
    make_annotation(brief, make_user(), "rose again", note="not mine", visibility="public")
    client.force_login(user)
    document = json.loads(client.get("/annotations/mine/export.jsonld").content)
    assert document["type"] == "AnnotationCollection"
    assert [item["body"]["value"] for item in document["first"]["items"]] == ["mine"]
    assert_conforms({"@context": document["@context"], **document["first"]["items"][0]})


def test_recent_notes_show_public_notes_only(client, user):
    brief = make_brief(body=BODY)
    make_annotation(brief, user, "ring road", note="public words", visibility="public")
    make_annotation(brief, user, "diesel prices", note="private words")
    page = client.get("/annotations/").content.decode()
    assert "public words" in page and "private words" not in page
    by_user = client.get(f"/annotations/?user={user.username}", follow=True).content.decode()
    assert "public words" in by_user
