"""Helpers shared by the curation admin's model admins."""

from django import forms
from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse


def count_of(rows, field):
    """How many ``rows`` (a model or a queryset) point at the outer row through ``field``,
    as a subquery."""
    rows = rows.objects.all() if isinstance(rows, type) else rows
    rows = (
        rows.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class BriefCountMixin:
    """A ``brief_count`` column (sortable) for the admin of a row briefs point at:
    ``brief_count_of`` is ``(model, field)``, the rows counted and their field naming
    this row (``(Brief, "source")``, ``(TaggedBrief, "tag")``), read as one subquery."""

    brief_count_of = None

    def get_queryset(self, request):
        rows, field = self.brief_count_of
        return super().get_queryset(request).annotate(brief_count=count_of(rows, field))

    @admin.display(description="briefs", ordering="brief_count")
    def brief_count(self, row):
        return row.brief_count


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


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent and never added, changed or deleted there: every one
    of ``fields`` is read-only, and ``select_related`` names what their query joins."""

    extra = 0
    can_delete = False
    select_related = ()

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        # select_related() with no names would join every foreign key.
        return rows.select_related(*self.select_related) if self.select_related else rows

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# What keeps the curation lists readable at 1280 px and the autocomplete boxes labelled.
LIST_MEDIA = forms.Media(
    css={"all": ["admin/briefs-admin.css"]}, js=["admin/select2-labels.js"]
)
