"""How many notes the public may see, kept by triggers instead of counted per request.

The note lists and the API's collection showed ``total`` by counting
``Annotation.objects.public()`` (300k notes against published briefs: 160–260 ms), once
per ``notes`` change, i.e. on every public note. Now:

- ``annotations_brief_note_count`` holds, per brief with any, its notes the public may
  see (a row only where there are some);
- ``annotations_public_note_total`` (one row) their sum, the number the lists show.

A write that can change what the public sees (a note that is or was public created,
changed in visibility, hiding, anchoring, brief or parent, or deleted; a reply's parent
hidden or orphaned; a brief published or withdrawn) recounts the briefs it touched (a
few notes each, by index) and adds the difference to the total. The recount repeats
``AnnotationQuerySet.public()``'s rule in SQL (``PUBLIC_ON_BRIEF``); a test compares
the kept numbers with that queryset after every kind of write.

On PostgreSQL the total's row is locked first by every recount and kept to commit, so
writers take turns and each recount (a new statement, a new snapshot) sees the notes of
those before it. SQLite has one writer; its row triggers recount directly.
"""

from django.db import migrations, models

from core.migration_sql import vendor_sql

BRIEF_COUNTS = "annotations_brief_note_count"
TOTAL = "annotations_public_note_total"
NOTES = "annotations_annotation"

# The notes of brief ``{brief}`` (an SQL expression) the public may see: the rule of
# AnnotationQuerySet.public() (public, not hidden, not orphaned, on a published brief,
# a reply only under a parent neither hidden nor orphaned).
PUBLIC_ON_BRIEF = f"""
    SELECT count(*) FROM {NOTES} a
    JOIN briefs_brief b ON b.id = a.brief_id AND b.status = 'published'
    LEFT JOIN {NOTES} p ON p.id = a.parent_id
    WHERE a.brief_id = {{brief}} AND a.visibility = 'public' AND NOT a.hidden
      AND a.anchor_status <> 'orphaned'
      AND (p.id IS NULL OR (NOT p.hidden AND p.anchor_status <> 'orphaned'))
"""
FILL = f"""
    INSERT INTO {BRIEF_COUNTS} (brief_id, n)
    SELECT briefs.id, ({PUBLIC_ON_BRIEF.format(brief="briefs.id")})
    FROM (SELECT DISTINCT brief_id AS id FROM {NOTES} WHERE visibility = 'public') briefs
"""
FILL_STEPS = [
    FILL,
    f"DELETE FROM {BRIEF_COUNTS} WHERE n = 0",
    f"UPDATE {TOTAL} SET n = (SELECT coalesce(sum(n), 0) FROM {BRIEF_COUNTS}) WHERE id = 1",
]
CREATE = [
    f"CREATE TABLE {BRIEF_COUNTS} (brief_id bigint PRIMARY KEY, n integer NOT NULL)",
    f"CREATE TABLE {TOTAL} (id integer PRIMARY KEY CHECK (id = 1), n bigint NOT NULL)",
    f"INSERT INTO {TOTAL} (id, n) VALUES (1, 0)",
]

# Which columns of a note decide whether the public sees it (or its replies).
RULE_COLUMNS = ("visibility", "hidden", "anchor_status", "brief_id", "parent_id")
PARENT_COLUMNS = ("hidden", "anchor_status")


def _differs(columns, old, new, *, distinct="IS DISTINCT FROM"):
    return " OR ".join(f"{old}.{c} {distinct} {new}.{c}" for c in columns)


