"""Feed URLs of the annotations app (added to ``annotations/urls.py``'s patterns)."""

from django.urls import path

import briefs.urls  # noqa: F401  (registers the "topicslugs" path converter)
from briefs.feed_urls import _formats

from . import feeds

urlpatterns = [
    *_formats(feeds.LatestAnnotationsFeed, "annotations/feed/", "feed"),
    *_formats(feeds.UserAnnotationsFeed, "users/<str:username>/feed/", "user-feed"),
    *_formats(feeds.TagAnnotationsFeed, "annotations/tags/<str:tag>/feed/", "tag-feed"),
    path(
        "annotations/groups/<slug:slug>/feed/<str:key>/",
        feeds.GroupAnnotationsFeed(),
        name="group-feed",
    ),
    path(
        "briefs/<slug:slug>/annotations/feed/", feeds.BriefAnnotationsFeed(), name="brief-feed"
    ),
    path(
        "topics/<topicslugs:slugs>/annotations/feed/",
        feeds.TopicAnnotationsFeed(),
        name="topic-feed",
    ),
]
