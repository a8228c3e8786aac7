"""The curation admin: briefs, topics (merge, rename, duplicates), suggestions, import.

Every write goes through ``briefs.curation`` or ``briefs.services``; every action is written
to the admin log. Changelists annotate their counts in the one listing query.
"""

import io
import zipfile

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from . import curation
from .admin_forms import (
    BriefAdminForm,
    TopicAdminForm,
    TopicFilterForm,
    TopicMergeForm,
    TopicPickerForm,
)
from .admin_import import BriefImportView
from .topics import MAX_TOPICS_IN_SELECTION
from .models import (
    Brief,
    BriefRevision,
    Source,
    TaggedBrief,
    Topic,
    TopicSlugRedirect,
    TopicSuggestion,
)

MERGE_MAX_TOPICS = 20


def count_of(model, field):
    """How many ``model`` rows point at the outer row through ``field``, as a subquery."""
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def action_form_response(modeladmin, request, queryset, *, action, template, context):
    """Render an action's intermediate page, which posts the selection back to the action."""
    return TemplateResponse(
        request,
        template,
        {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.model._meta,
            "queryset": queryset,
            "action": action,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            **context,
        },
    )


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "homepage", "brief_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(brief_count=count_of(Brief, "source"))

    @admin.display(description="briefs", ordering="brief_count")
    def brief_count(self, source):
        return source.brief_count


class TopicListFilter(admin.ListFilter):
    """Briefs carrying every chosen topic (``?topic=3&topic=8``), picked by autocomplete."""

    title = "topics"
    parameter_name = "topic"
    template = "admin/briefs/brief/topic_filter.html"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        values = params.pop(self.parameter_name, [])
        self.topic_ids = [value for value in values if value.isdigit()][
            : MAX_TOPICS_IN_SELECTION
        ]
        if values:
            self.used_parameters[self.parameter_name] = self.topic_ids
        self.form = TopicFilterForm(initial={"topic": self.topic_ids})
        self.other_params = [
            (key, value)
            for key, value_list in request.GET.lists()
            if key not in (self.parameter_name, "p", "e")
            for value in value_list
        ]

    def has_output(self):
        return True

    def expected_parameters(self):
        return [self.parameter_name]

    def queryset(self, request, queryset):
        if not self.topic_ids:
            return queryset
        return queryset.with_topics(Topic.objects.filter(pk__in=self.topic_ids))

    def choices(self, changelist):
        yield {
            "selected": bool(self.topic_ids),
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "All",
        }


