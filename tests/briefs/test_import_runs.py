"""The admin import as runs: saved pages, URLs and clipped pages, the preview a curator
corrects, previews kept out of the session, topics capped, runs shown in the admin, and
the same run driven by a real ``db_worker``.

Tasks run at once (the immediate backend of tests/settings.py) unless a test switches to
the database backend; URLs are served by a local HTTP server on 127.0.0.1.
"""

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from bs4 import BeautifulSoup
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from briefs.models import Brief, ImportItem, ImportRun
from config.limits import IMPORT_MAX_TOPICS_PER_BRIEF, IMPORT_URL_MAX_LENGTH
from tests.briefs.import_pages import IMPORT, form_values, preview_of
from tests.factories import make_curator

pytestmark = pytest.mark.django_db

CLIP = "/admin/briefs/brief/import/clip/"
RUNS = "/admin/briefs/importrun/"

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Rail Capacity on the Northern Corridor to Double | Harbour Gazette</title>
<meta property="og:site_name" content="Harbour Gazette">
<meta name="author" content="Mara Lindqvist">
<meta property="article:published_time" content="2025-07-28T09:15:00-04:00">
<meta property="article:tag" content="Rail"><meta property="article:tag" content="Ports">
</head><body><header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<main><article><h1>Rail Capacity on the Northern Corridor to Double</h1>
<p>Freight operators on the northern corridor said on Monday that rail capacity would double
by the end of next year, after regulators approved a long-delayed expansion of the line.</p>
<p>The approval ends a three-year dispute over noise limits near the river crossing, where
residents had argued that night trains would keep them awake for hours.</p>
</article></main><footer><p>© Harbour Gazette.</p></footer></body></html>"""


def article(*, day=3, topics=("Rare Earths", "Semiconductors")):
    """A brief in the plain-text layout copied from news sites."""
    return (
        f"Refinery output rises on day {day}\n\n"
        "Processors report steady growth across the quarter.\n\n"
        "Jane Writer·Harbor Wire\n\n"
        f"August {day}, 2025\n\n"
        "Output at the coastal refinery rose for the third month in a row, its operator said.\n\n"
        "Analysts expect prices to follow demand from magnet makers through the winter.\n\n"
        "Related Topics\n\n" + "\n".join(topics) + "\n"
    )


def page(response):
    return BeautifulSoup(response.content, "html.parser")


def field_name(response, suffix):
    return next(name for name in form_values(response) if name.endswith(suffix))


def confirm(client, preview, **changes):
    values = form_values(preview)
    typed = {field_name(preview, f"-{name}"): value for name, value in changes.items()}
    response = client.post(preview.wsgi_request.path, {**values, **typed})
    if response.status_code == 200:  # refused: the page again, with what was typed
        return response
    assert response.status_code == 302
    return client.get(response["Location"])


# --- the preview a curator corrects --------------------------------------------------------


def test_preview_shows_every_field_the_parser_found_with_its_warnings(curator_client):
    text = article(day=4).replace("steady growth", "steady growth at the CafÃ©")
    preview = preview_of(curator_client, {"text": text, "status": "published"})
    values = form_values(preview)
    by_field = {name.rsplit("-", 1)[1]: value for name, value in values.items()
                if name.startswith("item-")}
    assert by_field == {
        "title": "Refinery output rises on day 4",
        "dek": "Processors report steady growth at the Café across the quarter.",
        "date": "2025-08-04",
        "time": "",
        "author": "Jane Writer",
        "source": "Harbor Wire",
        "topics": "Rare Earths\nSemiconductors",
        "body_start": "Output at the coastal refinery rose for the third month in a row, "
        "its operator said.",
        "body_end": "Analysts expect prices to follow demand from magnet makers through the "
        "winter.",
    }
    warnings = [item.get_text() for item in page(preview).select(".import-row li.warning")]
    assert any("mojibake" in warning.lower() for warning in warnings), warnings


def test_corrected_fields_are_imported_and_the_correction_is_recorded(curator_client, curator):
    preview = preview_of(curator_client, {"text": article(day=4), "status": "published"})
    done = confirm(
        curator_client, preview,
        title="Refinery Output Rises for a Third Month",
        date="2025-08-05", time="14:30",
        topics="Rare Earths\nRefining",
        body_end="",
    )
    assert "Imported: 1 new. 1 corrected in the preview." in done.content.decode()
    brief = Brief.objects.get()
    assert brief.title == "Refinery Output Rises for a Third Month"
    assert brief.published_at == dt.datetime(2025, 8, 5, 14, 30, tzinfo=dt.timezone.utc)
    assert brief.published_time_known
    assert sorted(topic.name for topic in brief.topics.all()) == ["Rare Earths", "Refining"]
    assert "magnet makers" not in brief.body and brief.paragraphs == [
        "Output at the coastal refinery rose for the third month in a row, its operator said."
    ]
    history = list(LogEntry.objects.filter(object_id=str(brief.pk), user=curator)
                   .values_list("action_flag", "change_message"))
    assert (CHANGE, "Corrected in the import preview: title, date, time, topics, body end."
            ) in history
    marks = [row.get_text() for row in page(done).select("tr.corrected th")]
    assert len(marks) == 5
    run = ImportRun.objects.get()
    assert run.corrected == 1
    assert set(run.items.get().corrections) == {"title", "date", "time", "topics", "body_end"}
    listing = curator_client.get(f"{RUNS}{run.pk}/change/").content.decode()
    assert "title, date, time, topics, body_end" in listing


def test_a_malformed_corrected_date_is_refused_and_nothing_is_imported(curator_client):
    preview = preview_of(curator_client, {"text": article(), "status": "published"})
    again = confirm(curator_client, preview, date="5 August", title="Harbour cranes idle")
    assert "give the date as YYYY-MM-DD" in again.content.decode()
    # Nothing the curator typed is lost: both corrections are shown again to fix one.
    assert 'value="5 August"' in again.content.decode()
    assert "Harbour cranes idle" in again.content.decode()
    assert ImportRun.objects.get().status == ImportRun.Status.PREVIEW
    assert not Brief.objects.exists()


def test_more_topics_typed_than_a_brief_carries_are_refused_and_nothing_is_imported(
    curator_client,
):
    preview = preview_of(curator_client, {"text": article(), "status": "published"})
    typed = "\n".join(f"Topic {n}" for n in range(IMPORT_MAX_TOPICS_PER_BRIEF + 1))
    again = confirm(curator_client, preview, topics=typed)
    assert f"a brief carries at most {IMPORT_MAX_TOPICS_PER_BRIEF}" in again.content.decode()
    assert not Brief.objects.exists()


def test_an_uncorrected_import_records_no_correction(curator_client, curator):
    preview = preview_of(curator_client, {"text": article(), "status": "published"})
    confirm(curator_client, preview)
    brief = Brief.objects.get()
    messages = LogEntry.objects.filter(object_id=str(brief.pk)).values_list(
        "change_message", flat=True)
    assert list(messages) == ["Imported."]
    assert ImportRun.objects.get().corrected == 0


# --- previews out of the session, owned, expiring ------------------------------------------


def test_previews_live_in_the_database_not_the_session(curator_client):
    big = "\n\n".join(["A long paragraph of the brief that goes on. " * 40] * 40)
    text = article().replace("Analysts expect", big + "\n\nAnalysts expect")
    files = [SimpleUploadedFile(f"b{n}.txt", text.replace("day 3", f"day {n}").encode())
             for n in range(5)]
    preview_of(curator_client, {"files": files, "status": "published"})
    session = curator_client.session
    assert len(session.encode(dict(session.items()))) < 1000
    assert ImportItem.objects.filter(run__status="preview").count() == 5


def test_a_preview_belongs_to_its_curator_and_expires(curator_client, client):
    preview = preview_of(curator_client, {"text": article(), "status": "published"})
    url = preview.wsgi_request.path
    other = make_curator()
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.post(url, form_values(preview)).status_code == 404
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert curator_client.get(url).status_code == 404
    preview_of(curator_client, {"text": article(day=8), "status": "published"})
    assert not ImportRun.objects.filter(pk=run.pk).exists()
    assert not Brief.objects.exists()


def test_the_run_key_is_long_and_random(curator_client):
    preview_of(curator_client, {"text": article(), "status": "published"})
    preview_of(curator_client, {"text": article(day=9), "status": "published"})
    keys = list(ImportRun.objects.values_list("key", flat=True))
    assert len(set(keys)) == 2 and all(len(key) >= 40 for key in keys)


# --- topics capped --------------------------------------------------------------------------


def test_five_thousand_topics_are_capped_in_the_preview_and_the_import(curator_client):
    topics = [f"Topic number {n}" for n in range(5000)]
    started = timezone.now()
    preview = preview_of(curator_client, {"text": article(topics=topics), "status": "published"})
    assert (timezone.now() - started).total_seconds() < 10
    shown = form_values(preview)[field_name(preview, "-topics")].splitlines()
    assert len(shown) == IMPORT_MAX_TOPICS_PER_BRIEF
    assert "topics beyond the first 25 dropped" in preview.content.decode()
    confirm(curator_client, preview)
    assert Brief.objects.get().topics.count() == IMPORT_MAX_TOPICS_PER_BRIEF


# --- saved pages, URLs, clipped pages -------------------------------------------------------


def test_a_saved_page_is_uploaded_previewed_and_imported(curator_client):
    upload = SimpleUploadedFile("rail.html", PAGE.encode(), content_type="text/html")
    preview = preview_of(curator_client, {"files": [upload], "status": "published"})
    values = form_values(preview)
    assert values[field_name(preview, "-title")] == (
        "Rail Capacity on the Northern Corridor to Double")
    assert values[field_name(preview, "-source")] == "Harbour Gazette"
    assert values[field_name(preview, "-time")] == "13:15"
    confirm(curator_client, preview)
    brief = Brief.objects.get()
    assert brief.source.name == "Harbour Gazette"
    assert brief.raw_text == PAGE


def test_a_saved_page_may_be_larger_than_a_text_file(curator_client):
    bundle = "<script>" + "window.app = window.app || {}; app.n += 1;\n" * 80_000 + "</script>"
    html = PAGE.replace("</head>", bundle + "</head>")  # ~3.5 MB, as inlined bundles make
    assert len(html.encode()) > 3 * 1024 * 1024
    upload = SimpleUploadedFile("big.html", html.encode(), content_type="text/html")
    preview = preview_of(curator_client, {"files": [upload], "status": "published"})
    assert "big.html — new" in preview.content.decode()


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/rail":
            body, status = PAGE.encode(), 200
        else:
            body, status = b"missing", 404
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site(settings):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    settings.IMPORT_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_urls_are_fetched_in_the_background_and_failures_are_one_line(curator_client, site):
    preview = preview_of(
        curator_client, {"urls": f"{site}/rail\n{site}/gone\n", "status": "published"}
    )
    headings = [h.get_text() for h in page(preview).select(".import-row h2")]
    assert headings[0] == f"{site}/rail — new"
    assert headings[1] == f"{site}/gone — failed: HTTP 404 (Not Found) from {site}/gone"
    done = confirm(curator_client, preview)
    assert "Imported: 1 new, 1 failed." in done.content.decode()
    assert Brief.objects.get().source.name == "Harbour Gazette"


def test_url_field_refuses_other_schemes(curator_client):
    response = curator_client.post(IMPORT, {"urls": "ftp://example.org/x", "status": "draft"})
    assert "ftp://example.org/x: not an http or https address." in response.content.decode()
    assert not ImportRun.objects.exists()


def test_url_field_refuses_addresses_longer_than_the_limit(curator_client):
    url = "https://example.org/" + "a" * (IMPORT_URL_MAX_LENGTH - 19)  # valid, one too long
    response = curator_client.post(IMPORT, {"urls": url, "status": "draft"})
    assert response.status_code == 200
    assert f"longer than {IMPORT_URL_MAX_LENGTH:,} characters" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_import_page_offers_the_bookmarklet_to_the_clip_page(curator_client):
    link = page(curator_client.get(IMPORT)).select_one("a.bookmarklet")
    assert link.get_text() == "Clip to Brief Archive"
    assert link["href"].startswith("javascript:")
    assert '"http://testserver/admin/briefs/brief/import/clip/"' in link["href"]
    assert "postMessage(m,o)" in link["href"] and "e.origin===o" in link["href"]


def test_clip_page_keeps_its_opener_and_posts_with_a_csrf_token(curator_client):
    response = curator_client.get(CLIP)
    assert response["Cross-Origin-Opener-Policy"] == "unsafe-none"
    form = page(response).select_one("#clip-form")
    assert form["action"] == IMPORT
    assert form.select_one("input[name=csrfmiddlewaretoken]")
    assert form.select_one("input[type=file][name=clip_page][hidden]")
    assert form.select_one("input[type=hidden][name=clip_url]")
    assert page(response).select_one("script[src$='js/clip.js']")


def test_a_clipped_page_needs_the_csrf_token(curator):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(curator)
    def data():
        page_file = SimpleUploadedFile("clipped-page.html", PAGE.encode(), "text/html")
        return {"clip_page": page_file, "clip_url": "https://news.example/rail",
                "status": "published"}

    assert browser.post(IMPORT, data()).status_code == 403
    assert not ImportRun.objects.exists()
    token = page(browser.get(CLIP)).select_one("input[name=csrfmiddlewaretoken]")["value"]
    response = browser.post(IMPORT, {**data(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    preview = browser.get(response["Location"])
    assert "https://news.example/rail — new" in preview.content.decode()


def test_a_clip_without_its_address_is_refused(curator_client):
    page_file = SimpleUploadedFile("clipped-page.html", PAGE.encode(), "text/html")
    response = curator_client.post(IMPORT, {"clip_page": page_file, "status": "published"})
    assert "A clipped page needs both its HTML and its address." in response.content.decode()


# --- runs in the admin, and a real worker -----------------------------------------------------


def test_runs_are_listed_with_status_and_counts_only_to_their_curator(curator_client, client):
    preview = preview_of(curator_client, {"text": article(), "status": "published"})
    confirm(curator_client, preview)
    rows = page(curator_client.get(RUNS)).select("#result_list tbody tr")
    assert len(rows) == 1
    cells = [cell.get_text() for cell in rows[0].select("td")]
    assert "Done" in cells and "1" in cells
    client.force_login(make_curator())
    assert not page(client.get(RUNS)).select("#result_list tbody tr")


@pytest.mark.django_db(transaction=True)
def test_a_db_worker_reads_and_imports_a_run(curator_client, settings):
    """The worker commits and closes connections as in production: a real transaction."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = curator_client.post(IMPORT, {"text": article(), "status": "published"})
    run = ImportRun.objects.get()
    waiting = curator_client.get(response["Location"])
    assert "Reading: 0 of 1 item read." in waiting.content.decode()
    assert '<meta http-equiv="refresh"' in waiting.content.decode()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.PREVIEW
    preview = curator_client.get(response["Location"])
    confirm(curator_client, preview)
    assert ImportRun.objects.get().status == ImportRun.Status.QUEUED
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    run.refresh_from_db()
    assert (run.status, run.created) == (ImportRun.Status.DONE, 1)
    assert Brief.objects.get().title == "Refinery output rises on day 3"


def test_the_run_page_reads_a_fixed_number_of_queries(curator_client, django_assert_max_num_queries):
    files = [SimpleUploadedFile(f"b{n}.txt", article(day=n + 1).encode()) for n in range(8)]
    preview = preview_of(curator_client, {"files": files, "status": "published"})
    with django_assert_max_num_queries(6):
        assert curator_client.get(preview.wsgi_request.path).status_code == 200
    confirm(curator_client, preview)
    with django_assert_max_num_queries(6):
        assert curator_client.get(preview.wsgi_request.path).status_code == 200
    with django_assert_max_num_queries(4):
        assert curator_client.get(CLIP).status_code == 200


def test_a_clipped_page_larger_than_any_form_field_is_accepted(curator_client, settings):
    bundle = "<script>" + "window.app = window.app || {}; app.n += 1;\n" * 80_000 + "</script>"
    html = PAGE.replace("</head>", bundle + "</head>")
    assert len(html.encode()) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    page_file = SimpleUploadedFile("clipped-page.html", html.encode(), "text/html")
    preview = preview_of(curator_client, {"clip_page": page_file, "clip_url": "https://news.example/a",
                                     "status": "published"})
    assert "https://news.example/a — new" in preview.content.decode()
