"""Caching of the archive's expensive reads, invalidated by the database itself.

``briefs_archive_version`` (migration 0005) holds one counter that triggers bump
whenever briefs, sources, topics or topic links change, and whenever a public
annotation appears, changes or goes (migration annotations 0003) — whatever does the
write: a service, the admin, a bulk ``update()``, raw SQL, an archive import. Every
cached value is keyed on the counter as read at the start of the request, so one
change makes every old entry unreachable on every app server at once, with no list
of keys to delete. Reading the counter is one primary-key query per request.

The values are query results keyed by their SQL, so a cached read is exactly the
uncached one. Nothing that depends on the reader (private annotations) is cached.
Django's cache framework stores them: local memory by default, Redis with REDIS_URL.

On top of those reads, ``ReaderPageCacheMiddleware`` keeps whole pages and feeds for
signed-out readers under the same counter (bench/README.md has what each layer bought).
"""

import hashlib
import threading
from collections import OrderedDict

from django.core.cache import cache
from django.core.cache.backends import redis as redis_backend
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.core.signals import request_finished, request_started
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.functional import cached_property

TIMEOUT = 60 * 60
_MISSING = object()
_local = threading.local()


def _start_request(**kwargs):
    _local.in_request, _local.version = True, None


def _end_request(**kwargs):
    _local.in_request, _local.version = False, None


def _forget_version(**kwargs):
    # A write inside this request: the next read must see the bumped counter.
    _local.version = None


request_started.connect(_start_request, dispatch_uid="briefs.cache.start")
request_finished.connect(_end_request, dispatch_uid="briefs.cache.end")
for _signal in (post_save, post_delete, m2m_changed):
    _signal.connect(_forget_version, dispatch_uid=f"briefs.cache.forget.{id(_signal)}")


class _ReusingRedisCacheClient(redis_backend.RedisCacheClient):
    """Django's Redis client, keeping one ``redis.Redis`` per connection pool.

    Django builds a new client object for every cache call; a cached page is one or
    two calls, so that construction was a sixth of a warm request. The client is
    thread-safe and holds no connection of its own (the pool does), so reusing it
    changes nothing else.
    """

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis_backend.RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with the client reused (above)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingRedisCacheClient


def archive_version():
    """The archive's change counter: read once per request, or None without the table."""
    version = getattr(_local, "version", None)
    if version is not None:
        return version
    with connection.cursor() as cursor:
        cursor.execute("SELECT n FROM briefs_archive_version WHERE id = 1")
        row = cursor.fetchone()
    version = row[0] if row else None
    if getattr(_local, "in_request", False):
        _local.version = version
    return version


def remember(name, parts, compute, timeout=TIMEOUT):
    """``compute()``, cached under ``name`` and ``parts`` for this archive version."""
    version = archive_version()
    if version is None:
        return compute()
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
    key = f"archive:{connection.alias}:{version}:{name}:{digest}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout)
    return value


def sql_key(queryset):
    """What identifies a queryset's result: its SQL and parameters."""
    sql, params = queryset.query.sql_with_params()
    return (sql, tuple(map(str, params)))


def cached_list(queryset):
    """The rows of ``queryset`` (prefetches included), cached by its SQL."""
    try:
        key = sql_key(queryset)
    except EmptyResultSet:  # .none() and the like: nothing to ask the database
        return list(queryset)
    return remember("list", key, lambda: list(queryset))


def cached_count(queryset):
    """``queryset.count()``, cached by its SQL: a count of the archive scans it once a change."""
    try:
        key = sql_key(queryset)
    except EmptyResultSet:
        return queryset.count()
    return remember("count", key, queryset.count)


