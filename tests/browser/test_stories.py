"""A reader compares two newsrooms' versions of one event and notes one of them.

The story page lists each version's notes; a reader adds them on the version's own brief
page, which the story page links, or by selecting a passage of a version on the story page.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from annotations.models import Annotation
from briefs.services.importing import brief_import
from tests.factories import make_user

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SENTENCE = "This is their third round of talks in less than three months, Bloomberg reported."


def _import_seeds():
    if len(list(SEEDS.glob("*.txt"))) != 2:
        pytest.skip(f"the two seed articles are not at {SEEDS} (shared/ beside the project)")
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


def _sign_in_to_stories(page, live_server, username):
    """Import the seeds (one story), create ``username`` and log in, landing on /stories/."""
    _import_seeds()
    make_user(username, password="two-newsrooms-42")
    page.goto(live_server.url + "/accounts/login/?next=/stories/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("two-newsrooms-42")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/stories/$"))


def test_reader_compares_versions_notes_one_and_finds_the_note(page, live_server, transactional_db):
    _sign_in_to_stories(page, live_server, "compare")

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

    versions.nth(1).get_by_role("link", name="All notes on this version's page").click()
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


def _select_sentences(page, version, first, last):
    """Select from the start of sentence ``first`` to the end of sentence ``last`` (indexes
    into the ``version``-th story version), dragging over the asides between them."""
    page.locator(".annotate-tools[data-annotate-ready]").wait_for(state="attached")
    return page.evaluate(
        """([version, first, last]) => {
            const sentences = document.querySelectorAll('.story-version')[version]
                .querySelectorAll('.sentence');
            const range = document.createRange();
            range.setStart(sentences[first].firstChild, 0);
            range.setEnd(sentences[last].firstChild, sentences[last].textContent.length);
            window.getSelection().removeAllRanges();
            window.getSelection().addRange(range);
            document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
            return [sentences[first].textContent, sentences[last].textContent];
        }""",
        [version, first, last],
    )


def test_reader_notes_a_version_on_the_story_page_and_finds_it_on_the_brief_page(
    page, live_server, transactional_db
):
    _sign_in_to_stories(page, live_server, "sidebyside")
    page.get_by_role("link", name=re.compile("Stockholm")).first.click()
    second = page.locator(".story-version").nth(1)
    expect(second.locator(".version-notes")).to_contain_text("No notes on this version yet.")

    # Two sentences with the "also"/"only here" asides between them: the note's quote is
    # the brief's own text, the asides left out.
    opening, closing = _select_sentences(page, 1, 0, 1)
    page.get_by_role("button", name="Annotate the selected passage").click()
    page.get_by_label("Note (optional)").fill("Both newsrooms lead with this.")
    page.get_by_label("Who can read it").select_option("public")
    page.get_by_role("button", name="Save").click()
    expect(second.locator(".version-notes .note-text")).to_have_text(
        "Both newsrooms lead with this."
    )
    expect(page.locator(".story-version").nth(0).locator(".version-notes")).to_contain_text(
        "No notes on this version yet."
    )
    annotation = Annotation.objects.select_related("brief").get()
    assert annotation.visibility == "public"
    assert annotation.exact.startswith(opening) and annotation.exact.endswith(closing)
    assert annotation.brief.body[annotation.start : annotation.end] == annotation.exact
    assert "also" not in annotation.exact.replace(opening, "").replace(closing, "")
    expect(second.locator(".version-notes .note-quote")).to_have_text(annotation.exact)

    second.get_by_role("link", name="All notes on this version's page").click()
    expect(page).to_have_url(re.compile(re.escape(annotation.brief.get_absolute_url())))
    expect(page.locator(f"#note-{annotation.pk}")).to_contain_text("Both newsrooms lead with this.")
    mark = page.locator(f"#brief-body mark[data-annotation='{annotation.pk}']")
    expect(mark.first).to_be_visible()
    page.context.clear_cookies()
    page.reload()
    expect(page.locator(f"#note-{annotation.pk}")).to_contain_text("Both newsrooms lead with this.")
