"""Generate a large, realistic archive for the benchmark (``make bench-data``).

The full scale is the one issue 8 asks for: 100,000 briefs of 300–1,200 words, 3,000
topics used with a long tail (6–20 per brief), 20 sources, 5,000 users and 300,000
annotations, a third of them public, and the briefs' story candidate index rows
(``StoryToken``, as the import writes them). ``--scale tiny`` makes the same shape a thousand
times smaller, for ``make bench-smoke`` and the tests.

Everything is deterministic (a fixed seed) and written in one transaction, so the
archive is either complete or absent; running it again on a database that holds it
changes nothing. On PostgreSQL rows go in with COPY, with the row triggers (the
search index upkeep) switched off for the session and the search index rebuilt in
one statement afterwards; elsewhere with ``bulk_create``.

    python -m bench.make_data [--scale full|tiny]
"""

import argparse
import datetime as dt
import hashlib
import os
import random
import sys
import time
from dataclasses import dataclass

SEED = 8
MARKER_SOURCE = "Bench Wire 01"
# Words the harness searches for: one in most briefs, one in a handful.
COMMON_WORD = "market"
RARE_WORD = "quillwort"
# Briefs that get exactly this many public annotations (the "brief with 20 annotations").
HOT_ANNOTATIONS = 20


@dataclass(frozen=True)
class Scale:
    briefs: int
    topics: int
    sources: int
    users: int
    annotations: int
    hot_briefs: int
    rare_briefs: int
    words: tuple = (300, 1200)
    topics_per_brief: tuple = (6, 20)
    # Topic weights fall as 1 / (rank + offset) ** 1.1: the larger the offset, the flatter the head.
    topic_offset: int = 6


SCALES = {
    "full": Scale(briefs=100_000, topics=3_000, sources=20, users=5_000,
                  annotations=300_000, hot_briefs=50, rare_briefs=12),
    "tiny": Scale(briefs=120, topics=40, sources=4, users=12, annotations=360,
                  hot_briefs=2, rare_briefs=3, words=(60, 180), topics_per_brief=(3, 8),
                  topic_offset=1),
}

PLACES = (
    "Arctic Baltic Caspian Andean Sahel Pacific Atlantic Nordic Balkan Alpine Mekong Danube "
    "Rhine Gulf Red-Sea Horn-of-Africa Amazon Patagonian Siberian Himalayan Iberian Anatolian "
    "Levant Maghreb Caribbean Great-Lakes Yangtze Ganges Niger Congo Zambezi Murray Bengal "
    "Java Luzon Hokkaido Kamchatka Yukon Labrador Greenland Svalbard Tasman Coral-Sea Aegean "
    "Adriatic Carpathian Ural Pamir Gobi Kalahari Atacama Pampas Outback Highlands Delta"
).split()
PLACES = tuple(place.replace("-", " ") for place in PLACES)
THEMES = [
    "Rare Earths", "Semiconductors", "Supply Chains", "Shipping", "Port Automation", "Lithium",
    "Copper Mining", "Grain Exports", "Central Banks", "Interest Rates", "Trade Policy",
    "Tariffs", "Data Centers", "Nuclear Power", "Wind Power", "Solar Power", "Oil Prices",
    "Gas Pipelines", "Fisheries", "Water Rights", "Rail Freight", "Airlines", "Tourism",
    "Housing", "Labour Unions", "Elections", "Defence Spending", "Cybersecurity",
    "Telecoms", "Cocoa", "Coffee", "Fertilisers", "Steel", "Aluminium", "Shipbuilding",
    "Wildfires", "Floods", "Drought", "Insurance", "Startups", "Venture Capital",
    "Bond Markets", "Currency", "Inflation", "Public Health", "Vaccines", "Universities",
    "Space Launches", "Satellites", "Batteries", "Electric Vehicles", "Hydrogen",
    "Carbon Markets", "Forestry", "Textiles", "Pharmaceuticals", "Robotics",
    "Artificial Intelligence", "Cloud Computing", "Undersea Cables",
]
COMMON = (
    "the of and to in a that for on is was with as by at from has have it its are be will "
    "said market year new government company prices after over more than percent million "
    "officials about into would could first last two three week month report people plan "
    "billion since while which also but not their this they were been who demand supply "
    "trade costs growth state region investors analysts production exports workers project "
    "rates energy policy talks deal sector industry ministry agency rules board data quarter "
    "capacity shares output forecast contract expected higher lower record early latest"
).split()
SYLLABLES = "ka ro mi ta ven lo sar dun pel bri tov ash nel quo zim far eth ul gra mon".split()


