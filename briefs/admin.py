"""Admin registrations for briefs, sources and topics (curation grows here)."""

from django.contrib import admin

from .models import Brief, Source, Topic, TopicSuggestion


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "homepage"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(Brief)
class BriefAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "published_at", "status"]
    list_filter = ["status", "source"]
    search_fields = ["title", "dek", "author"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["source"]
    readonly_fields = ["raw_text", "content_hash", "created_at", "modified_at"]


@admin.register(TopicSuggestion)
class TopicSuggestionAdmin(admin.ModelAdmin):
    list_display = ["brief", "topic", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["brief", "topic"]
