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

On top of those reads, ``core.pagecache.ReaderPageCacheMiddleware`` keeps whole pages and feeds for
signed-out readers under the same counter (bench/README.md has what each layer bought).
"""

import hashlib
import threading

from django.core.cache import cache
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


request_started.connect(_start_request, dispatch_uid="core.cache.start")
request_finished.connect(_end_request, dispatch_uid="core.cache.end")
for _signal in (post_save, post_delete, m2m_changed):
    _signal.connect(_forget_version, dispatch_uid=f"core.cache.forget.{id(_signal)}")


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


def archive_changed_at():
    """When the archive's counter last moved, in Unix seconds (None without the table).

    Never decreases (briefs migration 0012): what dates a feed whose content changed.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT changed_at FROM briefs_archive_version WHERE id = 1")
        row = cursor.fetchone()
    return int(row[0]) if row else None


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
