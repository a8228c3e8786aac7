"""Stories (issue 18): ``Story``, ``Brief.story``, the curator's ``story_excluded`` and
``StoryApart``; story rows bump the archive counter like briefs do (migration 0005), and
curators may view and edit stories."""

import django.db.models.deletion
import django.utils.timezone
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

from core.migration_sql import vendor_sql

GROUP = "Curators"
PERMISSIONS = {("briefs", "story"): ["view", "change"]}

POSTGRES_FORWARD = [
    """
    CREATE TRIGGER briefs_story_archive_bump
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON briefs_story
    FOR EACH STATEMENT EXECUTE FUNCTION briefs_archive_bump_trigger()
    """
]
POSTGRES_BACKWARD = ["DROP TRIGGER IF EXISTS briefs_story_archive_bump ON briefs_story"]
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER briefs_story_archive_bump_{op.lower()} AFTER {op} ON briefs_story BEGIN
        UPDATE briefs_archive_version SET n = n + 1 WHERE id = 1;
    END
    """
    for op in ("INSERT", "UPDATE", "DELETE")
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS briefs_story_archive_bump_{op.lower()}"
    for op in ("INSERT", "UPDATE", "DELETE")
]


# SQLite adds the new brief columns by rebuilding briefs_brief, which drops its triggers
# (the search index upkeep of 0003 and the archive counter of 0005): keep their SQL before
# the rebuild and create them again after it. PostgreSQL alters the table in place.
_saved_triggers = []


def _keep_brief_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'briefs_brief'"
        )
        _saved_triggers[:] = [row[0] for row in cursor.fetchall()]


def _restore_brief_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'briefs_brief'"
        )
        if cursor.fetchall():
            return
    for statement in _saved_triggers:
        schema_editor.execute(statement, params=None)


def grant_curators(apps, schema_editor):
    app_config = apps.get_app_config("briefs")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group is None:
        return
    for (app_label, model), actions in PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label,
                codename__in=[f"{action}_{model}" for action in actions],
            )
        )


class Migration(migrations.Migration):

    dependencies = [
        ('briefs', '0008_topic_identity_and_undated_drafts'),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(_keep_brief_triggers, _restore_brief_triggers),
        migrations.AddField(
            model_name='brief',
            name='story_excluded',
            field=models.BooleanField(default=False, help_text='A curator said this brief is not part of any story; re-grouping leaves it alone.'),
        ),
        migrations.CreateModel(
            name='Story',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=500)),
                ('slug', models.SlugField(blank=True, max_length=200, unique=True)),
                ('curator_fixed', models.BooleanField(default=False, help_text='A curator settled its briefs; re-grouping keeps them.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now, help_text='When a brief last joined, left or changed.')),
            ],
            options={
                'verbose_name_plural': 'stories',
                'ordering': ['-updated_at', '-id'],
                'indexes': [models.Index(fields=['-updated_at', '-id'], name='story_updated_idx')],
            },
        ),
        migrations.AddField(
            model_name='brief',
            name='story',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='briefs', to='briefs.story'),
        ),
        migrations.CreateModel(
            name='StoryApart',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('brief', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='briefs.brief')),
                ('other', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='briefs.brief')),
            ],
            options={
                'ordering': ['brief', 'other'],
                'indexes': [models.Index(fields=['other'], name='storyapart_other_idx')],
                'constraints': [models.UniqueConstraint(fields=('brief', 'other'), name='briefs_storyapart_unique'), models.CheckConstraint(condition=models.Q(('brief__lt', models.F('other'))), name='briefs_storyapart_ordered')],
            },
        ),
        migrations.RunPython(_restore_brief_triggers, _keep_brief_triggers),
        vendor_sql(
            {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD},
            {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD},
            feature="The archive counter",
        ),
        migrations.RunPython(grant_curators, migrations.RunPython.noop),
    ]
