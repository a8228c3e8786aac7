"""Annotations as W3C Web Annotation JSON-LD: writing documents, and reading what clients send.

The API and the export share the writing half; the API's views use the reading half, so
what a field means on the way out and on the way in is defined side by side.
"""

import json
import re
from urllib.parse import urlencode, urlsplit

from django.core.exceptions import RequestDataTooBig
from django.urls import Resolver404, resolve, reverse

from briefs.models import Brief
from config.limits import ANNOTATION_NOTE_MAX_LENGTH, ANNOTATION_REQUEST_MAX_BYTES

from .models import Annotation, Group
from .search import is_on_site

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld"
CONTENT_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'


def _iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def creator(user, absolute):
    """The W3C Agent for a user: a Person whose id is the list of their public notes."""
    url = reverse("annotations:recent") + "?" + urlencode({"user": user.get_username()})
    return {"id": absolute(url), "type": "Person", "nickname": user.get_username()}


def _target(annotation, absolute):
    """A note's target is its passage; a reply's is the IRI of the note it answers."""
    if annotation.parent_id is not None:
        return absolute(reverse("annotations:api-detail", kwargs={"pk": annotation.parent_id}))
    return {
        "source": absolute(annotation.brief.get_absolute_url()),
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": annotation.exact,
                "prefix": annotation.prefix,
                "suffix": annotation.suffix,
            },
            {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end},
        ],
    }


def _motivation(annotation):
    if annotation.parent_id is not None:
        return "replying"
    return "commenting" if annotation.note else "highlighting"


def _bodies(annotation, tags):
    bodies = []
    if annotation.note:
        bodies.append(
            {
                "type": "TextualBody",
                "value": annotation.note,
                "format": "text/plain",
                "purpose": "replying" if annotation.parent_id else "commenting",
            }
        )
    bodies += [{"type": "TextualBody", "value": tag, "purpose": "tagging"} for tag in tags]
    return bodies


def annotation_document(annotation, absolute, *, with_context=True):
    """One annotation as a W3C Web Annotation; ``absolute`` turns a path into a full URL.

    ``annotation`` needs its ``brief``, ``user`` (and ``group``) loaded; its tags are read
    from ``prefetch_tags()`` or ``prefetch_related("tags")`` when the caller prefetched
    them. A note's body is one TextualBody, or a list when it has tags (``purpose: tagging``).
    """
    document = {}
    if with_context:
        document["@context"] = ANNO_CONTEXT
    document.update(
        {
            "id": absolute(reverse("annotations:api-detail", kwargs={"pk": annotation.pk})),
            "type": "Annotation",
            "motivation": _motivation(annotation),
            "created": _iso(annotation.created_at),
            "modified": _iso(annotation.modified_at),
            "creator": creator(annotation.user, absolute),
            "target": _target(annotation, absolute),
            "visibility": annotation.visibility,
        }
    )
    if annotation.parent_id is None:
        document["anchorStatus"] = annotation.anchor_status
    if annotation.group_id is not None:
        document["group"] = annotation.group.slug
    if annotation.deleted_at is not None:
        document["deleted"] = True
    bodies = _bodies(annotation, sorted(tag.name for tag in annotation.tags.all()))
    if len(bodies) == 1:
        document["body"] = bodies[0]
    elif bodies:
        document["body"] = bodies
    return document


# Reading requests ---------------------------------------------------------------------
# What clients send, checked field by field: every problem is an ApiError with a status and
# a message, whatever the shape of the JSON (lists for objects, numbers for strings, ...).


# A group's slug (Group.slug, a SlugField of 100): anything else names no group, and is not
# sent to the database (PostgreSQL refuses a NUL in a query).
_SLUG = re.compile(r"[-\w]{1,100}")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class ApiError(Exception):
    """An error answered as ``{"error": message}`` with ``status``."""

    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def read_json(request):
    """The request body as one JSON object (dict), or ApiError 400/413."""
    try:
        body = request.body
    except RequestDataTooBig:  # past DATA_UPLOAD_MAX_MEMORY_SIZE: Django will not read it
        raise ApiError(413, "The request is too large.") from None
    if len(body) > ANNOTATION_REQUEST_MAX_BYTES:
        raise ApiError(413, "The request is too large.")
    try:
        document = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "The request body is not valid JSON.") from None
    except RecursionError:
        raise ApiError(400, "The request body is nested too deeply.") from None
    if not isinstance(document, dict):
        raise ApiError(400, "Send one annotation as a JSON object.")
    return document


