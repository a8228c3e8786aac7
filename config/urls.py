"""Root URLs: the admin, the health check, and each app under its own namespace."""

from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from briefs.sitemaps import SITEMAPS
from core import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("accounts/", include("accounts.urls")),
    path("", include("annotations.urls")),
    path("", include("briefs.urls")),
]

# A database outage anywhere in the request answers 503, any other fault 500.
handler500 = "core.views.server_error"
