"""Annotation pages, groups, note settings and the W3C Web Annotation API."""

from django.urls import path, re_path

from . import account_views, api, api_search, feed_urls, group_views, views

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
    path("annotations/tags/mine.json", views.tags_mine, name="tags-mine"),
    path("annotations/<int:pk>/reply/", views.reply, name="reply"),
    path("annotations/<int:pk>/flag/", views.flag, name="flag"),
    path("annotations/<int:pk>/hide/", views.hide, name="hide"),
    path("annotations/<int:pk>/flags/clear/", views.flags_clear, name="flags-clear"),
    path("annotations/account/", account_views.account, name="account"),
    path(
        "annotations/account/tokens/<int:pk>/revoke/",
        account_views.token_revoke,
        name="token-revoke",
    ),
    path("annotations/groups/", group_views.group_index, name="groups"),
    path("annotations/groups/join/<str:key>/", group_views.group_join_view, name="group-join"),
    path("annotations/groups/<slug:slug>/", group_views.group_detail, name="group-detail"),
    path(
        "annotations/groups/<slug:slug>/leave/", group_views.group_leave_view, name="group-leave"
    ),
    path(
        "annotations/groups/<slug:slug>/members/<int:user_id>/remove/",
        group_views.group_remove_view,
        name="group-remove",
    ),
    path(
        "annotations/groups/<slug:slug>/members/<int:user_id>/owner/",
        group_views.group_make_owner_view,
        name="group-make-owner",
    ),
    path(
        "annotations/groups/<slug:slug>/invite/renew/",
        group_views.group_invite_renew_view,
        name="group-invite-renew",
    ),
    path(
        "annotations/groups/<slug:slug>/feed/renew/",
        group_views.group_feed_renew_view,
        name="group-feed-renew",
    ),
    path("api/annotations/", api.AnnotationCollectionView.as_view(), name="api-list"),
    path(
        "api/annotations/<int:pk>/", api.AnnotationDetailView.as_view(), name="api-detail"
    ),
    path("api/search/", api_search.SearchView.as_view(), name="api-search"),
    re_path(r"^api/", api.not_found, name="api-not-found"),
] + feed_urls.urlpatterns
