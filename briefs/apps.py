"""App config for briefs: the archive of news briefs, their sources and topics."""

import importlib

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_curators_group(sender, using="default", **kwargs):
    """Recreate the "Curators" group when a ``flush`` emptied the tables its migration filled.

    ``migrate`` creates it (migration 0004); ``flush`` (and every transactional test) wipes
    it but re-sends ``post_migrate`` for every app in turn: the group is made at the last
    app's, once auth has recreated the permissions of all of them.
    """
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    if sender is not [app for app in apps.get_app_configs() if app.models_module][-1]:
        return

    migration = importlib.import_module("briefs.migrations.0004_curators_group")
    if Group.objects.using(using).filter(name=migration.GROUP).exists():
        return
    group = Group.objects.using(using).create(name=migration.GROUP)
    permissions = {
        **migration.PERMISSIONS,
        **importlib.import_module("briefs.migrations.0009_stories").PERMISSIONS,
    }
    for (app_label, model), actions in permissions.items():
        group.permissions.add(
            *Permission.objects.using(using).filter(
                content_type__app_label=app_label,
                codename__in=[f"{action}_{model}" for action in actions],
            )
        )


class BriefsConfig(AppConfig):
    name = "briefs"
    verbose_name = "Briefs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(ensure_curators_group, dispatch_uid="briefs-curators")
