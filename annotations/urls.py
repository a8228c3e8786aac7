"""Annotation pages and the W3C Web Annotation API."""

from django.urls import path  # noqa: F401

app_name = "annotations"

urlpatterns = []

from . import feed_urls  # noqa: E402

urlpatterns += feed_urls.urlpatterns
