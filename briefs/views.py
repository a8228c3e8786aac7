"""Reading pages: thin views over ``Brief.objects.published()`` and briefs/querysets.py.

Every list is a ListView with ``paginate_by`` (an out-of-range ``?page=`` is a 404)
and every page hands the base template its heading, description, canonical URL,
breadcrumbs and feed links, so titles and Open Graph tags are never forgotten.
"""

import calendar
import datetime as dt
import re
from itertools import groupby

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.views.generic import DetailView, ListView
from django.views.generic import dates as generic_dates

from config.limits import (
    BRIEF_LIST_PAGE_SIZE,
    MAX_TOPICS_IN_SELECTION,
    NARROW_DOWN_SAMPLE,
    NARROW_DOWN_TOPICS,
    SEARCH_MAX_RESULTS,
    SEARCH_NARROW_DOWN_TOPICS,
    SOURCE_INDEX_PAGE_SIZE,
    TOPIC_INDEX_PAGE_SIZE,
)
from core.cache import CachedPaginator, cached_list, depends_on, remember, sql_key
from core.text import whole_number

from . import cache_keys
from .models import (
    Brief,
    MonthBriefCount,
    Source,
    Topic,
    TopicTimeline,
    topic_url,
)
from .search import (
    SearchTooLong,
    UnusableQuery,
    briefs_among,
    clean_query,
    highlighted,
    ranked_briefs,
    search_candidates,
)
from .story_cards import StoryCardsMixin
from .timeline import build_timeline
from .topic_selection import UnknownTopic, resolve_topic_slugs, topic_selection_or_404

MONTH = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})")
SITE_NAME = "Brief Archive"
FEED_TYPES = (
    ("", "application/rss+xml", "RSS"),
    ("-atom", "application/atom+xml", "Atom"),
    ("-json", "application/feed+json", "JSON Feed"),
)


def feed_links(name, title, query="", **kwargs):
    """The RSS, Atom and JSON feeds behind URL name ``name`` (``briefs:feed``…)."""
    return [
        {
            "url": reverse(f"{name}{suffix}", kwargs=kwargs) + (f"?{query}" if query else ""),
            "type": mime,
            "title": f"{title} ({label})",
        }
        for suffix, mime, label in FEED_TYPES
        if suffix == "" or not name.endswith("search-feed")
    ]


class PageMixin:
    """Gives the base template what every page needs: heading, description, canonical URL…"""

    heading = ""
    description = ""
    canonical_query = ()
    # (label, URL name) of the index the page sits under, between Home and the page.
    parent_page = None

    def get_heading(self):
        return self.heading

    def get_description(self):
        return self.description

    def get_breadcrumbs(self):
        """(label, url) pairs from Home to the parent of this page."""
        crumbs = [("Home", reverse("briefs:home"))]
        if self.parent_page:
            label, url_name = self.parent_page
            crumbs.append((label, reverse(url_name)))
        return crumbs

    def get_feeds(self):
        return []

    def get_cache_keys(self):
        """Version keys of what this page shows (briefs/cache_keys.py): by default any brief."""
        return [cache_keys.BRIEFS, *cache_keys.NAMES]

    def get(self, request, *args, **kwargs):
        # Declared (and their versions read) before the page reads its data.
        depends_on(*self.get_cache_keys())
        return super().get(request, *args, **kwargs)

    def paginate_queryset(self, queryset, page_size):
        """Django's, for a ``?page=`` of ASCII digits only (else 404): ``int()`` also reads
        "２", "٢", " 2" and "2_0", and Django "last", each one more URL of a page that has
        one already."""
        raw = self.kwargs.get(self.page_kwarg) or self.request.GET.get(self.page_kwarg)
        if raw is not None and whole_number(str(raw)) is None:
            raise Http404("No such page.")
        return super().paginate_queryset(queryset, page_size)

    def get_canonical_path(self):
        return self.request.path

    def get_canonical_url(self, page_number=1):
        params = [(key, value) for key, value in self.canonical_query if value]
        if page_number > 1:
            params.append(("page", page_number))
        path = self.get_canonical_path() + (f"?{urlencode(params)}" if params else "")
        return self.request.build_absolute_uri(path)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        context.update(
            heading=self.get_heading(),
            description=self.get_description(),
            breadcrumbs=self.get_breadcrumbs(),
            feeds=self.get_feeds(),
            canonical_url=self.get_canonical_url(page.number if page else 1),
        )
        return context


