"""The archive's change counter that core/cache.py keys every cached read on.

One row in ``briefs_archive_version``; triggers bump it on any write to briefs,
sources, topics and topic links (statement triggers on PostgreSQL, row triggers on
SQLite, which has no others). The annotations app adds its own triggers for public
annotations. No model stands for the table: only core/cache.py reads it.
"""

from django.db import migrations

from core.migration_sql import vendor_sql

TABLES = ("briefs_brief", "briefs_source", "briefs_topic", "briefs_taggedbrief")

POSTGRES_FORWARD = [
    """
    CREATE TABLE briefs_archive_version (
        id integer PRIMARY KEY CHECK (id = 1),
        n bigint NOT NULL
    )
    """,
    "INSERT INTO briefs_archive_version (id, n) VALUES (1, 1)",
    """
    CREATE FUNCTION briefs_archive_bump() RETURNS void LANGUAGE sql AS $$
        UPDATE briefs_archive_version SET n = n + 1 WHERE id = 1;
    $$
    """,
    """
    CREATE FUNCTION briefs_archive_bump_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM briefs_archive_bump();
        RETURN NULL;
    END $$
    """,
] + [
    f"""
    CREATE TRIGGER {table}_archive_bump
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION briefs_archive_bump_trigger()
    """
    for table in TABLES
]

POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {table}_archive_bump ON {table}" for table in TABLES
] + [
    "DROP FUNCTION IF EXISTS briefs_archive_bump_trigger()",
    "DROP FUNCTION IF EXISTS briefs_archive_bump()",
    "DROP TABLE IF EXISTS briefs_archive_version",
]

SQLITE_FORWARD = [
    """
    CREATE TABLE briefs_archive_version (
        id integer PRIMARY KEY CHECK (id = 1),
        n integer NOT NULL
    )
    """,
    "INSERT INTO briefs_archive_version (id, n) VALUES (1, 1)",
] + [
    f"""
    CREATE TRIGGER {table}_archive_bump_{op.lower()} AFTER {op} ON {table} BEGIN
        UPDATE briefs_archive_version SET n = n + 1 WHERE id = 1;
    END
    """
    for table in TABLES
    for op in ("INSERT", "UPDATE", "DELETE")
]

SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {table}_archive_bump_{op.lower()}"
    for table in TABLES
    for op in ("INSERT", "UPDATE", "DELETE")
] + ["DROP TABLE IF EXISTS briefs_archive_version"]


class Migration(migrations.Migration):

    dependencies = [
        ("briefs", "0004_curators_group"),
    ]

    operations = [
        vendor_sql(
            {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD},
            {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD},
            feature="The archive counter",
        ),
    ]
