"""Annotation pages: recent public notes, a reader's public page, a brief's notes page by
page, and a reader's own notes (filter, edit, delete, export)."""

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from briefs import cache_keys
from briefs.models import Brief, Topic
from briefs.topic_selection import UnknownTopic, resolve_topic_slugs
from briefs.views import feed_links
from config.limits import (
    ANNOTATION_NOTE_MAX_LENGTH,
    ANNOTATION_WRITES_PER_MINUTE,
    BRIEF_PAGE_MAX_NOTES,
    FLAG_REASON_MAX_LENGTH,
    NOTE_TAG_MAX_LENGTH,
    NOTE_TAG_SUGGESTIONS,
    NOTES_PAGE_SIZE,
    SEARCH_QUERY_MAX_LENGTH,
)
from core.cache import CachedPaginator, depends_on
from core.ratelimit import rate_limit_hit, too_many_requests
from core.redirects import local_path, redirect_next, safe_next
from core.site import site_url
from core.text import whole_number

from . import jsonld
from .forms import AnnotationEditForm
from .highlights import note_fragment
from .models import Annotation, Membership, NoteTag, PublicNote
from .services import (
    annotation_delete,
    annotation_flag,
    annotation_flags_clear,
    annotation_hide,
    annotation_reply,
    annotation_update,
)


def notes_page(request, queryset, per_page=NOTES_PAGE_SIZE, *, count=None, ids=None):
    """Page ``?page=`` of ``queryset``; 404 for anything but a page number in range.

    ``count``, when known without counting (``Annotation.objects.public_count()``), spares
    the paginator its COUNT of the queryset; ``ids``, the queryset's ids in its order kept
    by the database (``PublicNote.objects.newest_ids()``), spares a deep page the walk.
    """
    if count is None:  # never cached: private lists bump no version when they change
        paginator = Paginator(queryset, per_page)
    else:
        paginator = CachedPaginator(
            queryset, per_page, cache_pages=False, count=count, ids_first=True, ids=ids
        )
    number = whole_number(request.GET.get("page", "1"), high=max(paginator.num_pages, 1))
    if number is None:
        raise Http404("No such page.")
    return paginator.page(number)


def _tag_param(request):
    return " ".join(request.GET.get("tag", "").split())[:NOTE_TAG_MAX_LENGTH]


def recent(request):
    """Recent public notes on published briefs; ``?user=<name>`` moved to the reader's page."""
    depends_on(cache_keys.NOTES, cache_keys.BRIEFS)
    username = request.GET.get("user")
    if username:
        try:
            return redirect("annotations:user", username=username, permanent=True)
        except NoReverseMatch:  # a name no reader can have ("a/b")
            raise Http404("No reader with public notes has that name.") from None
    queryset = (
        Annotation.objects.public().select_related("brief", "user").prefetch_tags()
    )
    tag = _tag_param(request)
    if tag:
        queryset = queryset.filter(tagged_items__tag__name__ifold=tag)
    count = None if tag else Annotation.objects.public_count()
    ids = None if tag else PublicNote.objects.newest_ids()
    try:  # a tag with a "/" has no feed URL (tags are single path segments there)
        tag_feed = reverse("annotations:tag-feed", args=[tag]) if tag else ""
    except NoReverseMatch:
        tag_feed = ""
    return render(
        request,
        "annotations/recent.html",
        {
            "page": notes_page(request, queryset, count=count, ids=ids),
            "tag": tag,
            "tag_feed": tag_feed,
            "heading": "Recent public notes",
            "feeds": feed_links("annotations:feed", "Public notes"),
        },
    )


def public_author_or_404(username):
    """The reader called ``username`` if they have a public note; else 404.

    A reader without public notes has no public page, so the page never tells whether an
    account exists.
    """
    author = get_user_model().objects.filter(username=username, is_active=True).first()
    if author is None or not Annotation.objects.public().filter(user=author).exists():
        raise Http404("No reader with public notes has that name.")
    return author


