"""Whole pages and feeds for signed-out readers, kept with the versions of what they show.

A stored page carries the versions of the keys its view declared (core/cache.py). A
request reads the current versions of those keys (one query) and is served the copy
when none moved. When one did, one worker takes a short lock in the shared cache and
rebuilds the page while the others go on serving the previous copy (stale while
revalidate), so a change never sends every worker into the same rebuild at once.

One change makes many pages stale together (a brief edit: the home page, the searches,
the feeds, the indexes, its topics), and one lock per page would still let every worker
rebuild a different one of them at once, each slowed by the others, while the readers
queue behind them all. So rebuilds also take one of ``PAGE_REBUILDS_AT_ONCE`` slots
shared by the whole site; with none free the previous copy is served and a later request
rebuilds the page, unless that copy has been served stale for ``PAGE_STALE_AT_MOST_SECONDS``
already (then it is rebuilt regardless, so a page is never stale for long under load).

A page with no copy at all (a new page, a cache emptied by a restart or eviction) is
rendered by the request that takes its lock; the others asking for it meanwhile wait
for that copy instead of rendering the same page again (request coalescing, as a
proxy cache's lock does: nginx's ``proxy_cache_lock``, Varnish's waiting list). A
burst of readers on a cold archive so costs one render per page, not one per reader.
"""

import hashlib
import secrets
import threading
import time

from cachetools import LRUCache
from django.core.cache import cache
from django.db import connection

from config.limits import (
    PAGE_FIRST_RENDER_WAIT_SECONDS,
    PAGE_REBUILD_LOCK_SECONDS,
    PAGE_REBUILDS_AT_ONCE,
    PAGE_STALE_AT_MOST_SECONDS,
)

from .cache import stamp, versions

PAGE_TIMEOUT = 10 * 60  # also bounds what no version key sees
_STORED_STATUSES = (200, 304)
# The site-wide rebuild slots: ``page-rebuild-slot:0`` … (not per database alias: they
# bound the work of the app servers sharing the cache, whatever they serve).
_SLOT = "page-rebuild-slot:{}"


_ENTRY_OVERHEAD = 1024  # headers and bookkeeping of one stored page, roughly


class _RecentPages:
    """The pages this process served last, up to ``budget`` bytes of bodies (LRU).

    In front of the shared cache: a feed is a few hundred kilobytes, and fetching and
    unpickling it from Redis cost as much as the rest of the request. Keys carry the
    archive version like every other, so a copy here can never be stale. cachetools'
    ``LRUCache`` sized by body length does the bookkeeping; a lock makes it thread-safe.
    """

    def __init__(self, budget):
        self.entries = LRUCache(
            maxsize=budget, getsizeof=lambda entry: len(entry[1] or b"") + _ENTRY_OVERHEAD
        )
        self.largest = budget // 4  # one huge feed must not flush everything else
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            return self.entries.get(key)

    def put(self, key, head, body):
        if len(body or b"") + _ENTRY_OVERHEAD > self.largest:
            return
        with self.lock:
            self.entries[key] = (head, body)


class _StaleSince:
    """When this process first found each stored page stale, up to ``size`` pages (LRU).

    Keyed by the page and its copy's token, so a rebuilt copy starts again at 0. Kept
    in the process, not the shared cache, so serving a stale copy costs no extra round
    trip; each worker counts from the first time it served that copy stale.
    """

    def __init__(self, size=4096):
        self.seen = LRUCache(maxsize=size)
        self.lock = threading.Lock()

    def seconds(self, key, head):
        """Seconds since this process first saw the copy with ``head`` stale (0 now)."""
        now = time.monotonic()
        with self.lock:
            token, since = self.seen.get(key, (None, now))
            if token != head[3]:
                self.seen[key] = (head[3], now)
                return 0.0
        return now - since


