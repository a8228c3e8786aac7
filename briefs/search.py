"""Full-text search over published briefs, one function for PostgreSQL and SQLite.

Readers type web-search syntax: words (all must match), ``"a quoted phrase"``,
``-excluded`` words and ``or`` between alternatives. Title and topic names weigh
most, then the dek, then the body.

- PostgreSQL: ``briefs_brief_search`` holds one weighted ``tsvector`` per brief
  (title A, topics A, dek B, body C), kept current by triggers on briefs, their
  topic links and topic names, behind the named GIN index
  ``briefs_brief_search_gin``; queries go through ``websearch_to_tsquery`` and
  snippets through ``ts_headline``.
- SQLite: the FTS5 table ``briefs_brief_fts`` (columns title, topics, dek, body;
  rowid = brief id), kept current by the same set of triggers, ranked with
  weighted ``bm25()`` and cut with ``snippet()``.

Both live in migration 0003. The triggers make any write path (admin, importer,
bulk updates) keep the index current; a later migration that makes SQLite rebuild
one of those tables would drop them, and the search tests would then fail.
"""

import hashlib
import json
import re
from contextlib import contextmanager, nullcontext

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.models import Case, F, FloatField, Func, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length
from django.db.models.lookups import In, Lookup
from django.utils.html import escape
from django.utils.safestring import mark_safe

from config.limits import (
    SEARCH_MAX_RESULTS,
    SEARCH_QUERY_MAX_LENGTH,
    SEARCH_QUERY_MAX_TERMS,
    SEARCH_STATEMENT_SECONDS,
)

from .models import Brief


@contextmanager
def search_refresh_deferred():
    """Index many new briefs at once: use inside a transaction that inserts them in bulk.

    Yields a list; put the ids of the briefs inserted inside it. On PostgreSQL the
    triggers then leave those inserts (briefs, topic links) unindexed, and on leaving the
    block one statement indexes every listed brief (migration 0011). Elsewhere the
    triggers index as usual and the list is not needed. Updates and deletes are indexed
    as always.
    """
    ids = []
    if connection.vendor != "postgresql":
        yield ids
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('briefs.search_deferred', 'on', true)")
    try:
        yield ids
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('briefs.search_deferred', 'off', true)")
        except DatabaseError:  # the transaction failed; its rollback undoes the setting
            pass
    if ids:
        with connection.cursor() as cursor:
            cursor.execute("SELECT briefs_search_refresh_many(%s)", [list(ids)])


# A common query (more than SEARCH_MAX_RESULTS matches) lists only its newest COMMON_RESULTS:
# finding the newest 10,000 of a word in most briefs reads 10,000 search documents.
COMMON_RESULTS = 1_000
# Ranking reads each candidate's whole search document: only the newest RANKED
# candidates are ranked, and any others follow them, newest first.
RANKED = 500
# A query found to match more than SEARCH_MAX_RESULTS briefs is remembered as such this long
# (a common word stays common), so its next search skips the index probe.
COMMON_QUERY_SECONDS = 24 * 60 * 60
# A query the planner expects to match more than this many times SEARCH_MAX_RESULTS is
# taken as common without counting its matches: the estimate of a frequent word is within
# a few per cent (on the 100k archive: 66,507 for 66,352, 13,958 for 12,486), so twice the
# cap leaves room for its error and counts anything near the cap.
COMMON_ESTIMATE_MARGIN = 2
SEARCH_CONFIG = "briefs_english"
"""The text search configuration of the index and every query: `english` with `unaccent`
(migration 0007), so accents are ignored as SQLite's FTS5 `remove_diacritics` does."""
# Title and topics, dek, body: the weights of the ``A``, ``B`` and ``C`` parts.
TITLE_WEIGHT, TOPICS_WEIGHT, DEK_WEIGHT, BODY_WEIGHT = 1.0, 1.0, 0.4, 0.2
# Private-use characters mark highlights until the snippet is escaped for HTML.
_MARK_START, _MARK_END = "\ue000", "\ue001"
_TOKEN = re.compile(r'(?P<neg>-)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')
_WORD = re.compile(r"\w+")


