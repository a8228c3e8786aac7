"""Feed URLs of the briefs app (included into the ``briefs`` namespace by briefs/urls.py)."""

from django.urls import path

from . import feeds, story_feeds


def _formats(feed_class, prefix, name):
    """RSS at ``prefix``, Atom at ``prefix + "atom/"``, JSON Feed at ``prefix + "json/"``."""
    return [
        path(prefix, feed_class("rss"), name=name),
        path(prefix + "atom/", feed_class("atom"), name=name + "-atom"),
        path(prefix + "json/", feed_class("json"), name=name + "-json"),
    ]


urlpatterns = [
    *_formats(feeds.LatestBriefsFeed, "feed/", "feed"),
    path("topics/opml/", feeds.topics_opml, name="topic-opml"),
    *_formats(feeds.TopicBriefsFeed, "topics/<topicslugs:slugs>/feed/", "topic-feed"),
    *_formats(feeds.SourceBriefsFeed, "sources/<slug:slug>/feed/", "source-feed"),
    *_formats(feeds.SearchBriefsFeed, "search/feed/", "search-feed"),
    *_formats(story_feeds.StoriesFeed, "stories/feed/", "stories-feed"),
    *_formats(story_feeds.StoryBriefsFeed, "stories/<slug:slug>/feed/", "story-feed"),
]