def _vocabulary(rng):
    """Real news words first, then made-up ones for the long tail (Zipf-weighted)."""
    tail = set()
    while len(tail) < 6000:
        tail.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    words = COMMON + sorted(tail - {RARE_WORD})
    weights = [1 / (rank + 2) ** 1.05 for rank in range(len(words))]
    return words, weights


def _sentence_pool(rng, words, weights, size):
    pool = []
    cum = list(_cumulative(weights))
    for _ in range(size):
        chosen = rng.choices(words, cum_weights=cum, k=rng.randint(8, 24))
        pool.append(" ".join(chosen).capitalize() + ".")
    return pool


def _cumulative(weights):
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def _topic_names(count):
    names = list(THEMES)
    for place in PLACES:
        for theme in THEMES:
            names.append(f"{place} {theme}")
    if count > len(names):
        raise ValueError(f"at most {len(names)} topics")
    return names[:count]


def _slug(text):
    from django.utils.text import slugify

    return slugify(text)


class Writer:
    """Appends rows to one model's table: COPY on PostgreSQL, bulk_create elsewhere.

    Rows are buffered and written a batch at a time, each batch its own COPY, since one
    connection holds only one COPY open at a time.
    """

    def __init__(self, model, connection, batch=2000):
        self.model, self.connection, self.batch = model, connection, batch
        self.fields = list(model._meta.concrete_fields)
        self.rows = []

    def add(self, **row):
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self):
        if not self.rows:
            return
        if self.connection.vendor == "postgresql":
            quote = self.connection.ops.quote_name
            columns = ", ".join(quote(f.column) for f in self.fields)
            table = quote(self.model._meta.db_table)
            with self.connection.connection.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        # A column the generator does not set takes its model default.
                        copy.write_row([
                            row[f.attname] if f.attname in row else f.get_default()
                            for f in self.fields
                        ])
        else:
            self.model.objects.bulk_create([self.model(**row) for row in self.rows])
        self.rows = []

    close = flush


def archive_present():
    from briefs.models import Source

    return Source.objects.filter(name=MARKER_SOURCE).exists()


