"""The story page at 1280 px: its reading column lines up with the centred header, and the
signed-in header's search box has room for its placeholder and a query."""

import pytest

from briefs.models import Brief, Story
from tests.factories import make_brief, make_source, make_user


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


def _story():
    one = make_brief("Port strike ends", source=make_source("North Wire"))
    other = make_brief("Dockers return", source=make_source("South Ledger"))
    story = Story.objects.create(title="Port strike ends", curator_fixed=True)
    Brief.objects.filter(pk__in=[one.pk, other.pk]).update(story=story)
    return story


def _left(page, selector):
    return page.locator(selector).first.evaluate(
        "e => e.getBoundingClientRect().left + parseFloat(getComputedStyle(e).paddingLeft)"
    )


def test_the_story_page_column_lines_up_with_the_header(page, live_server, transactional_db):
    story = _story()
    page.goto(live_server.url + story.get_absolute_url())
    header = _left(page, ".site-header")
    for part in (".story-page h1", ".story-timeline", ".story-legend", ".breadcrumbs"):
        left = page.locator(part).first.evaluate("e => e.getBoundingClientRect().left")
        assert abs(left - header) <= 1, (part, left, header)


def test_the_signed_in_search_box_shows_its_placeholder(page, live_server, transactional_db):
    story = _story()
    make_user("reader", password="two-newsrooms-42")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password").fill("two-newsrooms-42")
    page.get_by_role("button", name="Log in").click()
    for url in (story.get_absolute_url(), "/"):
        page.goto(live_server.url + url)
        box = page.locator("#site-search-q")
        needed, width = box.evaluate(
            """e => {
                const style = getComputedStyle(e);
                const context = document.createElement('canvas').getContext('2d');
                context.font = style.font;
                const text = context.measureText(e.placeholder).width;
                return [text + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight),
                        e.clientWidth];
            }"""
        )
        # The placeholder and room to spare: at 130 px it fitted Chromium's font by 2 px and
        # showed "Search brie" in wider ones. 12rem holds a query of a few words anywhere.
        assert width >= max(needed, 12 * 16), (url, width, needed)
