"""A reader switches lists from one card per event to every version and back, and the
choice follows them from page to page: as a cookie signed out, stored once signed in."""

import datetime as dt
import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import make_brief, make_source, make_story, make_topic, make_user

MOMENT = dt.datetime(2025, 3, 4, 9, tzinfo=dt.UTC)


def _story():
    steel = make_topic("Steel")
    versions = [
        make_brief(title, source=make_source(outlet), topics=[steel], published_at=moment)
        for title, outlet, moment in [
            ("Ministry sets steel tariff", "North Wire", MOMENT),
            ("Steel imports face new duty", "South Ledger", MOMENT + dt.timedelta(hours=2)),
        ]
    ]
    make_brief("Cocoa prices ease", topics=[steel], published_at=MOMENT + dt.timedelta(hours=1))
    make_story(briefs=versions, title="Ministry sets steel tariff")


def test_reader_shows_every_version_and_the_choice_is_remembered(
    page, live_server, transactional_db
):
    _story()
    make_user("steel", password="two-newsrooms-42")
    cards = page.locator(".card-title")
    page.goto(live_server.url + "/topics/steel/")
    expect(cards).to_have_count(2)
    expect(page.locator(".versions-toggle")).to_contain_text("1 other version on this page")
    assert Axe().run(page).violations_count == 0
    page.get_by_role("button", name="Show every version").click()
    expect(page).to_have_url(re.compile(r"/topics/steel/$"))
    expect(cards).to_have_count(3)
    page.goto(live_server.url + "/")  # remembered on another list
    expect(cards).to_have_count(3)
    page.get_by_role("button", name="Group by story").click()
    expect(cards).to_have_count(2)

    page.goto(live_server.url + "/accounts/login/?next=/topics/steel/")
    page.get_by_label("Username").fill("steel")
    page.get_by_label("Password").fill("two-newsrooms-42")
    page.get_by_role("button", name="Log in").click()
    expect(cards).to_have_count(2)
    page.get_by_role("button", name="Show every version").click()  # a CSRF-checked write
    expect(cards).to_have_count(3)
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/?next=/")
    page.get_by_label("Username").fill("steel")
    page.get_by_label("Password").fill("two-newsrooms-42")
    page.get_by_role("button", name="Log in").click()
    expect(cards).to_have_count(3)  # stored with the account, not in this browser
