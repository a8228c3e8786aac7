"""Writes on sources: finding or creating the source a brief names, a curator's edits."""

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Lower, Replace

from core.history import history_save
from core.text import strip_unfit_characters

from ..models import Source
from ..slugs import base_slug


def source_for_name(name):
    """The Source called ``name``, ignoring case and spaces ("Clash Report" is "ClashReport").

    A source a curator renamed keeps its slug, made from the name the imports carry: it is
    found by that slug too, so an article re-imported under the outlet's own name updates
    its brief instead of making a second source. Created when missing; None for an empty
    name. Invisible characters do not count.
    """
    name = " ".join(strip_unfit_characters(name or "").split())
    if not name:
        return None
    key = "".join(name.split()).lower()
    existing = (
        Source.objects.annotate(key=Replace(Lower("name"), Value(" "), Value("")))
        .filter(key=key)
        .order_by("pk")
        .first()
    )
    if existing:
        return existing
    existing = Source.objects.filter(slug=base_slug(name, fallback="")).first()
    if existing:
        return existing
    source = Source(name=name)
    source.full_clean(exclude=["slug"])
    source.save()
    return source


@transaction.atomic
def source_save(*, source, by=None):
    """Save a curator's new or edited ``source`` (its fields set, e.g. by the admin form).

    Validated with ``full_clean`` (a blank slug is made from the name on save); the history
    (by ``by``) says "Added." or which fields changed. A changed slug leaves no redirect:
    the source's old page URL answers 404. Returns the source.
    """
    return history_save(obj=source, by=by, exclude=None if source.slug else ["slug"])
