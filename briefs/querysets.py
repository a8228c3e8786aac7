"""Reads of the archive, as chainable QuerySet methods.

``Brief.objects.published()`` decides what readers may see, and every other read
here starts from it or takes it as its argument, so drafts never leak into counts, lists
or neighbours. Pages chain them: ``Brief.objects.published().for_cards()``,
``Brief.objects.published().related_to(brief)``, ``Topic.objects.with_brief_counts()``.
"""

import datetime as dt

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Length, TruncMonth

from config.limits import RELATED_CANDIDATES, RELATED_RARE_TOPICS
from core.querysets import FillingQuerySet

LIST_DEFERRED_FIELDS = ("body", "raw_text", "image_caption", "content_hash")


class BriefQuerySet(FillingQuerySet):
    """Reads of briefs; visibility is decided here and nowhere else."""

    def published(self):
        """Briefs readers may see."""
        return self.filter(status=self.model.Status.PUBLISHED)

    def with_topics(self, topics):
        """Briefs carrying every one of ``topics`` (an intersection)."""
        links = self.model.topics.through.objects
        queryset = self
        for topic in topics:
            queryset = queryset.filter(pk__in=links.filter(tag=topic).values("content_object"))
        return queryset

    def prefetch_topics(self):
        """Fetch each brief's topics in name order with the briefs, read back as
        ``brief.topic_list`` (one query for the whole list, as a prefetch).

        This is the one place the order is set, for pages and feeds alike. It reads plain
        rows (brief id, topic id, name, slug) rather than a link and a Topic instance per
        link: a feed of 50 briefs links some 750 topics, and building and pickling those
        model instances was most of a cold page's Python time (issue 14).
        """
        return self.fill_after_fetch(attach_topic_lists)

    def for_cards(self):
        """Briefs ready for a list of cards: source joined, topics prefetched, wide text left
        out but its length kept (``body_length``, characters) for the card's reading time."""
        return (
            self.with_body_length()
            .select_related("source")
            .prefetch_topics()
            .defer(*LIST_DEFERRED_FIELDS)
            .order_by("-published_at", "-id")
        )

    def with_body_length(self):
        """Each brief's ``body_length`` in characters, counted by the database."""
        return self.annotate(body_length=Length("body"))

    def in_month(self, month):
        """Briefs published in the month of the date ``month`` (UTC)."""
        start = dt.datetime(month.year, month.month, 1, tzinfo=dt.timezone.utc)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        return self.filter(published_at__gte=start, published_at__lt=end)

    def related_to(self, brief, *, limit=5):
        """Up to ``limit`` other briefs sharing the most topics with ``brief``, newest first.

        Bounded whatever the archive's size: candidates are the newest (by id)
        ``RELATED_CANDIDATES`` briefs carrying one of the brief's ``RELATED_RARE_TOPICS``
        rarest topics (by the counts table), ranked by how many of all its topics they
        share. A topic on a third of the archive never drives the search. One query.
        """
        from .models import TopicBriefCount

        topic_ids = [topic.pk for topic in brief.topic_list]
        if not topic_ids:
            return self.none()
        rarest = (
            TopicBriefCount.objects.filter(topic__in=topic_ids)
            .order_by("n", "topic_id")
            .values("topic_id")[:RELATED_RARE_TOPICS]
        )
        links = self.model.topics.through.objects
        candidates = (
            links.filter(tag__in=rarest)
            .exclude(content_object=brief.pk)
            .order_by("-content_object")
            .values("content_object")[:RELATED_CANDIDATES]
        )
        # Each candidate's shared topics are counted in the (brief, topic) unique index
        # alone, and only the best ``limit`` candidates' rows are read whole (it read the
        # links and whole rows of all 500: 4.5 → 3.5 ms, 2,926 → 2,495 buffers a page on
        # 100k briefs).
        shared = Subquery(
            links.filter(content_object=OuterRef("pk"), tag__in=topic_ids)
            .order_by()
            .values("content_object")
            .annotate(n=Count("*"))
            .values("n")
        )
        order = ("-shared_topics", "-published_at", "-id")
        best = (
            self.filter(pk__in=candidates)
            .annotate(shared_topics=shared)
            .order_by(*order)
            .values("pk")[:limit]
        )
        return (
            self.filter(pk__in=best)
            .annotate(shared_topics=shared)
            .select_related("source")
            .defer(*LIST_DEFERRED_FIELDS)
            .order_by(*order)
        )

    def neighbours(self, brief):
        """The briefs just before and just after ``brief`` by date: ``(older, newer)``, or None."""
        briefs = self.only("title", "slug", "published_at")
        # "At or before, but not the same moment with a larger id" rather than "before, or the
        # same moment with a smaller id": the date bound becomes an index condition on
        # brief_pub_idx, so a brief in the middle of the archive is found in a millisecond
        # instead of filtering every newer brief (225 ms on 100k briefs).
        same_time = Q(published_at=brief.published_at)
        older = (
            briefs.filter(published_at__lte=brief.published_at)
            .exclude(same_time & Q(pk__gte=brief.pk))
            .order_by("-published_at", "-id")
        )
        newer = (
            briefs.filter(published_at__gte=brief.published_at)
            .exclude(same_time & Q(pk__lte=brief.pk))
            .order_by("published_at", "id")
        )
        # One query: each side is a scalar subquery (an InitPlan reading one index entry),
        # so the outer lookup is two primary-key probes.
        # The outer query filters on nothing else (the sides did), so it probes the key.
        found = list(
            self.model.objects.only("title", "slug", "published_at").filter(
                Q(pk=Subquery(older.values("pk")[:1])) | Q(pk=Subquery(newer.values("pk")[:1]))
            )
        )
        mark = (brief.published_at, brief.pk)
        before = [other for other in found if (other.published_at, other.pk) < mark]
        after = [other for other in found if (other.published_at, other.pk) > mark]
        return (before[0] if before else None), (after[0] if after else None)

    def month_counts(self):
        """``[(first day of UTC month, number of briefs)]`` for each month covered, newest
        first. UTC whatever ``TIME_ZONE`` says: the archive's months are UTC months."""
        return [
            (row["month"].date(), row["brief_count"])
            for row in self.annotate(month=TruncMonth("published_at", tzinfo=dt.UTC))
            .values("month")
            .annotate(brief_count=Count("pk"))
            .order_by("-month")
        ]


