"""Public notes bump their brief's, their story's and the note lists' keys, nothing else.

Annotations 0003 bumped the one archive counter, so each public note made every cached
page of the site cold. Now (briefs 0013's scheme) a note that is, was or becomes
public and not hidden bumps ``brief:<id>`` of its brief (the brief page and its notes
feed), ``story:<id>`` of that brief's story (the story page shows notes per version)
and ``notes`` (recent notes, the notes feeds, the API list). Private and group notes
bump nothing: nothing public or cached across readers depends on them.

A renamed reader (annotations 0012 bumped the whole archive) bumps ``notes`` and the
keys of the briefs and stories their public notes are on, where their name shows.
"""

from django.db import migrations

from core.migration_sql import sqlite_bump, vendor_sql, version_triggers

OLD_EVENTS = ("insert", "update", "delete")
USERS = "auth_user"
PUBLIC = "a.visibility = 'public' AND a.hidden = FALSE"
FORWARD, BACKWARD = version_triggers(
    "annotations_annotation",
    "annotations_annotation",
    [
        "'brief:' || r.brief_id",
        "'notes'",
        "'story:' || (SELECT b.story_id FROM briefs_brief b WHERE b.id = r.brief_id)",
    ],
    when="r.visibility = 'public' AND r.hidden = FALSE",
)


def _author_keys(user_id):
    """A SELECT of the keys showing the name of the reader ``user_id`` (an SQL expression)."""
    return f"""
        SELECT 'notes'
        UNION SELECT 'brief:' || a.brief_id FROM annotations_annotation a
              WHERE a.user_id = {user_id} AND {PUBLIC}
        UNION SELECT 'story:' || b.story_id FROM annotations_annotation a
              JOIN briefs_brief b ON b.id = a.brief_id
              WHERE a.user_id = {user_id} AND {PUBLIC} AND b.story_id IS NOT NULL
    """


RENAME_FORWARD = {
    "postgresql": [
        f"DROP TRIGGER IF EXISTS {USERS}_rename_archive_bump ON {USERS}",
        f"""
        CREATE FUNCTION annotations_author_rename_versions() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM briefs_cache_bump(ARRAY({_author_keys("NEW.id")}));
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE TRIGGER {USERS}_rename_versions AFTER UPDATE OF username ON {USERS}
        FOR EACH ROW WHEN (OLD.username IS DISTINCT FROM NEW.username)
        EXECUTE FUNCTION annotations_author_rename_versions()
        """,
    ],
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {USERS}_rename_archive_bump",
        f"""
        CREATE TRIGGER {USERS}_rename_versions AFTER UPDATE OF username ON {USERS}
        WHEN OLD.username IS NOT NEW.username
        BEGIN {sqlite_bump(_author_keys("NEW.id").replace("FALSE", "0"))} END
        """,
    ],
}
RENAME_BACKWARD = {
    "postgresql": [
        f"DROP TRIGGER IF EXISTS {USERS}_rename_versions ON {USERS}",
        "DROP FUNCTION IF EXISTS annotations_author_rename_versions()",
    ],
    "sqlite": [f"DROP TRIGGER IF EXISTS {USERS}_rename_versions"],
}
DROP_OLD = {
    "postgresql": [
        f"DROP TRIGGER IF EXISTS annotations_public_{name}_archive_bump ON annotations_annotation"
        for name in OLD_EVENTS
    ],
    "sqlite": [f"DROP TRIGGER IF EXISTS annotations_public_{name}_archive_bump" for name in OLD_EVENTS],
}


def _restore_old():
    from importlib import import_module

    old = import_module("annotations.migrations.0003_public_annotations_bump_archive")
    rename = import_module("annotations.migrations.0012_author_rename_bumps_archive")
    return {
        "postgresql": [s for s in old.POSTGRES_FORWARD if "TRUNCATE" not in s]
        + rename.POSTGRES_FORWARD,
        "sqlite": old.SQLITE_FORWARD + rename.SQLITE_FORWARD,
    }


class Migration(migrations.Migration):

    dependencies = [
        ("annotations", "0012_author_rename_bumps_archive"),
        ("briefs", "0013_cache_versions_and_topic_counts"),
    ]

    operations = [
        vendor_sql(
            {
                vendor: DROP_OLD[vendor] + FORWARD[vendor] + RENAME_FORWARD[vendor]
                for vendor in FORWARD
            },
            {
                vendor: RENAME_BACKWARD[vendor] + BACKWARD[vendor] + _restore_old()[vendor]
                for vendor in BACKWARD
            },
            feature="Cache versions",
        ),
    ]
