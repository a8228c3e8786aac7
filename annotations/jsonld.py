"""Annotations as W3C Web Annotation JSON-LD documents (the API and the export share this)."""

from urllib.parse import urlencode

from django.urls import reverse

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld"
CONTENT_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'


def _iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def creator(user, absolute):
    """The W3C Agent for a user: a Person whose id is the list of their public notes."""
    url = reverse("annotations:recent") + "?" + urlencode({"user": user.get_username()})
    return {"id": absolute(url), "type": "Person", "nickname": user.get_username()}


def annotation_document(annotation, absolute, *, with_context=True):
    """One annotation as a W3C Web Annotation; ``absolute`` turns a path into a full URL.

    ``annotation`` needs its ``brief`` and ``user`` loaded (``select_related``).
    """
    document = {}
    if with_context:
        document["@context"] = ANNO_CONTEXT
    document.update(
        {
            "id": absolute(reverse("annotations:api-detail", kwargs={"pk": annotation.pk})),
            "type": "Annotation",
            "motivation": "commenting" if annotation.note else "highlighting",
            "created": _iso(annotation.created_at),
            "modified": _iso(annotation.modified_at),
            "creator": creator(annotation.user, absolute),
            "target": {
                "source": absolute(annotation.brief.get_absolute_url()),
                "selector": [
                    {
                        "type": "TextQuoteSelector",
                        "exact": annotation.exact,
                        "prefix": annotation.prefix,
                        "suffix": annotation.suffix,
                    },
                    {
                        "type": "TextPositionSelector",
                        "start": annotation.start,
                        "end": annotation.end,
                    },
                ],
            },
            "visibility": annotation.visibility,
            "anchorStatus": annotation.anchor_status,
        }
    )
    if annotation.note:
        document["body"] = {
            "type": "TextualBody",
            "value": annotation.note,
            "format": "text/plain",
            "purpose": "commenting",
        }
    return document
