"""The topic timeline and the archive's month counts, both kept by triggers.

The topic timeline: every published brief under each of its topics, in date order.

``briefs_topic_timeline`` holds one row ``(topic_id, month, published_at, brief_id)`` per
topic link of a published brief, its primary key in that order. A topic page (one topic,
or a combination intersected on the same key) then reads its page of briefs, however
deep, its month counts and its newest briefs from index-only scans of one index: page
200 of a topic on a third of the archive read 4,000 rows of ``brief_pub_idx`` probing the
link table for each (134 ms); it reads 4,020 index entries (under 1 ms). Month counts of
a topic: 8 ms instead of 73 (``month`` is stored, so no ``date_trunc`` per row).

Kept by triggers, like the topic counts of 0013: a link added, removed or moved (a topic
merge), a brief published, withdrawn, re-dated or deleted, a topic deleted, a table
truncated. PostgreSQL uses statement triggers over transition tables (a link's trigger
locks its briefs first, so a concurrent publish is never missed); SQLite row triggers.
``month`` is the first day of the UTC month of ``published_at``. A bulk load that skips the triggers
refills it (``TopicTimeline.refill``); backups leave it out.

``briefs_month_brief_count`` holds the number of published briefs of each UTC month
(``MonthBriefCount``): the home page's count (a COUNT of 100k briefs, 20–48 ms), the
archive's months and a year's or a month's count read it instead of the briefs. The same
brief triggers add and subtract as briefs are published, withdrawn, re-dated or deleted;
an edit that moves neither leaves the row alone (no lock on the month's row).
"""

from django.db import migrations, models

from core.migration_sql import vendor_sql

TABLE = "briefs_topic_timeline"
MONTHS = "briefs_month_brief_count"
PG_MONTH = "(date_trunc('month', {} AT TIME ZONE 'UTC'))::date"
SQLITE_MONTH = "strftime('%Y-%m-01', {})"

# Rows for the links in a relation "links" (tag_id, content_object_id) of published briefs.
PG_INSERT_ROWS = f"""
    INSERT INTO {TABLE} (topic_id, month, published_at, brief_id)
    SELECT links.tag_id, {PG_MONTH.format("b.published_at")}, b.published_at, b.id
    FROM links JOIN briefs_brief b ON b.id = links.content_object_id
    WHERE b.status = 'published' AND b.published_at IS NOT NULL
    ORDER BY 1, 2, 3, 4
    ON CONFLICT DO NOTHING
"""
FILL = f"""
    INSERT INTO {TABLE} (topic_id, month, published_at, brief_id)
    SELECT l.tag_id, {{month}}, b.published_at, b.id
    FROM briefs_taggedbrief l JOIN briefs_brief b ON b.id = l.content_object_id
    WHERE b.status = 'published' AND b.published_at IS NOT NULL
"""
PG_FILL = FILL.format(month=PG_MONTH.format("b.published_at"))
SQLITE_FILL = FILL.format(month=SQLITE_MONTH.format("b.published_at"))
FILL_MONTHS = f"""
    INSERT INTO {MONTHS} (month, n)
    SELECT {{month}}, count(*) FROM briefs_brief b
    WHERE b.status = 'published' AND b.published_at IS NOT NULL GROUP BY 1
"""
PG_FILL_MONTHS = FILL_MONTHS.format(month=PG_MONTH.format("b.published_at"))
SQLITE_FILL_MONTHS = FILL_MONTHS.format(month=SQLITE_MONTH.format("b.published_at"))

# Briefs of an UPDATE whose status or date moved: an edit of the text touches nothing here.
PG_MOVED = """
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.status IS DISTINCT FROM o.status OR n.published_at IS DISTINCT FROM o.published_at
"""

