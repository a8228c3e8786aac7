"""URL path converters shared by the apps' URL patterns."""

from django.urls import register_converter


class TopicSlugsConverter:
    """One or more topic slugs joined by "+" (``rare-earths+semiconductors``)."""

    regex = r"[-\w]+(?:\+[-\w]+)*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TopicSlugsConverter, "topicslugs")
