"""Data model of the archive: sources, topics (taggit tags) and briefs."""

import re
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from config.limits import (
    BRIEF_AUTHOR_MAX_LENGTH,
    BRIEF_TITLE_MAX_LENGTH,
    IMPORT_ITEM_NAME_MAX_LENGTH,
    IMPORT_URL_MAX_LENGTH,
    REVISION_REASON_MAX_LENGTH,
    SOURCE_NAME_MAX_LENGTH,
    TOPIC_NAME_MAX_LENGTH,
)
from core.text import strip_unfit_characters

from .querysets import (
    BriefQuerySet,
    MonthBriefCountQuerySet,
    SourceQuerySet,
    StoryQuerySet,
    TopicQuerySet,
    TopicTimelineQuerySet,
    attach_topic_lists,
)
from .signals import brief_body_changed
from .slugs import STORY_ROUTE_WORDS, unique_slug
from .text import normalise_body, topic_identity

SLUG_MAX_LENGTH = 200


class Source(models.Model):
    """A site or outlet briefs come from ("ClashReport", "Stocktwits")."""

    name = models.CharField(max_length=SOURCE_NAME_MAX_LENGTH, unique=True)
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True)
    homepage = models.URLField(blank=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return filled_url("briefs:source-detail", "slug", self.slug)

    def clean(self):
        self.name = strip_unfit_characters(self.name or "")

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                self.name,
                taken=self._slugs_in_use,
                max_length=self._meta.get_field("slug").max_length,
                fallback="source",
            )
        super().save(*args, **kwargs)

    def _slugs_in_use(self, base):
        return (
            Source.objects.filter(slug__startswith=base)
            .exclude(pk=self.pk)
            .values_list("slug", flat=True)
        )


_URL_MARK = "0url0slug0"
_url_templates = {}
_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_URL_SAFE = RFC3986_SUBDELIMS + "/~:@"


def url_filler(url_name, kwarg):
    """A function giving ``reverse(url_name, kwargs={kwarg: value})`` for each ``value``,
    for a URL pattern whose one argument is ``kwarg``, without resolver work.

    The pattern is reversed once per URL name and script prefix (read once, here) and each
    value filled in, quoted as ``reverse()`` quotes it. A list links each brief, its source
    and some fifteen topics: ``/topics/`` links 300 topics, and a ``reverse()`` each was a
    tenth of a second of a cold page (issue 14). A ``slug`` that is not a slug goes through
    ``reverse()``, which raises NoReverseMatch as before.
    """
    key = (url_name, kwarg, get_script_prefix())
    template = _url_templates.get(key)
    if template is None:
        template = _url_templates[key] = reverse(url_name, kwargs={kwarg: _URL_MARK})
    if kwarg == "slug":

        def fill(value):
            if not _SLUG.match(value):
                return reverse(url_name, kwargs={kwarg: value})
            return template.replace(_URL_MARK, value)  # a slug's characters need no quoting

        return fill
    return lambda value: template.replace(_URL_MARK, quote(value, safe=_URL_SAFE))


def filled_url(url_name, kwarg, value):
    """``reverse(url_name, kwargs={kwarg: value})`` through :func:`url_filler`."""
    return url_filler(url_name, kwarg)(value)


def topic_url(slugs, url_name="briefs:topic-detail"):
    """The URL of a topic page, a combination's (``"a+b"``) or its feed
    (``url_name="briefs:topic-feed"``): :func:`filled_url` with ``slugs``."""
    return filled_url(url_name, "slugs", slugs)


