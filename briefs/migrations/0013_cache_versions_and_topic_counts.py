"""Per-entity cache version keys and topic brief counts, both kept by triggers.

Replaces the one archive counter of migration 0005 (which every write bumped, so every
cached page went cold at once) with ``briefs_cache_version``: a counter per key that
core/cache.py keys pages and cached reads on (``briefs/cache_keys.py`` names them):

- a brief's row, or one of its topic links, changes: ``brief:<id>``, ``topic:<id>`` of
  each of its topics (and of a link removed), ``source:<id>``, ``month:<YYYY-MM>`` (old
  and new values of an update) and ``briefs`` (the lists: home, search, indexes);
- a topic changes (rename, merge, delete): ``topic:<id>`` and ``topics``;
- a source changes: ``source:<id>`` and ``sources``;
- every bump also bumps ``any``, what a read that declared nothing depends on; a bulk
  load that bypasses the triggers bumps ``all``, which every key set includes.

``briefs_topic_brief_count`` holds each topic's number of published briefs, adjusted by
the same triggers (links added or removed, briefs published or withdrawn).
PostgreSQL uses statement triggers over transition tables (a statement bumps each key
once); SQLite row triggers. The annotations app adds its own (annotations 0013).
"""

from django.db import migrations, models

from core.migration_sql import OPERATIONS, sqlite_bump, vendor_sql, version_triggers

COUNT_TABLE = "briefs_topic_brief_count"

# Keys of the briefs in a relation "rows" (id, source_id, published_at, story_id).
PG_BRIEF_KEYS = """
    SELECT 'brief:' || r.id FROM rows r
    UNION SELECT 'source:' || r.source_id FROM rows r WHERE r.source_id IS NOT NULL
    UNION SELECT 'story:' || r.story_id FROM rows r WHERE r.story_id IS NOT NULL
    UNION SELECT 'month:' || to_char(r.published_at AT TIME ZONE 'UTC', 'YYYY-MM') FROM rows r
    UNION SELECT 'topic:' || l.tag_id FROM briefs_taggedbrief l
          WHERE l.content_object_id IN (SELECT r.id FROM rows r)
    UNION SELECT 'briefs'
"""
PG_ROWS = {
    "INSERT": "SELECT id, source_id, published_at, story_id, status FROM new_rows",
    "UPDATE": "SELECT id, source_id, published_at, story_id, status FROM old_rows "
    "UNION ALL SELECT id, source_id, published_at, story_id, status FROM new_rows",
    "DELETE": "SELECT id, source_id, published_at, story_id, status FROM old_rows",
}
PG_LINKS = {
    "INSERT": "SELECT content_object_id, tag_id, 1 AS delta FROM new_rows",
    "UPDATE": "SELECT content_object_id, tag_id, -1 AS delta FROM old_rows "
    "UNION ALL SELECT content_object_id, tag_id, 1 FROM new_rows",
    "DELETE": "SELECT content_object_id, tag_id, -1 AS delta FROM old_rows",
}
TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}
# Add per-topic deltas from a relation "deltas" (tag_id, delta), in topic order (no deadlock).
PG_ADD_COUNTS = f"""
    INSERT INTO {COUNT_TABLE} AS c (topic_id, n)
    SELECT tag_id, sum(delta) FROM deltas GROUP BY tag_id HAVING sum(delta) <> 0 ORDER BY tag_id
    ON CONFLICT (topic_id) DO UPDATE SET n = c.n + EXCLUDED.n
"""


def _pg_brief_function(op):
    counts = ""
    if op == "UPDATE":  # a brief published or withdrawn: its topics' counts move
        counts = f"""
        WITH moved AS (
            SELECT n.id, CASE WHEN n.status = 'published' THEN 1 ELSE -1 END AS delta
            FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.status = 'published') <> (o.status = 'published')
        ), deltas AS (
            SELECT l.tag_id, m.delta FROM moved m
            JOIN briefs_taggedbrief l ON l.content_object_id = m.id
        ) {PG_ADD_COUNTS};
        """
    return f"""
    CREATE FUNCTION briefs_brief_versions_{op.lower()}() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        {counts}
        PERFORM briefs_cache_bump(ARRAY(WITH rows AS ({PG_ROWS[op]}) {PG_BRIEF_KEYS}));
        RETURN NULL;
    END $$
    """


