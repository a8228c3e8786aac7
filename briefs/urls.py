"""Public reading pages of the archive."""

from django.urls import path, re_path

from . import feed_urls, story_cards, story_pages, views

app_name = "briefs"

urlpatterns = feed_urls.urlpatterns + [
    path("", views.HomeView.as_view(), name="home"),
    path("briefs/<slug:slug>/", views.BriefDetailView.as_view(), name="brief-detail"),
    path("topics/", views.TopicIndexView.as_view(), name="topic-list"),
    path("topics/<topicslugs:slugs>/", views.TopicDetailView.as_view(), name="topic-detail"),
    path("sources/", views.SourceIndexView.as_view(), name="source-list"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source-detail"),
    path("archive/", views.ArchiveIndexView.as_view(), name="archive"),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/$", views.ArchiveYearView.as_view(), name="archive-year"
    ),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        views.ArchiveMonthView.as_view(),
        name="archive-month",
    ),
    path("search/", views.SearchView.as_view(), name="search"),
    path("versions/", story_cards.versions_choice, name="versions-choice"),
    path("stories/", story_pages.StoryIndexView.as_view(), name="story-list"),
    path("stories/<slug:slug>/", story_pages.StoryDetailView.as_view(), name="story-detail"),
]