PG_REFRESH = f"""
CREATE FUNCTION annotations_note_count_refresh(briefs bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(briefs) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM {TOTAL} WHERE id = 1 FOR UPDATE;
    WITH fresh AS (
        SELECT ids.id AS brief_id, coalesce(c.n, 0) AS old_n,
               ({PUBLIC_ON_BRIEF.format(brief="ids.id")})::integer AS n
        FROM (SELECT DISTINCT id FROM unnest(briefs) AS id WHERE id IS NOT NULL) ids
        LEFT JOIN {BRIEF_COUNTS} c ON c.brief_id = ids.id
    ), kept AS (
        INSERT INTO {BRIEF_COUNTS} AS c (brief_id, n)
        SELECT brief_id, n FROM fresh WHERE n > 0 AND n <> old_n ORDER BY brief_id
        ON CONFLICT (brief_id) DO UPDATE SET n = EXCLUDED.n
    ), gone AS (
        DELETE FROM {BRIEF_COUNTS} WHERE brief_id IN (
            SELECT brief_id FROM fresh WHERE n = 0 AND old_n <> 0
        )
    )
    UPDATE {TOTAL} SET n = n + (SELECT sum(n - old_n) FROM fresh)
    WHERE id = 1 AND EXISTS (SELECT 1 FROM fresh WHERE n <> old_n);
END $$
"""
# Briefs to recount per statement, over the transition tables: a note that is or was
# public, and the public replies of a note whose hiding or anchoring changed.
_REPLIES_OF = f"SELECT brief_id FROM {NOTES} WHERE visibility = 'public' AND parent_id IN"
PG_AFFECTED = {
    "insert": "SELECT brief_id FROM new_rows WHERE visibility = 'public'",
    "update": f"""
        SELECT x.brief_id FROM old_rows o JOIN new_rows n ON n.id = o.id,
        LATERAL (VALUES (o.brief_id), (n.brief_id)) AS x(brief_id)
        WHERE (o.visibility = 'public' OR n.visibility = 'public')
          AND ({_differs(RULE_COLUMNS, "o", "n")})
        UNION {_REPLIES_OF} (
            SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE {_differs(PARENT_COLUMNS, "o", "n")}
        )
    """,
    "delete": f"""
        SELECT brief_id FROM old_rows WHERE visibility = 'public'
        UNION {_REPLIES_OF} (SELECT id FROM old_rows)
    """,
}
PG_BRIEF_STATUS = """
    SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.status = 'published') <> (n.status = 'published')
"""
TRANSITIONS = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
}


def _pg_trigger(name, table, op, affected):
    return [
        f"""
        CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM annotations_note_count_refresh(ARRAY({affected}));
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE TRIGGER {name} AFTER {op.upper()} ON {table} {TRANSITIONS[op]}
        FOR EACH STATEMENT EXECUTE FUNCTION {name}()
        """,
    ]


PG_TRIGGERS = {
    **{f"annotations_note_count_{op}": (NOTES, op, PG_AFFECTED[op]) for op in PG_AFFECTED},
    "annotations_note_count_brief_status": ("briefs_brief", "update", PG_BRIEF_STATUS),
}
# TRUNCATE (a test database's flush; a brief's TRUNCATE ... CASCADE reaches the notes
# too) fires no row or statement trigger above: no notes, nothing public.
PG_TRUNCATE = [
    f"""
    CREATE FUNCTION annotations_note_count_clear() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {BRIEF_COUNTS};
        UPDATE {TOTAL} SET n = 0 WHERE id = 1;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE TRIGGER annotations_note_count_truncate AFTER TRUNCATE ON {NOTES}
    FOR EACH STATEMENT EXECUTE FUNCTION annotations_note_count_clear()
    """,
]
POSTGRES_FORWARD = [
    *CREATE,
    PG_REFRESH,
    *[s for name, args in PG_TRIGGERS.items() for s in _pg_trigger(name, *args)],
    *PG_TRUNCATE,
    *FILL_STEPS,
]
POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS annotations_note_count_truncate ON {NOTES}",
    "DROP FUNCTION IF EXISTS annotations_note_count_clear()",
    *[
        s
        for name, (table, _, _) in PG_TRIGGERS.items()
        for s in (f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()")
    ],
    "DROP FUNCTION IF EXISTS annotations_note_count_refresh(bigint[])",
    f"DROP TABLE IF EXISTS {TOTAL}",
    f"DROP TABLE IF EXISTS {BRIEF_COUNTS}",
]