class UnusableQuery(ValueError):
    """A query that cannot be searched; the message tells the reader what to try."""


class SearchTooLong(UnusableQuery):
    """A search given up after ``SEARCH_STATEMENT_SECONDS``: a later try may finish (the
    documents it read are in memory then), so its answer is not one to keep."""


def search_briefs(text, *, topics=()):
    """Published briefs matching ``text``, best first, each with ``search_snippet``.

    ``topics`` narrows the results to briefs carrying all of them. Raises
    UnusableQuery (with a message for the reader) for an empty, too long or
    word-less query; never a database error for odd input.
    """
    text = clean_query(text)
    return ranked_briefs(text, search_candidates(text, topics=topics))


class Candidates(list):
    """A search's candidate pks, newest first; ``common`` when the query matched more than
    ``SEARCH_MAX_RESULTS`` briefs, so that only its newest ``COMMON_RESULTS`` are here."""

    common = False


def _candidates(pks, *, common=False):
    found = Candidates(pks)
    found.common = common
    return found


def search_candidates(text, *, topics=()):
    """The pks of the newest ``SEARCH_MAX_RESULTS`` published briefs matching ``text``, newest first
    (a :class:`Candidates`); for a query matching more, its newest ``COMMON_RESULTS``.

    Computed once per request and cached until a brief changes (core/cache.py): the page,
    its count and its narrow-down topics all start from this list. On PostgreSQL the GIN
    index answers first: when it finds at most ``SEARCH_MAX_RESULTS`` matches (a rare word) they
    are the candidates, whatever the table's vacuum state; only for a common word does an
    index walk by date probe each brief's document, up to ``COMMON_RESULTS`` of them.
    Raises UnusableQuery as :func:`search_briefs`.
    """
    from core.cache import remember

    text = clean_query(text)
    groups, excluded = parse_query(text)
    briefs = Brief.objects.published().with_topics(topics).order_by("-published_at", "-id")
    parts = (connection.vendor, text, tuple(sorted(topic.pk for topic in topics)))
    if connection.vendor == "postgresql":
        return remember("search", parts, lambda: _in_time(_postgres_candidates, text, briefs))
    expression = _fts5_expression(groups, excluded)
    matching = briefs.filter(pk__in=_sqlite_matching(expression)).values_list("pk", flat=True)

    def sqlite_candidates():
        pks = list(matching[: SEARCH_MAX_RESULTS + 1])
        if len(pks) > SEARCH_MAX_RESULTS:
            return _candidates(pks[:COMMON_RESULTS], common=True)
        return _candidates(pks)

    return remember("search", parts, sqlite_candidates)


def ranked_briefs(text, candidates, *, shown=None):
    """The briefs of ``candidates`` (pks, newest first), best first, each with
    ``search_rank``, ``search_snippet`` and ``body_length`` (characters, for the card's
    reading time): a :class:`RankedBriefs`.

    ``shown`` is the queryset the briefs are read from (``select_related`` and the like);
    by default every brief. Only the first ``RANKED`` candidates are ranked (the others
    rank below every one of them, so they follow, newest first): ranking reads each whole
    search document, and among thousands of briefs sharing a common word the newest are
    the likeliest wanted.
    """
    return RankedBriefs(text, candidates, Brief.objects.all() if shown is None else shown)