class Topic(TagBase):
    """A "Related Topics" tag; the name keeps its exact spelling ("U.S.-China Trade")."""

    description = models.TextField(
        blank=True, help_text="Shown on the topic page; for curators to explain the topic."
    )
    name_key = models.CharField(
        max_length=200,
        editable=False,
        help_text="The name as topics are told apart (briefs.text.topic_identity): "
        "Unicode case-insensitive, on every database.",
    )

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name_key"], name="briefs_topic_name_key_unique"),
        ]

    def get_absolute_url(self):
        return topic_url(self.slug)

    def clean(self):
        self.name = strip_unfit_characters(self.name or "")
        self.description = strip_unfit_characters(self.description or "")

    def save(self, *args, **kwargs):
        # Whatever path creates a topic (services, taggit's own add()), its name carries no
        # invisible characters and its key is current.
        self.name = strip_unfit_characters(self.name or "")
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        if not self.slug:  # before taggit's own slugging, which knows no old slugs
            self.slug = self.free_slug(self.name)
        super().save(*args, **kwargs)

    def free_slug(self, text):
        """A slug for ``text`` used neither by another topic nor as another topic's old slug."""
        return unique_slug(
            text,
            taken=self._slugs_in_use,
            max_length=self._meta.get_field("slug").max_length,
            fallback="topic",
        )

    def _slugs_in_use(self, base):
        other_topics = Topic.objects.filter(slug__startswith=base)
        old_slugs = TopicSlugRedirect.objects.filter(old_slug__startswith=base)
        if self.pk is not None:
            other_topics = other_topics.exclude(pk=self.pk)
            old_slugs = old_slugs.exclude(topic=self)
        return [*other_topics.values_list("slug", flat=True),
                *old_slugs.values_list("old_slug", flat=True)]


class TopicRef:
    """A topic as a brief's topic list shows it: ``pk``, ``name``, ``slug`` and its URL.

    Not a model instance: lists of cards and feeds link hundreds of topics, and a Topic
    (with the link row it came through) per link cost more to build, cache and render
    than the rest of the page (issue 14). Equal to another TopicRef of the same topic.
    """

    __slots__ = ("name", "pk", "slug")

    def __init__(self, pk, name, slug):
        self.pk, self.name, self.slug = pk, name, slug

    @property
    def id(self):
        return self.pk

    def __str__(self):
        return self.name

    def __repr__(self):
        return f"<TopicRef {self.pk}: {self.name}>"

    def __eq__(self, other):
        return isinstance(other, TopicRef) and other.pk == self.pk

    def __hash__(self):
        return hash(("TopicRef", self.pk))

    def __reduce__(self):  # a plain tuple: cached lists of briefs pickle quickly
        return TopicRef, (self.pk, self.name, self.slug)

    def get_absolute_url(self):
        return topic_url(self.slug)


class TaggedBrief(TaggedItemBase):
    """Through model: a real foreign key to Brief, so topic joins use plain indexes."""

    content_object = models.ForeignKey(
        "Brief", on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tagged_briefs")

    class Meta:
        verbose_name = "brief topic"
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="briefs_taggedbrief_brief_topic_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["tag", "content_object"], name="briefs_tagged_topic_brief_idx"),
        ]

    def __str__(self):
        return f"{self.content_object_id} → {self.tag_id}"


class TopicBriefCount(models.Model):
    """How many published briefs carry a topic, kept by the database (migration 0013).

    Triggers on topic links and on briefs' status add and subtract as links come and go
    and briefs are published or withdrawn, so topic lists never aggregate the link table
    on a page view. A topic without a row (or with 0) has no published brief.
    """

    topic = models.OneToOneField(
        Topic,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # the topic's delete trigger removes the row
        related_name="published_count",
    )
    n = models.IntegerField(default=0)

    class Meta:
        # Derived data the database keeps: its migration creates the table, and backups
        # leave it out (a restore recounts it: ``refill``).
        managed = False
        db_table = "briefs_topic_brief_count"

    def __str__(self):
        return f"{self.topic_id}: {self.n}"

    @classmethod
    def refill(cls):
        """Count every topic's published briefs afresh from the links (two queries).

        For writes that bypass or reorder the triggers: a restore, whose emptied tables
        may have been cleared in any order (a brief deleted before its links subtracts
        twice), and bulk loads.
        """
        counts = (
            TaggedBrief.objects.filter(content_object__status=Brief.Status.PUBLISHED)
            .values("tag_id")
            .annotate(n=models.Count("pk"))
            .order_by()
        )
        cls.objects.all().delete()
        cls.objects.bulk_create([cls(topic_id=row["tag_id"], n=row["n"]) for row in counts])