def _pg_link_function(op):
    return f"""
    CREATE FUNCTION briefs_taggedbrief_versions_{op.lower()}() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        WITH links AS ({PG_LINKS[op]}), deltas AS (
            SELECT links.tag_id, links.delta FROM links
            JOIN briefs_brief b ON b.id = links.content_object_id AND b.status = 'published'
        ) {PG_ADD_COUNTS};
        PERFORM briefs_cache_bump(ARRAY(
            WITH links AS ({PG_LINKS[op]}), rows AS (
                SELECT b.id, b.source_id, b.published_at, b.story_id FROM briefs_brief b
                WHERE b.id IN (SELECT content_object_id FROM links)
            )
            SELECT 'topic:' || links.tag_id FROM links UNION {PG_BRIEF_KEYS}
        ));
        RETURN NULL;
    END $$
    """


def _triggers(table, name):
    return [
        f"""
        CREATE TRIGGER {name}_versions_{op.lower()} AFTER {op} ON {table} {TRANSITIONS[op]}
        FOR EACH STATEMENT EXECUTE FUNCTION {name}_versions_{op.lower()}()
        """
        for op in OPERATIONS
    ]


def _drop_triggers(table, name):
    return [
        statement
        for op in OPERATIONS
        for statement in (
            f"DROP TRIGGER IF EXISTS {name}_versions_{op.lower()} ON {table}",
            f"DROP FUNCTION IF EXISTS {name}_versions_{op.lower()}()",
        )
    ]


OLD_TABLES = (
    "briefs_brief", "briefs_source", "briefs_topic", "briefs_taggedbrief", "briefs_story"
)
TOPIC_TRIGGERS = version_triggers("briefs_topic", "briefs_topic", ["'topic:' || r.id", "'topics'"])
SOURCE_TRIGGERS = version_triggers(
    "briefs_source", "briefs_source", ["'source:' || r.id", "'sources'"]
)
# A story's row (title, slug): its page and feed, and the story lists (migration 0009's
# counter trigger replaced). Its versions bump ``story:<id>`` through the brief triggers.
STORY_TRIGGERS = version_triggers("briefs_story", "briefs_story", ["'story:' || r.id", "'stories'"])
FILL_COUNTS = f"""
    INSERT INTO {COUNT_TABLE} (topic_id, n)
    SELECT l.tag_id, count(*) FROM briefs_taggedbrief l
    JOIN briefs_brief b ON b.id = l.content_object_id AND b.status = 'published'
    GROUP BY l.tag_id
"""

