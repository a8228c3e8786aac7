"""Public annotations bump the archive's change counter (briefs migration 0005).

An annotation counts while it is public and not hidden: creating one, deleting one, or
an update that makes one public, private, hidden or shown, or edits a public one,
bumps the counter. Private notes never do: nothing cached depends on them.
"""

from django.db import migrations

from core.migration_sql import vendor_sql

PUBLIC_NEW = "(NEW.visibility = 'public' AND NOT NEW.hidden)"
PUBLIC_OLD = "(OLD.visibility = 'public' AND NOT OLD.hidden)"
EVENTS = (
    ("insert", "INSERT", PUBLIC_NEW),
    ("update", "UPDATE", f"{PUBLIC_OLD} OR {PUBLIC_NEW}"),
    ("delete", "DELETE", PUBLIC_OLD),
)

POSTGRES_FORWARD = [
    f"""
    CREATE TRIGGER annotations_public_{name}_archive_bump AFTER {op} ON annotations_annotation
    FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION briefs_archive_bump_trigger()
    """
    for name, op, condition in EVENTS
] + [
    """
    CREATE TRIGGER annotations_truncate_archive_bump AFTER TRUNCATE ON annotations_annotation
    FOR EACH STATEMENT EXECUTE FUNCTION briefs_archive_bump_trigger()
    """
]
POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS annotations_public_{name}_archive_bump ON annotations_annotation"
    for name, _, _ in EVENTS
] + ["DROP TRIGGER IF EXISTS annotations_truncate_archive_bump ON annotations_annotation"]



def _sqlite(condition):
    # SQLite stores booleans as 0 and 1.
    return condition.replace("NOT NEW.hidden", "NEW.hidden = 0").replace(
        "NOT OLD.hidden", "OLD.hidden = 0"
    )


SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER annotations_public_{name}_archive_bump AFTER {op} ON annotations_annotation
    WHEN {_sqlite(condition)}
    BEGIN
        UPDATE briefs_archive_version SET n = n + 1 WHERE id = 1;
    END
    """
    for name, op, condition in EVENTS
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS annotations_public_{name}_archive_bump" for name, _, _ in EVENTS
]


class Migration(migrations.Migration):

    dependencies = [
        ("annotations", "0002_anchor_status_and_hidden"),
        ("briefs", "0005_archive_version"),
    ]

    operations = [
        vendor_sql(
            {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD},
            {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD},
            feature="The archive counter",
        ),
    ]
