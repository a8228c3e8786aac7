"""Public reading pages of the archive."""

from django.urls import path, register_converter

from . import views


class TopicSlugsConverter:
    """One or more topic slugs joined by "+" (``rare-earths+semiconductors``)."""

    regex = r"[-\w]+(?:\+[-\w]+)*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TopicSlugsConverter, "topicslugs")

from . import feed_urls  # noqa: E402  (needs the converter registered first)

app_name = "briefs"

urlpatterns = feed_urls.urlpatterns + [
    path("", views.home, name="home"),
    path("briefs/<slug:slug>/", views.brief_detail, name="brief-detail"),
    path("topics/<topicslugs:slugs>/", views.topic_detail, name="topic-detail"),
    path("sources/<slug:slug>/", views.source_detail, name="source-detail"),
]
