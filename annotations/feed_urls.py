"""Feed URLs of the annotations app (added to ``annotations/urls.py``'s patterns)."""

from django.urls import path

import briefs.urls  # noqa: F401  (registers the "topicslugs" path converter)

from . import feeds

urlpatterns = [
    path("annotations/feed/", feeds.LatestAnnotationsFeed(), name="feed"),
    path("annotations/tags/<str:tag>/feed/", feeds.TagAnnotationsFeed(), name="tag-feed"),
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
