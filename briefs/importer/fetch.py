"""Fetch one web page for the importer, refusing everything but a public HTML page.

A URL typed by a curator is fetched by the server, so the server must not become a way
into its own network (server-side request forgery, OWASP SSRF Prevention Cheat Sheet):

- only ``http`` and ``https``, no credentials in the address;
- every address a host name resolves to, IPv4 and IPv6, must be public: loopback,
  private, link-local, multicast, reserved, unspecified and other non-global addresses
  are refused, including IPv4 addresses carried in IPv6 (IPv4-mapped, 6to4, Teredo,
  NAT64). The connection goes to the address that was checked (the check sits in the
  network layer httpx connects through), so a second DNS answer cannot switch it
  (DNS rebinding), and so does every redirect: at most ``MAX_REDIRECTS``, each target
  checked again;
- at most ``max_bytes`` of (decompressed) body, read as a stream and abandoned past
  the cap; only ``text/html`` and ``application/xhtml+xml``; a timeout per network
  operation and for the whole fetch; no proxy from the environment.

The Django setting ``IMPORT_FETCH_ALLOWED_NETWORKS`` (CIDR strings, empty by default)
lists non-public networks that may be fetched all the same, for tests on 127.0.0.1.
Every failure is a FetchError whose text is one line for the curator.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin

import httpcore
import httpx

from config.limits import IMPORT_MAX_PAGE_BYTES
from core.text import whole_number

from .html import IMPORT_MAX_PAGE_LABEL, decode_html_bytes

MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 10.0  # seconds, per connect/read and for the whole fetch
HTML_TYPES = ("text/html", "application/xhtml+xml")
USER_AGENT = "BriefArchive/1.0 (news brief importer)"
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchError(Exception):
    """The page cannot be fetched; ``str(error)`` is a one-line reason for a curator."""

    def __init__(self, message):
        super().__init__(" ".join(str(message).split()))


@dataclass(frozen=True)
class FetchedPage:
    """A fetched HTML page: the URL asked for, the one answered after redirects, its text."""

    url: str
    final_url: str
    html: str
    status: int
    content_type: str
    charset: str  # as the server declared it, "" when it did not
    redirects: tuple = ()  # the URLs redirected through, in order


def fetch_page(url, *, timeout=DEFAULT_TIMEOUT, max_bytes=IMPORT_MAX_PAGE_BYTES,
               max_redirects=MAX_REDIRECTS):
    """GET ``url`` and return a FetchedPage, or raise FetchError saying why not.

    ``timeout`` is in seconds, for each connect/read and for the whole fetch;
    ``max_bytes`` caps the decompressed body (5 MB by default, what ``parse_html``
    accepts); ``max_redirects`` caps the redirects followed. Refused: schemes other
    than http/https, non-public addresses (see the module docstring and the
    ``IMPORT_FETCH_ALLOWED_NETWORKS`` setting), statuses other than 2xx, content
    types other than HTML, bodies over the cap.
    """
    deadline = time.monotonic() + timeout
    allowed = _allowed_networks()
    transport = _PinnedTransport(allowed)
    redirects = []
    current = _checked_url(url)
    with httpx.Client(transport=transport, trust_env=False, follow_redirects=False,
                      timeout=httpx.Timeout(timeout),
                      headers={"User-Agent": USER_AGENT,
                               "Accept": "text/html,application/xhtml+xml;q=0.9"}) as client:
        while True:
            try:
                with client.stream("GET", current) as response:
                    if response.is_redirect:
                        target = _redirect_target(response, current)
                        if len(redirects) >= max_redirects:
                            raise FetchError(
                                f"too many redirects: more than {max_redirects} from {url}"
                            )
                        redirects.append(current)
                        current = target
                        continue
                    return _page(response, url, current, redirects, max_bytes, deadline)
            except httpx.TimeoutException:
                raise FetchError(f"timed out after {timeout:g} s fetching {current}") from None
            except httpx.HTTPError as error:
                raise FetchError(f"could not fetch {current}: {_reason(error)}") from None


def _page(response, url, current, redirects, max_bytes, deadline):
    if not response.is_success:
        raise FetchError(f"HTTP {response.status_code} ({response.reason_phrase}) from {current}")
    content_type, _, params = response.headers.get("content-type", "").partition(";")
    content_type = content_type.strip().lower()
    if content_type not in HTML_TYPES:
        shown = f"'{content_type}'" if content_type else "of no declared type"
        raise FetchError(f"not HTML: {current} is {shown}")
    too_large = FetchError(f"too large: {current} is over {_size_label(max_bytes)}")
    declared = whole_number(response.headers.get("content-length", ""), low=0)
    if declared is not None and declared > max_bytes:
        raise too_large
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("the whole fetch took too long")
        chunks.append(chunk)
    charset = _charset(params)
    return FetchedPage(
        url=url,
        final_url=current,
        html=decode_html_bytes(b"".join(chunks), charset=charset or None),
        status=response.status_code,
        content_type=content_type,
        charset=charset,
        redirects=tuple(redirects),
    )


def _checked_url(url):
    """The URL as text when it is an http(s) address with a host, else FetchError."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise FetchError(f"bad URL: {url!r} is not a web address") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError(f"bad URL: {url!r} (only http and https addresses can be fetched)")
    if not parsed.host:
        raise FetchError(f"bad URL: {url!r} has no host")
    if parsed.userinfo:
        raise FetchError(f"bad URL: {url!r} carries a user name or password")
    return str(parsed)