class BriefListView(PageMixin, ListView):
    """A paginated list of brief cards, newest first."""

    paginate_by = BRIEF_LIST_PAGE_SIZE
    paginator_class = CachedPaginator
    template_name = "briefs/brief_list.html"
    context_object_name = "briefs"
    empty_message = "No briefs here yet."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["empty_message"] = self.empty_message
        return context


class HomeView(StoryCardsMixin, BriefListView):
    """Newest published briefs, with the most used topics beside them."""

    template_name = "briefs/home.html"
    heading = "Latest briefs"
    description = "The newest news briefs in the archive, with their topics and sources."
    popular_topic_count = 15

    def get_queryset(self):
        return Brief.objects.published().for_cards()

    def get_breadcrumbs(self):
        return []

    def get_paginator(self, queryset, per_page, **kwargs):
        # The month counts the database keeps: no COUNT of every published brief.
        count = MonthBriefCount.objects.total()
        return super().get_paginator(queryset, per_page, count=count, ids_first=True, **kwargs)

    def get_feeds(self):
        return feed_links("briefs:feed", "Latest briefs")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["popular_topics"] = cached_list(
            Topic.objects.with_brief_counts().order_by("-brief_count", "name")[
                : self.popular_topic_count
            ]
        )
        return context


class BriefDetailView(PageMixin, DetailView):
    """One published brief with its topics, related briefs and neighbours by date."""

    template_name = "briefs/brief_detail.html"
    context_object_name = "brief"

    def get(self, request, *args, **kwargs):
        # Its keys are known once the brief and the briefs it links to are read.
        return DetailView.get(self, request, *args, **kwargs)

    def get_queryset(self):
        return Brief.objects.published().select_related("source", "story").prefetch_topics()

    def get_heading(self):
        return self.object.title

    def get_description(self):
        return self.object.dek or Truncator(self.object.body).words(40)

    def get_breadcrumbs(self):
        crumbs = super().get_breadcrumbs()
        if self.object.source:
            crumbs.append((self.object.source.name, self.object.source.get_absolute_url()))
        return crumbs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Brief.objects.published()
        related = list(published.related_to(self.object))
        previous, following = published.neighbours(self.object)
        brief = self.object
        shown = [brief, *related, *(b for b in (previous, following) if b is not None)]
        # Its own key (row, topics, notes), the briefs it links to, and its month (a
        # brief published next to it becomes a neighbour). Read before its notes.
        depends_on(
            *{cache_keys.brief(other.pk) for other in shown},
            cache_keys.month(brief.published_at.year, brief.published_at.month),
            *([cache_keys.story(brief.story_id)] if brief.story_id else []),
            *cache_keys.NAMES,
        )
        context.update(
            topics=brief.topic_list,
            related=related,
            previous_brief=previous,
            next_brief=following,
            other_versions=self._other_versions(published),
        )
        return context

    def _other_versions(self, published):
        """The other published briefs of this brief's story (its story link names them),
        never one of its own source."""
        if self.object.story_id is None:
            return []
        others = published.filter(story_id=self.object.story_id).exclude(pk=self.object.pk)
        if self.object.source_id is not None:
            others = others.exclude(source_id=self.object.source_id)
        return cached_list(
            others
            .select_related("source")
            .only("slug", "title", "published_at", "source__name")
            .order_by("published_at", "id")
        )


