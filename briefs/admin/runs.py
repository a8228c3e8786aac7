"""Admin of import runs: every run's status, counts and per-item lines, read-only.

Runs are written only by ``briefs.services.import_runs``; curators who may import see
their own runs here (superusers see all), including which items they corrected.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin import SiteModelAdmin

from ..models import ImportItem, ImportRun
from ..services.import_runs import CORRECTABLE
from .common import ReadOnlyInline


class ImportItemInline(ReadOnlyInline):
    """The run's items: what each became, why, and which fields the curator corrected."""

    model = ImportItem
    fields = ["position", "name", "kind", "action", "reason", "brief_link", "corrected_fields"]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("briefs.add_brief")

    @admin.display(description="brief")
    def brief_link(self, item):
        if item.brief_id is None:
            return "—"
        url = reverse("admin:briefs_brief_change", args=[item.brief_id])
        return format_html('<a href="{}">{}</a>', url, item.brief_id)

    @admin.display(description="corrected")
    def corrected_fields(self, item):
        return ", ".join(name for name in CORRECTABLE if name in item.corrections) or "—"


@admin.register(ImportRun)
class ImportRunAdmin(SiteModelAdmin):
    list_display = ["__str__", "owner", "status", "total", "done", "created", "updated",
                    "unchanged", "failed", "corrected", "open_link"]
    list_filter = ["status"]
    readonly_fields = ["owner", "status", "brief_status", "total", "done", "created", "updated",
                       "unchanged", "failed", "corrected", "error", "created_at", "expires_at",
                       "finished_at"]
    fields = readonly_fields
    inlines = [ImportItemInline]

    def get_queryset(self, request):
        runs = super().get_queryset(request).select_related("owner")
        return runs if request.user.is_superuser else runs.filter(owner=request.user)

    def has_module_permission(self, request):
        return request.user.has_perm("briefs.add_brief")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("briefs.add_brief") and (
            obj is None or request.user.is_superuser or obj.owner_id == request.user.pk
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="page")
    def open_link(self, run):
        if run.owner_id is None:
            return "—"
        return format_html('<a href="{}">open</a>', run.get_absolute_url())