class RankedBriefs:
    """A search's results, best first, read a slice (a page) at a time: one query a slice.

    That query ranks every candidate in a subquery to find the slice's briefs, and reads
    snippets and body lengths for those briefs alone. Both computed in the ranking query,
    they were computed for every brief up to the slice's end: decompressing each
    candidate's body to count its length (~45 ms for 1,000), and on page 50 of a common
    word 1,000 snippets (~2 s). ``len()`` and ``count()`` are the number of candidates.
    """

    def __init__(self, text, candidates, shown):
        self.text, self.candidates, self.shown = text, candidates, shown

    def __len__(self):
        return len(self.candidates)

    def count(self):
        """The number of results (as a QuerySet's ``count()``), without a query."""
        return len(self.candidates)

    def __iter__(self):
        return iter(self[: len(self)])

    def __getitem__(self, index):
        """The briefs of the slice ``index`` as a QuerySet (an int: that one brief)."""
        if not isinstance(index, slice):
            found = list(self[index : index + 1])
            if not found:
                raise IndexError("no result at that position")
            return found[0]
        chosen = self._ranked(briefs_among(self.candidates)).values("pk")[index]
        briefs = self._ranked(self.shown.filter(pk__in=chosen))
        return briefs.annotate(search_snippet=self._snippet(), body_length=Length("body"))

    def _ranked(self, briefs):
        """``briefs`` with ``search_rank``, best first (ties: newest first)."""
        ranked = list(self.candidates[:RANKED]) if len(self.candidates) > RANKED else None
        if connection.vendor == "postgresql":
            rank = _postgres_rank(self.text)
        else:
            rank = _sqlite_rank(self._fts5())
        return briefs.annotate(search_rank=_within(ranked, rank)).order_by(
            F("search_rank").desc(), "-published_at", "-id"
        )

    def _snippet(self):
        if connection.vendor == "postgresql":
            return _postgres_snippet(self.text)
        return _sqlite_snippet(self._fts5())

    def _fts5(self):
        return _fts5_expression(*parse_query(self.text))


