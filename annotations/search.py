"""Search over the notes a reader may see: the filters and orders of ``GET /api/search/``.

The parameters (docs/api.md lists them with their Hypothesis names), all optional and
combined with AND:

- ``brief`` (slug); ``uri``/``url`` (a brief's address: absolute on this site or a path,
  the brief page or one of its slug-bearing pages; repeatable, any of them);
- ``user`` (a username, or Hypothesis's ``acct:username@this-site``);
- ``tag``/``tags`` (repeatable: every one of them, any case);
- ``group`` (slug of one of the caller's groups; ``__world__``, Hypothesis's public group,
  for the public notes);
- ``text`` (words in the note or the quote), ``quote`` (words in the quote), ``any``
  (words in the note, the quote or a tag);
- ``since``/``until`` (ISO dates or datetimes, on the creation time), ``anchor`` (exact,
  shifted, fuzzy, orphaned), ``parent``/``references`` (an annotation's id or IRI: its
  replies);
- ``sort`` (``created``, ``modified`` or Hypothesis's ``updated``, ``-`` for newest first)
  with ``order`` (``asc``/``desc``); ``search_after`` (a sort value, or ``value,id``: the
  notes after it in that order, for keyset paging).

Every filter narrows ``Annotation.objects.visible_to(user)``: a search never sees more
than the pages do. Bad values raise SearchError with a message for the caller; a value
that names nothing here (an unknown URI, user or tag) finds no notes.
``annotations_search_total`` gives the search's size (the kept count when nothing narrows it).
"""

import datetime as dt
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from config.limits import NOTE_SEARCH_MAX_WORDS, SEARCH_QUERY_MAX_LENGTH
from core.text import whole_number

from .models import Annotation, TaggedNote

# The orders, by name: the field and, for ties, the id.
SORT_FIELDS = {"created": "created_at", "modified": "modified_at", "updated": "modified_at"}
SORTS = (*SORT_FIELDS, *(f"-{name}" for name in SORT_FIELDS))
ORDERS = ("asc", "desc")

# The parameters that narrow the search (the ordering and paging ones only order and cut it).
FILTERS = (
    "brief", "uri", "url", "user", "tag", "tags", "group", "text", "quote", "any",
    "since", "until", "anchor", "parent", "references",
)
ORDERING = ("sort", "order", "search_after")
# Those that may be given more than once; every other one takes one value.
REPEATABLE = ("uri", "url", "tag", "tags")
# Hypothesis's name of the group every public annotation is in.
PUBLIC_GROUP = "__world__"
# The pages whose address names a brief by its slug, for ``uri``.
BRIEF_VIEWS = ("briefs:brief-detail", "annotations:brief-notes", "annotations:brief-feed")


class SearchError(ValueError):
    """A parameter the search cannot use; its message says which and why."""


def _moment(name, value, *, end_of_day):
    """``value`` (a date or an ISO datetime) as an aware UTC datetime the database can
    hold; SearchError for anything else (an impossible offset, a year out of range)."""
    problem = SearchError(f"{name} must be a date (2025-07-01) or an ISO datetime.")
    try:
        moment = parse_datetime(value) if "T" in value or " " in value else None
        if moment is None:
            day = parse_date(value)
            if day is None:
                raise problem
            moment = dt.datetime.combine(day, dt.time.max if end_of_day else dt.time.min)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, dt.timezone.utc)
        return moment.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        raise problem from None


def _word_in(field, word):
    """``field`` holds ``word`` as a word, any case: "lice" is not in "alice", "NOT" not
    in "note". The ``icontains`` finds candidates (the trigram index answers it on
    PostgreSQL, annotations 0015), the regex keeps those where it stands at word
    boundaries (PostgreSQL's ``\\y``; Python's ``\b`` for SQLite's REGEXP)."""
    edge = r"\y" if connection.vendor == "postgresql" else r"\b"
    start = edge if word[:1].isalnum() or word[:1] == "_" else ""
    end = edge if word[-1:].isalnum() or word[-1:] == "_" else ""
    pattern = start + re.escape(word) + end
    return Q(**{f"{field}__icontains": word, f"{field}__iregex": pattern})


def _words(text):
    return text[:SEARCH_QUERY_MAX_LENGTH].split()[:NOTE_SEARCH_MAX_WORDS]


def _words_filter(text, fields):
    """Every word of ``text`` (up to NOTE_SEARCH_MAX_WORDS) in one of ``fields``, as a
    word, any case."""
    condition = Q()
    for word in _words(text):
        either = Q()
        for field in fields:
            either |= _word_in(field, word)
        condition &= either
    return condition


def _tagged(name, *, contains=False):
    """Notes carrying the tag ``name`` (any case), or, with ``contains``, a tag holding it."""
    lookup = "tag__name__ifoldcontains" if contains else "tag__name__ifold"
    return Exists(TaggedNote.objects.filter(content_object=OuterRef("pk"), **{lookup: name}))


