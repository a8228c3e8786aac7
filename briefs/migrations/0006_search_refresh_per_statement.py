"""Refresh the search index once per statement on topic links, not once per link (PostgreSQL).

Migration 0003 rebuilt a brief's whole search document (title, topics, dek and body
through ``to_tsvector``) for every topic link inserted or deleted: importing a brief
with nine topics vectorised its body ten times. These statement triggers read the
changed links from transition tables and refresh each brief they touch once, so the
importer's single INSERT of all a brief's links costs one refresh. SQLite keeps its
row triggers (FTS5 updates only the topics column, which is cheap).
"""

from importlib import import_module

from django.db import migrations

from core.migration_sql import vendor_sql

CHANGED = {
    "INSERT": "SELECT content_object_id FROM new_links",
    "DELETE": "SELECT content_object_id FROM old_links",
    "UPDATE": "SELECT content_object_id FROM old_links "
    "UNION SELECT content_object_id FROM new_links",
}
TRANSITIONS = {
    "INSERT": "NEW TABLE AS new_links",
    "DELETE": "OLD TABLE AS old_links",
    "UPDATE": "OLD TABLE AS old_links NEW TABLE AS new_links",
}

POSTGRES_FORWARD = [
    "DROP TRIGGER IF EXISTS briefs_taggedbrief_search_sync ON briefs_taggedbrief",
    "DROP FUNCTION IF EXISTS briefs_taggedbrief_search_sync()",
] + [
    statement
    for op in ("INSERT", "UPDATE", "DELETE")
    for statement in (
        f"""
        CREATE FUNCTION briefs_taggedbrief_search_{op.lower()}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM briefs_search_refresh(changed.id)
            FROM (SELECT DISTINCT content_object_id AS id FROM ({CHANGED[op]}) AS links)
                AS changed;
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE TRIGGER briefs_taggedbrief_search_{op.lower()}
        AFTER {op} ON briefs_taggedbrief REFERENCING {TRANSITIONS[op]}
        FOR EACH STATEMENT EXECUTE FUNCTION briefs_taggedbrief_search_{op.lower()}()
        """,
    )
]

POSTGRES_BACKWARD = [
    statement
    for op in ("insert", "update", "delete")
    for statement in (
        f"DROP TRIGGER IF EXISTS briefs_taggedbrief_search_{op} ON briefs_taggedbrief",
        f"DROP FUNCTION IF EXISTS briefs_taggedbrief_search_{op}()",
    )
]  # then the row trigger of 0003 again:
POSTGRES_BACKWARD += [
    statement
    for statement in import_module("briefs.migrations.0003_search_index").POSTGRES_FORWARD
    if "briefs_taggedbrief_search_sync()" in statement
]


class Migration(migrations.Migration):

    dependencies = [
        ("briefs", "0005_archive_version"),
    ]

    operations = [
        vendor_sql(
            {"postgresql": POSTGRES_FORWARD, "sqlite": []},
            {"postgresql": POSTGRES_BACKWARD, "sqlite": []},
            feature="The search index",
        ),
    ]
