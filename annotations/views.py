"""Annotation pages: recent public notes, and a reader's own notes with their export."""

import json

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from briefs import cache_keys
from briefs.models import Topic
from core.cache import depends_on

from . import jsonld
from .models import Annotation

PAGE_SIZE = 30


def _page(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE)
    number = request.GET.get("page", "1")
    if not number.isdigit() or not 1 <= int(number) <= max(paginator.num_pages, 1):
        raise Http404("No such page.")
    return paginator.page(int(number))


def recent(request):
    """Recent public notes on published briefs (``?user=<name>``: one reader's)."""
    depends_on(cache_keys.NOTES, cache_keys.BRIEFS)
    queryset = (
        Annotation.objects.public().select_related("brief", "user")
    )
    author = None
    username = request.GET.get("user")
    if username:
        author = get_object_or_404(get_user_model(), username=username)
        queryset = queryset.filter(user=author)
    return render(
        request,
        "annotations/recent.html",
        {"page": _page(request, queryset), "author": author, "heading": "Recent notes"},
    )


def _mine(request):
    """The signed-in reader's annotations, filtered by ``?topic=`` and ``?q=``."""
    queryset = Annotation.objects.filter(user=request.user).select_related("brief")
    topic = None
    topic_slug = request.GET.get("topic", "")
    if topic_slug:
        topic = Topic.objects.filter(slug=topic_slug).first()
        if topic is None:
            raise Http404("No such topic.")
        queryset = queryset.filter(brief__tagged_items__tag=topic)
    query = request.GET.get("q", "").strip()[:200]
    if query:
        queryset = queryset.filter(
            Q(note__icontains=query) | Q(exact__icontains=query) | Q(brief__title__icontains=query)
        )
    return queryset, topic, query


@login_required
def mine(request):
    """The reader's own notes across briefs, newest first; filterable and searchable."""
    queryset, topic, query = _mine(request)
    topics = Topic.objects.filter(
        tagged_briefs__content_object__annotations__user=request.user
    ).distinct()
    return render(
        request,
        "annotations/mine.html",
        {
            "page": _page(request, queryset),
            "topics": topics,
            "topic": topic,
            "query": query,
            "filter_query": request.GET.urlencode(),
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
        quote = _markdown_line(annotation.exact).replace("  \n", "  \n> ")
        lines.append(f"> {quote}")
        lines.append("")
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
        for a in queryset.select_related("user")
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
