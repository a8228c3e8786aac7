"""Who may see which annotations: the one place that decides it."""

from django.db import models


class AnnotationQuerySet(models.QuerySet):
    def public(self):
        """Annotations anyone may see: public and not hidden by a curator."""
        return self.filter(visibility="public", hidden=False)

    def visible_to(self, user):
        """What ``user`` may see: public ones, plus their own (private or hidden included)."""
        if user is None or not user.is_authenticated:
            return self.public()
        return self.filter(models.Q(visibility="public", hidden=False) | models.Q(user=user))

    def anchored(self):
        """Those with a place in the current text (orphans have lost theirs)."""
        return self.exclude(anchor_status="orphaned")

    def orphaned(self):
        """Those whose passage changed beyond safe re-anchoring."""
        return self.filter(anchor_status="orphaned")