POSTGRES_FORWARD = [
    "CREATE TABLE briefs_cache_version (key varchar(200) PRIMARY KEY, n bigint NOT NULL)",
    f"CREATE TABLE {COUNT_TABLE} (topic_id bigint PRIMARY KEY, n integer NOT NULL DEFAULT 0)",
    # Keys in sorted order: two writers lock the rows they share in the same order.
    """
    CREATE FUNCTION briefs_cache_bump(keys text[]) RETURNS void LANGUAGE sql AS $$
        -- The archive counter row moves too, first (one lock order for every writer): its
        -- trigger (migration 0012) advances changed_at, the feeds' Last-Modified.
        UPDATE briefs_archive_version SET n = n + 1 WHERE id = 1 AND cardinality(keys) > 0;
        INSERT INTO briefs_cache_version AS v (key, n)
        SELECT k, 1 FROM (
            SELECT DISTINCT k FROM unnest(
                CASE WHEN cardinality(keys) > 0 THEN keys || ARRAY['any'] ELSE keys END
            ) AS k WHERE k IS NOT NULL
        ) AS wanted ORDER BY k
        ON CONFLICT (key) DO UPDATE SET n = v.n + 1;
    $$
    """,
    # The old counter's function now means "everything is stale" (bulk loads call it).
    """
    CREATE OR REPLACE FUNCTION briefs_archive_bump() RETURNS void LANGUAGE sql AS $$
        UPDATE briefs_archive_version SET n = n + 1 WHERE id = 1;
        SELECT briefs_cache_bump(ARRAY['all']);
    $$
    """,
    *[f"DROP TRIGGER IF EXISTS {table}_archive_bump ON {table}" for table in OLD_TABLES],
    *[_pg_brief_function(op) for op in OPERATIONS],
    *_triggers("briefs_brief", "briefs_brief"),
    *[_pg_link_function(op) for op in OPERATIONS],
    *_triggers("briefs_taggedbrief", "briefs_taggedbrief"),
    *TOPIC_TRIGGERS[0]["postgresql"],
    *SOURCE_TRIGGERS[0]["postgresql"],
    *STORY_TRIGGERS[0]["postgresql"],
    f"""
    CREATE FUNCTION briefs_topic_count_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {COUNT_TABLE} WHERE topic_id IN (SELECT id FROM old_rows);
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER briefs_topic_count_forget AFTER DELETE ON briefs_topic
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION briefs_topic_count_forget()
    """,
    *[
        f"""
        CREATE TRIGGER {table}_truncate_versions AFTER TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION briefs_archive_bump_trigger()
        """
        for table in OLD_TABLES
    ],
    FILL_COUNTS,
]

POSTGRES_BACKWARD = [
    *[f"DROP TRIGGER IF EXISTS {table}_truncate_versions ON {table}" for table in OLD_TABLES],
    "DROP TRIGGER IF EXISTS briefs_topic_count_forget ON briefs_topic",
    "DROP FUNCTION IF EXISTS briefs_topic_count_forget()",
    *STORY_TRIGGERS[1]["postgresql"],
    *SOURCE_TRIGGERS[1]["postgresql"],
    *TOPIC_TRIGGERS[1]["postgresql"],
    *_drop_triggers("briefs_taggedbrief", "briefs_taggedbrief"),
    *_drop_triggers("briefs_brief", "briefs_brief"),
    """
    CREATE OR REPLACE FUNCTION briefs_archive_bump() RETURNS void LANGUAGE sql AS $$
        UPDATE briefs_archive_version SET n = n + 1 WHERE id = 1;
    $$
    """,
    *[
        f"""
        CREATE TRIGGER {table}_archive_bump
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION briefs_archive_bump_trigger()
        """
        for table in OLD_TABLES
    ],
    "DROP FUNCTION IF EXISTS briefs_cache_bump(text[])",
    "DROP TABLE IF EXISTS briefs_cache_version",
    f"DROP TABLE IF EXISTS {COUNT_TABLE}",
]


def _sqlite_brief_keys(side):
    return f"""
        SELECT 'brief:' || {side}.id
        UNION SELECT 'source:' || {side}.source_id
        UNION SELECT 'story:' || {side}.story_id
        UNION SELECT 'month:' || strftime('%Y-%m', {side}.published_at)
        UNION SELECT 'topic:' || tag_id FROM briefs_taggedbrief
              WHERE content_object_id = {side}.id
        UNION SELECT 'briefs'
    """


def _sqlite_link_statements(side, delta):
    brief = f"(SELECT * FROM briefs_brief WHERE id = {side}.content_object_id)"
    keys = f"""
        SELECT 'topic:' || {side}.tag_id UNION SELECT 'brief:' || b.id FROM {brief} b
        UNION SELECT 'source:' || b.source_id FROM {brief} b
        UNION SELECT 'story:' || b.story_id FROM {brief} b
        UNION SELECT 'month:' || strftime('%Y-%m', b.published_at) FROM {brief} b
        UNION SELECT 'topic:' || l.tag_id FROM briefs_taggedbrief l
              WHERE l.content_object_id = {side}.content_object_id
        UNION SELECT 'briefs'
    """
    return f"""
        INSERT INTO {COUNT_TABLE} (topic_id, n)
        SELECT {side}.tag_id, {delta} FROM briefs_brief b
        WHERE b.id = {side}.content_object_id AND b.status = 'published'
        ON CONFLICT(topic_id) DO UPDATE SET n = n + excluded.n;
        {sqlite_bump(keys)}
    """


