"""The public notes in list order, kept by the triggers that keep their count (0014).

``/annotations/`` lists ``Annotation.objects.public()`` newest first, 30 to a page. A page
after the first walked the notes from the newest, testing the public rule (the note's
own row, its brief, its parent) for every note it skipped: page 500 of 100k public notes
cost ~150 ms and page 3,000 ~470 ms (issue 14). ``annotations_public_note`` holds one
row per note the public may see, (note id, brief, creation time), indexed in list order,
so a deep page reads 30 ids after an index walk of entries of its own.

The rows are rewritten wherever 0014's triggers recount a brief: on PostgreSQL inside
``annotations_note_count_refresh`` (after the total's row lock, so writers take turns),
on SQLite in the same row triggers. A brief's rows are deleted and its public notes
inserted again (a brief has tens of notes), whether or not its count moved: one note
made public and another private in one statement leave the count as it was.
"""

import importlib

from django.db import migrations, models

from core.migration_sql import vendor_sql

counts = importlib.import_module("annotations.migrations.0014_public_note_counts")

TIMELINE = "annotations_public_note"
NOTES = counts.NOTES

# The public notes of the briefs whose id passes ``{brief_test}`` (SQL, e.g. "= ANY(x)"):
# 0014's PUBLIC_ON_BRIEF rule, listing the notes instead of counting them.
PUBLIC_NOTES = f"""
    SELECT a.id, a.brief_id, a.created_at FROM {NOTES} a
    JOIN briefs_brief b ON b.id = a.brief_id AND b.status = 'published'
    LEFT JOIN {NOTES} p ON p.id = a.parent_id
    WHERE a.brief_id {{brief_test}} AND a.visibility = 'public' AND NOT a.hidden
      AND a.anchor_status <> 'orphaned'
      AND (p.id IS NULL OR (NOT p.hidden AND p.anchor_status <> 'orphaned'))
"""


def _rewrite(brief_test):
    """Statements rewriting the rows of the briefs whose id passes ``brief_test``."""
    return f"""
        DELETE FROM {TIMELINE} WHERE brief_id {brief_test};
        INSERT INTO {TIMELINE} (id, brief_id, created_at)
        {PUBLIC_NOTES.format(brief_test=brief_test)};
    """


def _create(created_at_type):
    return [
        f"CREATE TABLE {TIMELINE} (id bigint PRIMARY KEY, brief_id bigint NOT NULL,"
        f" created_at {created_at_type} NOT NULL)",
        f"CREATE INDEX annotations_public_note_list_idx ON {TIMELINE} (created_at DESC, id DESC)",
        f"CREATE INDEX annotations_public_note_brief_idx ON {TIMELINE} (brief_id)",
        f"INSERT INTO {TIMELINE} (id, brief_id, created_at)"
        f" {PUBLIC_NOTES.format(brief_test='IS NOT NULL')}",
    ]


def _or_replace(statement):
    return statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def _before_end(function, statements):
    """``function`` (a plpgsql CREATE FUNCTION) with ``statements`` run last."""
    head, end = function.rsplit("END $$", 1)
    return head + statements + "\nEND $$" + end


POSTGRES_FORWARD = [
    *_create("timestamp with time zone"),
    _or_replace(_before_end(counts.PG_REFRESH, _rewrite("= ANY(briefs)"))),
    _or_replace(
        counts.PG_TRUNCATE[0].replace("RETURN NULL;", f"DELETE FROM {TIMELINE}; RETURN NULL;")
    ),
]
POSTGRES_BACKWARD = [
    _or_replace(counts.PG_REFRESH),
    _or_replace(counts.PG_TRUNCATE[0]),
    f"DROP TABLE IF EXISTS {TIMELINE}",
]


def _sqlite_triggers(with_timeline):
    statements = []
    for name, (when, ids) in counts.SQLITE_TRIGGERS.items():
        body = counts._sqlite_refresh(ids)
        if with_timeline:
            body += _rewrite(f"IN ({ids})")
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} {when} BEGIN {body} END",
        ]
    return statements


SQLITE_FORWARD = [*_create("datetime"), *_sqlite_triggers(with_timeline=True)]
SQLITE_BACKWARD = [*_sqlite_triggers(with_timeline=False), f"DROP TABLE IF EXISTS {TIMELINE}"]


class Migration(migrations.Migration):

    dependencies = (("annotations", "0016_unshown_parents_index"),)

    operations = (
        migrations.CreateModel(
            name="PublicNote",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("brief_id", models.BigIntegerField()),
                ("created_at", models.DateTimeField()),
            ],
            options={"db_table": TIMELINE, "managed": False},
        ),
        vendor_sql(
            {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD},
            {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD},
            feature="Public note timeline",
        ),
    )
