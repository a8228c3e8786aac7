"""Issue 16's journeys in Chromium, with axe (light and dark) on every page they open:
reset a password by mail, sign up from a brief and come back to it, a reader's public page
and its feed, edit and delete from My notes, re-attach an orphan, the log-out page."""

import re
from urllib.parse import urlsplit

import feedparser
from django.conf import settings
from playwright.sync_api import expect

from annotations.models import Annotation
from tests.browser.axe import assert_no_axe_violations
from tests.factories import make_annotation, make_brief, make_user

BODY = (
    "Cranes arrived at the new terminal on Monday.\n\n"
    "Dockers tested them through the night, and the first ship berthed at dawn.\n\n"
    "The port authority expects twice the traffic by spring."
)
PASSWORD = "quay-lantern-tide-42"


def _log_in(page, live_server, username, password=PASSWORD, next_path=""):
    page.goto(live_server.url + "/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_reader_resets_a_forgotten_password_by_mail(page, live_server, transactional_db, smtp_inbox):
    make_user("keeper", password="forgotten-long-ago-1", email="keeper@example.org")
    page.goto(live_server.url + "/accounts/login/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.locator("h1")).to_have_text("Reset your password")
    assert_no_axe_violations(page)
    page.get_by_label("Email").fill("keeper@example.org")
    page.get_by_role("button", name="Send the reset link").click()
    expect(page.locator("h1")).to_have_text("Check your e-mail")
    assert_no_axe_violations(page)

    [link] = smtp_inbox.links()
    assert link.startswith(settings.SITE_URL + "/accounts/password/reset/")  # never the Host
    page.goto(live_server.url + urlsplit(link).path)
    expect(page.locator("h1")).to_have_text("Choose a new password")
    assert_no_axe_violations(page)
    page.locator("input[name=new_password1]").fill(PASSWORD)
    page.locator("input[name=new_password2]").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.locator("h1")).to_have_text("Your new password is set")
    assert_no_axe_violations(page)

    page.get_by_role("main").get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("keeper")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="My notes")).to_be_visible()
    assert_no_axe_violations(page)  # the home page, signed in


def test_reader_signs_up_from_a_brief_and_lands_back_on_it(
    page, live_server, transactional_db, mailoutbox
):
    brief = make_brief("Cranes at the terminal", body=BODY)
    page.goto(live_server.url + brief.get_absolute_url())
    assert_no_axe_violations(page)
    page.locator(".brief-notes").get_by_role("link", name="sign up").click()
    expect(page.locator("h1")).to_have_text("Sign up")
    assert_no_axe_violations(page)
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email").fill("newcomer@example.org")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("main")).to_contain_text("newcomer@example.org")
    assert_no_axe_violations(page)  # "check your mail"
    (mail,) = mailoutbox
    link = urlsplit(re.search(r"https?://\S+/accounts/activate/\S+", mail.body).group())
    page.goto(live_server.url + link.path + "?" + link.query)
    expect(page).to_have_url(live_server.url + brief.get_absolute_url())
    expect(page.get_by_role("link", name="My notes")).to_be_visible()
    assert_no_axe_violations(page)  # the brief page signed in

    # The log-out page opened directly, then logging out from it.
    page.goto(live_server.url + "/accounts/logout/")
    expect(page.locator("h1")).to_have_text("Log out")
    assert_no_axe_violations(page)
    page.get_by_role("main").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    assert_no_axe_violations(page)


def test_public_notes_page_reader_page_and_feed(page, live_server, transactional_db):
    brief = make_brief("Cranes at the terminal", body=BODY)
    ada = make_user("ada")
    make_annotation(brief, ada, "Cranes arrived", note="Twelve of them.", visibility="public")
    make_annotation(brief, ada, "first ship", note="A private aside.")
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Notes").click()
    expect(page.locator("h1")).to_have_text("Recent public notes")
    assert_no_axe_violations(page)
    page.locator(".annotation-item").get_by_role("link", name="ada").click()
    expect(page).to_have_url(live_server.url + "/users/ada/")
    expect(page.locator(".annotation-item")).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text("A private aside.")
    assert_no_axe_violations(page)
    feed_url = page.locator("a.feed-link").get_attribute("href")
    response = page.request.get(live_server.url + feed_url)
    parsed = feedparser.parse(response.body())
    assert [entry.author for entry in parsed.entries] == ["ada"]
    assert "Twelve of them." in parsed.entries[0].summary

    # The brief lists its notes under the text; the page of all its notes too.
    page.goto(live_server.url + brief.get_absolute_url())
    expect(page.locator(".brief-notes .page-note")).to_have_count(1)
    page.goto(live_server.url + f"/briefs/{brief.slug}/notes/")
    expect(page.locator(".page-note")).to_have_count(1)
    assert_no_axe_violations(page)


