"""``import_briefs`` with saved pages, web addresses and symbolic links.

Saved pages are this folder's ``saved_pages/`` (invented, written for these tests); URLs
are served by a real HTTP server on 127.0.0.1 started here, which the settings allow
through ``IMPORT_FETCH_ALLOWED_NETWORKS``.
"""

import datetime as dt
import io
import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from briefs.models import Brief, Source

pytestmark = pytest.mark.django_db

PAGES = Path(__file__).resolve().parent / "saved_pages"
UTC = dt.timezone.utc
TEXT = """Lake Ferry Fares Frozen For Another Year

The operator says fuel costs have settled.

By Petra Lind, Lakeside Tribune

{date}

Fares on every crossing stay at this year's prices until next summer, the company said.

Tags: Ferries
"""


def run(*args):
    """Run the command; return (output lines, the CommandError or None)."""
    out = io.StringIO()
    try:
        call_command("import_briefs", *map(str, args), stdout=out, no_color=True)
        error = None
    except CommandError as raised:
        error = raised
    return out.getvalue().splitlines(), error


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/ferry":
            body = (PAGES / "lakeside-tribune-ferry.html").read_bytes()
            self._send(200, body, "text/html; charset=utf-8")
        elif self.path == "/feed.json":
            self._send(200, b"{}", "application/json")
        else:
            self._send(404, b"not here", "text/plain")

    def _send(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(settings):
    settings.IMPORT_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_folder_of_saved_pages_imports_with_the_fields_a_curator_would_note(tmp_path):
    folder = tmp_path / "pages"
    shutil.copytree(PAGES, folder)

    lines, error = run(folder)

    assert error is None, lines
    assert lines[-1] == "2 files: 2 created, 0 updated, 0 unchanged, 0 failed"
    ferry = Brief.objects.get(title="Lake Ferry Adds Evening Crossings")
    assert ferry.source.name == "Lakeside Tribune" and ferry.author == "Petra Lind"
    assert ferry.published_at == dt.datetime(2025, 5, 14, 5, 30, tzinfo=UTC)
    assert ferry.dek == "Two late boats will run on weekdays from June."
    assert [t.name for t in ferry.topic_list] == ["Ferries", "Lake Transport"]
    assert ferry.paragraphs[0].startswith("The lake ferry company will add")
    assert "Fares stay the same" in ferry.paragraphs and "Most read" not in ferry.body
    assert ferry.raw_text == (folder / "lakeside-tribune-ferry.html").read_text()
    chip = Brief.objects.get(title="Startup Ships Its First Low-Power Radio Chip")
    assert chip.source.name == "Orbit Tech Review" and chip.author == "Dev Anand"
    assert chip.published_at == dt.datetime(2025, 6, 3, 15, 5, tzinfo=UTC)
    assert "Share on Facebook" not in chip.body


def test_a_url_is_fetched_imported_and_keeps_its_html(server):
    lines, error = run(f"{server}/ferry")

    assert error is None and lines[0] == f"created: {server}/ferry"
    brief = Brief.objects.get()
    assert brief.title == "Lake Ferry Adds Evening Crossings"
    assert brief.raw_text.startswith("<!DOCTYPE html>")

    again, _ = run(f"{server}/ferry")
    assert again[0] == f"unchanged: {server}/ferry"


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/missing", "HTTP 404"), ("/feed.json", "not HTML")],
)
def test_a_url_that_cannot_be_fetched_is_one_line_and_writes_nothing(server, path, reason):
    lines, error = run(f"{server}{path}")

    assert lines[0].startswith(f"failed: {server}{path}: ") and reason in lines[0]
    assert len(lines) == 2 and error.returncode == 1
    assert not Brief.objects.exists() and not Source.objects.exists()


def test_a_private_address_is_refused_without_a_request(settings):
    settings.IMPORT_FETCH_ALLOWED_NETWORKS = []

    lines, error = run("http://127.0.0.1:9/ferry")

    assert lines[0].startswith("failed: http://127.0.0.1:9/ferry: ")
    assert error is not None and not Brief.objects.exists()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links on this system")
def test_symbolic_links_are_refused_with_one_line_named_or_found_in_a_folder(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text(TEXT.format(date="July 2, 2025"), encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "link.txt").symlink_to(real)
    (folder / "linked-dir").symlink_to(tmp_path)

    named, _ = run(folder / "link.txt")
    walked, error = run(folder)

    reason = "is a symbolic link; refused (name the file it points to instead)"
    assert named[0] == f"failed: {folder / 'link.txt'}: {reason}"
    assert walked[:2] == [
        f"failed: {folder / 'link.txt'}: {reason}",
        f"failed: {folder / 'linked-dir'}: {reason}",
    ]
    assert error.returncode == 1 and not Brief.objects.exists()


def test_relative_dates_count_back_from_the_files_modification_time(tmp_path):
    path = tmp_path / "ferry.txt"
    path.write_text(TEXT.format(date="5 hours ago"), encoding="utf-8")
    saved = dt.datetime(2025, 7, 2, 18, 0, tzinfo=UTC)
    os.utime(path, (saved.timestamp(), saved.timestamp()))

    run(path)

    assert Brief.objects.get().published_at == dt.datetime(2025, 7, 2, 13, 0, tzinfo=UTC)


def test_an_undated_file_is_created_as_a_draft_and_the_line_says_why(tmp_path):
    path = tmp_path / "undated.txt"
    path.write_text(TEXT.format(date=""), encoding="utf-8")

    lines, error = run(path)

    assert error is None
    assert lines[0] == f"created: {path}"
    assert lines[1].startswith("  warning: saved as a draft") and "no usable publication date" in lines[1]
    assert Brief.objects.get().status == Brief.Status.DRAFT
