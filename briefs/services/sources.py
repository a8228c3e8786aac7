"""Writes on sources: finding or creating the source a brief names."""

from django.db.models import Value
from django.db.models.functions import Lower, Replace

from core.text import strip_unfit_characters

from ..models import Source


def source_for_name(name):
    """The Source called ``name``, ignoring case and spaces ("Clash Report" is "ClashReport").

    Created when missing; None for an empty name. Invisible characters do not count.
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
    source = Source(name=name)
    source.full_clean(exclude=["slug"])
    source.save()
    return source