# Add per-month deltas of the briefs in "old_rows" (-1) and "new_rows" (+1), in month
# order (two writers lock shared rows in the same order), skipping months that net to 0.
def _pg_month_deltas(*sides):
    parts = " UNION ALL ".join(
        f"SELECT {PG_MONTH.format('r.published_at')} AS month, {delta} AS delta FROM {rows} r"
        " WHERE r.status = 'published' AND r.published_at IS NOT NULL"
        for rows, delta in sides
    )
    return f"""
        INSERT INTO {MONTHS} AS c (month, n)
        SELECT month, sum(delta) FROM ({parts}) AS d
        GROUP BY month HAVING sum(delta) <> 0 ORDER BY month
        ON CONFLICT (month) DO UPDATE SET n = c.n + EXCLUDED.n;
    """


# A link's trigger reads its brief's status and date, and a brief's trigger reads its
# links: each would read the other's table as of its own snapshot, so a link added (or
# removed) while another transaction publishes its brief left the timeline (and the
# topic counts of 0013, whose link triggers fire after these) without the row, or with a
# stale one. The link side locks its briefs first, which waits for a brief being updated
# to commit (and makes an update of the brief wait for the link's transaction); the
# statements after it then read the committed rows (READ COMMITTED takes a snapshot per
# statement). FOR NO KEY UPDATE, the lock an UPDATE of the brief takes anyway, not FOR
# SHARE: two transactions that link a brief and then touch it (``briefs_touch``) take
# turns, where two shared locks would each block the other's touch. In id order.
def _pg_lock_briefs(*sides):
    ids = " UNION ".join(f"SELECT content_object_id FROM {rows}" for rows in sides)
    return f"PERFORM 1 FROM briefs_brief WHERE id IN ({ids}) ORDER BY id FOR NO KEY UPDATE;"


PG_FUNCTIONS = {
    "briefs_taggedbrief_timeline_insert": f"""
        {_pg_lock_briefs("new_rows")}
        WITH links AS (SELECT tag_id, content_object_id FROM new_rows) {PG_INSERT_ROWS};
    """,
    "briefs_taggedbrief_timeline_update": f"""
        {_pg_lock_briefs("old_rows", "new_rows")}
        DELETE FROM {TABLE} t USING old_rows o
        WHERE t.brief_id = o.content_object_id AND t.topic_id = o.tag_id;
        WITH links AS (SELECT tag_id, content_object_id FROM new_rows) {PG_INSERT_ROWS};
    """,
    "briefs_taggedbrief_timeline_delete": f"""
        {_pg_lock_briefs("old_rows")}
        DELETE FROM {TABLE} t USING old_rows o
        WHERE t.brief_id = o.content_object_id AND t.topic_id = o.tag_id;
    """,
    "briefs_brief_timeline_insert": _pg_month_deltas(("new_rows", 1)),
    "briefs_brief_timeline_update": f"""
        {_pg_month_deltas(("old_rows", -1), ("new_rows", 1))}
        DELETE FROM {TABLE} WHERE brief_id IN ({PG_MOVED});
        WITH links AS (
            SELECT tag_id, content_object_id FROM briefs_taggedbrief
            WHERE content_object_id IN ({PG_MOVED})
        ) {PG_INSERT_ROWS};
    """,
    "briefs_brief_timeline_delete": f"""
        {_pg_month_deltas(("old_rows", -1))}
        DELETE FROM {TABLE} WHERE brief_id IN (SELECT id FROM old_rows);
    """,
    "briefs_topic_timeline_delete": f"""
        DELETE FROM {TABLE} WHERE topic_id IN (SELECT id FROM old_rows);
    """,
}
PG_TRIGGERS = {
    "briefs_taggedbrief_timeline_insert": ("INSERT", "briefs_taggedbrief"),
    "briefs_taggedbrief_timeline_update": ("UPDATE", "briefs_taggedbrief"),
    "briefs_taggedbrief_timeline_delete": ("DELETE", "briefs_taggedbrief"),
    "briefs_brief_timeline_insert": ("INSERT", "briefs_brief"),
    "briefs_brief_timeline_update": ("UPDATE", "briefs_brief"),
    "briefs_brief_timeline_delete": ("DELETE", "briefs_brief"),
    "briefs_topic_timeline_delete": ("DELETE", "briefs_topic"),
}
TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}