class ReaderPageCacheMiddleware:
    """Serve whole public pages and feeds to signed-out readers from the cache.

    Which views take part, and which request headers (beyond the URL and host) their
    answers depend on, is ``settings.READER_PAGE_CACHE``: ``{"briefs": (), ...}`` names
    URL namespaces or ``namespace:name`` views. A warm request costs one read of the
    versions its page depends on and one cache get (none when this worker served the
    page last); the rebuild lock and slots are only touched once a copy is stale. A page
    whose versions moved is rebuilt by the one request that takes its rebuild lock and a
    free site-wide rebuild slot (or finds the copy stale for too long); meanwhile others
    get the previous copy (at most ``PAGE_TIMEOUT`` old). With no copy at all, every
    request renders, slots or not.

    A reader's choice kept in a cookie (``READER_PAGE_CACHE_COOKIES``: ``{name: values
    that count}``, e.g. every version of an event in lists) is part of the key, so
    readers who chose differently never share a copy; any other value counts as none.

    What keeps one reader's page from another: a request carrying a session or messages
    cookie, or an ``Authorization`` header (an API token), is never served from the cache
    nor stored (a signed-in reader sees private
    highlights and a CSRF token; a message is meant for one reader), and a response
    that sets a cookie (a CSRF token was rendered), is private or no-store, or varies
    on a header the key does not hold, is never stored. It sits after the security and
    CSP middleware, so their headers are added to cached answers too, and before the
    session, CSRF and frame-options middleware, so what it stores is what they produced.

    Conditional GETs (feed readers) are answered 304 from the stored validators before
    the view runs; a 304 the view itself gave is remembered too, so a reader that only
    ever polls conditionally is answered from the cache after its first request.
    Each process also keeps the pages it served last (``READER_PAGE_LOCAL_BYTES``,
    0 to turn off) and looks there before asking the shared cache.
    """

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.views = dict(getattr(settings, "READER_PAGE_CACHE", {}))
        self.private_cookies = (settings.SESSION_COOKIE_NAME, "messages")
        self.cookies = sorted(getattr(settings, "READER_PAGE_CACHE_COOKIES", {}).items())
        budget = getattr(settings, "READER_PAGE_LOCAL_BYTES", 32 * 1024 * 1024)
        self.recent = _RecentPages(budget) if budget else None
        self.stale_since = _StaleSince()

    def __call__(self, request):
        try:
            response = self.get_response(request)
            key = getattr(request, "_reader_cache_key", None)
            if key is not None and not getattr(response, "_from_reader_cache", False):
                self._store(request, key, response)
            return response
        finally:
            # The rebuild's page lock and slot, whatever happened (a view that raised too).
            held = getattr(request, "_reader_cache_held", None)
            if held:
                cache.delete_many(held)

    def process_view(self, request, view_func, view_args, view_kwargs):
        headers = self._varies_on(request)
        if headers is None:
            return None
        parts = (request.scheme, request.get_host(), request.get_full_path())
        parts += tuple(request.headers.get(name, "") for name in headers)
        parts += tuple(
            request.COOKIES.get(name) if request.COOKIES.get(name) in values else ""
            for name, values in self.cookies
        )
        digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
        key = request._reader_cache_key = f"page:{connection.alias}:{digest}"
        request._reader_cache_headers = headers
        copy = self.recent.get(key) if self.recent else None
        if copy is None or not _fresh(copy[0]):
            shared = self._shared(request, key, copy)
            if shared is not None and (copy is None or shared[0] != copy[0]):
                copy = shared
                if self.recent and copy[1] is not None:
                    self.recent.put(key, *copy)
            if copy is None:
                copy = self._first_render_or_wait(request, key)
                if copy is None:
                    return None  # this request renders the page
            elif not _fresh(copy[0]) and self._takes_rebuild(request, key, copy[0]):
                return None  # this request rebuilds the page
            # (or another request rebuilds it, or will: serve the previous copy meanwhile)
        head, body = copy
        return self._answer(request, key, head, body)

    def _takes_rebuild(self, request, key, head):
        """Whether this request rebuilds the stale page at ``key`` (stored head ``head``).

        One read of the page's lock and the site's rebuild slots settles the usual cases
        (one round trip, as the lock's ``cache.add`` alone was): the lock held, another
        request is rebuilding this page; every slot held, as many other pages are being
        rebuilt as the site allows. Either way the stale copy is served, unless this
        worker has served it stale for ``PAGE_STALE_AT_MOST_SECONDS`` already: then the
        page is rebuilt without a slot, by the request that gets its lock. Otherwise the
        lock and a free slot are taken (``cache.add``, so two workers never both get one).

        What this request took is in ``request._reader_cache_held`` from the moment it has
        it, and ``__call__`` releases it after the response, or an exception. Lock and
        slots expire after ``PAGE_REBUILD_LOCK_SECONDS``, so a killed worker frees them.
        """
        lock = key + ":lock"
        slots = [_SLOT.format(number) for number in range(PAGE_REBUILDS_AT_ONCE)]
        overdue = self.stale_since.seconds(key, head) >= PAGE_STALE_AT_MOST_SECONDS
        taken = cache.get_many([lock, *slots])
        if lock in taken:
            return False  # another request is rebuilding this page
        free = [slot for slot in slots if slot not in taken]
        if not (free or overdue) or not cache.add(lock, 1, PAGE_REBUILD_LOCK_SECONDS):
            return False
        held = request._reader_cache_held = [lock]
        for slot in free:
            if cache.add(slot, 1, PAGE_REBUILD_LOCK_SECONDS):
                held.append(slot)
                return True
        if overdue:
            return True  # served stale too long: rebuilt without a slot
        request._reader_cache_held = None
        cache.delete(lock)  # the free slots went to other workers first: a later
        return False  # request rebuilds the page

    def _first_render_or_wait(self, request, key):
        """For a page with no stored copy: None when this request is to render it, else
        the ``(head, body)`` another request rendered meanwhile.

        The request that takes the page's lock (``cache.add``) renders and holds it
        until its response is stored (``request._reader_cache_held``, released by
        ``__call__``). Any other polls the shared cache, every 10 ms at first and then
        every 50 ms, until the copy is there (served), the lock is gone without one (an
        answer that is never stored: a 404, one setting a cookie; it renders its own),
        or ``PAGE_FIRST_RENDER_WAIT_SECONDS`` have passed (it renders its own: the
        renderer may be stuck or dead). Waiting uses a worker but no CPU, which on a
        busy box is what the renderer needs.
        """
        lock = key + ":lock"
        if cache.add(lock, 1, PAGE_REBUILD_LOCK_SECONDS):
            request._reader_cache_held = [lock]
            return None
        deadline = time.monotonic() + PAGE_FIRST_RENDER_WAIT_SECONDS
        pause = 0.01
        while time.monotonic() < deadline:
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
            found = cache.get_many([lock, key + ":h", key + ":b"])
            head = found.get(key + ":h")
            if head is not None:
                if _is_conditional(request):
                    return head, None
                body = _body_of(head, found.get(key + ":b"))
                if body is not None:
                    if self.recent:
                        self.recent.put(key, head, body)
                    return head, body
            if lock not in found:
                return None
        return None

    def _shared(self, request, key, known=None):
        """``(head, body)`` from the shared cache (body None for a conditional request).

        ``known`` is this worker's own, stale, copy: then the small headers entry is read
        first, and the body only when another worker stored a newer page. A stale copy is
        served many times while its rebuild waits for a slot; each of those costs a head
        read, not the fetch of a body this worker holds already (a feed or the OPML file
        is a few hundred kilobytes). When another worker did store a newer copy, that is
        one small read more, once per worker and rebuild.
        """
        if _is_conditional(request) or known is not None:
            # Feed readers re-poll: the small headers entry alone usually settles it.
            head = cache.get(key + ":h")
            if head is None:
                return None
            if known is not None and head[3] == known[0][3]:
                return known  # no newer copy than the one this worker has
            if _is_conditional(request):
                return head, None
            return head, _body_of(head, cache.get(key + ":b"))
        found = cache.get_many([key + ":h", key + ":b"])
        head, body = found.get(key + ":h"), found.get(key + ":b")
        if head is None:
            return None
        return head, _body_of(head, body)

    def _varies_on(self, request):
        """The extra headers this request's view varies on, or None when it must not be cached."""
        if request.method != "GET" or any(c in request.COOKIES for c in self.private_cookies):
            return None
        if "HTTP_AUTHORIZATION" in request.META:  # an API token: the answer is that reader's
            return None
        match = request.resolver_match
        for name in (match.view_name, match.namespace):
            if name in self.views:
                return tuple(self.views[name])
        return None

    def _answer(self, request, key, head, body):
        from django.http import HttpResponse
        from django.utils.cache import get_conditional_response

        status, headers = head[0], head[1]
        response = HttpResponse(status=200)
        for name, value in headers:
            response[name] = value
        if "ETag" in response or "Last-Modified" in response:
            answer = get_conditional_response(
                request,
                etag=response.get("ETag"),
                last_modified=_parse_http_date(response.get("Last-Modified")),
                response=response,
            )
            if answer is not response:
                answer._from_reader_cache = True
                return answer
        if status != 200:  # a remembered 304 answers only the conditional request it matches
            return None
        if body is None:
            body = _body_of(head, cache.get(key + ":b"))
            if body is None:
                return None
        if self.recent:
            self.recent.put(key, head, body)
        response.content = body
        response._from_reader_cache = True
        return response

    def _store(self, request, key, response):
        from django.utils.cache import cc_delim_re

        if response.status_code not in _STORED_STATUSES or response.streaming:
            return
        if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return
        control = response.get("Cache-Control", "").lower()
        if any(word in control for word in ("private", "no-store", "no-cache")):
            return
        # Requests with a cookie of a reader or an Authorization header never reach the
        # cache (above), so an answer varying on those holds for every request that does.
        allowed = {
            "cookie",
            "authorization",
            *(name.lower() for name in request._reader_cache_headers),
        }
        varies = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v}
        if not varies <= allowed:
            return
        # The versions of what the view declared, read before it read its data.
        token = secrets.token_hex(8)
        head = (response.status_code, list(response.items()), stamp(), token)
        if response.status_code == 200:
            # Head and body carry the same token: a body from another build (or evicted)
            # is no body, and the view renders the page again (_answer).
            body = (token, response.content)
            cache.set_many({key + ":b": body, key + ":h": head}, PAGE_TIMEOUT)
            if self.recent:
                self.recent.put(key, head, response.content)
        else:  # never let a bare 304 replace a current stored page
            stored = cache.get(key + ":h")
            if stored is None or not _fresh(stored):
                cache.set(key + ":h", head, PAGE_TIMEOUT)


def _fresh(head):
    """Whether none of the versions the stored page was built from has moved."""
    built = dict(head[2])
    return versions(built) == built


def _body_of(head, stored):
    """The body bytes stored beside ``head``, or None when missing or from another build."""
    if stored is None or stored[0] != head[3]:
        return None
    return stored[1]


def _is_conditional(request):
    return "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META


def _parse_http_date(value):
    from django.utils.http import parse_http_date_safe

    return parse_http_date_safe(value) if value else None