def _sqlite_refresh(ids):
    """Statements recounting the briefs ``ids`` (a SELECT of brief ids) in a row trigger."""
    stored = f"(SELECT coalesce(sum(n), 0) FROM {BRIEF_COUNTS} WHERE brief_id IN ({ids}))"
    return f"""
        UPDATE {TOTAL} SET n = n - {stored} WHERE id = 1;
        DELETE FROM {BRIEF_COUNTS} WHERE brief_id IN ({ids});
        INSERT INTO {BRIEF_COUNTS} (brief_id, n)
        SELECT id, n FROM (
            SELECT ids.id, ({PUBLIC_ON_BRIEF.format(brief="ids.id")}) AS n
            FROM ({ids}) AS ids
        ) WHERE n > 0;
        UPDATE {TOTAL} SET n = n + {stored} WHERE id = 1;
    """


def _sqlite_differs(columns):
    return _differs(columns, "OLD", "NEW", distinct="IS NOT")


SQLITE_UPDATE_WHEN = (
    f"((OLD.visibility = 'public' OR NEW.visibility = 'public') "
    f"AND ({_sqlite_differs(RULE_COLUMNS)})) OR {_sqlite_differs(PARENT_COLUMNS)}"
)
SQLITE_STATUS_WHEN = "(OLD.status = 'published') <> (NEW.status = 'published')"
# name: (event and condition, a SELECT of the brief ids to recount, column ``id``)
SQLITE_TRIGGERS = {
    "annotations_note_count_insert": (
        f"AFTER INSERT ON {NOTES} WHEN NEW.visibility = 'public'",
        "SELECT NEW.brief_id AS id",
    ),
    "annotations_note_count_update": (
        f"AFTER UPDATE ON {NOTES} WHEN {SQLITE_UPDATE_WHEN}",
        f"SELECT OLD.brief_id AS id UNION SELECT NEW.brief_id UNION {_REPLIES_OF} (NEW.id)",
    ),
    "annotations_note_count_delete": (
        f"AFTER DELETE ON {NOTES}",
        f"SELECT OLD.brief_id AS id WHERE OLD.visibility = 'public' UNION {_REPLIES_OF} (OLD.id)",
    ),
    "annotations_note_count_brief_status": (
        f"AFTER UPDATE OF status ON briefs_brief WHEN {SQLITE_STATUS_WHEN}",
        "SELECT NEW.id AS id",
    ),
}
SQLITE_FORWARD = [
    *CREATE,
    *[
        f"CREATE TRIGGER {name} {when} BEGIN {_sqlite_refresh(ids)} END"
        for name, (when, ids) in SQLITE_TRIGGERS.items()
    ],
    *FILL_STEPS,
]
SQLITE_BACKWARD = [
    *[f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS],
    f"DROP TABLE IF EXISTS {TOTAL}",
    f"DROP TABLE IF EXISTS {BRIEF_COUNTS}",
]


class Migration(migrations.Migration):

    dependencies = (("annotations", "0013_public_notes_bump_their_keys"),)

    operations = (
        migrations.CreateModel(
            name="BriefNoteCount",
            fields=[
                (
                    "brief",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=models.DO_NOTHING,
                        primary_key=True,
                        related_name="public_note_count",
                        serialize=False,
                        to="briefs.brief",
                    ),
                ),
                ("n", models.IntegerField()),
            ],
            options={"db_table": BRIEF_COUNTS, "managed": False},
        ),
        migrations.CreateModel(
            name="PublicNoteTotal",
            fields=[
                ("id", models.IntegerField(primary_key=True, serialize=False)),
                ("n", models.BigIntegerField()),
            ],
            options={"db_table": TOTAL, "managed": False},
        ),
        vendor_sql(
            {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD},
            {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD},
            feature="Public note counts",
        ),
    )