def test_reader_edits_filters_and_deletes_from_my_notes(page, live_server, transactional_db):
    reader = make_user("editor", password=PASSWORD)
    brief = make_brief("Cranes at the terminal", body=BODY)
    public = make_annotation(brief, reader, "Cranes arrived", note="First draft.", visibility="public")
    make_annotation(brief, reader, "first ship", note="Keep this one.")
    _log_in(page, live_server, "editor", next_path="/annotations/mine/")
    expect(page.locator("h1")).to_have_text("My notes")
    assert_no_axe_violations(page)

    page.get_by_label("Visibility").select_option("public")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".annotation-item")).to_have_count(1)
    assert_no_axe_violations(page)

    page.get_by_role("link", name=re.compile("^Edit note on “Cranes arrived")).click()
    expect(page.locator("h1")).to_have_text("Edit note")
    assert_no_axe_violations(page)
    page.get_by_label("Note").fill("Twelve cranes, says the port.")
    page.get_by_label("Only me (private)").check()
    page.get_by_role("button", name="Save note").click()
    expect(page).to_have_url(re.compile(r"/annotations/mine/\?.*visibility=public"))
    expect(page.locator(".messages")).to_have_text("Note saved.")
    expect(page.locator(".annotation-item")).to_have_count(0)  # now private
    assert_no_axe_violations(page)  # a message and an empty filtered list
    public.refresh_from_db()
    assert (public.note, public.visibility) == ("Twelve cranes, says the port.", "private")

    page.goto(live_server.url + "/annotations/mine/")
    page.get_by_role("link", name=re.compile("^Delete note on “Cranes arrived")).click()
    expect(page.locator("h1")).to_have_text("Delete this note?")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Delete note").click()
    expect(page.locator(".messages")).to_have_text("Note deleted.")
    expect(page.locator(".annotation-item")).to_have_count(1)
    assert_no_axe_violations(page)
    assert list(Annotation.objects.values_list("note", flat=True)) == ["Keep this one."]


def test_owner_reattaches_an_orphaned_note_by_selecting_a_new_passage(
    page, live_server, transactional_db
):
    reader = make_user("finder", password=PASSWORD)
    brief = make_brief("Cranes at the terminal", body=BODY)
    orphan = make_annotation(
        brief, reader, "Cranes arrived", note="Where did this go?", anchor_status="orphaned"
    )
    _log_in(page, live_server, "finder", next_path="/annotations/mine/?anchor=orphaned")
    expect(page.locator(".annotation-item")).to_have_count(1)
    page.get_by_role("link", name="Re-attach on the brief").click()
    expect(page).to_have_url(re.compile(re.escape(brief.get_absolute_url())))
    page.locator(".brief-notes[data-annotate-ready]").wait_for(state="attached")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Re-attach this note to a new passage").click()
    expect(page.locator("#reattach-hint")).to_be_visible()
    assert_no_axe_violations(page)
    page.evaluate(
        """(text) => {
            const walker = document.createTreeWalker(document.getElementById('brief-body'), NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.data.indexOf(text);
                if (at === -1) { continue; }
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + text.length);
                getSelection().removeAllRanges();
                getSelection().addRange(range);
                document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
                return;
            }
        }""",
        "the first ship berthed",
    )
    page.get_by_role("button", name="Attach the note to the selected passage").click()
    expect(page.locator(f"#annotation-{orphan.pk}")).to_have_text("the first ship berthed")
    expect(page.locator(".orphaned-notes")).to_have_count(0)
    orphan.refresh_from_db()
    assert (orphan.exact, orphan.anchor_status, orphan.note) == (
        "the first ship berthed", "exact", "Where did this go?"
    )
    assert_no_axe_violations(page)
