"""Admin for briefs and sources: counts, filters, bulk actions, export, import."""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import URLField
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from config.limits import ADMIN_BRIEFS_PER_PAGE, MAX_TOPICS_IN_SELECTION
from core.admin import SiteModelAdmin
from core.history import ServiceHistoryAdmin
from core.text import whole_number

from ..models import (
    Brief,
    BriefRevision,
    Source,
    TaggedBrief,
    Topic,
    TopicSuggestion,
)
from ..services.briefs import (
    brief_set_topics,
    brief_update,
    briefs_add_topics,
    briefs_export,
    briefs_remove_topics,
    briefs_set_status,
    briefs_undated,
)
from ..services.sources import source_save
from ..services.stories import brief_story_exclude, brief_story_move_out, brief_story_put
from ..services.topics import topic_suggestion_accept, topic_suggestion_dismiss
from .common import LIST_MEDIA, BriefCountMixin, ReadOnlyInline, action_form_response, count_of
from .forms import (
    BriefAdminForm,
    StoryPickerForm,
    TopicFilterForm,
    TopicPickerForm,
)
from .importing import BriefImportView, ClipView, ImportRunView

# Characters of a revision's former body shown in the brief's revisions list.
REVISION_BODY_SHOWN = 300


@admin.register(Source)
class SourceAdmin(BriefCountMixin, ServiceHistoryAdmin, SiteModelAdmin):
    brief_count_of = (Brief, "source")
    list_display = ["name", "slug", "homepage", "brief_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    # A homepage typed without a scheme is an https address (Django 6's default, chosen now:
    # the form's old default warned on every add page, found by tests/test_fuzz.py).
    formfield_overrides = {URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        source_save(source=obj, by=request.user)


class TopicListFilter(admin.ListFilter):
    """Briefs carrying every chosen topic (``?topic=3&topic=8``), picked by autocomplete."""

    title = "topics"
    parameter_name = "topic"
    template = "admin/briefs/brief/topic_filter.html"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        values = params.pop(self.parameter_name, [])
        self.topic_ids = [value for value in values if whole_number(value) is not None][
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


class BriefRevisionInline(ReadOnlyInline):
    """Earlier bodies of the brief: who changed it, when and why (read-only)."""

    model = BriefRevision
    fields = ["created_at", "author", "reason", "title", "body_start"]
    select_related = ("author",)
    ordering = ["-created_at", "-id"]
    verbose_name_plural = "revisions (the body before each change)"

    @admin.display(description="body before the change")
    def body_start(self, revision):
        body = revision.body
        return body[:REVISION_BODY_SHOWN] + ("…" if len(body) > REVISION_BODY_SHOWN else "")


class BriefChangeList(ChangeList):
    """The brief list reads no long text columns (bodies, raw imports)."""

    def get_queryset(self, request, exclude_parameters=None):
        return (
            super().get_queryset(request, exclude_parameters).defer("body", "raw_text", "dek")
        )


@admin.register(Brief)
class BriefAdmin(ServiceHistoryAdmin, SiteModelAdmin):
    form = BriefAdminForm
    list_display = [
        "title",
        "source",
        "published_at",
        "status",
        "topic_count",
        "annotation_count",
        "story",
        "site_link",
    ]
    list_filter = ["status", "source", TopicListFilter, "story_excluded", "published_at"]
    search_fields = ["title", "dek", "author"]

    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["source", "story"]
    list_per_page = ADMIN_BRIEFS_PER_PAGE
    autocomplete_fields = ["source"]
    readonly_fields = [
        "suggested_topics",
        "raw_text",
        "content_hash",
        "created_at",
        "modified_at",
        "story",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "dek", "body"]}),
        (
            "Source and date",
            {"fields": ["source", "author", "published_at", "published_time_known"]},
        ),
        ("Topics", {"fields": ["topics", "suggested_topics"]}),
        ("Story", {"fields": ["story", "story_excluded"]}),
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
    actions = [
        "publish",
        "unpublish",
        "add_topics",
        "remove_topics",
        "put_into_story",
        "move_out_of_story",
        "exclude_from_stories",
        "export_as_text",
    ]

    @property
    def media(self):
        return super().media + LIST_MEDIA + TopicFilterForm().media

    def get_changelist(self, request, **kwargs):
        return BriefChangeList

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # The "annotations" relation comes from the annotations app; only its name and its
        # curators' rule are used (private notes are never counted here).
        annotation_model = Brief._meta.get_field("annotations").related_model
        return queryset.annotate(
            topic_count=count_of(TaggedBrief, "content_object"),
            annotation_count=count_of(annotation_model.objects.for_curators(), "brief"),
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
                "import/clip/",
                self.admin_site.admin_view(ClipView.as_view(model_admin=self)),
                name="%s_%s_import_clip" % info,
            ),
            path(
                "import/<str:key>/",
                self.admin_site.admin_view(ImportRunView.as_view(model_admin=self)),
                name="%s_%s_import_run" % info,
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
        changed = [name for name in form.changed_data if name != "topics"]
        brief_update(
            brief=obj, by=request.user, reason="Edited in the admin", changed_fields=changed
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        brief_set_topics(
            brief=form.instance,
            topics=form.cleaned_data.get("topics") or [],
            by=request.user,
            created=not change,
        )

    def suggestion_view(self, request, brief_id, suggestion_id, decision):
        """Accept or dismiss one suggested topic, then go back to the brief."""
        brief = get_object_or_404(Brief, pk=brief_id)
        if not self.has_change_permission(request, brief):
            raise PermissionDenied
        suggestion = get_object_or_404(TopicSuggestion, pk=suggestion_id, brief=brief)
        if decision == "accept":
            topic_suggestion_accept(suggestion=suggestion, by=request.user)
            message = f"Accepted the suggested topic “{suggestion.topic}”."
        elif decision == "dismiss":
            topic_suggestion_dismiss(suggestion=suggestion, by=request.user)
            message = f"Dismissed the suggested topic “{suggestion.topic}”."
        else:
            raise PermissionDenied
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:briefs_brief_change", args=[brief.pk], current_app=self.admin_site.name)
        )

    # --- actions ------------------------------------------------------------------------

    @admin.action(description="Publish selected briefs", permissions=["change"])
    def publish(self, request, queryset):
        count = briefs_set_status(briefs=queryset, status="published", by=request.user)
        self.message_user(request, f"Published {count} brief(s).", messages.SUCCESS)
        undated = briefs_undated(queryset)
        if undated:
            self.message_user(
                request,
                f"{undated} brief(s) without a publication date stay drafts: "
                "set their date first.",
                messages.WARNING,
            )

    @admin.action(description="Unpublish selected briefs (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        count = briefs_set_status(briefs=queryset, status="draft", by=request.user)
        self.message_user(request, f"Unpublished {count} brief(s).", messages.SUCCESS)

    # The two topic actions differ only in the service they call and the words they show.
    TOPIC_ACTIONS = {
        "add_topics": (briefs_add_topics, "Added", "Add topics"),
        "remove_topics": (briefs_remove_topics, "Removed", "Remove topics"),
    }

    def _topics_action(self, request, queryset, *, action):
        service, verb, title = self.TOPIC_ACTIONS[action]
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
        return self._topics_action(request, queryset, action="add_topics")

    @admin.action(description="Remove topics from selected briefs…", permissions=["change"])
    def remove_topics(self, request, queryset):
        return self._topics_action(request, queryset, action="remove_topics")

    @admin.action(description="Put selected briefs into a story…", permissions=["change"])
    def put_into_story(self, request, queryset):
        form = StoryPickerForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return action_form_response(
                self,
                request,
                queryset,
                action="put_into_story",
                template="admin/briefs/brief/story_action.html",
                context={
                    "form": form,
                    "title": "Put briefs into a story",
                    "media": self.media + form.media,
                },
            )
        story = form.cleaned_data["story"]
        put = 0
        for brief in queryset.select_related("source").order_by("published_at", "pk"):
            try:
                brief_story_put(brief=brief, story=story, by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                put += 1
        if put:
            self.message_user(
                request,
                ngettext(
                    "Put %(count)d brief into “%(story)s”; re-grouping keeps it there.",
                    "Put %(count)d briefs into “%(story)s”; re-grouping keeps them there.",
                    put,
                ) % {"count": put, "story": story},
                messages.SUCCESS,
            )
        return None

    @admin.action(description="Move selected briefs out of their story", permissions=["change"])
    def move_out_of_story(self, request, queryset):
        moved = [
            brief
            for brief in queryset.filter(story__isnull=False)
            if brief_story_move_out(brief=brief, by=request.user)
        ]
        self.message_user(
            request,
            f"Moved {len(moved)} brief(s) out of their story; they will not be grouped with "
            "those briefs again.",
            messages.SUCCESS,
        )

    @admin.action(description="Mark selected briefs: not part of any story", permissions=["change"])
    def exclude_from_stories(self, request, queryset):
        briefs = list(queryset)
        for brief in briefs:
            brief_story_exclude(brief=brief, by=request.user)
        self.message_user(
            request, f"{len(briefs)} brief(s) will not be part of any story.", messages.SUCCESS
        )

    @admin.action(description="Export selected briefs as text files (zip)", permissions=["view"])
    def export_as_text(self, request, queryset):
        briefs = queryset.defer(None).select_related("source").order_by("-published_at", "-id")
        response = HttpResponse(briefs_export(briefs=briefs, by=request.user),
                                content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="briefs.zip"'
        return response
