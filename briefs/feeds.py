"""RSS, Atom and JSON feeds of briefs (being built: see the feeds issue)."""

from django.http import Http404


def not_yet(request, **kwargs):
    raise Http404("Feeds are being built.")