def generate(scale, *, progress=True, out=sys.stdout):
    """Write the archive of ``scale`` into the default database unless it is there already.

    Returns True when it wrote, False when it skipped.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from tqdm import tqdm

    from annotations.models import Annotation
    from briefs.models import Brief, Source, StoryToken, TaggedBrief, Topic
    from briefs.stories.candidates import index_day, index_tokens
    from briefs.text import topic_identity

    if archive_present():
        out.write(f"bench archive already present ({MARKER_SOURCE!r} exists): skipping\n")
        return False
    rng = random.Random(SEED)
    started = time.monotonic()
    words, weights = _vocabulary(rng)
    pool = _sentence_pool(rng, words, weights, 4000 if scale.briefs > 1000 else 400)
    User = get_user_model()
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        triggers_off = postgres and _session_replica(connection, True, out)
        sources = Source.objects.bulk_create(
            Source(name=f"Bench Wire {i:02d}" if i == 1 else f"Bench Source {i:02d}",
                   slug=f"bench-wire-{i:02d}" if i == 1 else f"bench-source-{i:02d}")
            for i in range(1, scale.sources + 1)
        )
        topics = Topic.objects.bulk_create(
            # bulk_create sends no pre_save: the identity key is set here.
            Topic(name=name, slug=_slug(name), name_key=topic_identity(name))
            for name in _topic_names(scale.topics)
        )
        password = make_password("bench-password-not-secret")
        joined = dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc)
        users = User.objects.bulk_create(
            User(username=f"bench-reader-{i:05d}", password=password,
                 email=f"reader{i}@bench.invalid", date_joined=joined)
            for i in range(1, scale.users + 1)
        )
        # Long tail: at full scale the top topic is on a third of the briefs, the median
        # topic on about a hundred.
        topic_ids = [t.pk for t in topics]
        topic_cum = list(_cumulative(
            [1 / (rank + scale.topic_offset) ** 1.1 for rank in range(len(topics))]))
        source_ids = [s.pk for s in sources]
        user_ids = [u.pk for u in users]

        first_brief = _next_id(connection, Brief)
        first_annotation = _next_id(connection, Annotation)
        first_tag = _next_id(connection, TaggedBrief)
        token_id = _next_id(connection, StoryToken)
        briefs_w = Writer(Brief, connection)
        tags_w = Writer(TaggedBrief, connection, batch=20000)
        tokens_w = Writer(StoryToken, connection, batch=20000)
        notes_w = Writer(Annotation, connection, batch=10000)
        start_day = dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc)
        span = dt.timedelta(days=5 * 365).total_seconds()
        hot = set(range(scale.briefs - scale.hot_briefs, scale.briefs))  # the newest ones
        rare = set(rng.sample(range(scale.briefs - scale.hot_briefs), scale.rare_briefs))
        other_annotations = scale.annotations - HOT_ANNOTATIONS * scale.hot_briefs
        per_brief = other_annotations / (scale.briefs - scale.hot_briefs)
        annotation_id, tag_id, made_annotations = first_annotation, first_tag, 0
        bar = tqdm(total=scale.briefs, unit="brief", disable=not progress, file=out,
                   desc="briefs")
        for n in range(scale.briefs):
            brief_id = first_brief + n
            # Ids follow publication time, as they do for an archive filled over the years.
            published = start_day + dt.timedelta(seconds=span * (n + rng.random()) / scale.briefs)
            body = _body(rng, pool, scale.words, rare=n in rare)
            title = " ".join(rng.choice(pool).split()[:rng.randint(5, 10)]).rstrip(".").title()
            status = "draft" if rng.random() < 0.02 and n not in hot | rare else "published"
            dek = rng.choice(pool)  # drawn here, as before, so the archive stays the same
            briefs_w.add(
                id=brief_id, title=title, slug=f"{_slug(title)[:150]}-{brief_id}",
                dek=dek, body=body, source_id=rng.choice(source_ids),
                author=f"Reporter {rng.randint(1, 400)}", published_at=published,
                published_time_known=rng.random() < 0.7, image_caption="", raw_text="",
                content_hash=hashlib.sha256(f"bench-{brief_id}".encode()).hexdigest(),
                status=status, created_at=published, modified_at=published,
            )
            # The candidate index of story grouping, as the import writes it.
            for token in index_tokens(title, dek, body):
                tokens_w.add(id=token_id, brief_id=brief_id, token=token,
                             day=index_day(published))
                token_id += 1
            wanted = rng.randint(*scale.topics_per_brief)
            chosen = set()
            while len(chosen) < wanted:
                chosen.update(rng.choices(topic_ids, cum_weights=topic_cum, k=wanted - len(chosen)))
            for topic in sorted(chosen):
                tags_w.add(id=tag_id, content_object_id=brief_id, tag_id=topic)
                tag_id += 1
            if n in hot:
                count, public_only = HOT_ANNOTATIONS, True
            else:  # the hot briefs come last, so the others share the rest evenly
                count, public_only = round((n + 1) * per_brief) - made_annotations, False
            for _ in range(count):
                notes_w.add(**_annotation(rng, annotation_id, brief_id, body, user_ids,
                                          published, public=public_only or rng.random() < 1 / 3))
                annotation_id += 1
            made_annotations += count if not public_only else 0
            bar.update()
        bar.close()
        for writer in (briefs_w, tags_w, tokens_w, notes_w):
            writer.close()
        if postgres:
            _finish_postgres(connection, first_brief, triggers_off, out)
    out.write(
        f"bench archive written in {time.monotonic() - started:.0f} s: {scale.briefs} briefs, "
        f"{scale.topics} topics, {tag_id - first_tag} topic links, {scale.users} users, "
        f"{annotation_id - first_annotation} annotations\n"
    )
    return True


def _body(rng, pool, words, *, rare):
    target = rng.randint(*words)
    paragraphs, count = [], 0
    while count < target:
        sentences = rng.choices(pool, k=rng.randint(3, 6))
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        count += paragraph.count(" ") + 1
    if rare:
        paragraphs[len(paragraphs) // 2] += f" Botanists found {RARE_WORD} near the site."
    return "\n\n".join(paragraphs)


def _annotation(rng, pk, brief_id, body, user_ids, published, *, public):
    # A span of whole words inside one paragraph, as a reader would select it.
    start = body.find(" ", rng.randrange(max(1, len(body) - 80))) + 1
    end = start
    for _ in range(rng.randint(2, 10)):
        nxt = body.find(" ", end + 1)
        if nxt == -1 or "\n" in body[end:nxt]:
            break
        end = nxt
    end = max(end, start + 1)
    created = published + dt.timedelta(hours=rng.randint(1, 24 * 90))
    return dict(
        id=pk, brief_id=brief_id, user_id=rng.choice(user_ids), exact=body[start:end],
        prefix=body[max(0, start - 32):start], suffix=body[end:end + 32], start=start, end=end,
        note="" if rng.random() < 0.4 else f"Note {pk}: worth checking against the figures.",
        visibility="public" if public else "private", anchor_status="exact", hidden=False,
        created_at=created, modified_at=created,
    )


def _next_id(connection, model):
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _session_replica(connection, on, out):
    """Switch row triggers off for this session (superuser only); False when not allowed."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SAVEPOINT bench_replica")
            cursor.execute(f"SET session_replication_role = {'replica' if on else 'origin'}")
            cursor.execute("RELEASE SAVEPOINT bench_replica")
        return on
    except Exception as error:  # not a superuser: keep the triggers, slower but correct
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK TO SAVEPOINT bench_replica")
        out.write(f"note: row triggers stay on ({error.__class__.__name__}); this is slower\n")
        return False


