"""Public notes bump their brief's cache key and the note lists' key, nothing else.

Annotations 0003 bumped the one archive counter, so each public note made every cached
page of the site cold. Now (briefs 0010's scheme) a note that is, was or becomes
public and not hidden bumps ``brief:<id>`` of its brief (the brief page and its notes
feed) and ``notes`` (recent notes, the notes feeds, the API list). Private notes bump
nothing: nothing cached depends on them.
"""

from django.db import migrations

from briefs.migration_sql import vendor_sql, version_triggers

OLD_EVENTS = ("insert", "update", "delete")
FORWARD, BACKWARD = version_triggers(
    "annotations_annotation",
    "annotations_annotation",
    ["'brief:' || r.brief_id", "'notes'"],
    when="r.visibility = 'public' AND r.hidden = FALSE",
)
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
    return {
        "postgresql": [s for s in old.POSTGRES_FORWARD if "TRUNCATE" not in s],
        "sqlite": old.SQLITE_FORWARD,
    }


class Migration(migrations.Migration):

    dependencies = [
        ("annotations", "0003_public_annotations_bump_archive"),
        ("briefs", "0010_cache_versions_and_topic_counts"),
    ]

    operations = [
        vendor_sql(
            {vendor: DROP_OLD[vendor] + FORWARD[vendor] for vendor in FORWARD},
            {vendor: BACKWARD[vendor] + _restore_old()[vendor] for vendor in BACKWARD},
            feature="Cache versions",
        ),
    ]
