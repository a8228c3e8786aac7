"""Admin for annotations: moderation of public notes and the orphaned-anchor review list.

Curators see public annotations only (private and group notes belong to their authors and
groups alone), flagged ones first, then newest first; they hide or show them through
``annotation_hide``/``annotation_unhide``, clear flags on notes that are fine, and review
orphans with the "anchor status" filter. Nothing here edits a reader's words.
"""

from django.contrib import admin, messages
from django.db.models import Count, Max
from django.urls import reverse
from django.utils.html import format_html

from core.admin import SiteModelAdmin

from .models import Annotation
from .services import annotation_flags_clear, annotation_hide, annotation_unhide

# Characters shown in the notes list: the passage, the note's start, the flags' reasons.
QUOTE_SHOWN = 80
NOTE_SHOWN = 80
REASONS_SHOWN = 200


class FlaggedFilter(admin.SimpleListFilter):
    title = "flags"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", "Flagged"), ("no", "Not flagged")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(flag_count__gt=0)
        if self.value() == "no":
            return queryset.filter(flag_count=0)
        return queryset


@admin.register(Annotation)
class AnnotationAdmin(SiteModelAdmin):
    list_display = [
        "passage",
        "note_start",
        "brief_link",
        "user_link",
        "anchor_status",
        "hidden",
        "flag_count",
        "created_at",
    ]
    list_filter = [FlaggedFilter, "hidden", "anchor_status", "created_at"]
    search_fields = ["exact", "note", "brief__title", "user__username"]
    list_select_related = ["brief", "user"]
    ordering = ["-created_at", "-id"]
    actions = ["hide", "unhide", "clear_flags"]
    readonly_fields = [
        "brief",
        "user",
        "exact",
        "prefix",
        "suffix",
        "start",
        "end",
        "note",
        "visibility",
        "anchor_status",
        "hidden",
        "flag_reasons",
        "parent",
        "deleted_at",
        "created_at",
        "modified_at",
    ]
    # Everything is read only (a curator never edits a reader's words); naming the fields
    # keeps the form from building choice lists of notes (ordered by the flag columns).
    fields = readonly_fields

    def get_ordering(self, request):
        """Flagged notes first (most flags, latest flag), then newest first."""
        return ["-flag_count", "-last_flagged_at", *self.ordering]

    def get_queryset(self, request):
        # Not super(): it orders before the flag columns it orders by exist.
        return (
            Annotation.objects.for_curators()
            .annotate(
                flag_count=Count("flags", distinct=True),
                last_flagged_at=Max("flags__created_at"),
            )
            .order_by(*self.get_ordering(request))
        )

    @admin.display(description="flags", ordering="-flag_count")
    def flag_count(self, annotation):
        return annotation.flag_count

    @admin.display(description="flag reasons")
    def flag_reasons(self, annotation):
        if not annotation.flag_count:
            return ""
        reasons = [f.reason for f in annotation.flags.all() if f.reason]
        return "; ".join(reasons)[:REASONS_SHOWN] or "(no reason given)"

    def has_add_permission(self, request):
        return False

    class Media:
        css = {"all": ["admin/briefs-admin.css"]}

    @admin.display(description="passage", ordering="exact")
    def passage(self, annotation):
        """The row's label: its quote and the brief it is on (not the brief's id)."""
        quote = annotation.exact
        if len(quote) > QUOTE_SHOWN:
            quote = quote[: QUOTE_SHOWN - 1] + "…"
        return f"“{quote}” on {annotation.brief.title}"

    @admin.display(description="note")
    def note_start(self, annotation):
        return annotation.note[:NOTE_SHOWN] + ("…" if len(annotation.note) > NOTE_SHOWN else "")

    def _filtered_link(self, field, value, label):
        url = reverse("admin:annotations_annotation_changelist", current_app=self.admin_site.name)
        return format_html('<a href="{}?{}__id__exact={}">{}</a>', url, field, value, label)

    @admin.display(description="brief", ordering="brief__title")
    def brief_link(self, annotation):
        return self._filtered_link("brief", annotation.brief_id, annotation.brief.title)

    @admin.display(description="user", ordering="user__username")
    def user_link(self, annotation):
        return self._filtered_link("user", annotation.user_id, annotation.user.get_username())

    def _moderate(self, request, queryset, service, verb):
        annotations = list(queryset)
        for annotation in annotations:
            service(annotation=annotation, by=request.user)
        self.message_user(request, f"{verb} {len(annotations)} annotation(s).", messages.SUCCESS)

    @admin.action(description="Hide selected annotations from the public", permissions=["change"])
    def hide(self, request, queryset):
        self._moderate(request, queryset.filter(hidden=False), annotation_hide, "Hidden")

    @admin.action(description="Show selected annotations again", permissions=["change"])
    def unhide(self, request, queryset):
        self._moderate(request, queryset.filter(hidden=True), annotation_unhide, "Shown")

    @admin.action(description="Clear the flags of selected annotations", permissions=["change"])
    def clear_flags(self, request, queryset):
        self._moderate(
            request, queryset.filter(flag_count__gt=0), annotation_flags_clear, "Cleared flags of"
        )
