"""``/sitemap.xml``: an index of the reading pages search engines should know, by section.

Briefs, topics, sources, stories and archive months, each from the same public reads the
pages use (``published()``, ``with_brief_counts()``, ``month_counts()``), so drafts and
topics only drafts carry never appear. Account, note-taking and search pages stay out
(robots.txt).

The index is Django's (``django.contrib.sitemaps``); a section's pages are written here
from plain rows, ``SITEMAP_PAGE_SIZE`` links each: Django's view builds a model instance,
a dict and a template loop per link, and a page of 50,000 briefs took 6–10 s (issue 14).
Both are stored by the reader page cache and depend on what they list (``SITEMAP_KEYS``).
"""

import html

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Exists, Max, OuterRef
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import http_date

from config.limits import SITEMAP_PAGE_SIZE
from core.cache import depends_on
from core.site import site_url

from . import cache_keys
from .models import (
    Brief,
    MonthBriefCount,
    Source,
    Story,
    Topic,
    filled_url,
    topic_url,
    url_filler,
)

# Whatever a sitemap lists moves one of these (briefs, their topics and sources, stories).
SITEMAP_KEYS = (cache_keys.BRIEFS, cache_keys.TOPICS, cache_keys.SOURCES, cache_keys.STORIES)


class ArchiveSitemap(Sitemap):
    """A section listing rows (tuples), not model instances: ``items()`` returns a
    ``values_list`` queryset or a list, ``location(row)`` its page's path and, where the
    section dates its pages, ``lastmod(row)`` an aware datetime."""

    limit = SITEMAP_PAGE_SIZE

    @cached_property
    def paginator(self):
        # Once per instance: the index asks for the count twice (is the section empty,
        # how many pages).
        return Paginator(self._items(), self.limit)

    def paths(self, rows):
        """The path of each row's page, in order: ``location(row)`` each."""
        return [self.location(row) for row in rows]


class BriefSitemap(ArchiveSitemap):
    """Every published brief, dated by its last change."""

    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return (
            Brief.objects.published()
            .order_by("-published_at", "-id")
            .values_list("slug", "modified_at")
        )

    def location(self, row):
        return filled_url("briefs:brief-detail", "slug", row[0])

    def paths(self, rows):
        url = url_filler("briefs:brief-detail", "slug")  # thousands a page
        return [url(row[0]) for row in rows]

    def lastmod(self, row):
        return row[1]

    def get_latest_lastmod(self):
        # The index's date for the section: one read of brief_published_modified_idx.
        return Brief.objects.published().aggregate(latest=Max("modified_at"))["latest"]


class TopicSitemap(ArchiveSitemap):
    """Every topic at least one published brief carries."""

    changefreq = "daily"
    priority = 0.6

    def items(self):
        return Topic.objects.with_brief_counts().order_by("slug").values_list("slug", flat=True)

    def location(self, slug):
        return topic_url(slug)


class SourceSitemap(ArchiveSitemap):
    """Every source with a published brief."""

    changefreq = "daily"
    priority = 0.5

    def items(self):
        # A probe of brief_source_pub_idx per source, not a count of every brief.
        published = Brief.objects.published().filter(source=OuterRef("pk"))
        return (
            Source.objects.filter(Exists(published))
            .order_by("name", "pk")
            .values_list("slug", flat=True)
        )

    def location(self, slug):
        return filled_url("briefs:source-detail", "slug", slug)


class StorySitemap(ArchiveSitemap):
    """Every story readers can open (two or more published versions), dated by its last
    change."""

    changefreq = "daily"
    priority = 0.7

    def items(self):
        return (
            Story.objects.visible()
            .order_by("-updated_at", "-id")
            .values_list("slug", "updated_at")
        )

    def location(self, row):
        return filled_url("briefs:story-detail", "slug", row[0])

    def lastmod(self, row):
        return row[1]


class ArchiveMonthSitemap(ArchiveSitemap):
    """Every month with a published brief (``/archive/2025/07/``)."""

    changefreq = "weekly"
    priority = 0.4

    def items(self):
        # The month counts the database keeps (UTC months, as the archive pages).
        return [month for month, _count in MonthBriefCount.objects.month_counts()]

    def location(self, month):
        return reverse(
            "briefs:archive-month",
            kwargs={"year": f"{month.year:04d}", "month": f"{month.month:02d}"},
        )


SITEMAPS = {
    "briefs": BriefSitemap,
    "topics": TopicSitemap,
    "sources": SourceSitemap,
    "stories": StorySitemap,
    "archive": ArchiveMonthSitemap,
}


def sitemap_index(request):
    """``/sitemap.xml``: Django's sitemap index of ``SITEMAPS`` (each section's pages,
    dated where the section dates its links)."""
    depends_on(*SITEMAP_KEYS)
    # A sitemap lists at least one link (sitemaps.org's schema): empty sections are left out.
    sections = {name: cls() for name, cls in SITEMAPS.items()}
    sections = {name: site for name, site in sections.items() if site.paginator.count}
    response = sitemap_views.index(request, sections, sitemap_url_name="sitemap-section")
    # Django writes the index's links from the request's scheme and host; the site's
    # addresses come from SITE_URL only (as the sections' links do).
    response.render()
    seen = f"<loc>{request.scheme}://{request.get_host()}/"
    response.content = response.content.replace(
        seen.encode(), f"<loc>{site_url('/')}".encode()
    )
    return response


@sitemap_views.x_robots_tag
def sitemap_section(request, section):
    """``/sitemap-<section>.xml?p=N``: page N (from 1) of a section, a sitemaps.org
    ``urlset`` of at most ``SITEMAP_PAGE_SIZE`` links as Django's sitemap view writes it
    (``loc``, ``lastmod`` as a date, ``changefreq``, ``priority``; ``Last-Modified`` the
    newest ``lastmod`` on the page). 404 for an unknown section or a page that is not a
    number from 1 to the last page, and for a section with nothing to list (a sitemap holds
    at least one link)."""
    if section not in SITEMAPS:
        raise Http404(f"No sitemap section {section!r}.")
    depends_on(*SITEMAP_KEYS)
    site = SITEMAPS[section]()
    if not site.paginator.count:
        raise Http404("Nothing to list in this section yet.")
    try:
        page = site.paginator.page(request.GET.get("p", 1))
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("No such page of this sitemap.") from error
    base = site_url("")
    dated = callable(getattr(site, "lastmod", None))
    tail = f"<changefreq>{site.changefreq}</changefreq><priority>{site.priority}</priority></url>"
    rows = list(page.object_list)
    zone = timezone.get_current_timezone()
    lines, newest = [], None
    for row, path in zip(rows, site.paths(rows), strict=True):
        loc = html.escape(base + path)
        lastmod = site.lastmod(row) if dated else None
        if lastmod is None:
            lines.append(f"<url><loc>{loc}</loc>{tail}")
            continue
        newest = lastmod if newest is None else max(newest, lastmod)
        day = lastmod.astimezone(zone).date().isoformat()
        lines.append(f"<url><loc>{loc}</loc><lastmod>{day}</lastmod>{tail}")
    body = "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
            *lines,
            "</urlset>",
            "",
        ]
    )
    response = HttpResponse(body.encode(), content_type="application/xml")
    if dated and newest is not None:
        response["Last-Modified"] = http_date(newest.timestamp())
    return response
