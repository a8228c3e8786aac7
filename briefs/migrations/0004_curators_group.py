"""The "Curators" group: staff who keep the archive clean in the admin, and nothing more.

They import and edit briefs and sources, rename, merge and delete topics, settle topic
suggestions, and moderate annotations; they cannot delete briefs or touch users and groups.
Permissions are created first, so this works on a fresh database (they are normally made
after all migrations have run).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Curators"
PERMISSIONS = {
    ("briefs", "brief"): ["view", "add", "change"],
    ("briefs", "source"): ["view", "add", "change"],
    ("briefs", "topic"): ["view", "add", "change", "delete"],
    ("briefs", "topicsuggestion"): ["view", "change", "delete"],
    ("briefs", "topicslugredirect"): ["view"],
    ("briefs", "briefrevision"): ["view"],
    ("annotations", "annotation"): ["view", "change"],
}


def create_curators(apps, schema_editor):
    for app_label in {app_label for app_label, _ in PERMISSIONS}:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for (app_label, model), actions in PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label,
                codename__in=[f"{action}_{model}" for action in actions],
            )
        )


def remove_curators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("briefs", "0003_search_index"),
        ("annotations", "0002_anchor_status_and_hidden"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_curators, remove_curators)]
