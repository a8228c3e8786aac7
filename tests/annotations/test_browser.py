"""In a real browser (Debian's Chromium): sign in, select a sentence, note it, reload, edit, delete.

Skipped with a reason where ``/usr/bin/chromium`` is missing, unless ``CI`` is set, where a
missing browser fails the run.
"""

import re

import pytest
from playwright.sync_api import expect

from annotations.models import Annotation
from tests.browser.conftest import browser_type_launch_args  # noqa: F401  (Debian's Chromium)
from tests.factories import make_brief, make_user

pytestmark = pytest.mark.browser


BODY = (
    "The river rose above its banks overnight.\n\n"
    "Volunteers filled sandbags outside the town hall until morning. "
    "The mayor thanked them in a short speech.\n\n"
    "Schools will stay closed on Friday."
)
SENTENCE = "Volunteers filled sandbags outside the town hall until morning."


def _select(page, text, occurrence=0):
    """Select the ``occurrence``-th copy of ``text`` in the brief body, as a reader dragging would.

    A DOM Range over one text node; its offsets count UTF-16 code units, as the browser does.
    """
    page.locator(".brief-notes[data-annotate-ready]").wait_for(state="attached")
    page.evaluate(
        """([text, occurrence]) => {
            const walker = document.createTreeWalker(
                document.getElementById('brief-body'), NodeFilter.SHOW_TEXT);
            let node, seen = 0;
            while ((node = walker.nextNode())) {
                for (let at = node.data.indexOf(text); at !== -1; at = node.data.indexOf(text, at + 1)) {
                    if (seen++ < occurrence) { continue; }
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + text.length);
                    const selection = window.getSelection();
                    selection.removeAllRanges();
                    selection.addRange(range);
                    document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
                    return;
                }
            }
            throw new Error('Not in the brief body: ' + text);
        }""",
        [text, occurrence],
    )


def _sign_in_to_new_brief(page, live_server, username, body=BODY):
    """Create a reader and a brief, log in with the keyboard and land on the brief."""
    make_user(username, password="sandbag-levee-42")
    brief = make_brief("Flood watch", body=body)
    page.goto(live_server.url + "/accounts/login/?next=" + brief.get_absolute_url())
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("sandbag-levee-42")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(brief.get_absolute_url()) + "$"))
    return brief


def test_reader_highlights_notes_reloads_edits_and_deletes(page, live_server, browser, transactional_db):
    make_user("river", password="sandbag-levee-42")
    brief = make_brief("Flood watch", body=BODY)
    url = live_server.url + brief.get_absolute_url()

    page.goto(live_server.url + "/accounts/login/?next=" + brief.get_absolute_url())
    page.get_by_label("Username").fill("river")
    page.get_by_label("Password").fill("sandbag-levee-42")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(url)

    _select(page, SENTENCE)
    page.get_by_role("button", name="Annotate the selected passage").click()
    page.get_by_label("Note (optional)").fill("They worked through the night.")
    page.get_by_label("Who can read it").select_option("public")
    page.get_by_role("button", name="Save").click()

    mark = page.locator("#brief-body mark.hl")
    expect(mark).to_have_text(SENTENCE)  # drawn without a reload
    annotation = Annotation.objects.get()
    assert (annotation.exact, annotation.visibility) == (SENTENCE, "public")

    page.reload()
    expect(page.locator(f"#annotation-{annotation.pk}")).to_have_text(SENTENCE)
    expect(page.locator(f"#note-{annotation.pk}")).to_contain_text("They worked through the night.")

    anonymous = browser.new_context().new_page()
    anonymous.goto(url)
    expect(anonymous.locator(f"#annotation-{annotation.pk}")).to_have_text(SENTENCE)
    expect(anonymous.locator(f"#note-{annotation.pk}")).to_contain_text("They worked through")
    anonymous.context.close()

    page.get_by_role("button", name="Edit this note").click()
    note_field = page.get_by_label("Note (optional)")
    expect(note_field).to_have_value("They worked through the night.")
    note_field.fill("Forty volunteers, by the mayor's count.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(f"#note-{annotation.pk}")).to_contain_text("Forty volunteers")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete this note").click()
    expect(page.locator("#brief-body mark")).to_have_count(0)
    page.reload()
    expect(page.locator("#brief-body mark")).to_have_count(0)
    assert not Annotation.objects.exists()


def test_keyboard_shortcut_opens_the_note_form_for_a_selection(page, live_server, transactional_db):
    _sign_in_to_new_brief(page, live_server, "keys")

    _select(page, "Schools will stay closed")
    page.keyboard.press("Alt+Shift+A")
    expect(page.get_by_label("Note (optional)")).to_be_focused()
    page.keyboard.type("Check the bus timetable too.")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Save
    expect(page.locator("#brief-body mark.hl-private")).to_have_text("Schools will stay closed")
    assert Annotation.objects.get().visibility == "private"


def test_a_selection_over_two_paragraphs_is_noted_whole(page, live_server, transactional_db):
    _sign_in_to_new_brief(page, live_server, "span")
    page.locator(".brief-notes[data-annotate-ready]").wait_for(state="attached")
    page.evaluate(
        """() => {
            const [first, second] = document.querySelectorAll('#brief-body p');
            const range = document.createRange();
            range.setStart(first.firstChild, first.textContent.indexOf('overnight'));
            range.setEnd(second.firstChild, 'Volunteers filled sandbags'.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
        }"""
    )
    page.get_by_role("button", name="Annotate the selected passage").click()
    page.get_by_role("button", name="Save").click()

    expect(page.locator("#brief-body mark.hl")).to_have_count(2)  # one piece per paragraph
    annotation = Annotation.objects.get()
    assert annotation.exact == "overnight.\n\nVolunteers filled sandbags"
    assert BODY[annotation.start:annotation.end] == annotation.exact