class BriefRevisionInline(admin.TabularInline):
    """Earlier bodies of the brief: who changed it, when and why (read-only)."""

    model = BriefRevision
    extra = 0
    can_delete = False
    fields = ["created_at", "author", "reason", "title", "body_start"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    verbose_name_plural = "revisions (the body before each change)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="body before the change")
    def body_start(self, revision):
        return revision.body[:300] + ("…" if len(revision.body) > 300 else "")


class BriefChangeList(ChangeList):
    """The brief list reads no long text columns (bodies, raw imports)."""

    def get_queryset(self, request, exclude_parameters=None):
        return (
            super().get_queryset(request, exclude_parameters).defer("body", "raw_text", "dek")
        )


@admin.register(Brief)
class BriefAdmin(admin.ModelAdmin):
    form = BriefAdminForm
    list_display = [
        "title",
        "source",
        "published_at",
        "status",
        "topic_count",
        "annotation_count",
        "site_link",
    ]
    list_filter = ["status", "source", TopicListFilter, "published_at"]
    search_fields = ["title", "dek", "author"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["source"]
    list_per_page = 100
    autocomplete_fields = ["source"]
    readonly_fields = [
        "suggested_topics",
        "raw_text",
        "content_hash",
        "created_at",
        "modified_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "dek", "body"]}),
        (
            "Source and date",
            {"fields": ["source", "author", "published_at", "published_time_known"]},
        ),
        ("Topics", {"fields": ["topics", "suggested_topics"]}),
        ("Image", {"classes": ["collapse"], "fields": ["image_caption"]}),
        (
            "As imported",
            {
                "classes": ["collapse"],
                "fields": ["raw_text", "content_hash", "created_at", "modified_at"],
            },
        ),
    ]
    inlines = [BriefRevisionInline]
    actions = ["publish", "unpublish", "add_topics", "remove_topics", "export_as_text"]

    @property
    def media(self):
        return super().media + TopicFilterForm().media

    def get_changelist(self, request, **kwargs):
        return BriefChangeList

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # The "annotations" relation comes from the annotations app; only its name is used.
        annotation_model = Brief._meta.get_field("annotations").related_model
        return queryset.annotate(
            topic_count=count_of(TaggedBrief, "content_object"),
            annotation_count=count_of(annotation_model, "brief"),
        )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        import_view = BriefImportView.as_view(model_admin=self)
        return [
            path(
                "import/",
                self.admin_site.admin_view(import_view),
                name="%s_%s_import" % info,
            ),
            path(
                "<int:brief_id>/suggestions/<int:suggestion_id>/<str:decision>/",
                self.admin_site.admin_view(require_POST(self.suggestion_view)),
                name="%s_%s_suggestion" % info,
            ),
        ] + super().get_urls()

    # --- columns ------------------------------------------------------------------------

    @admin.display(description="topics", ordering="topic_count")
    def topic_count(self, brief):
        return brief.topic_count

    @admin.display(description="notes", ordering="annotation_count")
    def annotation_count(self, brief):
        return brief.annotation_count

    @admin.display(description="on site")
    def site_link(self, brief):
        if brief.status != Brief.Status.PUBLISHED:
            return "—"
        return format_html('<a href="{}">view</a>', brief.get_absolute_url())

    @admin.display(description="suggested topics")
    def suggested_topics(self, brief):
        """Pending suggestions, each with buttons that post to the decision view."""
        if brief.pk is None:
            return "—"
        pending = brief.topic_suggestions.filter(
            status=TopicSuggestion.Status.PENDING
        ).select_related("topic")
        if not pending:
            return "None pending."
        return format_html_join(
            "",
            '<p class="topic-suggestion">{} '
            '<button type="submit" class="button" formaction="{}" formnovalidate>Accept</button> '
            '<button type="submit" class="button" formaction="{}" formnovalidate>Dismiss</button>'
            "</p>",
            (
                (
                    suggestion.topic.name,
                    self._suggestion_url(brief, suggestion, "accept"),
                    self._suggestion_url(brief, suggestion, "dismiss"),
                )
                for suggestion in pending
            ),
        )

    def _suggestion_url(self, brief, suggestion, decision):
        return reverse(
            "admin:briefs_brief_suggestion",
            args=[brief.pk, suggestion.pk, decision],
            current_app=self.admin_site.name,
        )

    # --- saving -------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        obj.note_change(by=request.user, reason="Edited in the admin")
        super().save_model(request, obj, form, change)

    @staticmethod
    def _services():
        from . import services  # the importer's module; imported late, it may grow

        return services

    def suggestion_view(self, request, brief_id, suggestion_id, decision):
        """Accept or dismiss one suggested topic, then go back to the brief."""
        brief = get_object_or_404(Brief, pk=brief_id)
        if not self.has_change_permission(request, brief):
            raise PermissionDenied
        suggestion = get_object_or_404(TopicSuggestion, pk=suggestion_id, brief=brief)
        services = self._services()
        if decision == "accept":
            services.topic_suggestion_accept(suggestion=suggestion)
            message = f"Accepted the suggested topic “{suggestion.topic}”."
        elif decision == "dismiss":
            services.topic_suggestion_dismiss(suggestion=suggestion)
            message = f"Dismissed the suggested topic “{suggestion.topic}”."
        else:
            raise PermissionDenied
        self.log_change(request, brief, message)
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:briefs_brief_change", args=[brief.pk], current_app=self.admin_site.name)
        )

    # --- actions ------------------------------------------------------------------------

    @admin.action(description="Publish selected briefs", permissions=["change"])
    def publish(self, request, queryset):
        count = curation.briefs_set_status(briefs=queryset, status="published", by=request.user)
        self.message_user(request, f"Published {count} brief(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected briefs (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        count = curation.briefs_set_status(briefs=queryset, status="draft", by=request.user)
        self.message_user(request, f"Unpublished {count} brief(s).", messages.SUCCESS)

    def _topics_action(self, request, queryset, *, action, service, verb, title):
        form = TopicPickerForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            count = service(briefs=queryset, topics=form.cleaned_data["topics"], by=request.user)
            self.message_user(
                request, f"{verb} {count} topic tag(s) on the selected briefs.", messages.SUCCESS
            )
            return None
        return action_form_response(
            self,
            request,
            queryset,
            action=action,
            template="admin/briefs/brief/topics_action.html",
            context={"form": form, "verb": verb, "title": title, "media": self.media + form.media},
        )

    @admin.action(description="Add topics to selected briefs…", permissions=["change"])
    def add_topics(self, request, queryset):
        return self._topics_action(
            request,
            queryset,
            action="add_topics",
            service=curation.briefs_add_topics,
            verb="Added",
            title="Add topics",
        )

    @admin.action(description="Remove topics from selected briefs…", permissions=["change"])
    def remove_topics(self, request, queryset):
        return self._topics_action(
            request,
            queryset,
            action="remove_topics",
            service=curation.briefs_remove_topics,
            verb="Removed",
            title="Remove topics",
        )

    @admin.action(description="Export selected briefs as text files (zip)", permissions=["view"])
    def export_as_text(self, request, queryset):
        briefs = list(
            queryset.defer(None).select_related("source").order_by("-published_at", "-id")
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for brief in briefs:
                archive.writestr(f"{brief.slug}.txt", brief_as_text(brief))
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=briefs,
            action_flag=CHANGE,
            change_message="Exported as a text file.",
        )
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="briefs.zip"'
        return response


def brief_as_text(brief):
    """The brief as a text file: the file it was imported from, or one in the same layout."""
    if brief.raw_text:
        return brief.raw_text
    date = brief.published_at.strftime("%B %-d, %Y")
    byline = " · ".join(part for part in (brief.author, str(brief.source or "")) if part)
    parts = [brief.title, brief.dek, byline, date, brief.body]
    return "\n\n".join(part for part in parts if part) + "\n"


class OldSlugInline(admin.TabularInline):
    """Old slugs of the topic: their URLs answer 301 to this topic."""

    model = TopicSlugRedirect
    extra = 0
    fields = ["old_slug", "created_at"]
    readonly_fields = fields
    verbose_name_plural = "old slugs (their URLs redirect here)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    form = TopicAdminForm
    list_display = ["name", "slug", "brief_count", "old_slug_list"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OldSlugInline]
    actions = ["merge_topics"]
    list_per_page = 200

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(brief_count=count_of(TaggedBrief, "tag"))
            .prefetch_related("old_slugs")
        )

    def get_urls(self):
        return [
            path(
                "duplicates/",
                self.admin_site.admin_view(self.duplicates_view),
                name="briefs_topic_duplicates",
            ),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {"duplicate_group_count": len(curation.topic_near_duplicates()),
                         **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="briefs", ordering="brief_count")
    def brief_count(self, topic):
        return topic.brief_count

    @admin.display(description="old slugs")
    def old_slug_list(self, topic):
        return ", ".join(row.old_slug for row in topic.old_slugs.all()) or "—"

    def save_model(self, request, obj, form, change):
        """Create or rename through the services, so a changed slug leaves a redirect."""
        data = form.cleaned_data
        if change:
            curation.topic_rename(
                topic=obj, name=data["name"], slug=data["slug"], description=data["description"]
            )
        else:
            created = curation.topic_create(
                name=data["name"], slug=data["slug"], description=data["description"]
            )
            obj.pk, obj.slug = created.pk, created.slug
            obj._state.adding = False

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        if not add and "slug" in form.changed_data:
            message.append({"changed": {"fields": ["old slug recorded as a redirect"]}})
        return message

    def duplicates_view(self, request):
        """Topics whose names differ only in case, spacing or punctuation, to merge."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        groups = curation.topic_near_duplicates(
            Topic.objects.annotate(brief_count=count_of(TaggedBrief, "tag")).order_by("name")
        )
        return TemplateResponse(
            request,
            "admin/briefs/topic/duplicates.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Topics that look like duplicates",
                "groups": groups,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "can_merge": self.has_change_permission(request)
                and self.has_delete_permission(request),
            },
        )

    @admin.action(description="Merge selected topics…", permissions=["change", "delete"])
    def merge_topics(self, request, queryset):
        topics = queryset.annotate(brief_count=count_of(TaggedBrief, "tag")).order_by(
            "-brief_count", "name"
        )
        if not 2 <= len(topics) <= MERGE_MAX_TOPICS:
            self.message_user(
                request,
                f"Select between 2 and {MERGE_MAX_TOPICS} topics to merge.",
                messages.WARNING,
            )
            return None
        form = TopicMergeForm(request.POST if "apply" in request.POST else None, topics=queryset)
        if form.is_valid():
            keep = form.cleaned_data["keep"]
            try:
                plan = curation.topic_merge(keep=keep, merge=list(topics), by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return None
            self.message_user(
                request,
                f"Merged {len(plan.merge)} topic(s) into “{keep}”: {plan.briefs_moving} brief(s) "
                f"moved; old slugs {', '.join(plan.old_slugs)} now redirect.",
                messages.SUCCESS,
            )
            return None
        plans = [curation.topic_merge_plan(keep=topic, merge=topics) for topic in topics]
        return action_form_response(
            self,
            request,
            queryset,
            action="merge_topics",
            template="admin/briefs/topic/merge.html",
            context={
                "title": "Merge topics",
                "plans": plans,
                "topics": topics,
                "default_keep": topics[0].pk,
                "form": form,
            },
        )


@admin.register(TopicSlugRedirect)
class TopicSlugRedirectAdmin(admin.ModelAdmin):
    """Old slugs left by renames and merges; deleting one makes its URLs 404."""

    list_display = ["old_slug", "topic", "created_at"]
    search_fields = ["old_slug", "topic__name"]
    list_select_related = ["topic"]
    fields = ["old_slug", "topic", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TopicSuggestion)
class TopicSuggestionAdmin(admin.ModelAdmin):
    list_display = ["topic", "brief", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["brief", "topic"]
    search_fields = ["topic__name", "brief__title"]
    raw_id_fields = ["brief", "topic"]
    actions = ["accept", "dismiss"]

    @admin.action(description="Accept selected suggestions", permissions=["change"])
    def accept(self, request, queryset):
        self._decide(request, queryset, "topic_suggestion_accept", "Accepted")

    @admin.action(description="Dismiss selected suggestions", permissions=["change"])
    def dismiss(self, request, queryset):
        self._decide(request, queryset, "topic_suggestion_dismiss", "Dismissed")

    def _decide(self, request, queryset, service_name, verb):
        service = getattr(BriefAdmin._services(), service_name)
        suggestions = list(queryset.select_related("brief", "topic"))
        for suggestion in suggestions:
            service(suggestion=suggestion)
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=[suggestion.brief for suggestion in suggestions],
            action_flag=CHANGE,
            change_message=f"{verb} a suggested topic.",
        )
        self.message_user(request, f"{verb} {len(suggestions)} suggestion(s).", messages.SUCCESS)
