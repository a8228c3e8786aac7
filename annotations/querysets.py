"""Who may see which annotations: the one place that decides it.

Every surface (brief pages, note lists, feeds, the API, counts) starts from
``Annotation.objects.public()`` or ``Annotation.objects.visible_to(user)``.
"""

from django.db import models

from briefs.models import Brief


class AnnotationQuerySet(models.QuerySet):
    def public(self):
        """The notes anyone may see: the one rule every public surface uses.

        Public, not hidden by a curator, still anchored in the text (an orphan's passage
        is gone from the brief, so its quote is no longer the archive's to show), and on
        a published brief.
        """
        return self.filter(
            visibility="public", hidden=False, brief__in=Brief.objects.published()
        ).exclude(anchor_status="orphaned")

    def for_curators(self):
        """The notes curators moderate in the admin: public ones, hidden and orphaned included.

        A private note is its owner's alone: it is neither listed, counted nor linked
        anywhere in the admin, for curators and superusers alike.
        """
        return self.filter(visibility="public")

    def visible_to(self, user):
        """What ``user`` may see: the public notes, plus all their own on published briefs.

        A reader's own notes include private, hidden and orphaned ones (shown to them with
        the old quote), so nobody loses what they wrote.
        """
        if user is None or not user.is_authenticated:
            return self.public()
        own = self.filter(user=user, brief__in=Brief.objects.published())
        return self.public() | own
