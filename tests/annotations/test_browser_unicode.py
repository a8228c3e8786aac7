"""In a real browser: notes on text after (and made of) astral characters land on the right words.

The DOM counts UTF-16 code units, the server and the W3C TextPositionSelector count code
points; "𝐀", "👍🏽" and a flag are one, two and two code points but two, four and four units.
Before issue 15's fix a selection after them was sent several characters too far on, and a
phrase occurring twice was refused ("quote occurs more than once") or noted in the wrong place.
"""

import pytest
from playwright.sync_api import expect

from annotations.models import Annotation
from tests.annotations.test_browser import _select, _sign_in_to_new_brief
from tests.browser.conftest import browser_type_launch_args  # noqa: F401  (Debian's Chromium)

pytestmark = pytest.mark.browser

PHRASE = "the ferry sailed"
BODY = (
    "Port 𝐀 log 👍🏽 🇧🇷: the ferry sailed at noon, and the ferry sailed again at dusk.\n\n"
    "Harbour 🚢 notes: 𝐀𝐁 crews cheered 🇧🇷🇵🇹 as the ferry sailed home."
)


def _save_note(page, note):
    page.get_by_role("button", name="Annotate the selected passage").click()
    page.get_by_label("Note (optional)").fill(note)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#brief-body mark.hl")).to_have_count(1)  # saved and drawn


def test_second_copy_of_a_phrase_after_astral_characters_is_noted_in_place(page, live_server, transactional_db):
    _sign_in_to_new_brief(page, live_server, "astral", body=BODY)

    _select(page, PHRASE, occurrence=1)
    _save_note(page, "The evening crossing.")

    annotation = Annotation.objects.get()
    second = BODY.index(PHRASE, BODY.index(PHRASE) + 1)
    assert (annotation.start, annotation.end, annotation.exact) == (
        second, second + len(PHRASE), PHRASE,
    )
    assert annotation.suffix.startswith(" again at dusk.")
    mark = page.locator(f"#annotation-{annotation.pk}")
    expect(mark).to_have_text(PHRASE)
    # The highlight sits on the second copy: what precedes it in its paragraph ends "and ".
    before = mark.evaluate(
        """(mark) => {
            const range = document.createRange();
            range.setStart(mark.closest('p'), 0);
            range.setEndBefore(mark);
            return range.toString();
        }"""
    )
    assert before.endswith("at noon, and ")


def test_a_quote_made_of_astral_characters_in_a_later_paragraph_keeps_them_whole(page, live_server, transactional_db):
    brief = _sign_in_to_new_brief(page, live_server, "flags", body=BODY)
    quote = "𝐀𝐁 crews cheered 🇧🇷🇵🇹"

    _select(page, quote)
    _save_note(page, "Two flags.")

    annotation = Annotation.objects.get()
    assert annotation.exact == quote
    assert brief.body[annotation.start : annotation.end] == quote
    page.reload()
    expect(page.locator(f"#annotation-{annotation.pk}")).to_have_text(quote)