def attach_topic_lists(briefs, *, using=None):
    """Give each of ``briefs`` its topics by name as ``topic_list`` (TopicRef, shared
    between the briefs that carry the same topic), in one query; none for no briefs."""
    from .models import TaggedBrief, TopicRef

    by_brief = {brief.pk: [] for brief in briefs}
    if by_brief:
        rows = (
            TaggedBrief.objects.using(using)
            .filter(content_object__in=list(by_brief))
            .order_by("tag__name", "tag_id")
            .values_list("content_object_id", "tag_id", "tag__name", "tag__slug")
        )
        topics = {}
        for brief_id, topic_id, name, slug in rows:
            topic = topics.get(topic_id)
            if topic is None:
                topic = topics[topic_id] = TopicRef(topic_id, name, slug)
            by_brief[brief_id].append(topic)
    for brief in briefs:
        brief._topic_list = tuple(by_brief[brief.pk])


class TopicQuerySet(models.QuerySet):
    """Reads of topics."""

    def public(self):
        """Topics readers may know of: those carried by at least one published brief.

        A topic used only by drafts is a curator's work in progress: its page and feeds are
        404 by slug, and its name appears in no list, filter, feed or OPML file. Every
        public read of topics starts here or from ``with_brief_counts()``.
        """
        # The counts table the database keeps (migration 0013): no scan of the links.
        return self.filter(published_count__n__gt=0)

    def with_brief_counts(self, briefs=None):
        """Topics carried by any of ``briefs`` (default: all published), with ``brief_count``.

        Topics none of those briefs carry are left out, so a topic whose briefs are all
        drafts never shows up. For all published briefs the counts come from the counts
        table the database keeps (migration 0013): no scan of the link table. ``briefs``
        may be a queryset of briefs or of their pks (``.values("pk")``, sliced or not).
        """
        if briefs is None:
            return self.filter(published_count__n__gt=0).annotate(
                brief_count=F("published_count__n")
            )
        if getattr(briefs, "_fields", None) is None:
            briefs = briefs.values("pk")
        return self.filter(tagged_briefs__content_object__in=briefs).annotate(
            brief_count=Count("tagged_briefs")
        )

    def co_topics(self, briefs, *, excluding=(), limit):
        """The ``limit`` topics carried by most of ``briefs``, other than ``excluding``, each
        with ``brief_count`` (how many of them carry it), most first, then by name: what
        "narrow down" offers (a RawQuerySet of Topic with ``name`` and ``slug`` loaded).

        ``briefs`` is a queryset of briefs or of their pks (``.values("pk")``, sliced or
        not); ``excluding`` Topic instances or pks. The same topics and counts as
        ``with_brief_counts(briefs)`` ordered by ``-brief_count, name``, but the links are
        counted by topic id before any topic row is read, so names are joined for the
        topics counted rather than to every link: one query, and on the 100k bench
        archive 12.5 → 6 ms for the 500 briefs of its two biggest topics (~7,700 links).
        """
        from .models import TaggedBrief

        links = TaggedBrief.objects.filter(content_object__in=briefs)
        if excluding:
            links = links.exclude(tag__in=excluding)
        counts = links.values("tag_id").annotate(n=Count("*")).order_by()
        try:
            sql, params = counts.query.sql_with_params()
        except EmptyResultSet:  # no briefs (an empty list of pks): no topics
            return self.none()
        return self.raw(
            f"SELECT topic.id, topic.name, topic.slug, counts.n AS brief_count"
            f" FROM ({sql}) counts INNER JOIN {self.model._meta.db_table} topic"
            " ON topic.id = counts.tag_id ORDER BY counts.n DESC, topic.name LIMIT %s",
            (*params, limit),
        )