def _any_filter(text):
    """Every word in the note, the quote or one of the tags (Hypothesis's ``any``)."""
    condition = Q()
    for word in _words(text):
        condition &= (
            _word_in("note", word) | _word_in("exact", word) | Q(_tagged(word, contains=True))
        )
    return condition


def site_hosts(request_host=None):
    """The host names (lower case, ``host`` or ``host:port``) under which this site answers:
    the request's and SITE_URL's."""
    hosts = {urlsplit(settings.SITE_URL).netloc.lower()}
    if request_host:
        hosts.add(request_host.lower())
    return hosts


def is_on_site(parts, hosts):
    """Whether the address split as ``parts`` (``urlsplit``) is this site's: a path, or an
    http(s) URL on one of ``hosts`` (``site_hosts()``). A path of another site's URL
    must never be read as one of ours."""
    if not (parts.scheme or parts.netloc):
        return True
    return parts.scheme in ("http", "https") and parts.netloc.lower() in hosts


def brief_slug_from_uri(uri, *, hosts):
    """The slug of the brief ``uri`` names, or None: the brief page, its notes page or its
    notes feed, as an absolute URL on one of ``hosts`` (http or https) or as a path; the
    trailing slash optional, a query or fragment ignored."""
    try:
        parts = urlsplit(uri.strip())
    except ValueError:  # a malformed address (an unclosed IPv6 bracket)
        return None
    if not is_on_site(parts, hosts):
        return None
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    if not path.startswith("/"):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.kwargs.get("slug") if match.view_name in BRIEF_VIEWS else None


def _username(value, *, hosts):
    """A bare username, or Hypothesis's ``acct:username@host`` for a host of this site;
    None for an account elsewhere."""
    if not value.startswith("acct:"):
        return value
    name, at, host = value[len("acct:"):].rpartition("@")
    if not at or host.lower() not in hosts:
        return None
    return name


def _annotation_id(value, name, *, hosts):
    """An annotation's id from ``value``: the id, or the annotation's IRI on this site
    (a path, or an http(s) URL on one of ``hosts``); an IRI of another site names none
    here (-1, which no annotation has)."""
    try:
        parts = urlsplit(value)
    except ValueError:  # a malformed address (an unclosed IPv6 bracket)
        raise SearchError(f"{name} must be an annotation id or its IRI.") from None
    if not is_on_site(parts, hosts):
        return -1
    path = parts.path.rstrip("/") if "/" in value else value
    tail = path.rsplit("/", 1)[-1]
    if "/" in path and not path.endswith(f"/api/annotations/{tail}"):
        tail = ""
    number = whole_number(tail)
    if number is None:
        raise SearchError(f"{name} must be an annotation id or its IRI.")
    return number


def _values(params, name):
    """The non-blank values of ``name`` in ``params`` (a QueryDict or a dict), stripped."""
    raw = params.getlist(name) if hasattr(params, "getlist") else [params.get(name)]
    return [value.strip() for value in raw if value and value.strip()]


def _value(params, name):
    values = _values(params, name)
    return values[-1] if values else ""


def search_order(params):
    """``(field, descending)``: the order ``sort`` and ``order`` ask for (newest created
    first by default); SearchError for an unknown name or a ``-`` sort with ``order``.

    Without ``order``, ``sort=created`` and ``sort=modified`` are oldest first (what they
    meant here before ``order`` came) and ``sort=updated``, Hypothesis's name, newest
    first, as Hypothesis orders it, so a script written for Hypothesis gets its order."""
    sort, order = _value(params, "sort") or "-created", _value(params, "order")
    if sort not in SORTS:
        raise SearchError(
            f"sort must be one of {', '.join(SORTS)} (Hypothesis's id, group and user "
            "orders are not offered)."
        )
    if order and order not in ORDERS:
        raise SearchError("order must be asc or desc.")
    if order and sort.startswith("-") and _value(params, "sort"):
        raise SearchError(
            f"sort={sort} already says the order; send sort={sort[1:]}&order={order}."
        )
    if order:
        descending = order == "desc"
    else:  # Hypothesis's own name keeps Hypothesis's default; ours, their older meaning
        descending = sort.startswith("-") or sort == "updated"
    return SORT_FIELDS[sort.lstrip("-")], descending