def user_notes(request, username):
    """``/users/<username>/``: one reader's public notes, newest first, with their feed."""
    author = public_author_or_404(username)
    queryset = Annotation.objects.public().filter(user=author).select_related("brief", "user")
    return render(
        request,
        "annotations/user.html",
        {
            "page": notes_page(request, queryset),
            "author": author,
            "heading": f"Public notes by {author.get_username()}",
            "feeds": feed_links(
                "annotations:user-feed",
                f"Public notes by {author.get_username()}",
                username=author.get_username(),
            ),
        },
    )


def brief_notes_page(request, slug):
    """``/briefs/<slug>/notes/``: every note the reader may see on a brief, in the text's
    order, as many to a page as the brief page shows (page 2 goes on where it stops)."""
    brief = get_object_or_404(Brief.objects.published().only("pk", "slug", "title"), slug=slug)
    queryset = (
        Annotation.objects.visible_to(request.user)
        .filter(brief=brief)
        .exclude(anchor_status=Annotation.AnchorStatus.ORPHANED)
        .select_related("user", "group")
        .order_by("start", "end", "pk")
    )
    page = notes_page(request, queryset, per_page=BRIEF_PAGE_MAX_NOTES)
    own = request.user.pk if request.user.is_authenticated else None
    notes = [
        {"annotation": a, "own": a.user_id == own, "fragment": note_fragment(a)}
        for a in page.object_list
    ]
    for note in notes:
        note["annotation"].brief = brief
    return render(
        request,
        "annotations/brief_notes_page.html",
        {
            "page": page,
            "notes": notes,
            "brief": brief,
            "heading": f"Notes on {brief.title}",
            "breadcrumbs": [("Home", reverse("briefs:home")), (brief.title, brief.get_absolute_url())],
        },
    )


# ``?anchor=`` on My notes: notes still on their passage, or orphans whose text has changed.
ANCHOR_FILTERS = {
    "anchored": ~Q(anchor_status=Annotation.AnchorStatus.ORPHANED),
    "orphaned": Q(anchor_status=Annotation.AnchorStatus.ORPHANED),
}


def _mine_filters(request):
    """The valid ``?visibility=`` and ``?anchor=`` values of the request ("" when absent or odd)."""
    visibility = request.GET.get("visibility", "")
    anchor = request.GET.get("anchor", "")
    return (
        visibility if visibility in Annotation.Visibility.values else "",
        anchor if anchor in ANCHOR_FILTERS else "",
    )


def _mine(request):
    """The signed-in reader's annotations, filtered by ``?topic=``, ``?q=``, ``?tag=``,
    ``?visibility=`` and ``?anchor=``.

    ``?group=<slug>`` lists instead the notes of one of the reader's groups (everyone's),
    through the visibility rule, so a former member gets an empty list.
    """
    group_slug = request.GET.get("group", "")
    if group_slug:
        queryset = Annotation.objects.in_groups_of(request.user).filter(group__slug=group_slug)
    else:
        queryset = Annotation.objects.filter(user=request.user)
    queryset = queryset.select_related("brief", "user", "group").prefetch_tags()
    tag = _tag_param(request)
    if tag:
        queryset = queryset.filter(tagged_items__tag__name__ifold=tag)
    visibility, anchor = _mine_filters(request)
    if visibility:
        queryset = queryset.filter(visibility=visibility)
    if anchor:
        queryset = queryset.filter(ANCHOR_FILTERS[anchor])
    topic = None
    topic_slug = request.GET.get("topic", "")
    if topic_slug:
        # One topic, found as its page finds it: an old slug names its topic now.
        try:
            topic = resolve_topic_slugs(topic_slug, limit=1).topics[0]
        except UnknownTopic:
            raise Http404("No such topic.") from None
        queryset = queryset.filter(brief__tagged_items__tag=topic)
    query = request.GET.get("q", "").strip()[:SEARCH_QUERY_MAX_LENGTH]
    if query:
        queryset = queryset.filter(
            Q(note__icontains=query) | Q(exact__icontains=query) | Q(brief__title__icontains=query)
        )
    return queryset, topic, query


