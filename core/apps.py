from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Site infrastructure"

    def ready(self):
        from . import checks, converters, lookups  # noqa: F401  (registers the checks and converters)

        lookups.register()
