"""Fetching pages by URL: a real HTTP server on 127.0.0.1, started here, and the refusals.

No test reaches past this machine: the server listens on loopback, and the refused
addresses are refused before any connection is attempted (a guard makes any attempt
fail the test).
"""

import gzip
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from briefs.importer import fetch as fetch_module
from briefs.importer.fetch import FetchError, fetch_page
from briefs.importer.html import parse_html

ARTICLE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Ferry Timetable Changes</title>"
    "<meta property='og:site_name' content='Harbour Gazette'></head><body><article>"
    "<h1>Ferry Timetable Changes</h1><p>The harbour ferry will run every twenty minutes "
    "from next week, the operator said, after a summer of complaints about crowded "
    "boats and long queues at both piers.</p></article></body></html>"
).encode()
BENCHMARK = Path(__file__).resolve().parents[2].parent / "shared" / "extraction-benchmark"


class _Handler(BaseHTTPRequestHandler):
    routes = {}

    def do_GET(self):
        self.server.paths.append(self.path)
        route = self.routes.get(self.path.split("?")[0])
        if route is None:
            self._send(404, b"not here", "text/plain")
        else:
            route(self)

    def _send(self, status, body, content_type, **headers):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _stream_without_length(handler, total):
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    chunk = b"<p>" + b"x" * 65_536 + b"</p>"
    try:
        for _ in range(total // len(chunk) + 1):
            handler.wfile.write(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client stopped reading past its cap, as it should


def _slow(handler):
    time.sleep(1.5)
    try:
        handler._send(200, ARTICLE, "text/html")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up waiting, as it should


_Handler.routes = {
    "/article": lambda h: h._send(200, ARTICLE, "text/html; charset=utf-8"),
    "/latin": lambda h: h._send(
        200, "<html><body><p>Café crème</p></body></html>".encode("latin-1"),
        "text/html; charset=iso-8859-1",
    ),
    "/xhtml": lambda h: h._send(200, ARTICLE, "application/xhtml+xml"),
    "/pdf": lambda h: h._send(200, b"%PDF-1.4", "application/pdf"),
    "/untyped": lambda h: h._send(200, ARTICLE, ""),
    "/declared-huge": lambda h: (
        h.send_response(200), h.send_header("Content-Type", "text/html"),
        h.send_header("Content-Length", str(6 * 1024 * 1024)), h.end_headers(),
    ),
    "/endless": lambda h: _stream_without_length(h, 7 * 1024 * 1024),
    "/slow": _slow,
    "/to-private": lambda h: h._send(302, b"", "text/html", Location="http://10.0.0.1/admin"),
    "/to-ftp": lambda h: h._send(301, b"", "text/html", Location="ftp://example.invalid/x"),
    "/benchmark": lambda h: h._send(200, h.server.benchmark_page, "text/html; charset=utf-8"),
}
for _hops in range(1, 8):
    _Handler.routes[f"/hop/{_hops}"] = (
        lambda h, n=_hops: h._send(302, b"", "text/html", Location=f"/hop/{n - 1}")
    )
_Handler.routes["/hop/0"] = _Handler.routes["/article"]


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.paths = []
    httpd.benchmark_page = b""
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def base(server, settings):
    settings.IMPORT_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    server.paths.clear()
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def no_connections(monkeypatch):
    """Any attempt to open a TCP connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"a connection was attempted: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_an_html_page_is_fetched_with_its_final_url(base):
    page = fetch_page(base + "/article")

    assert page.html == ARTICLE.decode()
    assert (page.status, page.content_type, page.charset) == (200, "text/html", "utf-8")
    assert page.final_url == page.url == base + "/article"
    assert parse_html(page.html, url=page.final_url).title == "Ferry Timetable Changes"


def test_the_declared_charset_decodes_the_page(base):
    assert "Café crème" in fetch_page(base + "/latin").html


def test_xhtml_is_accepted(base):
    assert fetch_page(base + "/xhtml").content_type == "application/xhtml+xml"


def test_redirects_are_followed_up_to_five(base):
    page = fetch_page(base + "/hop/5")

    assert page.final_url == base + "/hop/0"
    assert len(page.redirects) == 5


@pytest.mark.parametrize(
    ("path", "kwargs", "line"),
    [
        ("/missing", {}, "HTTP 404 (Not Found) from {base}/missing"),
        ("/pdf", {}, "not HTML: {base}/pdf is 'application/pdf'"),
        ("/untyped", {}, "not HTML: {base}/untyped is of no declared type"),
        ("/declared-huge", {}, "too large: {base}/declared-huge is over 5 MB"),
        ("/endless", {}, "too large: {base}/endless is over 5 MB"),
        ("/endless", {"max_bytes": 100_000}, "too large: {base}/endless is over 100,000 bytes"),
        ("/slow", {"timeout": 0.3}, "timed out after 0.3 s fetching {base}/slow"),
        ("/hop/6", {}, "too many redirects: more than 5 from {base}/hop/6"),
        ("/to-private", {}, "refused address: 10.0.0.1 is a private address"),
        ("/to-ftp", {}, "bad URL: 'ftp://example.invalid/x' (only http and https addresses "
         "can be fetched)"),
    ],
)
def test_each_failure_is_one_clear_line(base, path, kwargs, line):
    with pytest.raises(FetchError) as error:
        fetch_page(base + path, **kwargs)

    assert str(error.value) == line.format(base=base)


def test_a_refused_redirect_target_is_never_connected_to(base, server):
    with pytest.raises(FetchError, match="refused address"):
        fetch_page(base + "/to-private")

    assert server.paths == ["/to-private"]


@pytest.mark.parametrize(
    ("url", "line"),
    [
        ("file:///etc/passwd", "bad URL: 'file:///etc/passwd' (only http and https addresses "
         "can be fetched)"),
        ("http://", "bad URL: 'http://' has no host"),
        ("http://user:secret@127.0.0.1/", "bad URL: 'http://user:secret@127.0.0.1/' carries a "
         "user name or password"),
        ("not a url at all", "bad URL: 'not a url at all' (only http and https addresses can "
         "be fetched)"),
    ],
)
def test_bad_urls_are_refused(url, line, no_connections):
    with pytest.raises(FetchError) as error:
        fetch_page(url)

    assert str(error.value) == line


@pytest.mark.parametrize(
    ("url", "line"),
    [
        ("http://127.0.0.1/", "refused address: 127.0.0.1 is a loopback address"),
        ("http://10.0.0.1/", "refused address: 10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/",
         "refused address: 169.254.169.254 is a link-local address"),
        ("http://[::1]/", "refused address: ::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/",
         "refused address: ::ffff:127.0.0.1 is a loopback address"),
        ("http://0.0.0.0/", "refused address: 0.0.0.0 is an unspecified address"),
        ("http://[64:ff9b::a00:1]/", "refused address: 64:ff9b::a00:1 is a reserved address"),
    ],
)
def test_non_public_addresses_are_refused_by_default_without_connecting(
    url, line, no_connections, settings
):
    settings.IMPORT_FETCH_ALLOWED_NETWORKS = []

    with pytest.raises(FetchError) as error:
        fetch_page(url)

    assert str(error.value) == line


def test_a_name_resolving_to_loopback_is_refused_without_connecting(no_connections, settings):
    settings.IMPORT_FETCH_ALLOWED_NETWORKS = []

    with pytest.raises(FetchError) as error:
        fetch_page("http://localhost:8000/")

    assert re.fullmatch(
        r"refused address: localhost resolves to (127\.0\.0\.1|::1), a loopback address",
        str(error.value),
    )


def test_one_non_public_answer_among_public_ones_refuses_the_host(
    monkeypatch, no_connections, settings
):
    settings.IMPORT_FETCH_ALLOWED_NETWORKS = []
    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, 80))
               for ip in ("8.8.8.8", "192.168.1.20")]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)

    with pytest.raises(FetchError) as error:
        fetch_page("http://news.test/story")

    assert str(error.value) == (
        "refused address: news.test resolves to 192.168.1.20, a private address"
    )


def test_the_connection_goes_to_the_address_that_was_checked(base, server, monkeypatch):
    """A name resolved once is connected to by address: a second DNS answer changes nothing."""
    port = server.server_address[1]
    answers = iter([
        [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))],
        [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.2", port))],  # nothing listens
    ])
    real_getaddrinfo = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host == "news.test":
            return next(answers)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)

    page = fetch_page(f"http://news.test:{port}/article")

    assert page.final_url == f"http://news.test:{port}/article"
    assert page.html == ARTICLE.decode()


@pytest.mark.skipif(not (BENCHMARK / "ground-truth.json").is_file(),
                    reason=f"extraction benchmark pages not found at {BENCHMARK}")
def test_a_saved_news_page_served_by_url_becomes_a_brief(base, server):
    truth = json.loads((BENCHMARK / "ground-truth.json").read_text(encoding="utf-8"))
    key = sorted(truth)[0]
    with gzip.open(BENCHMARK / "html" / f"{key}.html.gz", "rb") as file:
        server.benchmark_page = file.read()

    page = fetch_page(base + "/benchmark")
    brief = parse_html(page.html, url=page.final_url)

    assert brief.title and brief.body
    assert brief.paragraphs[0].split()[:4] == truth[key]["articleBody"].split()[:4]


def test_address_problem_reads_ipv4_inside_ipv6():
    from ipaddress import ip_address, ip_network

    assert fetch_module.address_problem(ip_address("2002:7f00:1::")) == "a loopback address"
    assert fetch_module.address_problem(ip_address("100.64.0.1")) == "a non-public address"
    assert fetch_module.address_problem(ip_address("8.8.8.8")) == ""
    allowed = [ip_network("127.0.0.0/8")]
    assert fetch_module.address_problem(ip_address("::ffff:127.0.0.1"), allowed) == ""
