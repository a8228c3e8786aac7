"""Search ignores accents on PostgreSQL too: ``Bogota`` finds Bogotá, ``São Paulo`` Sao Paulo.

SQLite's FTS5 table has folded diacritics since 0003 (``remove_diacritics 2``); PostgreSQL's
``english`` configuration kept them, so the two databases answered differently (issue 15).
This adds the text search configuration ``briefs_english``: ``english`` with the ``unaccent``
dictionary before the stemmer for words with letters outside ASCII (the ``word``, ``hword``
and ``hword_part`` tokens; ASCII tokens carry no accents). The stored documents are rebuilt
with it, and briefs/search.py queries and cuts snippets with the same name, so both sides of
``@@`` are folded alike. Nothing changes on SQLite.
"""

from importlib import import_module

from django.db import migrations

from core.migration_sql import vendor_sql

CONFIG = "briefs_english"


def _refresh(config):
    """0003's ``briefs_search_refresh``, replaced by one vectorising with ``config``."""
    [statement] = [
        statement
        for statement in import_module("briefs.migrations.0003_search_index").POSTGRES_FORWARD
        if "CREATE FUNCTION briefs_search_refresh" in statement
    ]
    return statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION").replace(
        "'english'", f"'{config}'"
    )


_REBUILD = "SELECT briefs_search_refresh(id) FROM briefs_brief"

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = english)",
    f"""
    ALTER TEXT SEARCH CONFIGURATION {CONFIG}
    ALTER MAPPING FOR word, hword, hword_part WITH unaccent, english_stem
    """,
    _refresh(CONFIG),
    _REBUILD,
]

# The extension stays: other database objects may have come to use it since.
POSTGRES_BACKWARD = [
    _refresh("english"),
    _REBUILD,
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}",
]


class Migration(migrations.Migration):

    dependencies = [
        ("briefs", "0006_search_refresh_per_statement"),
    ]

    operations = [
        vendor_sql(
            {"postgresql": POSTGRES_FORWARD, "sqlite": []},
            {"postgresql": POSTGRES_BACKWARD, "sqlite": []},
            feature="The search index",
        ),
    ]