def note_from(document, *, required):
    """The note text from a TextualBody (``body``) or ``bodyValue``; None when absent."""
    if "body" in document and "bodyValue" in document:
        raise ApiError(400, "Send either body or bodyValue, not both.")
    if "bodyValue" in document:
        body = {"type": "TextualBody", "value": document["bodyValue"]}
    else:
        body = document.get("body")
    if isinstance(body, list):
        body = [b for b in body if not (isinstance(b, dict) and b.get("purpose") == "tagging")]
        if len(body) > 1:
            raise ApiError(400, "Send at most one note body (plus tagging bodies).")
        body = body[0] if body else None
    elif isinstance(body, dict) and body.get("purpose") == "tagging":
        body = None
    if body is None:
        return "" if required else None
    if not isinstance(body, dict) or body.get("type", "TextualBody") != "TextualBody":
        raise ApiError(400, "The body must be a TextualBody.")
    if body.get("format", "text/plain") != "text/plain":
        raise ApiError(400, 'Notes are plain text: the body format must be "text/plain".')
    value = body.get("value", "")
    if not isinstance(value, str):
        raise ApiError(400, "The body value must be a string.")
    if _LONE_SURROGATE.search(value):  # JSON's "\ud800" alone: no character, not storable
        raise ApiError(
            400, "The body value holds a lone surrogate (half a UTF-16 pair): not text."
        )
    if len(value) > ANNOTATION_NOTE_MAX_LENGTH:
        raise ApiError(
            413, f"The note has {len(value):,} characters; the limit is {ANNOTATION_NOTE_MAX_LENGTH:,}."
        )
    return value


def tags_from(document):
    """The tag names of the ``purpose: tagging`` bodies, or None when the body is absent."""
    if "body" not in document:
        return None
    body = document["body"]
    bodies = body if isinstance(body, list) else [body]
    tags = []
    for item in bodies:
        if isinstance(item, dict) and item.get("purpose") == "tagging":
            value = item.get("value")
            if not isinstance(value, str) or not value.strip():
                raise ApiError(400, "A tagging body needs a non-empty string value.")
            tags.append(value)
    return tags


def choice_from(document, name, choices, *, default):
    """``document[name]`` when it is one of the strings ``choices``, ``default`` when the
    field is absent (or null); ApiError 400 naming the choices for anything else, a list
    or object included (a membership test on those would be a TypeError)."""
    value = document.get(name)
    if value is None:
        return default
    if not isinstance(value, str) or value not in choices:
        named = ", ".join(f'"{choice}"' for choice in choices[:-1])
        raise ApiError(400, f'{name} must be {named} or "{choices[-1]}".')
    return value


def visibility_from(document, *, required):
    """The ``visibility`` string; private when ``required`` and absent, else None."""
    return choice_from(
        document,
        "visibility",
        list(Annotation.Visibility.values),
        default=Annotation.Visibility.PRIVATE if required else None,
    )


def group_from(document, user):
    """The Group named by ``group`` (a slug) that ``user`` belongs to; None when absent.

    A group the user is not in answers like a missing one, so the API never confirms that
    a group exists to an outsider.
    """
    slug = document.get("group")
    if slug is None:
        return None
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
        raise ApiError(400, "group must be the slug of one of your groups.")
    group = Group.objects.filter(slug=slug, memberships__user=user).first()
    if group is None:
        raise ApiError(400, f"You are in no group {slug!r}.")
    return group


def on_this_site(iri, hosts, what):
    """``iri`` (a path, or an http(s) URL on one of ``hosts``: ``site_hosts()``) split by
    ``urlsplit``; ApiError 400 naming ``what`` for an address on another site, which
    this archive would otherwise read as its own path."""
    try:
        parts = urlsplit(iri)
    except ValueError:  # a malformed address (an unclosed IPv6 bracket)
        raise ApiError(400, f"{what} is not a valid address.") from None
    if not is_on_site(parts, hosts):
        raise ApiError(400, f"{what} is an address on another site, not on this archive.")
    return parts


def brief_from_source(source, *, hosts):
    """The published brief ``source`` (target.source: its page's URL on one of ``hosts``,
    or its path) names; ApiError 400 otherwise."""
    if not isinstance(source, str) or not source:
        raise ApiError(400, "target.source must be the URL of a brief.")
    path = on_this_site(source, hosts, "target.source").path
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    if match is None or match.view_name != "briefs:brief-detail":
        raise ApiError(400, "target.source is not the URL of a brief on this site.")
    brief = Brief.objects.published().filter(slug=match.kwargs["slug"]).first()
    if brief is None:
        raise ApiError(400, "target.source names no published brief.")
    return brief


def selectors_from(target):
    selectors = target.get("selector")
    if isinstance(selectors, dict):
        selectors = [selectors]
    if not isinstance(selectors, list):
        raise ApiError(400, "target.selector must list a TextQuoteSelector.")
    by_type = {
        s["type"]: s for s in selectors if isinstance(s, dict) and isinstance(s.get("type"), str)
    }
    quote = by_type.get("TextQuoteSelector")
    if not quote or not isinstance(quote.get("exact"), str):
        raise ApiError(400, "target.selector needs a TextQuoteSelector with exact text.")
    prefix, suffix = quote.get("prefix") or "", quote.get("suffix") or ""
    if not isinstance(prefix, str) or not isinstance(suffix, str):
        raise ApiError(400, "TextQuoteSelector prefix and suffix must be strings.")
    values = {"exact": quote["exact"], "prefix": prefix, "suffix": suffix}
    position = by_type.get("TextPositionSelector")
    if position:
        start, end = position.get("start"), position.get("end")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise ApiError(400, "TextPositionSelector start and end must be integers.")
        if not 0 <= start < end:
            raise ApiError(400, "TextPositionSelector needs 0 <= start < end.")
        values.update(start=start, end=end)
    return values
