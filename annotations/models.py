"""Annotations: a reader's note on a passage of a brief, in the W3C Web Annotation shape.

The passage is held twice, as the W3C selectors do: a TextQuoteSelector
(``exact`` with ``prefix``/``suffix``) and a TextPositionSelector (``start``/``end``,
character offsets into ``brief.body``).
"""

import secrets

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count
from django.urls import reverse
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from briefs.models import Brief
from config.limits import (
    API_TOKEN_NAME_MAX_LENGTH,
    FLAG_REASON_MAX_LENGTH,
    GROUP_NAME_MAX_LENGTH,
)
from core.text import strip_unfit_characters

from .querysets import AnnotationQuerySet

# A note's label (str) quotes at most this many characters of its passage.
STR_QUOTE_LENGTH = 60


def new_secret():
    """A fresh URL-safe secret (43 characters, 256 bits) for invite and feed links."""
    return secrets.token_urlsafe(32)


class Group(models.Model):
    """A reading group: its members share notes only they can see."""

    name = models.CharField(max_length=GROUP_NAME_MAX_LENGTH)
    slug = models.SlugField(max_length=GROUP_NAME_MAX_LENGTH, unique=True)
    description = models.TextField(blank=True)
    invite_key = models.CharField(
        max_length=64, unique=True, default=new_secret,
        help_text="The secret in the invite link; renewing it kills the old link.",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="note_groups"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    backup_credential_fields = ("invite_key",)  # briefs/backup.py: only with credentials

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("annotations:group-detail", kwargs={"slug": self.slug})

    def clean(self):
        self.name = strip_unfit_characters(self.name or "")
        self.description = strip_unfit_characters(self.description or "")


class Membership(models.Model):
    """One reader in one group, as its owner or a member, with their own secret feed key."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="note_memberships"
    )
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    feed_key = models.CharField(
        max_length=64, unique=True, default=new_secret,
        help_text="The secret in this member's group feed URL (no session needed).",
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    backup_credential_fields = ("feed_key",)  # briefs/backup.py: only with credentials

    class Meta:
        ordering = ["group", "joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="annotations_membership_once"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "member"]),
                name="annotations_membership_role_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.group} ({self.role})"

    def get_absolute_url(self):
        return self.group.get_absolute_url()

    @property
    def is_owner(self):
        return self.role == self.Role.OWNER


class NoteTag(TagBase):
    """A reader's free-form tag on notes ("to-check", "quote"), apart from the archive's topics."""

    class Meta:
        ordering = ["name"]

    def get_absolute_url(self):
        return reverse("annotations:recent") + f"?tag={self.name}"


class Annotation(models.Model):
    """A highlight of a passage of a brief, with an optional note; or a reply to another note.

    A reply (``parent`` set) has no passage of its own: its quote is empty, its offsets
    0 and 0, and it carries its parent's brief, visibility and group.
    """

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private"
        GROUP = "group", "Group"
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
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="annotations",
        help_text="Set exactly when the visibility is group: the group whose members see it.",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies",
        help_text="Set for a reply: the note it answers.",
    )
    deleted_at = models.DateTimeField(
        null=True, blank=True,
        help_text="Deleted by its author while it had replies: kept as a placeholder.",
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
    tags = TaggableManager(through="TaggedNote", blank=True, related_name="annotations")

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(parent__isnull=True)
                    & models.Q(start__gte=0)
                    & models.Q(start__lt=models.F("end"))
                )
                | (models.Q(parent__isnull=False) & models.Q(start=0, end=0, exact="")),
                name="annotations_annotation_range_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=["private", "group", "public"]),
                name="annotations_annotation_visibility_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(visibility="group", group__isnull=False)
                | (~models.Q(visibility="group") & models.Q(group__isnull=True)),
                name="annotations_annotation_group_iff_group_visibility",
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
            # The search's orders over notes of every visibility (a signed-in reader's
            # public, group and own notes; annotations/search.py SORTS), walked either way.
            models.Index(fields=["-created_at", "-id"], name="annotation_created_idx"),
            models.Index(fields=["-modified_at", "-id"], name="annotation_modified_idx"),
        ]

    def __str__(self):
        if self.parent_id:
            return f"Reply to {self.parent_id} on {self.brief_id}"
        quote = self.exact
        if len(quote) > STR_QUOTE_LENGTH:
            quote = quote[: STR_QUOTE_LENGTH - 3] + "…"
        return f"“{quote}” on {self.brief_id}"

    @property
    def is_orphaned(self):
        return self.anchor_status == self.AnchorStatus.ORPHANED

    @property
    def is_public(self):
        return self.visibility == self.Visibility.PUBLIC

    @property
    def is_reply(self):
        return self.parent_id is not None

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    def get_absolute_url(self):
        return reverse("briefs:brief-detail", kwargs={"slug": self.brief.slug}) + (
            f"#annotation-{self.pk}"
        )


class TaggedNote(TaggedItemBase):
    """Through model: a real foreign key to Annotation, so tag filters use plain indexes."""

    content_object = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(NoteTag, on_delete=models.CASCADE, related_name="tagged_notes")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="annotations_tag_once")
        ]

    def __str__(self):
        return f"{self.tag} on {self.content_object_id}"

    def get_absolute_url(self):
        return self.tag.get_absolute_url()


class NoteSettings(models.Model):
    """A reader's choices about notes: whether replies to their notes are e-mailed to them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="note_settings"
    )
    reply_mail = models.BooleanField(
        default=True, help_text="E-mail me when someone replies to one of my notes."
    )

    class Meta:
        ordering = ["user"]
        verbose_name_plural = "note settings"

    def __str__(self):
        return f"Note settings of {self.user}"

    def get_absolute_url(self):
        return reverse("annotations:account")