def _redirect_target(response, current):
    location = response.headers.get("location", "")
    if not location:
        raise FetchError(f"HTTP {response.status_code} redirect without a Location from {current}")
    return _checked_url(urljoin(current, location))


def _allowed_networks():
    from django.conf import settings

    return [
        ipaddress.ip_network(network, strict=False)
        for network in getattr(settings, "IMPORT_FETCH_ALLOWED_NETWORKS", ())
    ]


def address_problem(address, allowed=()):
    """Why ``address`` (an ipaddress object) must not be fetched from, or "" when it may.

    An IPv4 address carried in IPv6 (IPv4-mapped, 6to4, Teredo, NAT64 64:ff9b::/96) is
    judged as that IPv4 address too. ``allowed`` networks are let through.
    """
    if address.version == 6 and address.ipv4_mapped:
        candidates = [address.ipv4_mapped]
    else:
        candidates = [address, *_embedded_ipv4(address)]
    for candidate in candidates:
        if any(candidate in network for network in allowed):
            continue
        problem = _kind(candidate)
        if problem:
            return problem
    return ""


def _embedded_ipv4(address):
    if address.version != 6:
        return []
    found = [address.sixtofour] if address.sixtofour else []
    if address.teredo:
        found.extend(address.teredo)
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def _kind(address):
    for attribute, label in (
        ("is_unspecified", "an unspecified"),
        ("is_loopback", "a loopback"),
        ("is_link_local", "a link-local"),
        ("is_multicast", "a multicast"),
        ("is_private", "a private"),
        ("is_reserved", "a reserved"),
    ):
        if getattr(address, attribute):
            return label + " address"
    return "" if address.is_global else "a non-public address"


class _PinnedBackend(httpcore.SyncBackend):
    """Connects only to checked addresses: resolve, check every answer, connect to one."""

    def __init__(self, allowed):
        self.allowed = allowed

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = _resolve(host, port)
        for address in addresses:
            problem = address_problem(address, self.allowed)
            if problem:
                shown = (f"{host} is" if _is_literal(host)
                         else f"{host} resolves to {address},")
                raise FetchError(f"refused address: {shown} {problem}")
        error = None
        for address in addresses:
            try:
                return super().connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as failure:
                error = failure
        raise error


def _is_literal(host):
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _resolve(host, port):
    if _is_literal(host):
        return [ipaddress.ip_address(host.strip("[]"))]
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"host not found: {host}") from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in answers:
        address = ipaddress.ip_address(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchError(f"host not found: {host}")
    return addresses


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport, its connection pool built on ``_PinnedBackend``.

    httpx takes no network backend argument, so the pool it made is replaced by one
    with the same defaults (TLS verification on; server name and certificate checks
    still use the host name, not the pinned address).
    """

    def __init__(self, allowed):
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=_PinnedBackend(allowed),
        )


def _charset(params):
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'").lower()
    return ""


def _size_label(size):
    return IMPORT_MAX_PAGE_LABEL if size == IMPORT_MAX_PAGE_BYTES else f"{size:,} bytes"


def _reason(error):
    return str(error) or type(error).__name__
