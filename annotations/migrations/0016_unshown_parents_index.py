"""A small index of the notes that hide their replies: hidden or orphaned ones.

The rule of what may be shown (``annotations/querysets.py``, ``_shown_rule``) drops a
reply whose parent is hidden or orphaned. Said as a join to the parent, PostgreSQL
hashed all 300k notes for every list, count and search (70 of the 180 ms of
``/api/search/?per_page=100&page=500`` and of ``?text=the``'s count); said as "the
parent is not among the unshown notes", it reads this index, which holds only those.

Raw SQL on both databases (as 0015's trigram indexes): a partial index the model's
``Meta`` does not list, so the model state is unchanged.
"""

from django.db import migrations

from core.migration_sql import vendor_sql

FORWARD = [
    "CREATE INDEX annotation_unshown_idx ON annotations_annotation (id)"
    " WHERE hidden OR anchor_status = 'orphaned'"
]
BACKWARD = ["DROP INDEX IF EXISTS annotation_unshown_idx"]


class Migration(migrations.Migration):

    dependencies = [("annotations", "0015_search_orders_and_text")]

    operations = [
        vendor_sql(
            {"postgresql": FORWARD, "sqlite": FORWARD},
            {"postgresql": BACKWARD, "sqlite": BACKWARD},
            feature="The unshown notes index",
        ),
    ]