def annotations_search(user, params, *, request_host=None):
    """The notes ``user`` may see that match ``params`` (a QueryDict or dict), in the asked
    order (``search_after`` is not applied: see :func:`annotations_after`).

    ``request_host`` (``request.get_host()``) is, with SITE_URL's, a host a ``uri`` or an
    ``acct:`` user may name. SearchError for a value the search cannot use.
    """
    hosts = site_hosts(request_host)
    queryset = Annotation.objects.visible_to(user)
    value = lambda name: _value(params, name)  # noqa: E731
    if value("brief"):
        queryset = queryset.filter(brief__slug=value("brief"))
    uris = _values(params, "uri") + _values(params, "url")
    if uris:
        slugs = {brief_slug_from_uri(uri, hosts=hosts) for uri in uris} - {None}
        queryset = queryset.filter(brief__slug__in=slugs) if slugs else queryset.none()
    if value("user"):
        username = _username(value("user"), hosts=hosts)
        queryset = queryset.filter(user__username=username) if username else queryset.none()
    for tag in _values(params, "tag") + _values(params, "tags"):
        queryset = queryset.filter(_tagged(tag))
    if value("group") == PUBLIC_GROUP:
        queryset = queryset.filter(visibility="public")
    elif value("group"):
        queryset = queryset.filter(visibility="group", group__slug=value("group"))
    if value("text"):
        queryset = queryset.filter(_words_filter(value("text"), ("note", "exact")))
    if value("quote"):
        queryset = queryset.filter(_words_filter(value("quote"), ("exact",)))
    if value("any"):
        queryset = queryset.filter(_any_filter(value("any")))
    if value("since"):
        since = _moment("since", value("since"), end_of_day=False)
        queryset = queryset.filter(created_at__gte=since)
    if value("until"):
        until = _moment("until", value("until"), end_of_day=True)
        queryset = queryset.filter(created_at__lte=until)
    if value("anchor"):
        if value("anchor") not in Annotation.AnchorStatus.values:
            raise SearchError("anchor must be one of exact, shifted, fuzzy, orphaned.")
        queryset = queryset.filter(anchor_status=value("anchor"), parent__isnull=True)
    if value("parent") and value("references"):
        raise SearchError("parent and references are the same filter: send one of them.")
    for name in ("parent", "references"):
        if value(name):
            queryset = queryset.filter(parent_id=_annotation_id(value(name), name, hosts=hosts))
    field, descending = search_order(params)
    sign = "-" if descending else ""
    return queryset.order_by(f"{sign}{field}", f"{sign}id")


def search_cursor(annotation, params):
    """The ``search_after`` value that continues a search after ``annotation``:
    its sort value and id, ``2025-03-01T09:30:00.123456Z,42``."""
    field, _ = search_order(params)
    return f"{getattr(annotation, field).isoformat().replace('+00:00', 'Z')},{annotation.pk}"


def annotations_after(queryset, params):
    """``queryset`` (ordered by :func:`annotations_search`) cut to the notes after the
    ``search_after`` of ``params`` in that order.

    The value is a sort value (an ISO datetime or, as Hypothesis allows, milliseconds
    since 1970: the whole millisecond, as the notes' times have microseconds) or
    ``value,id`` as this API's ``next`` links give it: with the id, notes
    sharing the moment are neither skipped nor repeated; without it, those of that very
    moment are skipped, as in Hypothesis. The condition keeps the order's index usable
    (``field <= v AND (field <> v OR id < n)``, read by index like the briefs' neighbours).
    """
    raw = _value(params, "search_after")
    if not raw:
        return queryset
    field, descending = search_order(params)
    moment_text, comma, id_text = raw.rpartition(",") if "," in raw else (raw, "", "")
    problem = (
        "search_after must be a sort value (an ISO datetime, or milliseconds since 1970), "
        "optionally followed by ,id as in the next links."
    )
    pk = whole_number(id_text) if comma else None
    if comma and pk is None:
        raise SearchError(problem)
    millisecond = moment_text.isascii() and moment_text.isdigit()
    if millisecond:
        try:
            epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
            if len(moment_text) > 15:  # past the year 9999 anyway
                raise OverflowError
            moment = epoch + dt.timedelta(milliseconds=int(moment_text))
        except (ValueError, OverflowError):
            raise SearchError(problem) from None
    else:
        try:
            moment = _moment("search_after", moment_text, end_of_day=False)
        except SearchError:
            raise SearchError(problem) from None
    beyond, id_beyond = ("lt", "lt") if descending else ("gt", "gt")
    if pk is None and millisecond:
        # Milliseconds name a whole millisecond, and the notes' times have microseconds:
        # after it is from its end on (oldest first) or before its start (newest first).
        if descending:
            return queryset.filter(**{f"{field}__lt": moment})
        return queryset.filter(**{f"{field}__gte": moment + dt.timedelta(milliseconds=1)})
    if pk is None:
        return queryset.filter(**{f"{field}__{beyond}": moment})
    return queryset.filter(**{f"{field}__{beyond}e": moment}).filter(
        ~Q(**{field: moment}) | Q(**{f"id__{id_beyond}": pk})
    )


def annotations_search_total(user, params, queryset):
    """How many notes ``queryset`` (``annotations_search(user, params)``) holds, an int.

    With no filter among ``params`` the search is every note ``user`` may see, whose
    number the database keeps (``visible_count``: one row and the reader's own notes,
    instead of counting ~100k public notes per request, issue 14); else a COUNT.
    """
    if any(_values(params, name) for name in FILTERS):
        return queryset.count()
    return Annotation.objects.visible_count(user)
