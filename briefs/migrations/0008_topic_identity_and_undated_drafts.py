"""Undated drafts and Unicode case-insensitive topic identity (issue 13).

- ``Brief.published_at`` may be empty, on drafts only (a named check constraint);
  undated drafts sort first.
- ``Topic.name_key`` (``briefs.text.topic_identity``: NFKC + casefold, invisible
  characters and extra spaces gone) replaces the ``Lower(name)`` unique constraint,
  which folded ASCII letters only on SQLite. Topics whose names already share a key
  ("Énergie Solaire" and "énergie solaire", "Mining" and "Mining" + U+200F) are merged
  into the oldest: their briefs and suggestions move, their slugs redirect.
- ``TopicSlugRedirect.old_name`` / ``old_name_key``: the name a topic had before a
  rename or merge, so imports listing it find the current topic (blank on older rows).

SQLite alters a column or constraint by rebuilding the table, which its triggers (search
index, archive counter) would not survive: they are set aside first and recreated, as
they were, afterwards.
"""

import unicodedata

from django.db import migrations, models
from django.db.models import F

from core.text import strip_unfit_characters


def _identity(name):
    """A frozen copy of ``briefs.text.topic_identity`` as of this migration."""
    text = unicodedata.normalize("NFKC", strip_unfit_characters(name or ""))
    text = unicodedata.normalize("NFKC", text.casefold())
    return " ".join(text.split())


_SET_ASIDE_TRIGGERS = []


def set_triggers_aside(apps, schema_editor):
    """On SQLite, drop every trigger, keeping its SQL for ``restore_triggers``."""
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        triggers = cursor.fetchall()
    _SET_ASIDE_TRIGGERS[:] = [sql for _, sql in triggers]
    for name, _ in triggers:
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}"', params=None)


def restore_triggers(apps, schema_editor):
    """Recreate the triggers ``set_triggers_aside`` dropped (SQLite only)."""
    for sql in _SET_ASIDE_TRIGGERS:
        schema_editor.execute(sql, params=None)
    _SET_ASIDE_TRIGGERS.clear()


def fill_name_keys(apps, schema_editor):
    Topic = apps.get_model("briefs", "Topic")
    TaggedBrief = apps.get_model("briefs", "TaggedBrief")
    TopicSuggestion = apps.get_model("briefs", "TopicSuggestion")
    TopicSlugRedirect = apps.get_model("briefs", "TopicSlugRedirect")
    kept = {}
    for topic in Topic.objects.order_by("pk"):
        key = _identity(topic.name)
        keep = kept.get(key)
        if keep is None:
            kept[key] = topic
            continue
        for model, owner in ((TaggedBrief, "content_object_id"), (TopicSuggestion, "brief_id")):
            field = "tag" if model is TaggedBrief else "topic"
            owners = model.objects.filter(**{field: keep}).values_list(owner, flat=True)
            model.objects.filter(**{field: topic, f"{owner}__in": list(owners)}).delete()
            model.objects.filter(**{field: topic}).update(**{field: keep})
        TopicSlugRedirect.objects.filter(topic=topic).update(topic=keep)
        TopicSlugRedirect.objects.create(
            old_slug=topic.slug, topic=keep, old_name=topic.name[:100], old_name_key=key
        )
        topic.delete()
    for key, topic in kept.items():
        Topic.objects.filter(pk=topic.pk).update(
            name=strip_unfit_characters(topic.name), name_key=key
        )
    if schema_editor.connection.vendor == "postgresql":
        # Fire the deferred foreign-key checks now: PostgreSQL refuses to alter a table
        # with pending trigger events, and the constraint below alters briefs_topic.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ("briefs", "0007_search_unaccent"),
    ]

    operations = [
        migrations.RunPython(set_triggers_aside, restore_triggers),
        migrations.AlterField(
            model_name="brief",
            name="published_at",
            field=models.DateTimeField(
                blank=True,
                null=True,
                help_text="When the text gives only a date: midnight UTC of that date. "
                "Empty only on a draft (an import without a usable date waits for a curator).",
            ),
        ),
        migrations.AlterModelOptions(
            name="brief",
            options={"ordering": [F("published_at").desc(nulls_first=True), "-id"]},
        ),
        migrations.AddConstraint(
            model_name="brief",
            constraint=models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="briefs_brief_published_has_date",
                violation_error_message="A published brief needs a publication date.",
            ),
        ),
        migrations.AddField(
            model_name="topic",
            name="name_key",
            field=models.CharField(
                default="",
                editable=False,
                max_length=200,
                help_text="The name as topics are told apart (briefs.text.topic_identity): "
                "Unicode case-insensitive, on every database.",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="topicslugredirect",
            name="old_name",
            field=models.CharField(
                blank=True,
                max_length=100,
                help_text="The topic's name before the rename or merge.",
            ),
        ),
        migrations.AddField(
            model_name="topicslugredirect",
            name="old_name_key",
            field=models.CharField(
                blank=True,
                db_index=True,
                editable=False,
                max_length=200,
                help_text="topic_identity(old_name): imports that list the old name find "
                "the topic.",
            ),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="topic", name="briefs_topic_name_ci_unique"),
        migrations.AddConstraint(
            model_name="topic",
            constraint=models.UniqueConstraint(
                fields=["name_key"], name="briefs_topic_name_key_unique"
            ),
        ),
        migrations.RunPython(restore_triggers, set_triggers_aside),
    ]
