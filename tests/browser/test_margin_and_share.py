"""Margin notes beside their highlight without moving the text, and share links that land
on their passage, in Chromium."""

import pytest
from playwright.sync_api import expect

from annotations.models import Annotation
from tests.browser.axe import assert_no_axe_violations
from tests.factories import make_annotation, make_brief, make_user

FILLER = " ".join(["The harbour master logged every arrival in the ledger by hand."] * 25)
PARAGRAPHS = [
    "Talks on U.S.-China chip curbs resumed in Geneva on Monday.",
    "Negotiators met for six hours, and officials said tariffs, quotas & licences were on the table.",
    "A short third paragraph.",
    FILLER,
    FILLER.replace("harbour master", "port captain"),
    FILLER.replace("harbour master", "pilot"),
    "The storm passed north of the islands overnight.",
    "Ferries will sail again on Thursday, the operator said, weather permitting.",
    "Closing words of the brief.",
]
BODY = "\n\n".join(PARAGRAPHS)
LONG_NOTE = "A long note that needs several lines in the margin column. " * 4


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


def _positions(page):
    """Top and left of each paragraph of the body, in page pixels."""
    page.wait_for_load_state("load")
    return page.evaluate(
        """() => [...document.querySelectorAll('#brief-body [data-start]')].map(block => {
            const box = block.getBoundingClientRect();
            return [Math.round(box.top + scrollY), Math.round(box.left), Math.round(box.height)];
        })"""
    )


def _columns(page):
    return page.evaluate(
        """() => [...document.querySelectorAll('#brief-body .margin-notes')].map(column => {
            const box = column.getBoundingClientRect();
            const first = column.querySelector('.note');
            const mark = document.getElementById('annotation-' + first.dataset.annotation);
            return {top: box.top + scrollY, bottom: box.bottom + scrollY, left: box.left,
                    markTop: mark.getBoundingClientRect().top + scrollY,
                    text: document.getElementById('brief-body').getBoundingClientRect().right};
        })"""
    )


def test_margin_notes_sit_beside_their_highlight_without_moving_the_text(
    page, live_server, transactional_db
):
    brief = make_brief("Chip talks", body=BODY)
    url = live_server.url + brief.get_absolute_url()
    page.goto(url)
    without_notes = _positions(page)

    reader = make_user("margin")
    for phrase in ["Geneva", "six hours", "third paragraph", "storm passed", "Ferries will sail"]:
        make_annotation(brief, reader, phrase, note=LONG_NOTE, visibility="public")
    page.goto(url)
    expect(page.locator("#brief-body[data-margin-layout=wide]")).to_be_attached()
    assert _positions(page) == without_notes  # not a pixel of the text moved

    columns = _columns(page)
    assert len(columns) == 5
    for column in columns:
        assert column["left"] >= column["text"]  # in the margin, right of the text
        assert column["top"] >= column["markTop"] - 1  # level with its highlight, or below
    for above, below in zip(columns, columns[1:]):
        assert below["top"] >= above["bottom"]  # stacked, never overlapping
    # A note whose stack above it ended long before sits exactly level with its highlight.
    assert abs(columns[3]["top"] - columns[3]["markTop"]) < 1
    assert_no_axe_violations(page)

    # Below 1100 px the notes follow their paragraph in the flow.
    page.set_viewport_size({"width": 900, "height": 800})
    expect(page.locator("#brief-body[data-margin-layout=narrow]")).to_be_attached()
    first_note = page.locator(".margin-notes").first.bounding_box()
    first_paragraph = page.locator("#brief-body [data-start]").first.bounding_box()
    assert first_note["y"] >= first_paragraph["y"] + first_paragraph["height"] - 1
    assert_no_axe_violations(page)


SHARED = [
    "U.S.-China chip curbs",  # a hyphen next to the passage
    "tariffs, quotas & licences",  # a comma and an ampersand
    "Ferries will sail again on Thursday",  # far down the page
    "overnight.\n\nFerries will sail",  # across two paragraphs
]


@pytest.mark.parametrize("passage", SHARED)
def test_share_passage_link_scrolls_to_the_passage(page, live_server, transactional_db, passage):
    brief = make_brief("Chip talks", body=BODY)
    annotation = make_annotation(brief, make_user(), passage, note="Shared.", visibility="public")
    page.set_viewport_size({"width": 1280, "height": 500})
    page.goto(live_server.url + brief.get_absolute_url())
    link = page.locator(f"#note-{annotation.pk} a.note-share").get_attribute("href")
    assert ":~:text=" in link
    if "-" in passage:
        assert "U.S.%2DChina" in link or "U.S.%2D-" in link  # the hyphen is encoded

    # A fresh tab opening the link, as a reader following it would.
    reader = page.context.new_page()
    reader.set_viewport_size({"width": 1280, "height": 500})
    reader.goto(live_server.url + link)
    reader.wait_for_load_state("load")
    assert reader.evaluate("() => 'fragmentDirective' in document")  # Chromium's API
    # Chromium scrolls the first match of the directive into view (centred): the paragraph
    # holding the passage's first words is in the viewport, and the page scrolled to it
    # if it was below the fold.
    in_view = reader.wait_for_function(
        """(firstWords) => {
            const block = [...document.querySelectorAll('#brief-body [data-start]')]
                .find(b => b.textContent.includes(firstWords));
            const box = block.getBoundingClientRect();
            return box.top >= 0 && box.top < innerHeight && box.bottom > 0;
        }""",
        arg=passage.split("\n")[0][:20],
        timeout=5000,
    )
    assert in_view
    top = reader.evaluate(
        """(firstWords) => [...document.querySelectorAll('#brief-body [data-start]')]
            .find(b => b.textContent.includes(firstWords)).getBoundingClientRect().top + scrollY""",
        passage.split("\n")[0][:20],
    )
    if top > 500:
        assert reader.evaluate("() => scrollY") > 0
    assert_no_axe_violations(reader)
    reader.close()
    assert Annotation.objects.count() == 1