SQLITE_SIDES = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}

SQLITE_FORWARD = [
    "CREATE TABLE briefs_cache_version (key varchar(200) PRIMARY KEY, n integer NOT NULL)",
    f"CREATE TABLE {COUNT_TABLE} (topic_id integer PRIMARY KEY, n integer NOT NULL DEFAULT 0)",
    *[
        f"DROP TRIGGER IF EXISTS {table}_archive_bump_{op.lower()}"
        for table in OLD_TABLES
        for op in OPERATIONS
    ],
    *[
        f"""
        CREATE TRIGGER briefs_brief_versions_{op.lower()}_{side.lower()} AFTER {op}
        ON briefs_brief BEGIN {sqlite_bump(_sqlite_brief_keys(side))} END
        """
        for op in OPERATIONS
        for side in SQLITE_SIDES[op]
    ],
    f"""
    CREATE TRIGGER briefs_brief_count_status AFTER UPDATE OF status ON briefs_brief
    WHEN (OLD.status = 'published') <> (NEW.status = 'published')
    BEGIN
        INSERT INTO {COUNT_TABLE} (topic_id, n)
        SELECT tag_id, CASE WHEN NEW.status = 'published' THEN 1 ELSE -1 END
        FROM briefs_taggedbrief WHERE content_object_id = NEW.id
        ON CONFLICT(topic_id) DO UPDATE SET n = n + excluded.n;
    END
    """,
    *[
        f"""
        CREATE TRIGGER briefs_taggedbrief_versions_{op.lower()}_{side.lower()} AFTER {op}
        ON briefs_taggedbrief
        BEGIN {_sqlite_link_statements(side, 1 if side == "NEW" else -1)} END
        """
        for op in OPERATIONS
        for side in SQLITE_SIDES[op]
    ],
    *TOPIC_TRIGGERS[0]["sqlite"],
    *SOURCE_TRIGGERS[0]["sqlite"],
    *STORY_TRIGGERS[0]["sqlite"],
    f"""
    CREATE TRIGGER briefs_topic_count_forget AFTER DELETE ON briefs_topic BEGIN
        DELETE FROM {COUNT_TABLE} WHERE topic_id = OLD.id;
    END
    """,
    FILL_COUNTS,
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS briefs_topic_count_forget",
    *STORY_TRIGGERS[1]["sqlite"],
    *SOURCE_TRIGGERS[1]["sqlite"],
    *TOPIC_TRIGGERS[1]["sqlite"],
    "DROP TRIGGER IF EXISTS briefs_brief_count_status",
    *[
        f"DROP TRIGGER IF EXISTS {table}_versions_{op.lower()}_{side.lower()}"
        for table in ("briefs_brief", "briefs_taggedbrief")
        for op in OPERATIONS
        for side in SQLITE_SIDES[op]
    ],
    *[
        f"""
        CREATE TRIGGER {table}_archive_bump_{op.lower()} AFTER {op} ON {table} BEGIN
            UPDATE briefs_archive_version SET n = n + 1 WHERE id = 1;
        END
        """
        for table in OLD_TABLES
        for op in OPERATIONS
    ],
    "DROP TABLE IF EXISTS briefs_cache_version",
    f"DROP TABLE IF EXISTS {COUNT_TABLE}",
]


class Migration(migrations.Migration):

    dependencies = [
        ("briefs", "0012_archive_changed_at"),
    ]

    operations = [
        migrations.CreateModel(
            name="TopicBriefCount",
            fields=[
                (
                    "topic",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=models.DO_NOTHING,
                        primary_key=True,
                        related_name="published_count",
                        serialize=False,
                        to="briefs.topic",
                    ),
                ),
                ("n", models.IntegerField(default=0)),
            ],
            options={"db_table": "briefs_topic_brief_count", "managed": False},
        ),
        vendor_sql(
            {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD},
            {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD},
            feature="Cache versions and topic counts",
        ),
    ]
