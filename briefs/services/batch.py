"""Importing many plain texts at once (``import_briefs`` on folders): same results, bulk writes.

``briefs_import_texts`` gives, for every text, the ImportResult that ``brief_import``
would give, but writes new briefs a chunk at a time (``IMPORT_BATCH_CHUNK``): one
transaction per chunk; one query each for the unchanged texts, the stored stories, the
sources and the topics of the whole chunk; one bulk insert each for the briefs, their
topic links and their story candidate index rows (``story_tokens_refresh``), with COPY
on PostgreSQL; the history recorded once per chunk. The database's triggers keep the
search index and the archive's change counter current for bulk inserts as for single
ones, and the topic links send the ``m2m_changed`` signals ``brief_set_topics`` sends.
On PostgreSQL the search documents of a chunk are built in one statement
(``search_refresh_deferred``).

Texts are parsed by worker processes when there are many (the parser is pure and is the
larger half of the work), while this process writes the previous chunk.

What the bulk path does not decide, ``brief_import`` does, one text at a time, after the
chunk: updates of a stored story (revisions, re-anchored notes), texts that repeat a
story or a text earlier in the same chunk, and a chunk a concurrent import
collided with. Texts that need review (undated, dated ahead) go there too, to become drafts.
New briefs are placed in their stories by a background task (``briefs.tasks``).
Measured in bench/README.md (``bench.run --import-only``).
"""

import datetime as dt
import itertools
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed
from django.utils import timezone

from config.limits import IMPORT_BATCH_CHUNK
from core.history import ADDITION, history_record

from ..importer import BriefParseError, parse_brief
from ..models import SLUG_MAX_LENGTH, Brief, TaggedBrief, Topic
from ..search import search_refresh_deferred
from ..slugs import base_slug, first_free_slug
from ..stories.candidates import index_tokens
from ..stories.copies import alike_titles
from ..text import normalise_body
from .briefs import _link
from .importing import (
    COPY_DATE_WINDOW,
    ImportResult,
    _validation_reason,
    brief_import_parsed,
    parsed_tidied,
)
from .sources import source_for_name
from .stories import story_tokens_refresh
from .topics import brief_suggest_topics, topics_for_names

# Below this many texts, parsing in this process is quicker than starting workers.
PARALLEL_MIN_TEXTS = 2 * IMPORT_BATCH_CHUNK
# Parsed chunks waiting to be written, at most: bounds memory on huge folders.
CHUNKS_AHEAD = 3


def briefs_import_texts(*, texts, status=Brief.Status.PUBLISHED, dry_run=False, by=None,
                        workers=None):
    """Yield one ImportResult per item of ``texts``, in order, importing in chunks.

    ``texts`` is an iterable of article texts (str); an item that is already an
    ImportResult (a file that could not be read) is passed through as it is. ``status``,
    ``dry_run`` and ``by`` mean what they mean for ``brief_import``: with ``dry_run``
    each chunk is rolled back. ``workers`` is the number of parsing processes (default:
    the CPUs, when there are at least ``PARALLEL_MIN_TEXTS`` texts; 0 parses here).
    """
    if status not in Brief.Status.values:
        raise ValueError(f"status must be one of {', '.join(Brief.Status.values)}")
    if workers is None:
        many = hasattr(texts, "__len__") and len(texts) >= PARALLEL_MIN_TEXTS
        workers = (os.cpu_count() or 1) if many else 0
    for chunk, (parsed, tokens) in _parsed_chunks(_chunks(texts), workers):
        yield from _import_chunk(chunk, parsed, tokens, status=status, dry_run=dry_run, by=by)


def _chunks(items):
    """Lists of ``IMPORT_BATCH_CHUNK`` items of the iterable ``items`` (read lazily)."""
    items = iter(items)
    while chunk := list(itertools.islice(items, IMPORT_BATCH_CHUNK)):
        yield chunk


