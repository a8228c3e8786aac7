"""Caching of the archive's expensive reads, invalidated by the database itself.

``briefs_cache_version`` (briefs migration 0013) holds a counter per key: ``brief:12``,
``topic:7``, ``month:2025-03``, ``notes``… (briefs/cache_keys.py names them). Triggers
bump the keys a write touches, whatever does the write: a service, the admin, a bulk
``update()``, raw SQL, an import. A view declares what it shows with
:func:`depends_on`; every value it caches (and the whole page, core/pagecache.py) is
keyed on the versions of those keys as read before the data, so a change makes exactly
the entries that show it unreachable, on every app server at once, with no list of keys
to delete. A note on one brief leaves every other brief's page and all topic pages warm.

Two keys are implicit: ``any`` is bumped by every write and is what a read depends on
when its request declared nothing (safe by default); ``all`` is part of every key set
and is bumped when a bulk load bypassed the triggers (``briefs_archive_bump()``).
Versions are read in one query per request (more only when new keys are declared later).

Where the tables live, and why: ``briefs_cache_version`` and ``briefs_archive_version``
(with ``briefs_cache_bump()`` and the triggers) are created by the briefs app's migrations
(0005, 0012, 0013; the annotations migrations add their triggers), because ``core`` has
no models and no migrations of its own and the triggers were first set on the briefs'
tables. They are infrastructure all the same: this module only reads and bumps them with
raw SQL, and the SQL helpers that build the triggers are in core/migration_sql.py.

The values are query results keyed by their SQL, so a cached read is exactly the
uncached one. Nothing that depends on the reader (private annotations) is cached.
Django's cache framework stores them: local memory by default, Redis with REDIS_URL.
"""

import hashlib
import threading

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.core.signals import request_finished, request_started
from django.db import connection
from django.db.models import QuerySet
from django.db.models.query import RawQuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.functional import cached_property

TIMEOUT = 60 * 60
ANY, ALL = "any", "all"
_MISSING = object()
_local = threading.local()


# Read beside the versions (never a key's name: keys have no "#").
_CHANGED_AT = "#changed_at"


def _start_request(**kwargs):
    _local.in_request, _local.versions, _local.keys = True, {}, set()
    _local.changed_at = None


def _end_request(**kwargs):
    _local.in_request, _local.versions, _local.keys = False, {}, set()
    _local.changed_at = None


def _forget_versions(**kwargs):
    # A write inside this request: the next read must see the bumped counters.
    _local.versions = {}


request_started.connect(_start_request, dispatch_uid="core.cache.start")
request_finished.connect(_end_request, dispatch_uid="core.cache.end")
for _signal in (post_save, post_delete, m2m_changed):
    _signal.connect(_forget_versions, dispatch_uid=f"core.cache.forget.{id(_signal)}")


def _in_request():
    return getattr(_local, "in_request", False)


def versions(keys):
    """``{key: version}`` for ``keys`` and ``all``; a key never bumped is at 0.

    Within a request each key is read once (so the versions are those from before the
    data the request reads next); outside one, every call asks the database. The same
    statement reads the archive's change time (:func:`versions_changed_at`).
    """
    wanted = {*keys, ALL}
    known = _local.versions if _in_request() else {}
    missing = sorted(wanted - known.keys())
    if missing:
        marks = ", ".join(["%s"] * len(missing))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT key, n FROM briefs_cache_version WHERE key IN ({marks})"
                " UNION ALL SELECT %s, changed_at FROM briefs_archive_version WHERE id = 1",
                [*missing, _CHANGED_AT],
            )
            found = dict(cursor.fetchall())
        if _in_request():
            _local.changed_at = found.get(_CHANGED_AT)
        known.update({key: found.get(key, 0) for key in missing})
    return {key: known[key] for key in wanted}


def depends_on(*keys):
    """Declare that this request's page shows what ``keys`` stand for; their versions.

    Call it before reading the data they cover. Cached reads and the stored page of
    the request are keyed on every key declared so far.
    """
    if _in_request():
        _local.keys.update(keys)
    return versions(keys)


def declared_keys():
    """The keys this request declared, or ``{"any"}`` when it declared none."""
    keys = getattr(_local, "keys", None) if _in_request() else None
    return set(keys) if keys else {ANY}


def stamp(keys=None):
    """The versions of ``keys`` (default: the request's declared keys) as a sorted tuple."""
    return tuple(sorted(versions(declared_keys() if keys is None else keys).items()))


def mark_all_stale():
    """Bump ``all``: every cached page and read is stale (after a load that skipped triggers).

    The archive counter row moves first (as in ``briefs_cache_bump``: the same lock order),
    so the feeds' change time (briefs migration 0012) moves forward too.
    """
    with connection.cursor() as cursor:
        cursor.execute("UPDATE briefs_archive_version SET n = n + 1 WHERE id = 1")
        cursor.execute(
            "INSERT INTO briefs_cache_version (key, n) VALUES (%s, 1)"
            " ON CONFLICT (key) DO UPDATE SET n = briefs_cache_version.n + 1",
            [ALL],
        )
    _forget_versions()


