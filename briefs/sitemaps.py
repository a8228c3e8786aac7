"""``/sitemap.xml``: an index of the reading pages search engines should know, by section.

Briefs, topics, sources, stories and archive months, each from the same public reads the pages use
(``published()``, ``with_brief_counts()``, ``month_counts()``), so drafts and topics only
drafts carry never appear. Account, note-taking and search pages stay out (robots.txt).
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Brief, MonthBriefCount, Source, Story, Topic


class BriefSitemap(Sitemap):
    """Every published brief, dated by its last change."""

    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Brief.objects.published().only("slug", "modified_at").order_by("-published_at", "-id")

    def lastmod(self, brief):
        return brief.modified_at


class TopicSitemap(Sitemap):
    """Every topic at least one published brief carries."""

    changefreq = "daily"
    priority = 0.6

    def items(self):
        return Topic.objects.with_brief_counts().only("slug").order_by("slug")


class SourceSitemap(Sitemap):
    """Every source with a published brief."""

    changefreq = "daily"
    priority = 0.5

    def items(self):
        return Source.objects.with_brief_counts().only("slug")


class StorySitemap(Sitemap):
    """Every story readers can open (two or more published versions), dated by its last
    change."""

    changefreq = "daily"
    priority = 0.7

    def items(self):
        return Story.objects.visible().only("slug", "updated_at").order_by("-updated_at", "-id")

    def lastmod(self, story):
        return story.updated_at


class ArchiveMonthSitemap(Sitemap):
    """Every month with a published brief (``/archive/2025/07/``)."""

    changefreq = "weekly"
    priority = 0.4

    def items(self):
        # The month counts the database keeps (UTC months, as the archive pages).
        return [month for month, _count in MonthBriefCount.objects.month_counts()]

    def location(self, month):
        return reverse(
            "briefs:archive-month", kwargs={"year": f"{month.year:04d}", "month": f"{month.month:02d}"}
        )


SITEMAPS = {
    "briefs": BriefSitemap,
    "topics": TopicSitemap,
    "sources": SourceSitemap,
    "stories": StorySitemap,
    "archive": ArchiveMonthSitemap,
}
