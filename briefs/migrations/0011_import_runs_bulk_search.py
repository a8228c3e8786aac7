"""Import runs of the admin (ImportRun, ImportItem), and a bulk path for the search index.

PostgreSQL only, for the batch import (``briefs.services.batch``): inside a transaction
that sets ``briefs.search_deferred`` to ``on`` (``briefs.search.search_refresh_deferred``),
inserting briefs and topic links leaves the search documents alone, and
``briefs_search_refresh_many(ids)`` then builds all of them in one statement. A brief
was vectorised twice before (on its insert, again on its links' insert), one function
call a row: two thirds of a bulk import's database time. Every other write is as before.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migration_sql import vendor_sql

POSTGRES_FORWARD = [
    """
    CREATE FUNCTION briefs_search_deferred() RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT coalesce(current_setting('briefs.search_deferred', true), '') = 'on'
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION briefs_brief_search_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM briefs_brief_search WHERE brief_id = OLD.id;
        ELSIF TG_OP = 'UPDATE' OR NOT briefs_search_deferred() THEN
            PERFORM briefs_search_refresh(NEW.id);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION briefs_taggedbrief_search_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT briefs_search_deferred() THEN
            PERFORM briefs_search_refresh(changed.id)
            FROM (SELECT DISTINCT content_object_id AS id FROM new_links) AS changed;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION briefs_search_refresh_many(wanted bigint[]) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO briefs_brief_search (brief_id, document)
        SELECT b.id,
               setweight(to_tsvector('briefs_english', b.title), 'A')
               || setweight(to_tsvector('briefs_english', coalesce(names.names, '')), 'A')
               || setweight(to_tsvector('briefs_english', b.dek), 'B')
               || setweight(to_tsvector('briefs_english', b.body), 'C')
        FROM briefs_brief b
        LEFT JOIN (
            SELECT tb.content_object_id AS id, string_agg(t.name, ' ') AS names
            FROM briefs_taggedbrief tb JOIN briefs_topic t ON t.id = tb.tag_id
            WHERE tb.content_object_id = ANY (wanted)
            GROUP BY tb.content_object_id
        ) AS names ON names.id = b.id
        WHERE b.id = ANY (wanted)
        ON CONFLICT (brief_id) DO UPDATE SET document = EXCLUDED.document;
    $$
    """,
]

# 0003's brief trigger function and 0006's link-insert function, as they were.
POSTGRES_BACKWARD = [
    """
    CREATE OR REPLACE FUNCTION briefs_brief_search_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM briefs_brief_search WHERE brief_id = OLD.id;
        ELSE
            PERFORM briefs_search_refresh(NEW.id);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION briefs_taggedbrief_search_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM briefs_search_refresh(changed.id)
        FROM (SELECT DISTINCT content_object_id AS id FROM new_links) AS changed;
        RETURN NULL;
    END $$
    """,
    "DROP FUNCTION IF EXISTS briefs_search_refresh_many(bigint[])",
    "DROP FUNCTION IF EXISTS briefs_search_deferred()",
]


class Migration(migrations.Migration):
    dependencies = [
        ('briefs', '0009_stories'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(editable=False, max_length=43, unique=True)),
                ('status', models.CharField(choices=[('reading', 'Reading'), ('preview', 'Waiting for confirmation'), ('queued', 'Queued'), ('running', 'Importing'), ('done', 'Done'), ('failed', 'Failed')], default='reading', max_length=10)),
                ('brief_status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], default='published', help_text='Status of the briefs the run creates.', max_length=10)),
                ('total', models.PositiveIntegerField(default=0)),
                ('done', models.PositiveIntegerField(default=0, help_text='Items read or imported so far.')),
                ('created', models.PositiveIntegerField(default=0)),
                ('updated', models.PositiveIntegerField(default=0)),
                ('unchanged', models.PositiveIntegerField(default=0)),
                ('failed', models.PositiveIntegerField(default=0)),
                ('corrected', models.PositiveIntegerField(default=0, help_text='Items whose fields the curator corrected in the preview.')),
                ('error', models.TextField(blank=True, help_text='Why the run stopped, when it failed.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('expires_at', models.DateTimeField(help_text='An unconfirmed preview is deleted after this.')),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='import_runs', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ImportItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveIntegerField()),
                ('name', models.CharField(max_length=500)),
                ('kind', models.CharField(choices=[('text', 'Text'), ('html', 'Saved page'), ('url', 'URL')], max_length=4)),
                ('url', models.URLField(blank=True, max_length=2000)),
                ('content', models.TextField(blank=True)),
                ('parsed', models.JSONField(blank=True, default=dict)),
                ('warnings', models.JSONField(blank=True, default=list)),
                ('corrections', models.JSONField(blank=True, default=dict)),
                ('action', models.CharField(blank=True, max_length=10)),
                ('reason', models.TextField(blank=True)),
                ('brief', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='import_items', to='briefs.brief')),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='briefs.importrun')),
            ],
            options={
                'ordering': ['run', 'position'],
            },
        ),
        migrations.AddIndex(
            model_name='importrun',
            index=models.Index(fields=['status', 'expires_at'], name='importrun_status_exp_idx'),
        ),
        migrations.AddConstraint(
            model_name='importitem',
            constraint=models.UniqueConstraint(fields=('run', 'position'), name='briefs_importitem_run_position_unique'),
        ),
        vendor_sql(
            {"postgresql": POSTGRES_FORWARD, "sqlite": []},
            {"postgresql": POSTGRES_BACKWARD, "sqlite": []},
            feature="The search index",
        ),
    ]
