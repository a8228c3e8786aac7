"""Indexes for the notes search (``GET /api/search/``, annotations/search.py).

- The created and modified orders over notes of every visibility (a signed-in reader's
  public, group and own notes; a public-only walk filters a third of them): the page
  was a sort of every visible note (issue 14: ``?sort=modified`` 380 ms at 300k notes).
- On PostgreSQL, trigram GIN indexes on ``UPPER(note)`` and ``UPPER(exact)``: the
  ``text`` filter is ``icontains`` (``UPPER(col) LIKE UPPER('%word%')``), which such an
  index answers without reading every note. SQLite keeps its plain scan.
"""

from django.db import migrations, models

from core.migration_sql import vendor_sql

TEXT_COLUMNS = {"note": "annotation_note_trgm_idx", "exact": "annotation_exact_trgm_idx"}
POSTGRES_FORWARD = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
    f"CREATE INDEX {name} ON annotations_annotation USING gin (UPPER({column}) gin_trgm_ops)"
    for column, name in TEXT_COLUMNS.items()
]
# The extension stays (as briefs 0007's unaccent): other objects may have come to use it;
# Django's TrigramExtension would drop it, and runs its check on SQLite too going back.
POSTGRES_BACKWARD = [f"DROP INDEX IF EXISTS {name}" for name in TEXT_COLUMNS.values()]


class Migration(migrations.Migration):

    dependencies = [("annotations", "0014_public_note_counts")]

    operations = [
        migrations.AddIndex(
            model_name="annotation",
            index=models.Index(fields=["-created_at", "-id"], name="annotation_created_idx"),
        ),
        migrations.AddIndex(
            model_name="annotation",
            index=models.Index(fields=["-modified_at", "-id"], name="annotation_modified_idx"),
        ),
        vendor_sql(
            {"postgresql": POSTGRES_FORWARD, "sqlite": []},
            {"postgresql": POSTGRES_BACKWARD, "sqlite": []},
            feature="Note text search indexes",
        ),
    ]
