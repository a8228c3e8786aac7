"""Compress the long texts of new rows with lz4 instead of pglz (PostgreSQL only).

A brief's body and raw text (~6 KB each on the import benchmark's files) and its search
document are compressed as they are stored. pglz took ~60 ms for 200 such texts on the
benchmark machine, lz4 ~15-25 ms; lz4 also reads back in about half the time (page
bodies, headlines). The price is ~30% more space for those columns. Rows stored before
keep pglz until rewritten; both read the same. A server built without lz4 keeps pglz
(the migration changes nothing there). SQLite has no such setting.
"""

from django.db import migrations

from core.migration_sql import vendor_sql

COLUMNS = (
    ("briefs_brief", "body"),
    ("briefs_brief", "raw_text"),
    ("briefs_brief_search", "document"),
)


def _compression(method, only_if_available):
    alters = "\n".join(
        f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method};"
        for table, column in COLUMNS
    )
    if not only_if_available:
        return [f"DO $$ BEGIN {alters} END $$"]
    return [
        f"""
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression'
                       AND '{method}' = ANY (enumvals)) THEN
                {alters}
            END IF;
        END $$
        """
    ]


class Migration(migrations.Migration):

    dependencies = [
        ("briefs", "0016_brief_published_modified_idx"),
    ]

    operations = [
        vendor_sql(
            {"postgresql": _compression("lz4", True), "sqlite": []},
            {"postgresql": _compression("pglz", False), "sqlite": []},
            feature="lz4 text compression",
        ),
    ]
