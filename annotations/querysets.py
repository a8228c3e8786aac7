"""Who may see which annotations: the one place that decides it."""

from django.db import models


class AnnotationQuerySet(models.QuerySet):
    def public(self):
        """Annotations anyone may see."""
        return self.filter(visibility="public")

    def visible_to(self, user):
        """What ``user`` may see: public ones, plus their own (private included)."""
        if user is None or not user.is_authenticated:
            return self.public()
        return self.filter(models.Q(visibility="public") | models.Q(user=user))
