"""App config for briefs: the archive of news briefs, their sources and topics."""
from django.apps import AppConfig


class BriefsConfig(AppConfig):
    name = "briefs"
    verbose_name = "Briefs"
    default_auto_field = "django.db.models.BigAutoField"