class MonthBriefCount(models.Model):
    """How many published briefs a UTC month has, kept by the database (migration 0015).

    The home page's count, the archive's months and a year's or month's count read these
    few rows instead of counting 100k briefs. A month without a row (or with 0) has none.
    """

    month = models.DateField(primary_key=True)  # its first day
    n = models.IntegerField(default=0)

    objects = MonthBriefCountQuerySet.as_manager()

    class Meta:
        # Derived data the database keeps: backups leave it out, a restore refills it.
        managed = False
        db_table = "briefs_month_brief_count"

    def __str__(self):
        return f"{self.month:%Y-%m}: {self.n}"

    @classmethod
    def refill(cls):
        """Count every month's published briefs afresh (two statements), after writes that
        bypassed the triggers: a restore, a bulk load."""
        _refill("MONTHS", "FILL_MONTHS")


class TopicTimeline(models.Model):
    """A published brief under one of its topics, in date order, kept by the database
    (migration 0015): what topic pages page through, count by month and sample.

    One row per topic link of a published brief, keyed ``(topic, month, published_at,
    brief)``: a topic's briefs newest first, page 200 included, and its month counts
    are index-only scans of that key, and a combination of topics intersects the rows of
    each on the same key. ``month`` is the first day of the brief's UTC month. Triggers
    on links, briefs and topics keep it; read it through ``TopicTimelineQuerySet``.
    """

    pk = models.CompositePrimaryKey("topic", "month", "published_at", "brief")
    topic = models.ForeignKey(
        Topic, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    month = models.DateField()
    published_at = models.DateTimeField()
    brief = models.ForeignKey(
        "Brief", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    objects = TopicTimelineQuerySet.as_manager()

    class Meta:
        # Derived data the database keeps: its migration creates the table and triggers,
        # and backups leave it out (a restore rebuilds it: ``refill``).
        managed = False
        db_table = "briefs_topic_timeline"

    def __str__(self):
        return f"{self.topic_id}: {self.brief_id} ({self.published_at:%Y-%m-%d})"

    @classmethod
    def refill(cls):
        """Rebuild every row from the links and briefs (two statements), for writes that
        bypassed the triggers: a restore, a bulk load."""
        _refill("TABLE", "FILL")


def _refill(table, fill):
    """Empty a table of migration 0015 and fill it again with its ``<vendor>_<fill>`` SQL."""
    from importlib import import_module

    from django.db import connection

    migration = import_module("briefs.migrations.0015_topic_timeline_and_month_counts")
    vendor = "PG" if connection.vendor == "postgresql" else "SQLITE"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {getattr(migration, table)}")
        cursor.execute(getattr(migration, f"{vendor}_{fill}"))


# Reading speed for a brief's reading time: about 230 words a minute of ~6 characters each.
READING_CHARACTERS_PER_MINUTE = 230 * 6


class Story(models.Model):
    """One event told by several newsrooms: two or more briefs from different sources.

    Made and kept up to date by ``briefs.services.stories`` when briefs are imported or
    edited; ``curator_fixed`` says a curator settled its members (a merge, a brief moved
    out), so re-grouping keeps them and only adds briefs that match every one (those a
    curator put in by hand that match no other member aside). It holds one brief per
    source: every write path in ``briefs.services.stories`` keeps that (the database
    cannot, the source being on the brief). Its slug is never one of
    ``STORY_ROUTE_WORDS``.
    """

    title = models.CharField(max_length=BRIEF_TITLE_MAX_LENGTH)
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True, blank=True)
    curator_fixed = models.BooleanField(
        default=False, help_text="A curator settled its briefs; re-grouping keeps them."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(
        default=timezone.now, help_text="When a brief last joined, left or changed."
    )

    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "stories"
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["-updated_at", "-id"], name="story_updated_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("briefs:story-detail", kwargs={"slug": self.slug})

    def clean(self):
        self.title = strip_unfit_characters(self.title or "")

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                self.title, taken=self._slugs_in_use, max_length=SLUG_MAX_LENGTH,
                fallback="story", reserved=STORY_ROUTE_WORDS,
            )
        super().save(*args, **kwargs)

    def _slugs_in_use(self, base):
        return (
            Story.objects.filter(slug__startswith=base)
            .exclude(pk=self.pk)
            .values_list("slug", flat=True)
        )


class Brief(models.Model):
    """One news brief: clean fields for reading, the raw import kept beside them."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=BRIEF_TITLE_MAX_LENGTH)
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True, blank=True)
    dek = models.TextField(blank=True, help_text="The standfirst under the title.")
    body = models.TextField(
        help_text="Plain text; paragraphs separated by one blank line. "
        "Annotation offsets count characters of this field."
    )
    source = models.ForeignKey(
        Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="briefs"
    )
    author = models.CharField(max_length=BRIEF_AUTHOR_MAX_LENGTH, blank=True)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the text gives only a date: midnight UTC of that date. "
        "Empty only on a draft (an import without a usable date waits for a curator).",
    )
    published_time_known = models.BooleanField(default=True)
    image_caption = models.TextField(blank=True)
    raw_text = models.TextField(blank=True, help_text="The file exactly as imported.")
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    story = models.ForeignKey(
        Story, on_delete=models.SET_NULL, null=True, blank=True, related_name="briefs"
    )
    story_excluded = models.BooleanField(
        default=False,
        help_text="A curator said this brief is not part of any story; re-grouping leaves it alone.",
    )

    topics = TaggableManager(through=TaggedBrief, blank=True, related_name="briefs")

    objects = BriefQuerySet.as_manager()

    class Meta:
        # Undated drafts first (PostgreSQL's own order for DESC, spelled out for SQLite).
        ordering = [F("published_at").desc(nulls_first=True), "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_hash"],
                condition=~models.Q(content_hash=""),
                name="briefs_brief_content_hash_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "published"]),
                name="briefs_brief_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="briefs_brief_published_has_date",
                violation_error_message="A published brief needs a publication date.",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="brief_status_pub_idx"),
            models.Index(fields=["source", "-published_at"], name="brief_source_pub_idx"),
            models.Index(fields=["-published_at", "-id"], name="brief_pub_idx"),
            # The newest change of a published brief (the sitemap index's date).
            models.Index(
                fields=["-modified_at"],
                condition=models.Q(status="published"),
                name="brief_published_modified_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return filled_url("briefs:brief-detail", "slug", self.slug)

    @property
    def reading_minutes(self):
        """Minutes to read the body (at least 1), or None when the body is not at hand.

        Lists annotate ``body_length`` (``for_cards()``) so no card loads a body; a brief
        whose body was deferred without it answers None rather than a query per card.
        """
        length = getattr(self, "body_length", None)
        if length is None:
            if "body" in self.get_deferred_fields():
                return None
            length = len(self.body)
        return max(1, round(length / READING_CHARACTERS_PER_MINUTE))

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if "body" in field_names:
            instance._stored_body = instance.body
        return instance

    def clean(self):
        # Forms (the admin's textarea sends CRLF) and services validate before saving.
        self.body = normalise_body(self.body)
        for name in ("title", "dek", "author", "image_caption"):
            setattr(self, name, strip_unfit_characters(getattr(self, name) or ""))
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            raise ValidationError(
                {"published_at": "A published brief needs a publication date; "
                 "set one, or keep the brief a draft."}
            )

    def note_change(self, *, by=None, reason=""):
        """Say who is changing this brief and why; the next save records it in the revision."""
        self._change_author = by
        self._change_reason = reason

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._free_slug()
        if self.pk is None:
            super().save(*args, **kwargs)
            self._stored_body = self.body
            return
        old_body = getattr(self, "_stored_body", None)
        if old_body is None:
            old_body = Brief.objects.filter(pk=self.pk).values_list("body", flat=True).first()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_body is not None and old_body != self.body:
                BriefRevision.objects.create(
                    brief=self,
                    title=self.title,
                    body=old_body,
                    author=getattr(self, "_change_author", None),
                    reason=getattr(self, "_change_reason", "")[:REVISION_REASON_MAX_LENGTH],
                )
                brief_body_changed.send(
                    sender=Brief, brief=self, old_body=old_body, new_body=self.body
                )
        self._stored_body = self.body
        self._change_author, self._change_reason = None, ""

    def _free_slug(self):
        return unique_slug(self.title, taken=self._slugs_in_use, max_length=SLUG_MAX_LENGTH)

    def _slugs_in_use(self, base):
        return (
            Brief.objects.filter(slug__startswith=base)
            .exclude(pk=self.pk)
            .values_list("slug", flat=True)
        )

    @property
    def topic_list(self):
        """The brief's topics by name (TopicRef: pk, name, slug, URL), as fetched by
        ``prefetch_topics()`` when the query asked for it, else read now (one query)."""
        topics = self.__dict__.get("_topic_list")
        if topics is None:
            attach_topic_lists([self], using=self._state.db)
            topics = self.__dict__.pop("_topic_list")
        return topics

    @property
    def paragraphs(self):
        """The body split into its paragraphs (one blank line between them)."""
        return [p for p in self.body.split("\n\n") if p.strip()]


class StoryApart(models.Model):
    """Two briefs a curator separated (moved one out of the other's story): never regrouped."""

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["brief", "other"]
        constraints = [
            models.UniqueConstraint(fields=["brief", "other"], name="briefs_storyapart_unique"),
            models.CheckConstraint(
                condition=models.Q(brief__lt=models.F("other")), name="briefs_storyapart_ordered"
            ),
        ]
        indexes = [models.Index(fields=["other"], name="storyapart_other_idx")]

    def __str__(self):
        return f"{self.brief_id} apart from {self.other_id}"

    def get_absolute_url(self):
        return self.brief.get_absolute_url()


class StoryToken(models.Model):
    """One distinct fact token of a brief (``briefs.stories.candidates.index_tokens``):
    the candidate index story grouping reads to find the briefs worth scoring.

    ``day`` is the UTC date of the brief's ``published_at`` as a proleptic ordinal
    (``date.toordinal()``), so the window filter is integer arithmetic on any database;
    a brief without a date has no rows. Written by ``briefs.services.stories``
    (``story_tokens_refresh``) on every import and edit, by the batch import, by
    ``make bench-data`` and by migration 0014 for the briefs before it.
    """

    # The unique constraint's index (brief, token) serves the foreign key too.
    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="+", db_index=False)
    token = models.CharField(max_length=64)
    day = models.IntegerField()

    class Meta:
        # By the column: ordering by "brief" would join briefs_brief into every query.
        ordering = ["brief_id", "token"]
        constraints = [
            models.UniqueConstraint(fields=["brief", "token"], name="storytoken_unique")
        ]
        indexes = [models.Index(fields=["token", "day", "brief"], name="storytoken_window_idx")]

    def __str__(self):
        return f"{self.token} of brief {self.brief_id}"

    @classmethod
    def refill(cls, chunk=2000):
        """Rebuild every brief's rows from its text, ``chunk`` briefs a step.

        Derived data: backups leave it out and a restore rebuilds it (the briefs' texts
        are the source of truth), as ``TopicBriefCount.refill`` recounts its counts.
        """
        from .services.stories import story_tokens_refresh

        cls.objects.all().delete()
        dated = Brief.objects.filter(published_at__isnull=False).order_by("pk")
        fields = ("pk", "title", "dek", "body", "published_at")
        last = 0
        while batch := list(dated.filter(pk__gt=last).only(*fields)[:chunk]):
            story_tokens_refresh(briefs=batch, created=True)
            last = batch[-1].pk

    def get_absolute_url(self):
        return self.brief.get_absolute_url()


class TopicSuggestion(models.Model):
    """A topic the importer guessed for a brief that came without a topic list.

    Kept apart from ``Brief.topics`` so readers never see it until a curator
    accepts it; a dismissed suggestion stays, so a re-import does not bring it back.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DISMISSED = "dismissed", "Dismissed"

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="topic_suggestions")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="suggestions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["brief", "topic__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["brief", "topic"], name="briefs_topicsuggestion_brief_topic_unique"
            ),
        ]

    def __str__(self):
        return f"{self.topic} for {self.brief}"

    def get_absolute_url(self):
        return self.brief.get_absolute_url()


class BriefRevision(models.Model):
    """A brief's body as it was before a change: who changed it, when and why."""

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=BRIEF_TITLE_MAX_LENGTH)
    body = models.TextField(help_text="The body before the change.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="brief_revisions",
    )
    reason = models.CharField(max_length=REVISION_REASON_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["brief", "-created_at"], name="briefrevision_brief_idx")]

    def __str__(self):
        return f"{self.brief_id} before {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return self.brief.get_absolute_url()