class ApiToken(models.Model):
    """A personal API token: only its SHA-256 is stored; the token is shown once, at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=API_TOKEN_NAME_MAX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=12, editable=False, help_text="The token's first characters, to recognise it."
    )
    read_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def clean(self):
        self.name = strip_unfit_characters(self.name or "")

    def get_absolute_url(self):
        return reverse("annotations:account")


class Flag(models.Model):
    """A signed-in reader's report that a public or group note needs a moderator's look."""

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="note_flags"
    )
    reason = models.CharField(max_length=FLAG_REASON_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["annotation", "user"], name="annotations_flag_once")
        ]

    def __str__(self):
        return f"Flag on {self.annotation_id} by {self.user}"

    def get_absolute_url(self):
        return self.annotation.get_absolute_url()


class BriefNoteCount(models.Model):
    """How many of a brief's notes the public may see, kept by the database (migration 0014).

    A row only for briefs with some. Triggers recount a brief whenever a write could
    change what ``Annotation.objects.public()`` shows on it; ``PublicNoteTotal`` is the sum.
    """

    brief = models.OneToOneField(
        Brief,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # a brief's notes go before it, and their triggers drop the row
        related_name="public_note_count",
    )
    n = models.IntegerField()

    class Meta:
        # Derived data the database keeps: the migration creates the table, backups leave
        # it out (a restore recounts it: ``PublicNoteTotal.refill``).
        managed = False
        db_table = "annotations_brief_note_count"

    def __str__(self):
        return f"{self.brief_id}: {self.n}"


class PublicNoteQuerySet(models.QuerySet):
    def newest_ids(self):
        """The ids of the notes ``Annotation.objects.public()`` holds, in its list order
        (newest first), as a ``values("id")`` QuerySet to slice for one page."""
        return self.order_by("-created_at", "-id").values("id")


class PublicNote(models.Model):
    """A note the public may see, with its brief and creation time: the public note lists'
    order, kept by the database (migration 0017) with ``BriefNoteCount``.

    A deep page of ``/annotations/`` reads its 30 ids here instead of testing the public
    rule for every note before it. The triggers repeat the rule in SQL; the lists still
    read the notes themselves through ``Annotation.objects.public()``.
    """

    id = models.BigIntegerField(primary_key=True)  # the note's
    brief_id = models.BigIntegerField()
    created_at = models.DateTimeField()

    objects = PublicNoteQuerySet.as_manager()

    class Meta:
        managed = False  # derived: the migration creates it, backups leave it out
        db_table = "annotations_public_note"

    def __str__(self):
        return f"public note {self.id}"

    @classmethod
    @transaction.atomic
    def refill(cls):
        """List every public note afresh (for writes that bypass the triggers: a restore,
        a bulk load). Takes the count's row lock first, as the triggers do."""
        PublicNoteTotal.objects.select_for_update().filter(pk=1).first()
        rows = Annotation.objects.public().order_by().values_list("id", "brief_id", "created_at")
        cls.objects.all().delete()
        cls.objects.bulk_create(
            [cls(id=id, brief_id=brief, created_at=at) for id, brief, at in rows],
            batch_size=2000,
        )


class PublicNoteTotal(models.Model):
    """The number of notes the public may see (one row), what the note lists show as total.

    Kept by the triggers of migration 0014 with ``BriefNoteCount``; read it with
    ``Annotation.objects.public_count()``.
    """

    id = models.IntegerField(primary_key=True)
    n = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = "annotations_public_note_total"

    def __str__(self):
        return str(self.n)

    @classmethod
    @transaction.atomic
    def refill(cls):
        """Count every brief's public notes afresh (for writes that bypass the triggers:
        a restore, a bulk load). Takes the total's row lock first, as the triggers do."""
        cls.objects.select_for_update().filter(pk=1).first()
        counts = list(
            Annotation.objects.public().order_by().values_list("brief_id").annotate(Count("pk"))
        )
        BriefNoteCount.objects.all().delete()
        BriefNoteCount.objects.bulk_create(
            [BriefNoteCount(brief_id=brief, n=n) for brief, n in counts], batch_size=2000
        )
        cls.objects.filter(pk=1).update(n=sum(n for _, n in counts))