class AnyOf(Lookup):
    """``AnyOf(F("pk"), pks)``: true for a row whose ``pk`` is one of ``pks``.

    The same as ``pk__in=pks`` but, on PostgreSQL, written ``= ANY(%s)`` with the list as
    one array parameter: a search passes up to 1,000 candidate pks to each of its queries,
    and one parameter each cost ~10 ms a page in Django and psycopg merging them into the
    statement, and more for PostgreSQL to parse and plan. Elsewhere it is ``IN``.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, lhs, rhs):
        super().__init__(lhs, tuple(rhs))  # a tuple hashes at once; a list, item by item

    def as_sql(self, compiler, connection):
        return In(self.lhs, list(self.rhs)).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        # The array's text, joined here: psycopg dumps a list item by item in Python.
        array = "{" + ",".join(str(int(pk)) for pk in self.rhs) + "}"
        return f"{lhs} = ANY(%s::bigint[])", (*params, array)


def briefs_among(pks):
    """The briefs whose pks are in ``pks`` (a search's candidates), as a QuerySet."""
    return Brief.objects.filter(AnyOf(F("pk"), pks))


def _within(ranked, rank):
    """``rank`` for the briefs of ``ranked`` (all when None), below any rank for the others."""
    if ranked is None:
        return rank
    return Case(
        When(AnyOf(F("pk"), ranked), then=rank), default=Value(-1e9), output_field=FloatField()
    )


# PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout (query_canceled).
_QUERY_CANCELED = "57014"


def _in_time(find, text, briefs):
    """``find(text, briefs)`` with its statements bounded by ``SEARCH_STATEMENT_SECONDS``
    (PostgreSQL's ``statement_timeout``, put back after); UnusableQuery with a message
    for the reader when one is cancelled. Two round trips more, for a search not cached.

    Inside a transaction (a test's, a caller's) the search runs in a savepoint, so a
    cancelled statement leaves that transaction usable.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('statement_timeout'),"
            " set_config('statement_timeout', %s, false)",
            [str(int(SEARCH_STATEMENT_SECONDS * 1000))],
        )
        before = cursor.fetchone()[0]
        try:
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                return find(text, briefs)
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) != _QUERY_CANCELED:
                raise
            raise SearchTooLong(
                "That search would read most of the archive (its words are in most briefs,"
                " and a quoted phrase is checked brief by brief). Try a rarer word, fewer"
                " words in quotes, or search within a topic."
            ) from None
        finally:
            cursor.execute("SELECT set_config('statement_timeout', %s, false)", [before])


def _postgres_candidates(text, briefs):
    # One statement: the GIN index's matches (at most SEARCH_MAX_RESULTS + 1, materialised so
    # the planner cannot turn it into a walk of the whole table), and those of them
    # that ``briefs`` keeps, newest first. Only past SEARCH_MAX_RESULTS matches, a second query
    # walks ``briefs`` by date instead.
    from django.core.cache import cache

    digest = hashlib.sha256(text.encode()).hexdigest()[:40]  # any text makes a valid key
    common = f"search-common:{connection.alias}:{digest}"
    if cache.get(common):  # known to match past SEARCH_MAX_RESULTS: the index probe would be waste
        return _postgres_newest(text, briefs)
    if _postgres_estimated_matches(text) > COMMON_ESTIMATE_MARGIN * SEARCH_MAX_RESULTS:
        # The planner is sure it is common: skip the probe (its 10,001 matches cost
        # 100–300 ms on 100k briefs, and seconds when many first searches run at once).
        cache.set(common, True, COMMON_QUERY_SECONDS)
        return _postgres_newest(text, briefs)
    kept = briefs.filter(pk__in=RawSQL("SELECT brief_id FROM found", ()))
    sql, params = kept.values_list("pk", flat=True).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH found AS MATERIALIZED (SELECT brief_id FROM briefs_brief_search"
            " WHERE document @@ websearch_to_tsquery(%s::regconfig, %s) LIMIT %s)"
            f" SELECT (SELECT count(*) FROM found), ARRAY({sql})",
            (SEARCH_CONFIG, text, SEARCH_MAX_RESULTS + 1, *params),
        )
        found, ids = cursor.fetchone()
    if found <= SEARCH_MAX_RESULTS:
        return _candidates(ids)
    cache.set(common, True, COMMON_QUERY_SECONDS)
    return _postgres_newest(text, briefs)


def _postgres_estimated_matches(text):
    """How many search documents PostgreSQL's planner expects ``text`` to match, an int.

    No rows are read: ``EXPLAIN`` of the match, which estimates from the lexeme
    frequencies ``ANALYZE`` keeps for the tsvector column (``most_common_elems`` of
    pg_stats; PostgreSQL's ``ts_typanalyze`` and ``tsmatchsel``). A word among the most
    common is estimated within a few per cent; any other, or a table never analysed, gets
    a small default, so only a word known to be common is ever judged so. About 0.3 ms.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM briefs_brief_search"
            " WHERE document @@ websearch_to_tsquery(%s::regconfig, %s)",
            (SEARCH_CONFIG, text),
        )
        (plan,) = cursor.fetchone()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _postgres_newest(text, briefs):
    """The newest COMMON_RESULTS matches: a walk of ``briefs`` by date probing each document.

    The walk is written out so that it is one: ``briefs`` in date order (fenced by
    ``OFFSET 0``), each brief's own document tested in that order, stopping at the
    COMMON_RESULTS-th match. Written as ``pk IN (the matching documents)`` the planner
    joined instead, and with a topic it tested all 100k documents for "market" to keep
    its topic's 4,899 (730 ms); testing each of the topic's briefs before sorting them
    still tested all 4,899 (210 ms).
    """
    walk, params = briefs.values_list("pk", "published_at").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT walk.pk FROM ({walk} OFFSET 0) AS walk"
            " WHERE (SELECT document FROM briefs_brief_search WHERE brief_id = walk.pk)"
            " @@ websearch_to_tsquery(%s::regconfig, %s)"
            " ORDER BY walk.published_at DESC, walk.pk DESC LIMIT %s",
            (*params, SEARCH_CONFIG, text, COMMON_RESULTS),
        )
        return _candidates([pk for (pk,) in cursor.fetchall()], common=True)


def clean_query(text):
    """The query as searched and shown: control characters dropped, spaces collapsed.

    PostgreSQL refuses NUL characters outright, so they must never reach it.
    """
    text = "".join(char for char in (text or "") if char.isprintable() or char.isspace())
    return " ".join(text.split())


