"""A reader's path through the site in a real browser: home, topic, combination, search, pages."""

import re

from playwright.sync_api import expect


def test_reader_follows_topic_narrows_searches_and_pages(page, live_server, demo_archive):
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_have_text("Latest briefs")

    page.locator(".popular-topics").get_by_role("link", name=re.compile(r"^Ports")).click()
    expect(page).to_have_url(re.compile(r"/topics/ports/$"))
    expect(page.locator("h1")).to_have_text("Ports")

    page.locator(".narrow-down").get_by_role("link", name=re.compile(r"Weather")).click()
    expect(page).to_have_url(re.compile(r"/topics/ports\+weather/$"))
    expect(page.locator("h1")).to_have_text("Ports + Weather")
    expect(page.locator(".card")).to_have_count(12)

    page.get_by_role("link", name="Remove Weather").click()
    expect(page).to_have_url(re.compile(r"/topics/ports/$"))

    page.get_by_label("Search briefs").fill("lighthouse")
    page.get_by_label("Search briefs").press("Enter")
    expect(page.locator("h1")).to_have_text("Results for “lighthouse”")
    expect(page.locator(".result-count")).to_contain_text("24 briefs found")
    expect(page.locator(".card")).to_have_count(20)
    expect(page.locator(".snippet mark").first).to_have_text(re.compile("lighthouse", re.I))

    page.get_by_role("link", name=re.compile(r"^Next")).click()
    expect(page).to_have_url(re.compile(r"\?q=lighthouse&page=2$"))
    expect(page.locator(".card")).to_have_count(4)
    expect(page.locator(".page-count")).to_have_text("Page 2 of 2")

    page.get_by_role("link", name=re.compile(r"^← Previous")).click()
    expect(page.locator(".page-count")).to_have_text("Page 1 of 2")


def test_keyboard_reaches_skip_link_first_with_visible_focus(page, live_server, demo_archive):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to content")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_pages_fit_a_320_pixel_screen(page, live_server, demo_archive):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/")
    brief_url = page.locator(".card-title a").first.get_attribute("href")
    for path in ("/", brief_url, "/topics/ports+weather/", "/search/?q=lighthouse", "/topics/"):
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= 320, (path, overflow)


def test_dark_mode_follows_the_system(page, live_server, demo_archive):
    page.emulate_media(color_scheme="light")
    page.goto(live_server.url + "/")
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.emulate_media(color_scheme="dark")
    dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert light == "rgb(253, 253, 251)"
    assert dark == "rgb(20, 20, 20)"