def _parse_chunk(chunk):
    """([ParsedBrief | failure reason (str) | None for a passed-through result] per item,
    [story index tokens (``index_tokens``) or None] per item): both read where it runs,
    in a worker process when there are many texts."""
    out, tokens = [], []
    for item in chunk:
        tokens.append(None)
        if isinstance(item, ImportResult):
            out.append(None)
            continue
        text, reference = _text_and_reference(item)
        try:
            parsed = parsed_tidied(parse_brief(text, reference=reference, require_date=False))
        except BriefParseError as error:
            out.append(str(error))
            continue
        out.append(parsed)
        tokens[-1] = index_tokens(parsed.title, parsed.dek, normalise_body(parsed.body))
    return out, tokens


def _text_and_reference(item):
    """An item of ``texts``: a text, or (text, reference) where reference is when it was
    saved (relative dates count back from it); now when not given."""
    text, reference = item if isinstance(item, tuple) else (item, None)
    return text, reference or timezone.now()


def _parsed_chunks(chunks, workers):
    """(chunk, its parse) for every chunk, in order; by ``workers`` processes, a few ahead."""
    if workers <= 1:
        for chunk in chunks:
            yield chunk, _parse_chunk(chunk)
        return
    # Forked workers inherit this process's database connections and never touch them:
    # they only parse, and a forked worker leaves through os._exit, which closes nothing
    # (closing would end the parent's session). So the caller's transaction stays open.
    # Each chunk is parsed in ``workers`` parts, so every worker works on the first chunk
    # too: the writing waits for it half as long as when one worker parsed it whole.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending = []
        for chunk in chunks:
            size = -(-len(chunk) // workers)
            parts = [chunk[start:start + size] for start in range(0, len(chunk), size)]
            pending.append((chunk, [pool.submit(_parse_chunk, part) for part in parts]))
            if len(pending) > CHUNKS_AHEAD:
                done, futures = pending.pop(0)
                yield done, _joined(futures)
        for done, futures in pending:
            yield done, _joined(futures)


def _joined(futures):
    """The parses of a chunk's parts (``_parse_chunk`` results), as one, in order."""
    parsed, tokens = [], []
    for future in futures:
        part_parsed, part_tokens = future.result()
        parsed += part_parsed
        tokens += part_tokens
    return parsed, tokens


def _import_chunk(chunk, parsed, tokens, *, status, dry_run, by):
    results = [None] * len(chunk)
    bulk = []  # positions the bulk path imports
    for position, (text, brief) in enumerate(zip(chunk, parsed)):
        if isinstance(text, ImportResult):
            results[position] = text
        elif isinstance(brief, str):
            results[position] = ImportResult("failed", reason=brief)
        else:
            bulk.append(position)
    single = []  # positions left to brief_import, after the chunk
    try:
        with transaction.atomic():
            single = _store_chunk(chunk, parsed, tokens, bulk, results, status=status, by=by)
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError:  # a concurrent import stored one of these texts meanwhile
        single = bulk
        for position in bulk:
            results[position] = None
    except DatabaseError as error:
        return [result or _database_failure(error) for result in results]
    created = [
        position for position in bulk
        if results[position] is not None and results[position].action == "created"
    ]
    if dry_run:
        for position in created:
            results[position].brief = None
    elif created:  # as brief_import does, the new briefs join their events' stories: in a
        # worker (briefs.tasks), as grouping costs several times what storing them does
        from ..tasks import briefs_story_update_task

        briefs_story_update_task.enqueue([results[position].brief.pk for position in created])
    for position in single:
        try:
            text, reference = _text_and_reference(chunk[position])
            results[position] = brief_import_parsed(
                raw_text=text, parsed=parsed[position], status=status, reference=reference,
                dry_run=dry_run, by=by,
            )
        except DatabaseError as error:
            results[position] = _database_failure(error)
    return results


def _database_failure(error):
    """A failed result whose reason is the database error's first line."""
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return ImportResult("failed", reason=f"database error: {first_line}")


def _store_chunk(chunk, parsed, tokens, positions, results, *, status, by):
    """Create the chunk's new briefs in bulk; return the positions left to ``brief_import``."""
    hashes = {parsed[p].content_hash for p in positions}
    unchanged = {
        brief.content_hash: brief
        # exclude(""): the unique index is partial; an IN list of over 100 values does not
        # prove the index condition to the PostgreSQL planner by itself.
        for brief in Brief.objects.filter(content_hash__in=hashes).exclude(content_hash="").only(
            "pk", "title", "slug", "content_hash", "status")
    }
    sources = {name: source_for_name(name)
               for name in {parsed[p].source_name for p in positions}}
    stored_stories = _stored_stories([parsed[p] for p in positions], sources)
    single, new, seen_hashes, seen_stories = [], [], set(), set()
    for position in positions:
        brief = parsed[position]
        if brief.content_hash in unchanged:
            results[position] = ImportResult(
                "unchanged", unchanged[brief.content_hash], warnings=brief.warnings,
                parsed=brief)
            continue
        source = sources[brief.source_name]
        story = _story_key(brief, source.pk if source else None)
        if (brief.needs_review or story in stored_stories
                or story in seen_stories or brief.content_hash in seen_hashes):
            single.append(position)
            continue
        seen_hashes.add(brief.content_hash)
        seen_stories.add(story)
        row = _new_brief(brief, _text_and_reference(chunk[position])[0], status, source)
        try:
            row.full_clean(exclude=["source", "slug"], validate_unique=False,
                           validate_constraints=False)
        except ValidationError as error:
            results[position] = ImportResult(
                "failed", reason=_validation_reason(error), warnings=brief.warnings,
                parsed=brief)
            continue
        new.append((position, row))
    _give_slugs([row for _, row in new])
    with search_refresh_deferred() as indexed:
        _insert_briefs([row for _, row in new])
        indexed.extend(row.pk for _, row in new)
        _link_topics([(row, parsed[position].topics) for position, row in new])
    story_tokens_refresh(briefs=[row for _, row in new], created=True,
                         tokens=[tokens[position] for position, _ in new])
    for position, row in new:
        row._stored_body = row.body
        results[position] = ImportResult("created", row, warnings=parsed[position].warnings,
                                         parsed=parsed[position])
    history_record(by=by, objects=[row for _, row in new], action=ADDITION, message="Imported.")
    return single


def _new_brief(parsed, raw_text, status, source):
    return Brief(
        status=status, title=parsed.title, dek=parsed.dek, body=parsed.body,
        author=parsed.author, source=source, published_at=parsed.published_at,
        published_time_known=parsed.published_time_known,
        image_caption=parsed.image_caption, raw_text=raw_text,
        content_hash=parsed.content_hash,
    )


def _day(moment):
    return moment.astimezone(dt.timezone.utc).date()


def _story_key(parsed, source_id):
    """What makes two texts the same story for ``brief_import``: source, title, UTC day."""
    if parsed.published_at is None:
        return None
    return source_id, parsed.title.lower(), _day(parsed.published_at)


def _stored_stories(parsed_briefs, sources):
    """Story keys of the chunk's texts that ``_same_story`` might match to a stored brief.

    One query reads the headlines of the chunk's sources within ``COPY_DATE_WINDOW`` of
    its dates; a text whose headline equals or is alike (``alike_titles``) one of its own
    source's is left to ``brief_import_parsed``, which decides exactly (corrected copies).
    """
    dated = [p for p in parsed_briefs if p.published_at is not None]
    if not dated:
        return set()
    start = min(p.published_at for p in dated) - COPY_DATE_WINDOW
    end = max(p.published_at for p in dated) + COPY_DATE_WINDOW
    source_ids = {source.pk if source else None for source in sources.values()}
    rows = Brief.objects.filter(
        Q(published_at__gte=start, published_at__lte=end) | Q(published_at__isnull=True),
        Q(source_id__in=source_ids - {None}) | Q(source__isnull=True),
    ).values_list("source_id", "title")
    stored = {}  # source id: [(headline, its casefolded words)]
    for source_id, title in rows:
        stored.setdefault(source_id, []).append((title, set(title.casefold().split())))
    found = set()
    for parsed in dated:
        source = sources[parsed.source_name]
        source_id = source.pk if source else None
        folded = parsed.title.casefold()
        words = set(folded.split())
        # alike_titles' first test (half the words shared), on word sets made once per
        # chunk: it would split every stored headline again for every text (~0.1 ms).
        candidates = [
            title for title, other_words in stored.get(source_id, ())
            if 2 * len(words & other_words) >= max(len(words), len(other_words))
        ]
        if candidates and (
            folded in {title.casefold() for title in candidates}
            or alike_titles(parsed.title, candidates)
        ):
            found.add(_story_key(parsed, source_id))
    return found


def _give_slugs(briefs):
    """Free slugs for new ``briefs``, as ``Brief.save`` would pick them, in two queries."""
    bases = {id(brief): base_slug(brief.title, max_length=SLUG_MAX_LENGTH - 10)
             for brief in briefs}
    taken = set(Brief.objects.filter(slug__in=set(bases.values()))
                .values_list("slug", flat=True))
    for base in {base for base in bases.values() if base in taken}:
        taken.update(Brief.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    for brief in briefs:
        brief.slug = first_free_slug(bases[id(brief)], taken, max_length=SLUG_MAX_LENGTH)
        taken.add(brief.slug)


def _insert_briefs(briefs):
    """Insert the new ``briefs`` (unsaved Brief objects) and give them their pks.

    As ``bulk_create`` would (no signals; the database's triggers run). On PostgreSQL the
    ids are drawn from the table's sequence in one query and the rows go in with COPY:
    ``bulk_create`` quoted every body and raw text into the statement in Python, about
    a third of this process's time for a chunk (bench/README.md).
    """
    if not briefs:
        return
    if connection.vendor != "postgresql":
        Brief.objects.bulk_create(briefs)
        return
    table = connection.ops.quote_name(Brief._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Brief._meta.db_table, len(briefs)],
        )
        ids = sorted(pk for (pk,) in cursor.fetchall())
    fields = Brief._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    for brief, pk in zip(briefs, ids, strict=True):
        brief.pk = pk
    _copy_rows(f"COPY {table} ({columns}) FROM STDIN", (
        [field.get_db_prep_save(field.pre_save(brief, True), connection) for field in fields]
        for brief in briefs
    ))
    for brief in briefs:
        brief._state.adding = False
        brief._state.db = connection.alias


def _copy_rows(sql, rows):
    """Write ``rows`` (sequences of Python values) with the PostgreSQL ``COPY`` ``sql``;
    a database error is raised as Django's (IntegrityError for a unique clash)."""
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.connection.cursor().copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


def _link_topics(briefs_and_names):
    """Tag each new brief with its named topics (resolved once for the chunk), or suggest."""
    names = [name for _, topic_names in briefs_and_names for name in topic_names]
    by_key = {topic.name.lower(): topic for topic in topics_for_names(names)} if names else {}
    pairs = []
    for brief, topic_names in briefs_and_names:
        if not topic_names:
            brief_suggest_topics(brief=brief)
            continue
        topic_ids = set()
        for name in topic_names:
            topic = by_key.get(name.lower()) or topics_for_names([name])[0]
            topic_ids.add(topic.pk)
        pairs.extend((brief.pk, topic_id) for topic_id in sorted(topic_ids))
    if not pairs:
        return
    if connection.vendor != "postgresql":
        _link(pairs, settle_suggestions=False)
        return
    # As _link does for new briefs (which have no suggestions to settle), with COPY and
    # no model instances: the 1,600 links of a chunk took ~40 ms to build and quote.
    briefs = {brief.pk: brief for brief, _ in briefs_and_names}
    by_brief = {}
    for brief_id, topic_id in pairs:
        by_brief.setdefault(brief_id, set()).add(topic_id)
    _send_links_added("pre_add", briefs, by_brief)
    table = connection.ops.quote_name(TaggedBrief._meta.db_table)
    _copy_rows(f"COPY {table} (content_object_id, tag_id) FROM STDIN", pairs)
    _send_links_added("post_add", briefs, by_brief)


def _send_links_added(action, briefs, topic_ids_by_brief):
    """The ``m2m_changed`` signals ``_link`` sends, with each new brief itself as the
    instance (as taggit's own ``add`` does)."""
    for brief_id, topic_ids in topic_ids_by_brief.items():
        m2m_changed.send(
            sender=TaggedBrief, action=action, instance=briefs[brief_id], reverse=False,
            model=Topic, pk_set=set(topic_ids), using=TaggedBrief.objects.db,
        )
