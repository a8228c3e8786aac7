"""Annotation pages and the W3C Web Annotation API."""

app_name = "annotations"

urlpatterns = []
