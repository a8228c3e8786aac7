"""The curation admin at 1280 px: brief titles read as lines, every column is visible, the
topic filter is labelled, and notes are listed by quote and brief title."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.axe import assert_no_axe_violations
from tests.factories import make_annotation, make_brief, make_source, make_topic, make_user

PASSWORD = "curate-the-quay-77"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


def _admin_login(page, live_server):
    get_user_model().objects.create_superuser("chief", "chief@example.org", PASSWORD)
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Log out").or_(page.get_by_role("button", name="Log out"))).to_be_visible()


def test_brief_list_is_readable_at_1280_px(page, live_server, transactional_db):
    wire = make_source("Harbour Wire International Newswire")
    topics = [make_topic(f"Topic with a long name {n}") for n in range(8)]
    for n in range(5):
        brief = make_brief(
            f"Rotterdam tests autonomous cranes at its deep-water container terminal, round {n}",
            source=wire, topics=topics,
        )
    make_annotation(brief, make_user(), "First paragraph", note="Noted.", visibility="public")
    _admin_login(page, live_server)
    page.goto(live_server.url + "/admin/briefs/brief/")

    viewport = page.viewport_size["width"]
    title = page.locator("#result_list td.field-title, #result_list th.field-title").first
    box = title.bounding_box()
    line = page.evaluate(
        "(el) => parseFloat(getComputedStyle(el).lineHeight) || 20", title.element_handle()
    )
    # 80 characters of title in three lines at most, not a word a line.
    assert box["width"] >= 250 and box["height"] <= 3 * line + 20, (box, line)
    for header in page.locator("#result_list thead th").all():
        header_box = header.bounding_box()
        assert header_box["x"] + header_box["width"] <= viewport + 1, header.inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport
    label = page.locator("#changelist-filter label[for=id_topic]")
    expect(label).to_have_text("Briefs with all of these topics:")
    expect(page.locator("#content-main, #content").get_by_role("link", name="Tags")).to_have_count(0)
    assert_no_axe_violations(page)

    page.goto(live_server.url + "/admin/annotations/annotation/")
    expect(page.locator("#result_list tbody th").first).to_have_text(
        f"“First paragraph” on {brief.title}"
    )
    assert_no_axe_violations(page)
    page.goto(live_server.url + "/admin/")
    assert_no_axe_violations(page)
    expect(page.get_by_role("link", name="Tags", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Topics", exact=True).first).to_be_visible()
