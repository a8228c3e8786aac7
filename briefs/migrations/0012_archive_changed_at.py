"""The archive counter also keeps when it last moved: ``changed_at``, Unix seconds.

Feeds date themselves by it (briefs/feeds.py): a feed whose content changed says
``Last-Modified: <the change's time>``, which never goes backwards, whereas the newest
item's date does when that item is deleted. A trigger on the counter row itself sets
it, so every writer that bumps the counter (whatever table it came from) moves it, and
it never decreases even if the clock does.
"""

from django.db import migrations

from core.migration_sql import vendor_sql

POSTGRES_FORWARD = [
    "ALTER TABLE briefs_archive_version ADD COLUMN changed_at bigint NOT NULL DEFAULT 0",
    "UPDATE briefs_archive_version SET changed_at = extract(epoch FROM clock_timestamp())::bigint",
    """
    CREATE FUNCTION briefs_archive_changed_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.changed_at := GREATEST(OLD.changed_at, extract(epoch FROM clock_timestamp())::bigint);
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER briefs_archive_version_changed_at BEFORE UPDATE OF n ON briefs_archive_version
    FOR EACH ROW EXECUTE FUNCTION briefs_archive_changed_at()
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS briefs_archive_version_changed_at ON briefs_archive_version",
    "DROP FUNCTION IF EXISTS briefs_archive_changed_at()",
    "ALTER TABLE briefs_archive_version DROP COLUMN IF EXISTS changed_at",
]

SQLITE_NOW = "CAST(strftime('%s', 'now') AS INTEGER)"
SQLITE_FORWARD = [
    "ALTER TABLE briefs_archive_version ADD COLUMN changed_at integer NOT NULL DEFAULT 0",
    f"UPDATE briefs_archive_version SET changed_at = {SQLITE_NOW}",
    f"""
    CREATE TRIGGER briefs_archive_version_changed_at AFTER UPDATE OF n ON briefs_archive_version
    BEGIN
        UPDATE briefs_archive_version SET changed_at = max(OLD.changed_at, {SQLITE_NOW})
        WHERE id = NEW.id;
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS briefs_archive_version_changed_at",
    "ALTER TABLE briefs_archive_version DROP COLUMN changed_at",
]


class Migration(migrations.Migration):

    dependencies = [
        ("briefs", "0011_import_runs_bulk_search"),
    ]

    operations = [
        vendor_sql(
            {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD},
            {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD},
            feature="The archive counter",
        ),
    ]
