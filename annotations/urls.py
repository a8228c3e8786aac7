"""Annotation pages and the W3C Web Annotation API."""

from django.urls import path  # noqa: F401

app_name = "annotations"

urlpatterns = []
