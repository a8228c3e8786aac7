"""Template tags that put annotations on brief and story pages (briefs never imports them).

``{% annotated_body brief %}`` draws the body with the highlights the reader may see, and the
notes beside (or under) their paragraph; ``{% brief_notes brief %}`` closes the page with the
"Notes on this brief" section. Both read one bounded list, fetched once per request
(:func:`brief_notes_for`): a few queries and a bounded page however many notes the brief has.
``{% annotate_tools %}`` lets a page of several briefs (a story) take notes on each.
"""

import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django import template
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from briefs.text import body_blocks
from config.limits import BRIEF_PAGE_MAX_NOTES

from ..highlights import Span, note_fragment, runs
from ..models import Annotation, Membership

register = template.Library()


@dataclass
class BriefNotes:
    """The notes a brief page draws: the first ``shown`` in the text's order, of ``total``.

    ``orphans`` are the reader's own notes whose passage is gone (never shown to others).
    """

    shown: list
    total: int
    orphans: list

    @property
    def more(self):
        return self.total > len(self.shown)


def brief_notes_for(request, brief):
    """What the reader may see on ``brief``, fetched once per request and brief.

    At most ``BRIEF_PAGE_MAX_NOTES`` anchored notes in document order (one query, plus a
    count only when there are more), their replies attached as ``thread`` (one query), and
    the reader's own orphans (one query, signed in only): a brief with thousands of notes
    renders as fast as one with fifty.
    """
    cache = getattr(request, "_annotations_by_brief", None)
    if cache is None:
        cache = {}
        if request is not None:
            request._annotations_by_brief = cache
    if brief.pk not in cache:
        user = getattr(request, "user", None)
        visible = Annotation.objects.visible_to(user).filter(brief=brief)
        anchored = visible.filter(parent__isnull=True).exclude(
            anchor_status=Annotation.AnchorStatus.ORPHANED
        )
        shown = list(
            anchored.select_related("user", "group")
            .prefetch_tags()
            .order_by("start", "end", "created_at", "pk")[: BRIEF_PAGE_MAX_NOTES + 1]
        )
        total = len(shown) if len(shown) <= BRIEF_PAGE_MAX_NOTES else anchored.count()
        shown = shown[:BRIEF_PAGE_MAX_NOTES]
        if total > len(shown) and user is not None and user.is_authenticated:
            # Past the cap, the reader's own notes are drawn all the same: a note just
            # made must appear where it was made (one query, only on so full a brief).
            mine = list(
                anchored.filter(user=user)
                .exclude(pk__in=[note.pk for note in shown])
                .select_related("user", "group")
                .prefetch_tags()
                .order_by("start", "end", "created_at", "pk")[:BRIEF_PAGE_MAX_NOTES]
            )
            shown = sorted(shown + mine, key=lambda n: (n.start, n.end, n.created_at, n.pk))
        _attach_threads(visible, shown)
        orphans = []
        if user is not None and user.is_authenticated:
            orphans = list(
                visible.filter(
                    parent__isnull=True, user=user, anchor_status=Annotation.AnchorStatus.ORPHANED
                )
                .select_related("user", "group")
                .order_by("start", "pk")[:BRIEF_PAGE_MAX_NOTES]
            )
        cache[brief.pk] = BriefNotes(shown, total, orphans)
    return cache[brief.pk]


def _memberships(request):
    """The reader's memberships with their groups, by group name, once per request (one
    query, signed-in readers only): which groups they are in, own, and may post to."""
    if request is None:
        return []
    if not hasattr(request, "_reader_memberships"):
        user = getattr(request, "user", None)
        found = []
        if user is not None and user.is_authenticated:
            found = list(
                Membership.objects.filter(user=user).select_related("group").order_by(
                    "group__name"
                )
            )
        request._reader_memberships = found
    return request._reader_memberships


def _member_group_ids(request):
    """The ids of the groups the reader is in now: a group note of a group they left is
    theirs to delete, not to edit or answer."""
    return {membership.group_id for membership in _memberships(request)}


def _in_its_group(annotation, request):
    """Whether the reader may still add to ``annotation``: any note but a group note of a
    group they are not in."""
    if annotation.visibility != Annotation.Visibility.GROUP:
        return True
    return annotation.group_id in _member_group_ids(request)


def _owned_group_ids(request):
    """The ids of the groups the reader owns (they may hide notes there)."""
    return {m.group_id for m in _memberships(request) if m.role == Membership.Role.OWNER}


