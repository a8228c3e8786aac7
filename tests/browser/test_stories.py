"""A reader compares two newsrooms' versions of one event and notes one of them.

The story page lists each version's notes; notes are written on the version's own brief
page (the annotate control works on one article per page), which the story page links.
"""

import re
from pathlib import Path

from playwright.sync_api import expect

from annotations.models import Annotation
from briefs.services.importing import brief_import
from tests.factories import make_user

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SENTENCE = "This is their third round of talks in less than three months, Bloomberg reported."


def _import_seeds():
    for path in sorted(SEEDS.glob("*.txt")):
        assert brief_import(raw_text=path.read_text(encoding="utf-8-sig")).action == "created"


def _select(page, text):
    """Select ``text`` in the brief body, as a reader dragging over it would."""
    page.locator(".brief-notes[data-annotate-ready]").wait_for(state="attached")
    page.evaluate(
        """(text) => {
            const walker = document.createTreeWalker(
                document.getElementById('brief-body'), NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.data.indexOf(text);
                if (at === -1) { continue; }
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + text.length);
                window.getSelection().removeAllRanges();
                window.getSelection().addRange(range);
                document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
                return;
            }
            throw new Error('Not in the brief body: ' + text);
        }""",
        text,
    )


def test_reader_compares_versions_notes_one_and_finds_the_note(page, live_server, transactional_db):
    _import_seeds()
    make_user("compare", password="two-newsrooms-42")
    page.goto(live_server.url + "/accounts/login/?next=/stories/")
    page.get_by_label("Username").fill("compare")
    page.get_by_label("Password").fill("two-newsrooms-42")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/stories/$"))

    page.get_by_role("link", name=re.compile("Stockholm")).first.click()
    expect(page.locator("h1")).to_contain_text("Stockholm")
    versions = page.locator(".story-version")
    expect(versions).to_have_count(2)
    expect(page.locator(".story-timeline-list li")).to_have_count(2)
    first, second = versions.nth(0).bounding_box(), versions.nth(1).bounding_box()
    assert second["x"] > first["x"] + first["width"] / 2  # side by side at 1024 px
    expect(versions.nth(0).locator(".sentence-shared").first).to_be_visible()
    expect(versions.nth(1).locator(".sentence-unique", has_text=SENTENCE)).to_be_visible()

    page.set_viewport_size({"width": 600, "height": 800})
    first, second = versions.nth(0).bounding_box(), versions.nth(1).bounding_box()
    assert second["y"] > first["y"] + first["height"] - 1  # stacked on a narrow screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 600
    page.set_viewport_size({"width": 1024, "height": 800})

    versions.nth(1).get_by_role("link", name="Add a note on this version's page").click()
    expect(page).to_have_url(re.compile(r"/briefs/us-china-return-.*#notes$"))
    _select(page, SENTENCE)
    page.get_by_role("button", name="Annotate the selected passage").click()
    page.get_by_label("Note (optional)").fill("Only Stocktwits counts the rounds.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#brief-body mark.hl")).to_have_text(SENTENCE)
    annotation = Annotation.objects.get()

    page.reload()
    expect(page.locator(f"#note-{annotation.pk}")).to_contain_text("Only Stocktwits counts")
    page.locator(".story-link").get_by_role("link", name=re.compile("side by side")).click()
    notes = page.locator(".story-version").nth(1).locator(".version-notes")
    expect(notes).to_contain_text("Only Stocktwits counts the rounds.")
    expect(notes.locator(".note-quote")).to_have_text(SENTENCE)
    expect(page.locator(".story-version").nth(0).locator(".version-notes")).to_contain_text(
        "No notes on this version yet."
    )