# TRUNCATE (``flush``, a test database's reset) fires none of the triggers above, nor
# those of the topic counts (0013): what it empties leaves nothing to list or count. A
# brief's or topic's TRUNCATE reaches the links (their foreign keys ask for it).
TOPIC_COUNTS = "briefs_topic_brief_count"
PG_TRUNCATE_CLEARS = {
    "briefs_brief": f"TRUNCATE {TABLE}, {MONTHS};",
    "briefs_taggedbrief": f"TRUNCATE {TABLE}, {TOPIC_COUNTS};",
    "briefs_topic": f"TRUNCATE {TABLE}, {TOPIC_COUNTS};",
}

POSTGRES_FORWARD = [
    f"""
    CREATE TABLE {TABLE} (
        topic_id bigint NOT NULL,
        month date NOT NULL,
        published_at timestamp with time zone NOT NULL,
        brief_id bigint NOT NULL,
        PRIMARY KEY (topic_id, month, published_at, brief_id)
    )
    """,
    f"CREATE INDEX briefs_topic_timeline_brief_idx ON {TABLE} (brief_id)",
    f"CREATE TABLE {MONTHS} (month date PRIMARY KEY, n integer NOT NULL DEFAULT 0)",
    *[
        statement
        for name, body in PG_FUNCTIONS.items()
        for statement in (
            f"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {body}
                RETURN NULL;
            END $$
            """,
            f"""
            CREATE TRIGGER {name} AFTER {PG_TRIGGERS[name][0]} ON {PG_TRIGGERS[name][1]}
            {TRANSITIONS[PG_TRIGGERS[name][0]]}
            FOR EACH STATEMENT EXECUTE FUNCTION {name}()
            """,
        )
    ],
    *[
        statement
        for table, body in PG_TRUNCATE_CLEARS.items()
        for statement in (
            f"""
            CREATE FUNCTION {table}_timeline_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {body}
                RETURN NULL;
            END $$
            """,
            f"""
            CREATE TRIGGER {table}_timeline_truncate AFTER TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION {table}_timeline_truncate()
            """,
        )
    ],
    PG_FILL,
    PG_FILL_MONTHS,
]
POSTGRES_BACKWARD = [
    *[
        statement
        for table in PG_TRUNCATE_CLEARS
        for statement in (
            f"DROP TRIGGER IF EXISTS {table}_timeline_truncate ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_timeline_truncate()",
        )
    ],
    *[
        statement
        for name, (_, table) in PG_TRIGGERS.items()
        for statement in (
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"DROP FUNCTION IF EXISTS {name}()",
        )
    ],
    f"DROP TABLE IF EXISTS {TABLE}",
    f"DROP TABLE IF EXISTS {MONTHS}",
]


def _sqlite_insert(side):
    return f"""
        INSERT OR IGNORE INTO {TABLE} (topic_id, month, published_at, brief_id)
        SELECT {side}.tag_id, {SQLITE_MONTH.format("b.published_at")}, b.published_at, b.id
        FROM briefs_brief b WHERE b.id = {side}.content_object_id
        AND b.status = 'published' AND b.published_at IS NOT NULL;
    """


def _sqlite_delete(side):
    return (
        f"DELETE FROM {TABLE} WHERE brief_id = {side}.content_object_id"
        f" AND topic_id = {side}.tag_id;"
    )


def _sqlite_month(side, delta):
    return f"""
        INSERT INTO {MONTHS} (month, n)
        SELECT {SQLITE_MONTH.format(f"{side}.published_at")}, {delta}
        WHERE {side}.status = 'published' AND {side}.published_at IS NOT NULL
        ON CONFLICT(month) DO UPDATE SET n = n + excluded.n;
    """


SQLITE_TRIGGERS = {
    "briefs_taggedbrief_timeline_insert": (
        "AFTER INSERT ON briefs_taggedbrief", _sqlite_insert("NEW")),
    "briefs_taggedbrief_timeline_update": (
        "AFTER UPDATE ON briefs_taggedbrief", _sqlite_delete("OLD") + _sqlite_insert("NEW")),
    "briefs_taggedbrief_timeline_delete": (
        "AFTER DELETE ON briefs_taggedbrief", _sqlite_delete("OLD")),
    "briefs_brief_timeline_insert": ("AFTER INSERT ON briefs_brief", _sqlite_month("NEW", 1)),
    "briefs_brief_timeline_update": (
        "AFTER UPDATE OF status, published_at ON briefs_brief",
        f"""
        {_sqlite_month("OLD", -1)}
        {_sqlite_month("NEW", 1)}
        DELETE FROM {TABLE} WHERE brief_id = OLD.id;
        INSERT OR IGNORE INTO {TABLE} (topic_id, month, published_at, brief_id)
        SELECT l.tag_id, {SQLITE_MONTH.format("NEW.published_at")}, NEW.published_at, NEW.id
        FROM briefs_taggedbrief l WHERE l.content_object_id = NEW.id
        AND NEW.status = 'published' AND NEW.published_at IS NOT NULL;
        """,
    ),
    "briefs_brief_timeline_delete": (
        "AFTER DELETE ON briefs_brief",
        _sqlite_month("OLD", -1) + f"DELETE FROM {TABLE} WHERE brief_id = OLD.id;",
    ),
    "briefs_topic_timeline_delete": (
        "AFTER DELETE ON briefs_topic", f"DELETE FROM {TABLE} WHERE topic_id = OLD.id;"),
}

SQLITE_FORWARD = [
    f"""
    CREATE TABLE {TABLE} (
        topic_id integer NOT NULL,
        month date NOT NULL,
        published_at datetime NOT NULL,
        brief_id integer NOT NULL,
        PRIMARY KEY (topic_id, month, published_at, brief_id)
    )
    """,
    f"CREATE INDEX briefs_topic_timeline_brief_idx ON {TABLE} (brief_id)",
    f"CREATE TABLE {MONTHS} (month date PRIMARY KEY, n integer NOT NULL DEFAULT 0)",
    *[
        f"CREATE TRIGGER {name} {event} BEGIN {body} END"
        for name, (event, body) in SQLITE_TRIGGERS.items()
    ],
    SQLITE_FILL,
    SQLITE_FILL_MONTHS,
]
SQLITE_BACKWARD = [
    *[f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS],
    f"DROP TABLE IF EXISTS {TABLE}",
    f"DROP TABLE IF EXISTS {MONTHS}",
]


class Migration(migrations.Migration):

    dependencies = [
        ("briefs", "0014_story_tokens"),
    ]

    operations = [
        migrations.CreateModel(
            name="TopicTimeline",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "topic", "month", "published_at", "brief",
                        blank=True, editable=False, primary_key=True, serialize=False,
                    ),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=models.DO_NOTHING,
                        related_name="+",
                        to="briefs.topic",
                    ),
                ),
                ("month", models.DateField()),
                ("published_at", models.DateTimeField()),
                (
                    "brief",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=models.DO_NOTHING,
                        related_name="+",
                        to="briefs.brief",
                    ),
                ),
            ],
            options={"db_table": "briefs_topic_timeline", "managed": False},
        ),
        migrations.CreateModel(
            name="MonthBriefCount",
            fields=[
                ("month", models.DateField(primary_key=True, serialize=False)),
                ("n", models.IntegerField(default=0)),
            ],
            options={"db_table": "briefs_month_brief_count", "managed": False},
        ),
        vendor_sql(
            {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD},
            {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD},
            feature="The topic timeline and month counts",
        ),
    ]