class TopicSlugRedirect(models.Model):
    """An old topic slug (after a rename or merge) and the topic it now means.

    Topic pages, combination pages and feeds answer 301 from the old slug.
    """

    old_slug = models.SlugField(max_length=100, unique=True)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="old_slugs")
    old_name = models.CharField(
        max_length=TOPIC_NAME_MAX_LENGTH,
        blank=True,
        help_text="The topic's name before the rename or merge.",
    )
    old_name_key = models.CharField(
        max_length=200, blank=True, db_index=True, editable=False,
        help_text="topic_identity(old_name): imports that list the old name find the topic.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]

    def __str__(self):
        return f"{self.old_slug} → {self.topic.slug}"

    def save(self, *args, **kwargs):
        self.old_name = strip_unfit_characters(self.old_name or "")
        super().save(*args, **kwargs)


@receiver(pre_save, sender=Topic)
@receiver(pre_save, sender=TopicSlugRedirect)
def _derive_name_keys(sender, instance, **kwargs):
    """Keep ``Topic.name_key`` and ``TopicSlugRedirect.old_name_key`` in step with the names.

    A signal rather than ``save()``: a restore from a backup saves rows raw, past ``save()``.
    """
    if sender is Topic:
        instance.name_key = topic_identity(instance.name)
    else:
        instance.old_name_key = topic_identity(instance.old_name)

    def get_absolute_url(self):
        return self.topic.get_absolute_url()


class ImportRun(models.Model):
    """One admin import: its texts, pages and URLs, their preview, then their import.

    A run starts as a preview being prepared (``reading``: URLs fetched, every item
    parsed and tried in a dry run, by a background task), becomes ``preview`` for its
    curator to correct and confirm, then ``queued``, ``running`` and ``done``. It is
    found by its random ``key`` and only by its owner; an unconfirmed preview expires.
    """

    class Status(models.TextChoices):
        READING = "reading", "Reading"
        PREVIEW = "preview", "Waiting for confirmation"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=43, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_runs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READING)
    brief_status = models.CharField(
        max_length=10, choices=Brief.Status.choices, default=Brief.Status.PUBLISHED,
        help_text="Status of the briefs the run creates.",
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0, help_text="Items read or imported so far.")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    corrected = models.PositiveIntegerField(
        default=0, help_text="Items whose fields the curator corrected in the preview."
    )
    error = models.TextField(blank=True, help_text="Why the run stopped, when it failed.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(help_text="An unconfirmed preview is deleted after this.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "expires_at"], name="importrun_status_exp_idx")]

    def __str__(self):
        return f"Import of {self.created_at:%Y-%m-%d %H:%M} ({self.get_status_display().lower()})"

    def get_absolute_url(self):
        return reverse("admin:briefs_brief_import_run", kwargs={"key": self.key})

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ImportItem(models.Model):
    """One text file, saved page, clipped page or URL of an import run, and its outcome.

    ``content`` is the text or HTML as received (a URL's page once fetched); ``parsed``
    the fields the parser found (JSON, for the preview); ``corrections`` the fields the
    curator changed before confirming. ``action`` is what the preview or import did.
    """

    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        HTML = "html", "Saved page"
        URL = "url", "URL"

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=IMPORT_ITEM_NAME_MAX_LENGTH)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    url = models.URLField(max_length=IMPORT_URL_MAX_LENGTH, blank=True)
    content = models.TextField(blank=True)
    parsed = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    corrections = models.JSONField(default=dict, blank=True)
    action = models.CharField(max_length=10, blank=True)
    reason = models.TextField(blank=True)
    brief = models.ForeignKey(
        Brief, on_delete=models.SET_NULL, null=True, blank=True, related_name="import_items"
    )

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "position"], name="briefs_importitem_run_position_unique"
            ),
        ]

    def __str__(self):
        return f"{self.name}: {self.action or 'pending'}"

    def get_absolute_url(self):
        return self.run.get_absolute_url()
