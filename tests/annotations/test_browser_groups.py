"""In a real browser: two readers in a group discuss a passage (note, reply, the reply mail),
and a third reader outside the group sees nothing of it."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from annotations.models import Annotation
from tests.annotations.test_browser import _select
from tests.browser.conftest import browser_type_launch_args  # noqa: F401  (Debian's Chromium)
from tests.factories import make_brief, make_user

pytestmark = pytest.mark.browser

BODY = (
    "The library will close two branches in March.\n\n"
    "The council says the savings pay for longer opening hours downtown."
)
PASSAGE = "close two branches in March"
PASSWORD = "quiet-reading-room-7"


def _signed_in(browser, live_server, username, email=""):
    make_user(username, password=PASSWORD, email=email)
    page = browser.new_context().new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))
    return page


def test_two_members_discuss_a_passage_and_an_outsider_sees_nothing(
    browser, live_server, transactional_db
):
    brief = make_brief("Library branches close", body=BODY)
    url = live_server.url + brief.get_absolute_url()
    ada = _signed_in(browser, live_server, "ada", email="ada@example.org")
    ada.goto(live_server.url + "/annotations/groups/")
    ada.get_by_label("Name").fill("Reading circle")
    ada.get_by_role("button", name="Create group").click()
    expect(ada.get_by_role("heading", level=1)).to_have_text("Reading circle")
    invite = ada.get_by_label("Invite link").input_value()

    bob = _signed_in(browser, live_server, "bob")
    bob.goto(invite)
    bob.get_by_role("button", name="Join the group").click()
    expect(bob.get_by_role("heading", level=1)).to_have_text("Reading circle")

    ada.goto(url)
    _select(ada, PASSAGE)
    ada.get_by_role("button", name="Annotate the selected passage").click()
    ada.get_by_label("Note (optional)").fill("Which branches? The list is not public yet.")
    ada.get_by_label("Who can read it").select_option(label="Group: Reading circle")
    ada.get_by_label("Tags (comma separated)").fill("libraries")
    ada.get_by_role("button", name="Save").click()
    expect(ada.locator("#brief-body mark.hl-group")).to_have_text(PASSAGE)
    note = Annotation.objects.get()
    assert (note.visibility, note.group.name) == ("group", "Reading circle")

    bob.goto(url)
    thread = bob.locator(f"#note-{note.pk}")
    expect(thread).to_contain_text("Which branches?")
    expect(thread).to_contain_text("group: Reading circle")
    thread.get_by_label("Reply").fill("Northside and the harbour branch, says my neighbour.")
    thread.get_by_role("button", name="Post reply").click()
    expect(bob.locator(f"#note-{note.pk} .note-replies")).to_contain_text("Northside")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.org"]
    assert "Northside and the harbour branch" in mail.outbox[0].body

    ada.reload()
    expect(ada.locator(f"#note-{note.pk} .note-replies")).to_contain_text("Northside")

    carol = _signed_in(browser, live_server, "carol")
    carol.goto(url)
    expect(carol.locator(".brief-notes")).to_contain_text("No notes on this brief yet.")
    content = carol.content()
    for secret in ("Which branches?", "Northside", "Reading circle", "libraries"):
        assert secret not in content
    expect(carol.locator("#brief-body mark")).to_have_count(0)
    carol.goto(live_server.url + note.group.get_absolute_url())
    assert "Reading circle" not in carol.content()
    for page in (ada, bob, carol):
        page.context.close()