class SourceQuerySet(models.QuerySet):
    """Reads of sources."""

    def with_brief_counts(self):
        """Sources with at least one published brief, with ``brief_count``, by name."""
        from .models import Brief

        published = Q(briefs__status=Brief.Status.PUBLISHED)
        # One join counted with a filter: a semi-join on every published brief's id was
        # 160 ms on 100k briefs (issue 14).
        return (
            self.annotate(brief_count=Count("briefs", filter=published))
            .filter(brief_count__gt=0)
            .order_by("name")
        )


class StoryQuerySet(models.QuerySet):
    """Reads of stories: a reader sees a story while two or more of its briefs are published."""

    def visible(self):
        """Stories with at least two published briefs, with ``source_count`` (those briefs)."""
        from .models import Brief

        return (
            self.filter(briefs__in=Brief.objects.published().values("pk"))
            .annotate(source_count=Count("briefs"))
            .filter(source_count__gte=2)
        )

    def with_versions(self):
        """Prefetch each story's published briefs, oldest first, as ``story.versions``."""
        from .models import Brief

        briefs = (
            Brief.objects.published()
            .select_related("source")
            .defer(*LIST_DEFERRED_FIELDS)
            .order_by("published_at", "id")
        )
        return self.prefetch_related(Prefetch("briefs", queryset=briefs, to_attr="versions"))


class TopicTimelineQuerySet(models.QuerySet):
    """Reads of the topic timeline (``briefs.models.TopicTimeline``): published briefs
    under topics, newest first, from index-only scans of its key."""

    def carrying(self, topics):
        """One row per published brief carrying every one of ``topics`` (a non-empty list
        of Topic): the first topic's rows, each matched in the others' on the whole key."""
        first, *others = topics
        rows = self.filter(topic=first)
        for topic in others:
            rows = rows.filter(
                Exists(
                    self.model.objects.filter(
                        topic=topic,
                        month=OuterRef("month"),
                        published_at=OuterRef("published_at"),
                        brief_id=OuterRef("brief_id"),
                    )
                )
            )
        return rows

    def newest_first(self):
        """In the order of brief lists (``-published_at, -id``), walking the key backwards."""
        return self.order_by("-month", "-published_at", "-brief_id")

    def brief_ids(self):
        """The briefs' ids, newest first (slice it for a page)."""
        return self.newest_first().values_list("brief_id", flat=True)

    def month_counts(self):
        """``[(first day of month, number of briefs)]`` for each month covered, newest first."""
        return [
            (row["month"], row["n"])
            for row in self.values("month").annotate(n=Count("*")).order_by("-month")
        ]

    def merged_month_counts(self):
        """``month_counts()`` for the rows of a combination (``carrying`` two topics or more).

        Counted over the rows read in key order (a subquery ordered newest first, one
        query), so PostgreSQL intersects the topics with a merge join of their index-only
        scans, read in step, where ``month_counts()`` has it hash one topic's rows on the
        whole key and sort the matches by month. On the 100k bench archive its two biggest
        topics (36,559 and 32,230 briefs) 17.6 → 9.8 ms, three topics 26 → 19 ms (medians
        of 30). One topic's rows are already in key order: ``month_counts()`` reads them
        without the subquery's extra step (3.6 ms against 4.1).
        """
        try:
            sql, params = self.newest_first().values_list("month").query.sql_with_params()
        except EmptyResultSet:  # .none(): no rows, no months
            return []
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                f"SELECT month, COUNT(*) FROM ({sql}) timeline GROUP BY month ORDER BY month DESC",
                params,
            )
            rows = cursor.fetchall()
        as_date = models.DateField().to_python  # SQLite hands back the date's text
        return [(as_date(month), n) for month, n in rows]


class MonthBriefCountQuerySet(models.QuerySet):
    """Reads of the month counts the database keeps (``briefs.models.MonthBriefCount``)."""

    def between(self, start, end):
        """Months from the date ``start`` up to, not including, the date ``end``."""
        return self.filter(month__gte=start, month__lt=end)

    def month_counts(self):
        """``[(first day of month, published briefs)]`` of the months that have any, newest
        first: what ``BriefQuerySet.month_counts()`` gives for published briefs."""
        return list(self.filter(n__gt=0).order_by("-month").values_list("month", "n"))

    def total(self):
        """The number of published briefs in these months."""
        return self.aggregate(total=Sum("n"))["total"] or 0
