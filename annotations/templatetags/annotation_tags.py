"""Template tags that put annotations onto the brief page (briefs never imports annotations).

``{% annotated_body brief %}`` draws the body with the highlights the reader may see, and the
notes beside (or under) their paragraph; ``{% brief_notes brief %}`` closes the page with the
"Notes on this brief" section. Both read one list, fetched once per request: one query
however many annotations the brief has.
"""

import json

from django import template
from django.middleware.csrf import get_token
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from briefs.text import body_blocks
from config.limits import ANNOTATION_NOTE_MAX_LENGTH

from ..highlights import Span, runs, text_fragment
from ..models import Annotation, Membership

register = template.Library()


def _annotations_for(request, brief):
    """The notes the reader may see on ``brief`` (replies attached to their parent as
    ``thread``), fetched once per request and brief: three queries however many notes."""
    cache = getattr(request, "_annotations_by_brief", None)
    if cache is None:
        cache = {}
        if request is not None:
            request._annotations_by_brief = cache
    if brief.pk not in cache:
        user = getattr(request, "user", None)
        visible = list(
            Annotation.objects.visible_to(user)
            .filter(brief=brief)
            .select_related("user", "group")
            .prefetch_related("tags")
            .order_by("start", "end", "created_at", "pk")
        )
        notes = [a for a in visible if a.parent_id is None]
        by_pk = {a.pk: a for a in notes}
        for note in notes:
            note.thread = []
        for reply in visible:
            if reply.parent_id in by_pk:
                by_pk[reply.parent_id].thread.append(reply)
        cache[brief.pk] = notes
    return cache[brief.pk]


def _owned_group_ids(request):
    """The ids of the groups the reader owns (they may hide notes there), once per request."""
    if not hasattr(request, "_owned_group_ids"):
        user = getattr(request, "user", None)
        owned = set()
        if user is not None and user.is_authenticated:
            owned = set(
                Membership.objects.filter(user=user, role=Membership.Role.OWNER).values_list(
                    "group_id", flat=True
                )
            )
        request._owned_group_ids = owned
    return request._owned_group_ids


def _is_own(annotation, request):
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and annotation.user_id == user.pk)


def _mark_open(annotation, request, first, last):
    classes = ["hl", "hl-own" if _is_own(annotation, request) else "hl-other"]
    classes.append(f"hl-{annotation.visibility}")
    if first:
        classes.append("hl-start")
    if last:
        classes.append("hl-end")
    id_attribute = format_html(' id="annotation-{}"', annotation.pk) if first else ""
    return format_html(
        '<mark class="{}"{} data-annotation="{}">',
        " ".join(classes),
        id_attribute,
        annotation.pk,
    )


def _block_html(block, by_key, request, seen, last_runs):
    spans = [Span(a.start, a.end, a.pk) for a in by_key.values()]
    pieces = []
    for index, run in enumerate(runs(block.text, block.start, spans)):
        opening = []
        for span in run.spans:
            first = span.key not in seen
            seen.add(span.key)
            last = last_runs.get(span.key) == (block.start, index)
            opening.append(_mark_open(by_key[span.key], request, first, last))
        pieces.append("".join(opening) + escape(run.text) + "</mark>" * len(run.spans))
    return mark_safe("".join(pieces))


def _last_runs(blocks, by_key):
    """For each annotation, the (block, run index) of the last run it covers: its ``hl-end``."""
    spans = [Span(a.start, a.end, a.pk) for a in by_key.values()]
    last = {}
    for block in blocks:
        for index, run in enumerate(runs(block.text, block.start, spans)):
            for span in run.spans:
                last[span.key] = (block.start, index)
    return last


@register.inclusion_tag("annotations/annotated_body.html", takes_context=True)
def annotated_body(context, brief):
    """Render the brief's body as headings and paragraphs, with the reader's highlights."""
    request = context.get("request")
    annotations = [a for a in _annotations_for(request, brief) if not a.is_orphaned]
    by_key = {a.pk: a for a in annotations}
    blocks = body_blocks(brief.body)
    last_runs = _last_runs(blocks, by_key)
    notes_by_block = {}
    for annotation in annotations:
        # The note goes with the block its passage starts in (or the next one).
        home = next((b for b in blocks if b.end > annotation.start), blocks[-1] if blocks else None)
        if home is not None:
            notes_by_block.setdefault(home.start, []).append(_note(annotation, request))
    seen = set()
    rendered = [
        {
            "kind": block.kind,
            "start": block.start,
            "html": _block_html(block, by_key, request, seen, last_runs),
            "notes": notes_by_block.get(block.start, []),
        }
        for block in blocks
    ]
    return {"blocks": rendered, "brief": brief}


def _may_moderate(annotation, request):
    user = getattr(request, "user", None)
    if annotation.is_public:
        return bool(user and user.is_authenticated and user.is_staff)
    return annotation.group_id in _owned_group_ids(request)


def _entry(annotation, request):
    """What note.html needs about one note or reply."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    shared = annotation.visibility != Annotation.Visibility.PRIVATE
    own = _is_own(annotation, request)
    return {
        "annotation": annotation,
        "own": own,
        "can_flag": signed_in and shared and not own and not annotation.is_deleted,
        "can_hide": signed_in and shared and _may_moderate(annotation, request),
    }


def _note(annotation, request):
    entry = _entry(annotation, request)
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    entry.update(
        {
            "fragment": text_fragment(annotation.exact, annotation.prefix, annotation.suffix),
            "replies": [_entry(r, request) for r in getattr(annotation, "thread", [])],
            "can_reply": signed_in
            and annotation.visibility != Annotation.Visibility.PRIVATE
            and not annotation.is_deleted
            and not annotation.hidden,
            "next": request.get_full_path() if request else "",
            "csrf_token": get_token(request) if signed_in else "",
        }
    )
    for reply in entry["replies"]:
        reply["csrf_token"], reply["next"] = entry["csrf_token"], entry["next"]
    return entry


@register.inclusion_tag("annotations/brief_notes.html", takes_context=True)
def brief_notes(context, brief):
    """The "Notes on this brief" section under the body, with the annotate form and script."""
    request = context.get("request")
    annotations = _annotations_for(request, brief)
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    anchored = [a for a in annotations if not a.is_orphaned]
    return {
        "brief": brief,
        "request": request,
        "signed_in": signed_in,
        "count": len(anchored),
        "own_count": sum(1 for a in anchored if _is_own(a, request)),
        "orphans": [
            _note(a, request)
            for a in annotations
            if a.is_orphaned and _is_own(a, request)
        ],
        "csrf_token": get_token(request) if signed_in else "",
        "groups": _groups_json(user) if signed_in else "[]",
        "next": request.get_full_path() if request else "",
        "note_max_length": ANNOTATION_NOTE_MAX_LENGTH,
    }


def _groups_json(user):
    """The reader's groups as JSON for the annotate form's "Who can read it" choice."""
    groups = Membership.objects.filter(user=user).select_related("group").order_by(
        "group__name"
    )
    return json.dumps([{"slug": m.group.slug, "name": m.group.name} for m in groups])


@register.filter
def note_paragraphs(text):
    """A plain-text note as escaped paragraphs (blank lines) with line breaks."""
    paragraphs = [p.strip("\n") for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return mark_safe(
        "".join(
            "<p>" + "<br>".join(escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs
        )
    )