def _attach_threads(visible, notes):
    """Give each of ``notes`` its replies the reader may see (of ``visible``), oldest first,
    as ``note.thread``: one query for all of them."""
    by_pk = {note.pk: note for note in notes}
    for note in notes:
        note.thread = []
    if not by_pk:
        return
    replies = (
        visible.filter(parent__in=list(by_pk))
        .select_related("user", "group")
        .prefetch_tags()
        .order_by("created_at", "pk")
    )
    for reply in replies:
        by_pk[reply.parent_id].thread.append(reply)


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
    annotations = brief_notes_for(request, brief).shown
    # A deleted note kept for its replies is listed (with them) but no longer highlighted.
    by_key = {a.pk: a for a in annotations if not a.is_deleted}
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
        "can_edit": own and not annotation.is_deleted and _in_its_group(annotation, request),
        "fragment": note_fragment(annotation),
        "can_flag": signed_in and shared and not own and not annotation.is_deleted,
        "can_hide": signed_in and shared and _may_moderate(annotation, request),
    }


def _note(annotation, request):
    entry = _entry(annotation, request)
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    entry.update(
        {
            "replies": [_entry(r, request) for r in getattr(annotation, "thread", [])],
            "can_reply": signed_in
            and annotation.visibility != Annotation.Visibility.PRIVATE
            and not annotation.is_deleted
            and not annotation.hidden
            and _in_its_group(annotation, request),
            "next": request.get_full_path() if request else "",
            "csrf_token": get_token(request) if signed_in else "",
        }
    )
    for reply in entry["replies"]:
        reply["csrf_token"], reply["next"] = entry["csrf_token"], entry["next"]
    return entry


def _annotate_context(request):
    """What the annotate script needs on any page besides the note length limit (which
    annotate_config.html reads with ``{% limit %}``): the reader's groups and the CSRF
    token; one query for the groups, signed-in readers only."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "signed_in": signed_in,
        "csrf_token": get_token(request) if signed_in else "",
        "groups": _groups_json(request) if signed_in else "[]",
    }


@register.inclusion_tag("annotations/brief_notes.html", takes_context=True)
def brief_notes(context, brief):
    """The "Notes on this brief" section under the body: the notes in the text's order,
    a link to the rest when there are more, the reader's orphans, the annotate form's script."""
    request = context.get("request")
    notes = brief_notes_for(request, brief)
    return {
        **_annotate_context(request),
        "brief": brief,
        "request": request,
        "count": notes.total,
        "notes": [_note(a, request) for a in notes.shown],
        "more": notes.more,
        "own_count": sum(1 for a in notes.shown if _is_own(a, request)),
        "orphans": [_note(a, request) for a in notes.orphans],
        "next": request.get_full_path() if request else "",
    }


@register.inclusion_tag("annotations/story_annotate.html", takes_context=True)
def annotate_tools(context):
    """The annotate script and its settings for a page showing several briefs side by side
    (a story): each body marked ``data-brief`` takes notes on its own brief. Renders
    nothing for signed-out readers, so their cached page carries no token."""
    return _annotate_context(context.get("request"))


@register.simple_tag(takes_context=True)
def prefetch_notes(context, briefs):
    """Fetch what the reader may see on every one of ``briefs`` in one query, for pages that
    show several briefs (a story); later tags on those briefs read it. Renders nothing.

    Each brief keeps its first ``BRIEF_PAGE_MAX_NOTES`` anchored notes in text order (a
    window function bounds the rows per brief); orphans are not shown on such pages.
    """
    request = context.get("request")
    known = getattr(request, "_annotations_by_brief", {})
    briefs = [brief for brief in briefs if brief.pk not in known]
    if request is None or not briefs:
        return ""
    found = {brief.pk: [] for brief in briefs}
    order = [F("start").asc(), F("end").asc(), F("pk").asc()]
    rows = (
        Annotation.objects.visible_to(getattr(request, "user", None))
        .filter(brief__in=list(found))
        .filter(parent__isnull=True)
        .exclude(anchor_status=Annotation.AnchorStatus.ORPHANED)
        .annotate(row=Window(RowNumber(), partition_by=F("brief_id"), order_by=order))
        .filter(row__lte=BRIEF_PAGE_MAX_NOTES + 1)
        .select_related("user", "group")
        .order_by("brief_id", *order)
    )
    for annotation in rows:
        found[annotation.brief_id].append(annotation)
    request._annotations_by_brief = {
        **known,
        **{
            pk: BriefNotes(notes[:BRIEF_PAGE_MAX_NOTES], len(notes), [])
            for pk, notes in found.items()
        },
    }
    return ""


@register.inclusion_tag("annotations/version_notes.html", takes_context=True)
def version_notes(context, brief):
    """The notes the reader may see on ``brief``, listed with their passages, for a page
    showing the brief beside others; a signed-in reader adds them by selecting a passage
    of that brief's body (``annotate_tools``)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "brief": brief,
        "notes": [_note(a, request) for a in brief_notes_for(request, brief).shown],
        "signed_in": bool(user and user.is_authenticated),
        # Signed out, the way to add notes is to log in and come back to this page.
        "login_url": f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}"
        if request
        else reverse("login"),
    }


def _groups_json(request):
    """The reader's groups as JSON for the annotate form's "Who can read it" choice."""
    groups = _memberships(request)
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