def _finish_postgres(connection, first_brief, triggers_off, out):
    from django.core.management.color import no_style

    from annotations.models import Annotation
    from briefs.models import Brief, Source, StoryToken, TaggedBrief, Topic

    with connection.cursor() as cursor:
        if triggers_off:
            _session_replica(connection, False, out)
            out.write("building the search index (one statement)…\n")
            started = time.monotonic()
            cursor.execute(
                """
                INSERT INTO briefs_brief_search (brief_id, document)
                SELECT b.id,
                       setweight(to_tsvector('briefs_english', b.title), 'A')
                       || setweight(to_tsvector('briefs_english', coalesce(t.names, '')), 'A')
                       || setweight(to_tsvector('briefs_english', b.dek), 'B')
                       || setweight(to_tsvector('briefs_english', b.body), 'C')
                FROM briefs_brief b LEFT JOIN (
                    SELECT tb.content_object_id AS id, string_agg(t.name, ' ') AS names
                    FROM briefs_taggedbrief tb JOIN briefs_topic t ON t.id = tb.tag_id
                    WHERE tb.content_object_id >= %s GROUP BY tb.content_object_id
                ) t ON t.id = b.id
                WHERE b.id >= %s
                ON CONFLICT (brief_id) DO UPDATE SET document = EXCLUDED.document
                """,
                [first_brief, first_brief],
            )
            out.write(f"search index built in {time.monotonic() - started:.0f} s\n")
            _after_bulk_load(cursor)
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [Source, Topic, Brief, TaggedBrief, StoryToken, Annotation]
        ):
            cursor.execute(sql)


def _after_bulk_load(cursor):
    """Redo what the bypassed triggers keep (topic counts and timeline, month counts,
    public note counts) and mark every cache stale."""
    cursor.execute("SELECT to_regclass('briefs_topic_brief_count') IS NOT NULL")
    if cursor.fetchone()[0]:
        from importlib import import_module

        counts = import_module("briefs.migrations.0013_cache_versions_and_topic_counts")
        cursor.execute(f"DELETE FROM {counts.COUNT_TABLE}")
        cursor.execute(counts.FILL_COUNTS)
    cursor.execute("SELECT to_regclass('briefs_topic_timeline') IS NOT NULL")
    if cursor.fetchone()[0]:
        from briefs.models import MonthBriefCount, TopicTimeline

        TopicTimeline.refill()
        MonthBriefCount.refill()
    cursor.execute("SELECT to_regclass('annotations_public_note_total') IS NOT NULL")
    if cursor.fetchone()[0]:
        from annotations.models import PublicNoteTotal

        PublicNoteTotal.refill()
    cursor.execute(
        "SELECT 1 FROM information_schema.routines WHERE routine_name = 'briefs_archive_bump'"
    )
    if cursor.fetchone():
        cursor.execute("SELECT briefs_archive_bump()")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")  # a local tool: no production secret needed
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    generate(SCALES[args.scale], progress=not args.no_progress)
    from django.db import connection

    if connection.vendor == "postgresql":
        # Vacuumed as well as analysed: the search's plans and index-only scans rely on
        # the visibility map, and a bulk load leaves none (autovacuum may be off).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


if __name__ == "__main__":
    main()
