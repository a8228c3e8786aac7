"""Annotation pages and the W3C Web Annotation API."""

from django.urls import path

from . import api, feed_urls, views

app_name = "annotations"

urlpatterns = [
    path("annotations/", views.recent, name="recent"),
    path("annotations/mine/", views.mine, name="mine"),
    path("annotations/mine/<int:pk>/edit/", views.mine_edit, name="mine-edit"),
    path("annotations/mine/<int:pk>/delete/", views.mine_delete, name="mine-delete"),
    path("users/<str:username>/", views.user_notes, name="user"),
    path("briefs/<slug:slug>/notes/", views.brief_notes_page, name="brief-notes"),
    path("annotations/mine/export.md", views.mine_export_markdown, name="mine-export-markdown"),
    path("annotations/mine/export.jsonld", views.mine_export_jsonld, name="mine-export-jsonld"),
    path("api/annotations/", api.AnnotationCollectionView.as_view(), name="api-list"),
    path(
        "api/annotations/<int:pk>/", api.AnnotationDetailView.as_view(), name="api-detail"
    ),
] + feed_urls.urlpatterns
