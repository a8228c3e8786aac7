"""Admin for stories: what the grouping found, and the curator's decisions about it.

Merging stories, moving a brief out of its story and marking a brief "not part of any
story" go through ``briefs.services.stories``; each is a decision re-grouping keeps.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from core.admin import SiteModelAdmin
from core.history import ServiceHistoryAdmin

from ..models import Brief, Story
from ..services.stories import stories_merge, story_save
from ..slugs import STORY_ROUTE_WORDS
from .common import BriefCountMixin, ReadOnlyInline


class StoryBriefInline(ReadOnlyInline):
    """The story's briefs (read-only): move one out from the brief list's actions."""

    model = Brief
    fk_name = "story"
    fields = ["title", "source", "published_at", "status"]
    select_related = ("source",)
    ordering = ["published_at", "pk"]
    verbose_name_plural = "briefs (move one out with the brief list's actions)"


class StoryAdminForm(forms.ModelForm):
    """A story's title and slug; a slug the story pages' own paths use is refused."""

    class Meta:
        model = Story
        fields = ["title", "slug", "curator_fixed"]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in STORY_ROUTE_WORDS:
            raise forms.ValidationError(
                f"“{slug}” is taken by a page under /stories/; choose another slug."
            )
        return slug


@admin.register(Story)
class StoryAdmin(BriefCountMixin, ServiceHistoryAdmin, SiteModelAdmin):
    brief_count_of = (Brief, "story")
    form = StoryAdminForm
    list_display = ["title", "brief_count", "curator_fixed", "updated_at", "site_link"]
    list_filter = ["curator_fixed"]
    search_fields = ["title", "briefs__title"]
    readonly_fields = ["created_at", "updated_at"]
    fields = ["title", "slug", "curator_fixed", "created_at", "updated_at"]
    inlines = [StoryBriefInline]
    actions = ["merge_stories"]

    def save_model(self, request, obj, form, change):
        story_save(story=obj, by=request.user)

    @admin.display(description="on site")
    def site_link(self, story):
        return format_html('<a href="{}">view</a>', story.get_absolute_url())

    @admin.action(description="Merge selected stories (into the oldest)", permissions=["change"])
    def merge_stories(self, request, queryset):
        stories = list(queryset.order_by("created_at", "pk"))
        if len(stories) < 2:
            self.message_user(request, "Select at least two stories to merge.", messages.WARNING)
            return
        try:
            keep = stories_merge(keep=stories[0], merge=stories[1:], by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(
            request, f"Merged {len(stories)} stories into “{keep}”.", messages.SUCCESS
        )
