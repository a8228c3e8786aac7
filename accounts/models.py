"""What a signed-in reader chose once and keeps on every device: their reading preferences."""

from django.conf import settings
from django.db import models


class ReaderPreferencesQuerySet(models.QuerySet):
    """Reads of reader preferences."""

    def wants_every_version(self, user):
        """Whether signed-in ``user`` chose to see every version of an event (one query)."""
        return self.filter(user=user, every_version=True).exists()


class ReaderPreferences(models.Model):
    """One row per reader who changed a default; a reader without one has the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="reader_preferences",
    )
    every_version = models.BooleanField(
        default=False,
        help_text="Lists show every source's brief of an event, not one card per story.",
    )

    objects = ReaderPreferencesQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "reader preferences"
        ordering = ("user",)

    def __str__(self):
        return f"Preferences of {self.user}"
