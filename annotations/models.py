"""Annotations: a reader's note on a passage of a brief, in the W3C Web Annotation shape.

The passage is held twice, as the W3C selectors do: a TextQuoteSelector
(``exact`` with ``prefix``/``suffix``) and a TextPositionSelector (``start``/``end``,
character offsets into ``brief.body``).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from briefs.models import Brief

from .querysets import AnnotationQuerySet


class Annotation(models.Model):
    """A highlight of a passage of a brief, with an optional note."""

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private"
        PUBLIC = "public", "Public"

    class AnchorStatus(models.TextChoices):
        """How the passage was found after the brief's last body change."""

        EXACT = "exact", "Exact"
        SHIFTED = "shifted", "Shifted"
        FUZZY = "fuzzy", "Fuzzy"
        ORPHANED = "orphaned", "Orphaned"

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="annotations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="annotations"
    )
    exact = models.TextField(help_text="The quoted passage (TextQuoteSelector.exact).")
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    start = models.PositiveIntegerField(help_text="Offset of the first character in the body.")
    end = models.PositiveIntegerField(help_text="Offset just past the last character.")
    note = models.TextField(blank=True, help_text="Empty for a plain highlight.")
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    anchor_status = models.CharField(
        max_length=10,
        choices=AnchorStatus.choices,
        default=AnchorStatus.EXACT,
        help_text="Orphaned: the passage changed and the note could not safely follow it; "
        "start, end and the quote are where it last was.",
    )
    hidden = models.BooleanField(
        default=False,
        help_text="Hidden by a curator: gone from public pages, the API and feeds; "
        "its owner still sees it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__gte=0) & models.Q(start__lt=models.F("end")),
                name="annotations_annotation_range_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=["private", "public"]),
                name="annotations_annotation_visibility_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(anchor_status__in=["exact", "shifted", "fuzzy", "orphaned"]),
                name="annotations_annotation_anchor_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["brief", "start"], name="annotation_brief_start_idx"),
            models.Index(fields=["user", "-created_at"], name="annotation_user_created_idx"),
            models.Index(
                fields=["visibility", "-created_at"], name="annotation_visibility_idx"
            ),
            models.Index(
                fields=["anchor_status", "-created_at"], name="annotation_anchor_status_idx"
            ),
        ]

    def __str__(self):
        quote = self.exact if len(self.exact) <= 60 else self.exact[:57] + "…"
        return f"“{quote}” on {self.brief_id}"

    @property
    def is_orphaned(self):
        return self.anchor_status == self.AnchorStatus.ORPHANED

    @property
    def is_public(self):
        return self.visibility == self.Visibility.PUBLIC

    def get_absolute_url(self):
        return reverse("briefs:brief-detail", kwargs={"slug": self.brief.slug}) + (
            f"#annotation-{self.pk}"
        )
