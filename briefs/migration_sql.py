"""Run raw SQL in a migration, one list of statements per database vendor.

For the parts of the schema no model describes (triggers, the archive counter).
"""

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