class TopicIndexView(PageMixin, ListView):
    """Every topic with published briefs, by name (with an A–Z jump list) or by count."""

    template_name = "briefs/topic_list.html"
    context_object_name = "topics"
    paginate_by = TOPIC_INDEX_PAGE_SIZE
    paginator_class = CachedPaginator
    heading = "Topics"
    description = "Every topic in the archive with its number of briefs."

    def get_sort(self):
        return "count" if self.request.GET.get("sort") == "count" else "name"

    def get_queryset(self):
        order = ("-brief_count", "name") if self.get_sort() == "count" else ("name",)
        return Topic.objects.with_brief_counts().order_by(*order)

    @property
    def canonical_query(self):
        return [("sort", "count" if self.get_sort() == "count" else "")]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sort"] = self.get_sort()
        if context["sort"] == "name":
            context["letters"] = [
                (letter, list(group))
                for letter, group in groupby(context["topics"], key=_initial)
            ]
        return context


def _initial(topic):
    first = topic.name[:1].upper()
    return first if first.isalpha() else "#"


class TopicDetailView(StoryCardsMixin, BriefListView):
    """Briefs carrying every topic named in the URL (one topic, or a combination)."""

    template_name = "briefs/topic_detail.html"
    parent_page = ("Topics", "briefs:topic-list")

    def dispatch(self, request, *args, **kwargs):
        self.selection = topic_selection_or_404(kwargs["slugs"])
        # Old slugs, and the same topics in another order or named twice, move to the one
        # address of the selection: each spelling was a page of its own (and its own copy
        # in every cache) for the same briefs.
        if self.selection.redirect or kwargs["slugs"] != self.selection.canonical:
            url = reverse("briefs:topic-detail", kwargs={"slugs": self.selection.canonical})
            query = request.GET.urlencode()
            return redirect(url + (f"?{query}" if query else ""), permanent=True)
        return super().dispatch(request, *args, **kwargs)

    @property
    def topics(self):
        return self.selection.topics

    @property
    def empty_message(self):
        if self.month:
            return f"No briefs on {self.selection.name} in {self.month:%B %Y}."
        return f"No briefs on {self.selection.name} yet."

    def get_cache_keys(self):
        return [*(cache_keys.topic(topic.pk) for topic in self.topics), *cache_keys.NAMES]

    @cached_property
    def timeline(self):
        """The selection's rows of the topic timeline (of its month, with ``?month=``)."""
        rows = TopicTimeline.objects.carrying(self.topics)
        return rows.filter(month=self.month) if self.month else rows

    def get_queryset(self):
        if self.month:
            # Months from the selection's first to its last are slices (the chart's); any
            # other YYYY-MM (9999-12) would be a page of its own for nothing.
            months = [month for month, _ in self.month_counts]  # the chart's, kept
            if not months or not min(months) <= self.month <= max(months):
                raise Http404(f"No briefs on {self.selection.name} in that month.")
        return TimelinePages(self.timeline)

    @cached_property
    def month(self):
        """The month slice of ``?month=YYYY-MM`` (a date), or None; 404 for a malformed one."""
        value = self.request.GET.get("month")
        if value is None:
            return None
        match = MONTH.fullmatch(value)
        if not match or not 1 <= int(match["month"]) <= 12 or int(match["year"]) < 1:
            raise Http404("No such month: use ?month=YYYY-MM.")
        return dt.date(int(match["year"]), int(match["month"]), 1)

    @property
    def canonical_query(self):
        return [("month", self.month.strftime("%Y-%m") if self.month else "")]

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        # The timeline counts the selection by month for the chart anyway: add those up.
        paginator.count = sum(n for month, n in self.month_counts if self.month in (None, month))
        return paginator

    @cached_property
    def month_counts(self):
        """``[(month, briefs)]`` of the whole selection (all months), for the timeline
        and the count; computed once per change of its topics."""
        rows = TopicTimeline.objects.carrying(self.topics)
        count = rows.merged_month_counts if len(self.topics) > 1 else rows.month_counts
        return remember("month-counts", sql_key(rows), count)

    def get_heading(self):
        if self.month:
            return f"{self.selection.name} in {self.month:%B %Y}"
        return self.selection.name

    def get_description(self):
        if len(self.topics) == 1 and self.topics[0].description:
            return self.topics[0].description
        return f"News briefs on {self.selection.name}, newest first."

    def get_canonical_path(self):
        return reverse("briefs:topic-detail", kwargs={"slugs": self.selection.canonical})

    def get_feeds(self):
        return feed_links(
            "briefs:topic-feed", f"Briefs on {self.selection.name}", slugs=self.selection.canonical
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        slugs = [topic.slug for topic in self.topics]
        # Co-topic counts over the newest NARROW_DOWN_SAMPLE briefs of the selection: a
        # topic on a third of the archive would otherwise aggregate 400k links per build.
        # Of the month's briefs on a month slice, whose links keep the slice.
        sample = self.timeline.newest_first().values("brief_id")[:NARROW_DOWN_SAMPLE]
        within = f"?month={self.month:%Y-%m}" if self.month else ""
        narrower = cached_list(
            Topic.objects.co_topics(sample, excluding=self.topics, limit=NARROW_DOWN_TOPICS)
        )
        context.update(
            narrow_sample=NARROW_DOWN_SAMPLE
            if context["paginator"].count > NARROW_DOWN_SAMPLE
            else None,
            selection=self.selection,
            timeline=build_timeline(self.month_counts),
            month=self.month,
            timeline_url=self.get_canonical_path(),
            narrow_down=[
                (topic, _combination(slugs + [topic.slug]) + within) for topic in narrower
            ],
            removable=[
                (topic, _combination([slug for slug in slugs if slug != topic.slug]) + within)
                for topic in self.topics
            ]
            if len(self.topics) > 1
            else [],
        )
        return context


class TimelinePages:
    """A topic selection's briefs, newest first, as the paginator slices them: a slice is
    those briefs ready for cards, their ids read in the same query from the topic
    timeline (an index-only scan, page 200 as cheap as page 1). The view sets the count."""

    def __init__(self, rows):
        self.rows = rows

    def __getitem__(self, page):
        if not isinstance(page, slice):
            raise TypeError("TimelinePages is read a page (a slice) at a time")
        return Brief.objects.published().filter(pk__in=self.rows.brief_ids()[page]).for_cards()


def _combination(slugs):
    """The canonical URL of a topic combination (slugs sorted, as resolve_topic_slugs does)."""
    return topic_url("+".join(sorted(slugs)))


class SourceIndexView(PageMixin, ListView):
    """Every source with published briefs and how many."""

    template_name = "briefs/source_list.html"
    context_object_name = "sources"
    paginate_by = SOURCE_INDEX_PAGE_SIZE
    heading = "Sources"
    description = "The sites and outlets the archive's briefs come from."

    def get_queryset(self):
        # A list, so the page and its count come from one aggregate over the briefs.
        return cached_list(Source.objects.with_brief_counts())


class SourceDetailView(StoryCardsMixin, BriefListView):
    """Published briefs from one source."""

    template_name = "briefs/source_detail.html"
    parent_page = ("Sources", "briefs:source-list")

    def get_cache_keys(self):
        self.source = get_object_or_404(Source, slug=self.kwargs["slug"])
        return [cache_keys.source(self.source.pk), *cache_keys.NAMES]

    def get_queryset(self):
        return Brief.objects.published().filter(source=self.source).for_cards()

    def get_paginator(self, queryset, per_page, **kwargs):
        return super().get_paginator(queryset, per_page, ids_first=True, **kwargs)

    @property
    def empty_message(self):
        return f"No published briefs from {self.source.name} yet."

    def get_heading(self):
        return self.source.name

    def get_description(self):
        return f"News briefs from {self.source.name}, newest first."

    def get_feeds(self):
        return feed_links(
            "briefs:source-feed", f"Briefs from {self.source.name}", slug=self.source.slug
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["source"] = self.source
        return context


class ArchiveMixin(PageMixin):
    """What the archive pages share: published briefs by ``published_at``, on Django's
    date-based generic views (UTC months), paginated like every list of cards."""

    date_field = "published_at"
    allow_future = True
    paginate_by = BRIEF_LIST_PAGE_SIZE
    paginator_class = CachedPaginator
    context_object_name = "briefs"
    parent_page = ("Archive", "briefs:archive")

    def get_queryset(self):
        return Brief.objects.published().for_cards()

    def _make_date_lookup_arg(self, value):
        # Django's date views bound a period at midnight of the current time zone; the
        # archive's periods (and the month counts that number their pages) are UTC.
        if self.uses_datetime_field:
            return dt.datetime.combine(value, dt.time.min, tzinfo=dt.UTC)
        return value


class ArchiveIndexView(ArchiveMixin, generic_dates.ArchiveIndexView):
    """Every month with published briefs, grouped by year."""

    template_name = "briefs/archive_index.html"
    heading = "Archive"
    description = "The archive's briefs by year and month."
    allow_empty = True
    paginate_by = None
    parent_page = None

    def get_dated_items(self):
        # Only the month counts are shown: no list of briefs to fetch.
        return [], Brief.objects.none(), {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        months = MonthBriefCount.objects.month_counts()
        context["years"] = [
            (year, list(group)) for year, group in groupby(months, key=lambda m: m[0].year)
        ]
        return context


class ArchivePeriodMixin(StoryCardsMixin, ArchiveMixin):
    """A year's or a month's briefs; a period without briefs (or out of range) is a 404."""

    template_name = "briefs/archive_period.html"
    allow_empty = True  # the page count below answers 404, from the cached count

    def dispatch(self, request, *args, **kwargs):
        if not 1 <= int(kwargs["year"]) <= 9998:
            raise Http404("No such date.")
        return super().dispatch(request, *args, **kwargs)

    def get_description(self):
        return f"News briefs published in {self.get_heading()}."

    def get_cache_keys(self):
        months = [self.kwargs["month"]] if "month" in self.kwargs else range(1, 13)
        year = self.kwargs["year"]
        return [*(cache_keys.month(year, month) for month in months), *cache_keys.NAMES]

    # The page links the period's months from month_counts() and never the generic views'
    # date list or next/previous periods: skip their queries.
    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        return []

    def get_next_year(self, date):
        return None

    def get_previous_year(self, date):
        return None

    def get_next_month(self, date):
        return None

    def get_previous_month(self, date):
        return None

    def get_period(self):
        """``(first day, first day after)`` of the year or month shown."""
        raise NotImplementedError

    def get_paginator(self, queryset, per_page, **kwargs):
        # The month counts the database keeps: no COUNT of the period's briefs.
        count = MonthBriefCount.objects.between(*self.get_period()).total()
        return super().get_paginator(queryset, per_page, count=count, ids_first=True, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context["paginator"].count:
            raise Http404("No briefs from that time.")
        year = dt.date(int(self.get_year()), 1, 1)
        context["months"] = (
            MonthBriefCount.objects.between(year, year.replace(year=year.year + 1))
            .month_counts()[::-1]
        )
        return context


class ArchiveYearView(ArchivePeriodMixin, generic_dates.YearArchiveView):
    """Published briefs of one year, newest first."""

    make_object_list = True

    def get_heading(self):
        return str(self.get_year())

    def get_period(self):
        year = int(self.get_year())
        return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


class ArchiveMonthView(ArchivePeriodMixin, generic_dates.MonthArchiveView):
    """Published briefs of one month, newest first."""

    month_format = "%m"

    def get_heading(self):
        return f"{calendar.month_name[int(self.get_month())]} {self.get_year()}"

    def get_period(self):
        start = dt.date(int(self.get_year()), int(self.get_month()), 1)
        return start, (start + dt.timedelta(days=32)).replace(day=1)

    def get_breadcrumbs(self):
        year = self.get_year()
        return super().get_breadcrumbs() + [(year, reverse("briefs:archive-year", args=[year]))]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["current_month"] = dt.date(int(self.get_year()), int(self.get_month()), 1)
        return context


class SearchView(BriefListView):
    """Full-text search with highlighted snippets, optionally within topics."""

    template_name = "briefs/search.html"
    description = "Search the archive's briefs by words, phrases and topics."

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.gave_up:  # not kept by any cache: the next try may well finish
            patch_cache_control(response, no_store=True)
        return response

    def get_queryset(self):
        self.query = clean_query(self.request.GET.get("q", ""))
        self.problem, self.candidates, self.filter_topics = "", [], []
        self.gave_up = False
        wanted = [slug for slug in self.request.GET.getlist("topic") if slug]
        if wanted:
            # Old slugs of renamed or merged topics name their topic now; an unknown one
            # is said, never dropped (dropping it would widen the search).
            try:
                self.filter_topics = list(resolve_topic_slugs(wanted).topics)
            except UnknownTopic as unknown:
                if len(set(wanted)) > MAX_TOPICS_IN_SELECTION:
                    self.problem = f"Search within at most {MAX_TOPICS_IN_SELECTION} topics."
                else:
                    self.problem = f"No topic has the slug “{unknown}”."
                return Brief.objects.none()
        try:
            self.candidates = search_candidates(self.query, topics=self.filter_topics)
        except UnusableQuery as problem:
            self.problem = "" if "q" not in self.request.GET else str(problem)
            self.gave_up = isinstance(problem, SearchTooLong)
            return Brief.objects.none()
        shown = Brief.objects.select_related("source").prefetch_topics()
        return ranked_briefs(
            self.query, self.candidates, shown=shown.defer("body", "raw_text", "image_caption")
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = len(self.candidates)  # the candidate list is the whole result
        return paginator

    @property
    def canonical_query(self):
        return [("q", self.query)] + [("topic", topic.slug) for topic in self.filter_topics]

    def get_heading(self):
        return f"Search: {self.query}" if self.query else "Search"

    def get_breadcrumbs(self):
        return []

    def get_feeds(self):
        if not self.query or self.problem:
            return []
        return feed_links(
            "briefs:search-feed", f"Briefs matching “{self.query}”", urlencode(self.canonical_query)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for brief in context["page_obj"]:
            brief.snippet_html = highlighted(brief.search_snippet)
        searched = bool(self.query) and not self.problem
        context.update(
            query=self.query,
            problem=self.problem,
            searched=searched,
            capped=searched and self.candidates.common,
            max_results=SEARCH_MAX_RESULTS,
            filter_topics=[
                (topic, self._url(topics=[t for t in self.filter_topics if t != topic]))
                for topic in self.filter_topics
            ],
        )
        if searched and context["paginator"].count:
            sample = briefs_among(self.candidates[:NARROW_DOWN_SAMPLE]).values("pk")
            within = Topic.objects.co_topics(
                sample, excluding=self.filter_topics, limit=SEARCH_NARROW_DOWN_TOPICS
            )
            if len(self.candidates) > NARROW_DOWN_SAMPLE:
                context["narrow_sample"] = NARROW_DOWN_SAMPLE
            context["narrow_down"] = [
                (topic, self._url(topics=self.filter_topics + [topic]))
                for topic in cached_list(within)
            ]
        return context

    def _url(self, *, topics):
        params = [("q", self.query)] + [("topic", topic.slug) for topic in topics]
        return reverse("briefs:search") + "?" + urlencode(params)
