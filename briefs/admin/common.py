"""Helpers shared by the curation admin's model admins."""

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse


def count_of(model, field, rows=None):
    """How many ``model`` rows (of the queryset ``rows``, default all) point at the outer row
    through ``field``, as a subquery."""
    rows = (
        (model.objects.all() if rows is None else rows)
        .filter(**{field: OuterRef("pk")})
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