@login_required
def mine(request):
    """The reader's own notes across briefs, newest first; filterable and searchable."""
    queryset, topic, query = _mine(request)
    topics = Topic.objects.public().filter(
        tagged_briefs__content_object__annotations__user=request.user
    ).distinct()
    visibility, anchor = _mine_filters(request)
    memberships = Membership.objects.filter(user=request.user).select_related("group")
    return render(
        request,
        "annotations/mine.html",
        {
            "page": notes_page(request, queryset),
            "topics": topics,
            "topic": topic,
            "query": query,
            "visibility": visibility,
            "anchor": anchor,
            "filtered": bool(topic or query or visibility or anchor),
            "filter_query": request.GET.urlencode(),
            "tag": _tag_param(request),
            "own_tags": own_tag_names(request.user),
            "memberships": memberships,
            "group_slug": request.GET.get("group", ""),
            "heading": "My notes",
        },
    )


def _attachment(content, content_type, extension):
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="my-notes-{stamp}.{extension}"'
    return response


def _markdown_line(text):
    """Plain text made safe to sit in Markdown as text (no markup of the reader's is run)."""
    escaped = "".join("\\" + c if c in "\\`*_{}[]<>()#+!|" else c for c in text)
    return escaped.replace("\n", "  \n")


@login_required
def mine_export_markdown(request):
    """The reader's notes as a Markdown file, grouped by brief."""
    queryset, _, _ = _mine(request)
    lines = ["# My notes from Brief Archive", ""]
    current = None
    for annotation in queryset.order_by("brief__title", "brief_id", "start"):
        if annotation.brief_id != current:
            current = annotation.brief_id
            url = request.build_absolute_uri(annotation.brief.get_absolute_url())
            lines += [f"## [{_markdown_line(annotation.brief.title)}]({url})", ""]
        if annotation.parent_id:
            lines += ["*Reply in a thread:*", ""]
        else:
            quote = _markdown_line(annotation.exact).replace("  \n", "  \n> ")
            lines += [f"> {quote}", ""]
        if annotation.note:
            lines += [_markdown_line(annotation.note), ""]
        details = [annotation.get_visibility_display(), annotation.created_at.date().isoformat()]
        if annotation.is_orphaned:
            details.append("the text this note was on has changed")
        lines += [f"*{' · '.join(details)}*", ""]
    return _attachment("\n".join(lines), "text/markdown; charset=utf-8", "md")


