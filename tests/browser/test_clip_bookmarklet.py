"""The "Clip to Brief Archive" bookmarklet in a real browser.

A news page on another origin (a local server on 127.0.0.1; the archive runs on
localhost) runs the bookmarklet; the archive's clip page opens, receives the page's HTML
and URL through postMessage, and the curator's Preview posts them with the CSRF token.
"""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from briefs.models import Brief, ImportRun
from tests.factories import make_curator

NEWS = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Lock Gates Reopen on the Upper Canal | Canal Courier</title>
<meta property="og:site_name" content="Canal Courier">
<meta property="article:published_time" content="2025-06-02T08:00:00+00:00">
</head><body><main><article><h1>Lock Gates Reopen on the Upper Canal</h1>
<p>The upper canal's lock gates reopened on Monday after a month of repairs, letting
narrowboats through the flight for the first time since the spring floods.</p>
<p>Boaters queued from dawn, and the lock keepers expect the backlog to clear by Friday.</p>
</article></main></body></html>"""


class _News(BaseHTTPRequestHandler):
    def do_GET(self):
        body = NEWS.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def news_site():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _News)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/story"
    httpd.shutdown()
    httpd.server_close()


def test_a_page_clipped_with_the_bookmarklet_is_previewed_and_imported(
    page, live_server, news_site, transactional_db
):
    curator = make_curator("clipper")
    curator.set_password("lock-keeper-77")
    curator.save()
    page.goto(live_server.url + "/admin/login/?next=/admin/briefs/brief/import/")
    page.get_by_label("Username").fill("clipper")
    page.get_by_label("Password").fill("lock-keeper-77")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/briefs/brief/import/$"))
    script = page.locator("a.bookmarklet").get_attribute("href")
    assert script.startswith("javascript:")

    page.goto(news_site)
    with page.expect_popup() as opened:
        page.evaluate(script.removeprefix("javascript:"))
    clip = opened.value
    expect(clip.locator("#clip-status")).to_contain_text("Clipped " + news_site)
    clip.get_by_role("button", name="Preview").click()
    expect(clip.locator(".import-row h2")).to_have_text(f"{news_site} — new")
    clip.get_by_role("button", name="Import").click()
    expect(clip.locator(".import-summary")).to_contain_text("Imported: 1 new.")
    brief = Brief.objects.get()
    assert brief.title == "Lock Gates Reopen on the Upper Canal"
    assert brief.source.name == "Canal Courier"
    assert "Lock Gates Reopen" in brief.raw_text
    assert ImportRun.objects.get().owner == curator


def test_the_clip_page_ignores_messages_from_windows_it_was_not_opened_by(
    page, live_server, transactional_db
):
    curator = make_curator("stranger")
    curator.set_password("lock-keeper-77")
    curator.save()
    page.goto(live_server.url + "/admin/login/?next=/admin/briefs/brief/import/clip/")
    page.get_by_label("Username").fill("stranger")
    page.get_by_label("Password").fill("lock-keeper-77")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/clip/$"))
    page.evaluate(
        "window.postMessage({type: 'brief-archive-clip', url: location.href, html: '<p>x</p>'},"
        " '*')"
    )
    page.wait_for_timeout(300)
    expect(page.locator("#clip-status")).to_contain_text("Waiting for the page")
    expect(page.get_by_role("button", name="Preview")).to_be_disabled()
