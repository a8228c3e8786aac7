"""Story feeds: ``/stories/feed/`` (new and updated stories) and ``/stories/<slug>/feed/``
(the versions of one story), in RSS, Atom and JSON Feed like every other feed."""

from django.shortcuts import get_object_or_404
from django.utils.html import escape, format_html_join

from core.site import site_url

from . import cache_keys
from .feed_formats import clean_text
from .feeds import BriefFeed, ConditionalFeed
from .models import Brief, Story


class StoriesFeed(ConditionalFeed):
    """``/stories/feed/``: stories newest change first; an entry changes when a version
    joins, leaves or is edited (``Story.updated_at``)."""

    item_guid_is_permalink = False
    modified_field = "updated_at"
    item_order = ("-updated_at", "-id")
    guid_kind = "story"
    subject_keys = (cache_keys.STORIES, cache_keys.BRIEFS, *cache_keys.NAMES)
    heading = "Stories"
    page_name = "briefs:story-list"
    summary = "Events reported by several sources, newest change first."

    def get_queryset(self):
        return Story.objects.visible()

    def item_rows(self, queryset):
        return queryset.with_versions()

    def item_title(self, story):
        return clean_text(story.title)

    def item_description(self, story):
        return escape(self._summary(story))

    def item_pubdate(self, story):
        return story.created_at

    def item_updateddate(self, story):
        return story.updated_at

    def item_extra_kwargs(self, story):
        versions = format_html_join(
            "\n",
            '<li><a href="{}">{}</a> ({})</li>',
            (
                (site_url(brief.get_absolute_url()), clean_text(brief.title), self._outlet(brief))
                for brief in story.versions
            ),
        )
        return {"content_html": f"<ul>\n{versions}\n</ul>", "summary_text": self._summary(story)}

    @staticmethod
    def _outlet(brief):
        return clean_text(brief.source.name) if brief.source else "unknown source"

    def _summary(self, story):
        outlets = ", ".join(self._outlet(brief) for brief in story.versions)
        return f"Reported by {len(story.versions)} sources: {outlets}."


class StoryBriefsFeed(BriefFeed):
    """``/stories/<slug>/feed/``: the versions of one story, newest first."""

    def get_object(self, request, slug):
        story = get_object_or_404(Story.objects.visible(), slug=slug)
        subject = self.subject(
            request,
            heading=f"Story: {story.title}",
            link=story.get_absolute_url(),
            description=f"Every source's version of “{story.title}”, newest first.",
            queryset=Brief.objects.published().filter(story=story),
            cache_keys=(cache_keys.story(story.pk), *cache_keys.NAMES),
        )
        subject.every_version = True  # its versions are what this feed is for
        return subject