@login_required
def mine_export_jsonld(request):
    """The reader's notes as a W3C AnnotationCollection in one JSON-LD document."""
    queryset, _, _ = _mine(request)
    items = [
        jsonld.annotation_document(a, request.build_absolute_uri, with_context=False)
        for a in queryset
    ]
    document = {
        "@context": jsonld.ANNO_CONTEXT,
        "id": request.build_absolute_uri(),
        "type": "AnnotationCollection",
        "label": f"Notes by {request.user.get_username()}",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    return _attachment(
        json.dumps(document, ensure_ascii=False, indent=2), jsonld.CONTENT_TYPE, "jsonld"
    )


def _own_annotation(request, pk):
    """The signed-in reader's own note ``pk`` (with its brief), or 404 (never someone else's)."""
    return get_object_or_404(Annotation.objects.select_related("brief"), pk=pk, user=request.user)


def _write_allowed(request):
    """Count one note write of the reader against the shared limit; a 429 answer, or None."""
    retry = rate_limit_hit(
        scope="annotation-write",
        who=f"user:{request.user.pk}",
        rate=f"{ANNOTATION_WRITES_PER_MINUTE}/m",
    )
    return too_many_requests(request, retry_after=retry) if retry else None


def _back_to_mine(request):
    return safe_next(request, reverse("annotations:mine"))


@login_required
def mine_edit(request, pk):
    """Edit the note and visibility of one's own annotation (``annotation_update``)."""
    annotation = _own_annotation(request, pk)
    form = AnnotationEditForm(request.POST or None, annotation=annotation)
    if request.method == "POST" and form.is_valid():
        refused = _write_allowed(request)
        if refused:
            return refused
        try:
            annotation_update(annotation=annotation, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("note", error)
        else:
            messages.success(request, "Note saved.")
            return redirect_next(request, reverse("annotations:mine"))
    return render(
        request,
        "annotations/mine_edit.html",
        {"form": form, "a": annotation, "next": _back_to_mine(request), "heading": "Edit note"},
    )


@login_required
def mine_delete(request, pk):
    """Confirm, then delete one's own annotation (``annotation_delete``)."""
    annotation = _own_annotation(request, pk)
    if request.method == "POST":
        refused = _write_allowed(request)
        if refused:
            return refused
        annotation_delete(annotation=annotation, by=request.user)
        messages.success(request, "Note deleted.")
        return redirect_next(request, reverse("annotations:mine"))
    return render(
        request,
        "annotations/mine_delete.html",
        {"a": annotation, "next": _back_to_mine(request), "heading": "Delete note"},
    )


def own_tag_names(user, prefix=""):
    """The names of the tags ``user`` put on their own notes (``prefix``: starting so)."""
    tags = NoteTag.objects.filter(tagged_notes__content_object__user=user)
    if prefix:
        tags = tags.filter(name__istartswith=prefix)
    return list(tags.order_by("name").values_list("name", flat=True).distinct()[:NOTE_TAG_SUGGESTIONS])


@login_required
def tags_mine(request):
    """``GET /annotations/tags/mine.json?q=``: autocomplete from the reader's own tags."""
    names = own_tag_names(request.user, _tag_param(request) or request.GET.get("q", "")[:NOTE_TAG_MAX_LENGTH])
    response = JsonResponse({"tags": names})
    response["Cache-Control"] = "private, no-store"
    return response


def _back_to(annotation, request):
    """Where a note action returns: the thread on the brief page, or a safe ``next``."""
    target = local_path(request.POST.get("next", ""), request)
    if target:
        return HttpResponseRedirect(target)
    thread = annotation.parent_id or annotation.pk
    return redirect(annotation.brief.get_absolute_url() + f"#note-{thread}")


def _visible_or_404(request, pk):
    return get_object_or_404(
        Annotation.objects.visible_to(request.user).select_related("brief"), pk=pk
    )


def tell_outcome(request, action):
    """Run ``action()`` and tell the reader how it went: what it returns (a sentence) as a
    success message, or the words of the PermissionDenied or ValidationError it raised as
    an error message."""
    try:
        success = action()
    except (PermissionDenied, ValidationError) as problem:
        messages.error(request, " ".join(getattr(problem, "messages", [str(problem)])))
    else:
        messages.success(request, success)


def _note_action(view):
    """A POST by a signed-in reader on a note they can see (``pk``; 404 otherwise):
    ``view(request, annotation)`` does it and returns what to tell them (``tell_outcome``);
    then back to the thread on the brief page, or a safe ``next``."""

    @require_POST
    @login_required
    @wraps(view)
    def run(request, pk):
        annotation = _visible_or_404(request, pk)
        tell_outcome(request, lambda: view(request, annotation))
        return _back_to(annotation, request)

    return run


@_note_action
def reply(request, parent):
    """Reply to a note from the form under it (the page works without JavaScript)."""
    note = request.POST.get("note", "")[: ANNOTATION_NOTE_MAX_LENGTH + 1]
    # Mailed links: the canonical address, never the Host header.
    annotation_reply(parent=parent, by=request.user, note=note, site_url=site_url())
    return "Reply posted."


@_note_action
def flag(request, annotation):
    """Flag a public or group note for a moderator, with an optional reason."""
    reason = request.POST.get("reason", "")[:FLAG_REASON_MAX_LENGTH]
    annotation_flag(annotation=annotation, by=request.user, reason=reason)
    return "Thank you: a moderator will look at this note."


@_note_action
def hide(request, annotation):
    """A group's owner (or a curator, for a public note) hides a note from its readers."""
    annotation_hide(annotation=annotation, by=request.user)
    return "The note is hidden; only its author still sees it."


@_note_action
def flags_clear(request, annotation):
    """A group's owner (or a curator, for a public note) clears a note's flags: it is fine."""
    annotation_flags_clear(annotation=annotation, by=request.user)
    return "The flags are cleared."
