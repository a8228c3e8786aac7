"""Admin registration for annotations (moderation grows here)."""

from django.contrib import admin

from .models import Annotation


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "brief", "user", "visibility", "created_at"]
    list_filter = ["visibility"]
    search_fields = ["exact", "note"]
    list_select_related = ["brief", "user"]
    raw_id_fields = ["brief", "user"]