def parse_query(text):
    """Split web-search syntax into OR-groups of terms (ANDed) and excluded terms.

    Each term is a tuple of words (one word, or a quoted phrase). Raises
    UnusableQuery when nothing is left to look for.
    """
    if not text:
        raise UnusableQuery("Type a word or two to search the briefs.")
    if len(text) > SEARCH_QUERY_MAX_LENGTH:
        raise UnusableQuery(
            f"That search is too long ({len(text)} characters). Try a few distinctive words."
        )
    groups, excluded, join_next = [], [], False
    for match in _TOKEN.finditer(text):
        raw = match["phrase"] if match["phrase"] is not None else match["word"]
        if not match["neg"] and match["phrase"] is None and raw.lower() == "or":
            join_next = bool(groups)
            continue
        words = tuple(_WORD.findall(raw))
        if not words:
            continue
        if match["neg"]:
            excluded.append(words)
        elif join_next:
            groups[-1].append(words)
        else:
            groups.append([words])
        join_next = False
    if not groups:
        raise UnusableQuery(
            "Add a word to look for: letters or numbers, not only signs or excluded words."
        )
    if sum(map(len, groups)) + len(excluded) > SEARCH_QUERY_MAX_TERMS:
        raise UnusableQuery(f"Use at most {SEARCH_QUERY_MAX_TERMS} words or phrases in one search.")
    return groups, excluded


def highlighted(snippet):
    """The snippet as safe HTML: reader text escaped, matches wrapped in ``<mark>``."""
    html = escape(snippet or "")
    html = re.sub(f"{_MARK_START}(.*?){_MARK_END}", r"<mark>\1</mark>", html, flags=re.S)
    return mark_safe(html.replace(_MARK_START, "").replace(_MARK_END, ""))


def _fts5_expression(groups, excluded):
    """An FTS5 MATCH expression; every term is quoted, so no input is FTS5 syntax."""

    def term(words):
        return '"' + " ".join(words) + '"'

    expression = " AND ".join(
        "(" + " OR ".join(term(words) for words in group) + ")" for group in groups
    )
    if excluded:
        expression = f"({expression}) NOT (" + " OR ".join(map(term, excluded)) + ")"
    return expression


def _sqlite_matching(expression):
    return RawSQL(
        "SELECT rowid FROM briefs_brief_fts WHERE briefs_brief_fts MATCH %s", (expression,)
    )


class _FtsColumn(Func):
    """``select`` (an FTS5 expression) of the brief's row in ``briefs_brief_fts`` matching
    ``match``, as a correlated subquery."""

    def __init__(self, select, match, output_field):
        super().__init__(F("pk"), output_field=output_field)
        self.select, self.match = select, match

    def as_sql(self, compiler, connection, **extra):
        pk, params = compiler.compile(self.get_source_expressions()[0])
        sql = (
            f"(SELECT {self.select} FROM briefs_brief_fts WHERE briefs_brief_fts MATCH %s"
            f" AND briefs_brief_fts.rowid = {pk})"
        )
        return sql, (self.match, *params)


def _sqlite_rank(expression):
    weights = f"{TITLE_WEIGHT * 10}, {TOPICS_WEIGHT * 10}, {DEK_WEIGHT * 10}, {BODY_WEIGHT * 10}"
    # bm25() is lower for better matches; negated so that higher ranks first on both.
    return _FtsColumn(f"-bm25(briefs_brief_fts, {weights})", expression, FloatField())


def _sqlite_snippet(expression):
    snippet = f"snippet(briefs_brief_fts, 3, '{_MARK_START}', '{_MARK_END}', ' … ', 40)"
    return _FtsColumn(snippet, expression, TextField())


class _Document(Func):
    """The brief's weighted search document (``briefs_brief_search`` has no model)."""

    template = "(SELECT document FROM briefs_brief_search WHERE brief_id = %(expressions)s)"
    output_field = SearchVectorField()


def _postgres_query(text):
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


def _postgres_rank(text):
    return SearchRank(
        _Document(F("pk")),
        _postgres_query(text),
        weights=[0.1, BODY_WEIGHT, DEK_WEIGHT, TITLE_WEIGHT],
    )


def _postgres_snippet(text):
    return SearchHeadline(
        "body",
        _postgres_query(text),
        config=SEARCH_CONFIG,
        start_sel=_MARK_START,
        stop_sel=_MARK_END,
        max_words=40,
        min_words=20,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
