"""Run raw SQL in a migration, one list of statements per database vendor.

For the parts of the schema no model describes (triggers, the archive counter). Shared
infrastructure: the briefs and annotations migrations both import it, so it lives in
``core`` (which has no models of its own) rather than in either app.
"""

import re

from django.db import migrations


def vendor_sql(forward, backward, *, feature):
    """A RunPython operation running ``forward[vendor]`` (``backward[vendor]`` to undo)."""

    def runner(statements_by_vendor):
        def run(apps, schema_editor):
            vendor = schema_editor.connection.vendor
            if vendor not in statements_by_vendor:
                raise NotImplementedError(
                    f"{feature} supports PostgreSQL and SQLite, not {vendor}."
                )
            for statement in statements_by_vendor[vendor]:
                schema_editor.execute(statement, params=None)

        return run

    return migrations.RunPython(runner(forward), runner(backward))


# Cache version keys (briefs migration 0013, core/cache.py) ---------------------------------
#
# ``briefs_cache_version`` holds one counter per key ("brief:12", "topic:7", "notes"…);
# a key with no row is at version 0. Triggers bump the keys a write touches, so every
# write path invalidates exactly the cached pages and reads that declared those keys.

OPERATIONS = ("INSERT", "UPDATE", "DELETE")
_PG_TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}
_PG_ROWS = {
    "INSERT": "SELECT * FROM new_rows",
    "UPDATE": "SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows",
    "DELETE": "SELECT * FROM old_rows",
}
_SQLITE_SIDES = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}


def sqlite_bump(select_keys):
    """SQLite statements bumping every key ``select_keys`` yields (a SELECT of one column k),
    and ``any`` (what a read that declared no keys depends on).

    The archive counter row moves too: its trigger (briefs migration 0012) advances
    ``changed_at``, what the feeds' Last-Modified says.
    """
    return (
        "UPDATE briefs_archive_version SET n = n + 1 WHERE id = 1; "
        "INSERT INTO briefs_cache_version (key, n) "
        f"SELECT DISTINCT k, 1 FROM (SELECT 'any' AS k UNION {select_keys}) WHERE k IS NOT NULL "
        "ON CONFLICT(key) DO UPDATE SET n = n + 1;"
    )


def version_triggers(name, table, keys, *, when="TRUE"):
    """Forward and backward SQL, per vendor, bumping ``keys`` on any write to ``table``.

    ``keys`` are SQL expressions over a changed row ``r`` (``"'story:' || r.id"``);
    ``when`` a condition on ``r`` (only such rows bump). PostgreSQL runs one statement
    trigger per operation over the transition tables (a bulk update bumps each key
    once); SQLite a row trigger per operation and side (old row, new row). A model
    joins the scheme with one call in its migration::

        vendor_sql(*version_triggers("story", "briefs_story", ["'story:' || r.id"]), ...)

    Returns ``(forward, backward)`` dictionaries for :func:`vendor_sql`.
    """
    values = ", ".join(f"({key})" for key in keys)
    pg_forward, pg_backward, sqlite_forward, sqlite_backward = [], [], [], []
    for op in OPERATIONS:
        function = f"{name}_versions_{op.lower()}"
        pg_forward += [
            f"""
            CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM briefs_cache_bump(ARRAY(
                    SELECT keys.k FROM ({_PG_ROWS[op]}) AS r,
                    LATERAL (VALUES {values}) AS keys(k) WHERE {when}
                ));
                RETURN NULL;
            END $$
            """,
            f"""
            CREATE TRIGGER {function} AFTER {op} ON {table} {_PG_TRANSITIONS[op]}
            FOR EACH STATEMENT EXECUTE FUNCTION {function}()
            """,
        ]
        pg_backward += [
            f"DROP TRIGGER IF EXISTS {function} ON {table}",
            f"DROP FUNCTION IF EXISTS {function}()",
        ]
        for side in _SQLITE_SIDES[op]:
            trigger = f"{function}_{side.lower()}"
            selects = " UNION ".join(f"SELECT {key}" for key in keys)
            sqlite_forward.append(
                f"""
                CREATE TRIGGER {trigger} AFTER {op} ON {table}
                WHEN {_on_side(when, side)}
                BEGIN {sqlite_bump(_on_side(selects, side))} END
                """
            )
            sqlite_backward.append(f"DROP TRIGGER IF EXISTS {trigger}")
    return (
        {"postgresql": pg_forward, "sqlite": sqlite_forward},
        {"postgresql": pg_backward, "sqlite": sqlite_backward},
    )


def _on_side(sql, side):
    """``r.`` columns read from SQLite's NEW or OLD row; TRUE/FALSE as SQLite's 1/0."""
    sql = re.sub(r"\br\.", f"{side}.", sql)
    return re.sub(r"\bTRUE\b", "1", re.sub(r"\bFALSE\b", "0", sql))