class CachedPaginator(Paginator):
    """A Paginator whose count and page rows come from the cache when the archive is unchanged.

    Deep pages of a long list cost an OFFSET scan once per change of the archive, not once
    per request. With ``cache_pages=False`` only the count is cached.
    """

    def __init__(self, *args, cache_pages=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.cache_pages = cache_pages

    @cached_property
    def count(self):
        if hasattr(self.object_list, "query"):
            return cached_count(self.object_list)
        return super().count

    def _get_page(self, object_list, number, paginator):
        if self.cache_pages and hasattr(object_list, "query"):
            object_list = cached_list(object_list)
        return super()._get_page(object_list, number, paginator)


# Whole responses for signed-out readers --------------------------------------------------

PAGE_TIMEOUT = 10 * 60  # also bounds what the counter does not see (a renamed user's notes)
_STORED_STATUSES = (200, 304)


class _RecentPages:
    """The pages this process served last, up to ``budget`` bytes of bodies (LRU).

    In front of the shared cache: a feed is a few hundred kilobytes, and fetching and
    unpickling it from Redis cost as much as the rest of the request. Keys carry the
    archive version like every other, so a copy here can never be stale.
    """

    def __init__(self, budget):
        self.budget, self.used = budget, 0
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key, head, body):
        size = len(body or b"") + 1024
        if size > self.budget // 4:
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.used -= len(old[1] or b"") + 1024
            self.entries[key] = (head, body)
            self.used += size
            while self.used > self.budget:
                _, (_, dropped) = self.entries.popitem(last=False)
                self.used -= len(dropped or b"") + 1024


class ReaderPageCacheMiddleware:
    """Serve whole public pages and feeds to signed-out readers from the cache.

    Which views take part, and which request headers (beyond the URL and host) their
    answers depend on, is ``settings.READER_PAGE_CACHE``: ``{"briefs": (), ...}`` names
    URL namespaces or ``namespace:name`` views. A warm request costs one read of the
    archive counter and one cache get, and the counter in the key makes every entry
    unreachable the moment the archive changes, exactly as for the cached reads above.

    What keeps one reader's page from another: a request carrying a session or messages
    cookie is never served from the cache nor stored (a signed-in reader sees private
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
        budget = getattr(settings, "READER_PAGE_LOCAL_BYTES", 32 * 1024 * 1024)
        self.recent = _RecentPages(budget) if budget else None

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_reader_cache_key", None)
        if key is not None and not getattr(response, "_from_reader_cache", False):
            self._store(request, key, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        headers = self._varies_on(request)
        if headers is None:
            return None
        version = archive_version()
        if version is None:
            return None
        parts = (request.scheme, request.get_host(), request.get_full_path())
        parts += tuple(request.headers.get(name, "") for name in headers)
        digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
        key = request._reader_cache_key = f"page:{connection.alias}:{version}:{digest}"
        request._reader_cache_headers = headers
        local = self.recent.get(key) if self.recent else None
        if local is not None:
            head, body = local
        else:
            if _is_conditional(request):
                # Feed readers re-poll: the small headers entry alone usually settles it.
                head, body = cache.get(key + ":h"), None
            else:
                found = cache.get_many([key + ":h", key + ":b"])
                head, body = found.get(key + ":h"), found.get(key + ":b")
            if head is None:
                return None
            if self.recent:
                self.recent.put(key, head, body)
        return self._answer(request, key, head, body)

    def _varies_on(self, request):
        """The extra headers this request's view varies on, or None when it must not be cached."""
        if request.method != "GET" or any(c in request.COOKIES for c in self.private_cookies):
            return None
        match = request.resolver_match
        for name in (match.view_name, match.namespace):
            if name in self.views:
                return tuple(self.views[name])
        return None

    def _answer(self, request, key, head, body):
        from django.http import HttpResponse
        from django.utils.cache import get_conditional_response

        status, headers = head
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
            body = cache.get(key + ":b")
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
        allowed = {"cookie", *(name.lower() for name in request._reader_cache_headers)}
        varies = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v}
        if not varies <= allowed:
            return
        head = (response.status_code, list(response.items()))
        if response.status_code == 200:
            # Should the body be evicted before its headers, a hit finds no body and the
            # view renders the page again (_answer), so the pair never needs to be atomic.
            cache.set_many({key + ":b": response.content, key + ":h": head}, PAGE_TIMEOUT)
            if self.recent:
                self.recent.put(key, head, response.content)
        else:  # never let a bare 304 replace a stored page
            cache.add(key + ":h", head, PAGE_TIMEOUT)


def _is_conditional(request):
    return "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META


def _parse_http_date(value):
    from django.utils.http import parse_http_date_safe

    return parse_http_date_safe(value) if value else None
