"""Root URLs: the admin, the health check, and each app under its own namespace."""

from django.contrib import admin
from django.urls import include, path

from briefs import sitemaps
from core import views

urlpatterns = [
    # Before the admin's own: "view on site" only for objects the admin shows this user.
    path(
        "admin/r/<path:content_type_id>/<path:object_id>/",
        views.admin_view_on_site,
        name="admin-view-on-site",
    ),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.sitemap_section, name="sitemap-section"),
    path("accounts/", include("accounts.urls")),
    path("", include("annotations.urls")),
    path("", include("briefs.urls")),
]

# A database outage anywhere in the request answers 503, any other fault 500; errors under
# /api/ answer JSON (core/views.py).
handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
