"""Admin for topics: counts, merge, rename with redirects, look-alikes, suggestions."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path

from config.limits import ADMIN_TOPICS_PER_PAGE, TOPIC_MERGE_MAX_TOPICS
from core.admin import SiteModelAdmin
from core.history import ServiceHistoryAdmin

from ..models import (
    TaggedBrief,
    Topic,
    TopicSlugRedirect,
    TopicSuggestion,
)
from ..services import topics as topic_services
from .common import BriefCountMixin, ReadOnlyInline, action_form_response, count_of
from .forms import (
    TopicAdminForm,
    TopicMergeForm,
)


class OldSlugInline(ReadOnlyInline):
    """Old slugs of the topic: their URLs answer 301 to this topic."""

    model = TopicSlugRedirect
    can_delete = True
    fields = ["old_slug", "created_at"]
    verbose_name_plural = "old slugs (their URLs redirect here)"


@admin.register(Topic)
class TopicAdmin(BriefCountMixin, ServiceHistoryAdmin, SiteModelAdmin):
    brief_count_of = (TaggedBrief, "tag")
    form = TopicAdminForm
    list_display = ["name", "slug", "brief_count", "old_slug_list"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OldSlugInline]
    actions = ["merge_topics"]
    list_per_page = ADMIN_TOPICS_PER_PAGE

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("old_slugs")

    def get_urls(self):
        return [
            path(
                "duplicates/",
                self.admin_site.admin_view(self.duplicates_view),
                name="briefs_topic_duplicates",
            ),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {"duplicate_group_count": len(topic_services.topic_near_duplicates()),
                         **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="old slugs")
    def old_slug_list(self, topic):
        return ", ".join(row.old_slug for row in topic.old_slugs.all()) or "—"

    def save_model(self, request, obj, form, change):
        """Create or rename through the services, so a changed slug leaves a redirect."""
        data = form.cleaned_data
        if change:
            topic_services.topic_rename(
                topic=obj,
                name=data["name"],
                slug=data["slug"],
                description=data["description"],
                by=request.user,
            )
        else:
            created = topic_services.topic_create(
                name=data["name"],
                slug=data["slug"],
                description=data["description"],
                by=request.user,
            )
            obj.pk, obj.slug = created.pk, created.slug
            obj._state.adding = False

    def duplicates_view(self, request):
        """Topics whose names differ only in case, spacing or punctuation, to merge."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        groups = topic_services.topic_near_duplicates(
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
        if not 2 <= len(topics) <= TOPIC_MERGE_MAX_TOPICS:
            self.message_user(
                request,
                f"Select between 2 and {TOPIC_MERGE_MAX_TOPICS} topics to merge.",
                messages.WARNING,
            )
            return None
        form = TopicMergeForm(request.POST if "apply" in request.POST else None, topics=queryset)
        if form.is_valid():
            keep = form.cleaned_data["keep"]
            try:
                plan = topic_services.topic_merge(keep=keep, merge=list(topics), by=request.user)
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
        plans = [topic_services.topic_merge_plan(keep=topic, merge=topics) for topic in topics]
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
class TopicSlugRedirectAdmin(SiteModelAdmin):
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
class TopicSuggestionAdmin(SiteModelAdmin):
    """Suggestions are decided by the actions (through the suggestion services, which
    record history), never edited or added by hand."""

    list_display = ["topic", "brief", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["brief", "topic"]
    search_fields = ["topic__name", "brief__title"]
    fields = ["topic", "brief", "status", "created_at"]
    readonly_fields = fields
    actions = ["accept", "dismiss"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Accept selected suggestions", permissions=["change"])
    def accept(self, request, queryset):
        self._decide(request, queryset, "topic_suggestion_accept", "Accepted")

    @admin.action(description="Dismiss selected suggestions", permissions=["change"])
    def dismiss(self, request, queryset):
        self._decide(request, queryset, "topic_suggestion_dismiss", "Dismissed")

    def _decide(self, request, queryset, service_name, verb):
        service = getattr(topic_services, service_name)
        suggestions = list(queryset.select_related("brief", "topic"))
        for suggestion in suggestions:
            service(suggestion=suggestion, by=request.user)
        self.message_user(request, f"{verb} {len(suggestions)} suggestion(s).", messages.SUCCESS)