def archive_version():
    """The version of ``any``: it moves on every write the caches care about."""
    return versions([ANY])[ANY]


def archive_changed_at():
    """When the archive's counter last moved, in Unix seconds (None without the table).

    Never decreases (briefs migration 0012): what dates a feed whose content changed.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT changed_at FROM briefs_archive_version WHERE id = 1")
        row = cursor.fetchone()
    return int(row[0]) if row else None


def versions_changed_at():
    """The archive's change time (Unix seconds, briefs migration 0012) as read by this
    request's latest read of versions, in the same snapshot; None before any.

    What dates a page built from those versions: a request that sees newer versions of
    any key reads them in a later snapshot, so never an earlier time.
    """
    changed = getattr(_local, "changed_at", None) if _in_request() else None
    return None if changed is None else int(changed)


def agreed(name, parts, value, timeout=TIMEOUT, *, keys=None):
    """The value first stored under ``name`` and ``parts`` for the versions of ``keys``,
    ``value`` if none was: every worker building the same thing at the same versions
    answers what the first one did (for validators such as Last-Modified)."""
    key = _entry_key(name, parts, keys)
    cache.add(key, value, timeout)
    return cache.get(key, value)


def _entry_key(name, parts, keys):
    digest = hashlib.sha256(repr((parts, stamp(keys))).encode()).hexdigest()[:40]
    return f"archive:{connection.alias}:{name}:{digest}"


def remember(name, parts, compute, timeout=TIMEOUT, *, keys=None, fresh=None):
    """``compute()``, cached under ``name`` and ``parts`` for the versions of ``keys``.

    ``keys`` defaults to the keys the request declared (``any`` when none). ``fresh``,
    when given, is asked of a stored value whether it still holds (for what the value
    itself says it depends on, known only once computed); if not, it is computed again.
    """
    key = _entry_key(name, parts, keys)
    value = cache.get(key, _MISSING)
    if value is _MISSING or (fresh is not None and not fresh(value)):
        value = compute()
        cache.set(key, value, timeout)
    return value


def sql_key(queryset):
    """What identifies a queryset's result (a RawQuerySet's too): its SQL and parameters."""
    if isinstance(queryset, RawQuerySet):
        sql, params = queryset.raw_query, queryset.params
    else:
        sql, params = queryset.query.sql_with_params()
    return (sql, tuple(map(str, params)))


def cached_list(queryset):
    """The rows of ``queryset`` (prefetches included), cached by its SQL."""
    try:
        key = sql_key(queryset)
    except EmptyResultSet:  # .none() and the like: nothing to ask the database
        return list(queryset)
    # The name says the shape of the rows stored: "v2" since briefs carry their topic_list
    # (TopicRef) instead of prefetched links, so no deployed code reads rows of the old one.
    return remember("list-v2", key, lambda: list(queryset))


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
    per request. With ``cache_pages=False`` only the count is cached; ``count=`` gives the
    number of rows when it is known without counting (a count the database keeps).

    ``ids_first=True`` (a QuerySet with a total order) reads a page after the first as
    ``WHERE pk IN (its ids, sliced)``: the OFFSET walks an index for the ids alone, and
    what the rows compute (a card's body length reads the whole body) is computed for the
    page's rows only, not for every row skipped. Page 2,000 of the newest briefs took
    1.6 s with the lengths of 40,000 bodies (issue 14).

    ``ids=`` (with ``ids_first``) is a ``values("pk")``-like QuerySet listing the same pks
    in the same order from somewhere cheaper to walk (a list order the database keeps,
    ``annotations.PublicNote``); a page after the first slices it for its pks.
    """

    def __init__(
        self, *args, cache_pages=True, count=None, ids_first=False, ids=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.cache_pages = cache_pages
        self.known_count = count
        self.ids_first = ids_first and isinstance(self.object_list, QuerySet)
        self.ids = ids

    @cached_property
    def count(self):
        if self.known_count is not None:
            return self.known_count
        if hasattr(self.object_list, "query"):
            return cached_count(self.object_list)
        return super().count

    def _get_page(self, object_list, number, paginator):
        if self.ids_first and object_list.query.low_mark:
            query = object_list.query
            walk = self.object_list.values("pk") if self.ids is None else self.ids
            ids = walk[query.low_mark : query.high_mark]
            object_list = self.object_list.filter(pk__in=ids)
        if self.cache_pages and hasattr(object_list, "query"):
            object_list = cached_list(object_list)
        return super()._get_page(object_list, number, paginator)
