"""A renamed reader bumps the archive's change counter (briefs migration 0005).

Public notes show their author's name on pages and in feeds, which are cached and
validated under the counter: without this a renamed author's old name would be
served, and a feed reader told ``304``, until the caches timed out.
"""

from django.db import migrations

from core.migration_sql import vendor_sql

USERS = "auth_user"
RENAMED = "OLD.username IS DISTINCT FROM NEW.username"

POSTGRES_FORWARD = [
    f"""
    CREATE TRIGGER {USERS}_rename_archive_bump AFTER UPDATE OF username ON {USERS}
    FOR EACH ROW WHEN ({RENAMED}) EXECUTE FUNCTION briefs_archive_bump_trigger()
    """
]
POSTGRES_BACKWARD = [f"DROP TRIGGER IF EXISTS {USERS}_rename_archive_bump ON {USERS}"]

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER {USERS}_rename_archive_bump AFTER UPDATE OF username ON {USERS}
    WHEN OLD.username IS NOT NEW.username
    BEGIN
        UPDATE briefs_archive_version SET n = n + 1 WHERE id = 1;
    END
    """
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {USERS}_rename_archive_bump"]


class Migration(migrations.Migration):

    dependencies = [
        ("annotations", "0004_groups_replies_tags_tokens_flags"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        vendor_sql(
            {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD},
            {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD},
            feature="The archive counter",
        ),
    ]
