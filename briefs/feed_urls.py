"""Feed URLs of the briefs app (included into the ``briefs`` namespace by briefs/urls.py)."""

from django.urls import path

from . import feeds

urlpatterns = [
    path("feed/", feeds.not_yet, name="feed"),
    path("feed/atom/", feeds.not_yet, name="feed-atom"),
    path("feed/json/", feeds.not_yet, name="feed-json"),
    path("topics/opml/", feeds.not_yet, name="topic-opml"),
    path("topics/<topicslugs:slugs>/feed/", feeds.not_yet, name="topic-feed"),
    path("topics/<topicslugs:slugs>/feed/atom/", feeds.not_yet, name="topic-feed-atom"),
    path("topics/<topicslugs:slugs>/feed/json/", feeds.not_yet, name="topic-feed-json"),
    path("sources/<slug:slug>/feed/", feeds.not_yet, name="source-feed"),
    path("sources/<slug:slug>/feed/atom/", feeds.not_yet, name="source-feed-atom"),
    path("sources/<slug:slug>/feed/json/", feeds.not_yet, name="source-feed-json"),
    path("search/feed/", feeds.not_yet, name="search-feed"),
]
