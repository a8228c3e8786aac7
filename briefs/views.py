"""Reading pages: thin views over ``Brief.objects.published()``."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from .models import Brief, Source
from .topics import UnknownTopic, resolve_topic_slugs

PAGE_SIZE = 20


def _page(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE)
    number = request.GET.get("page", "1")
    if not number.isdigit() or not 1 <= int(number) <= max(paginator.num_pages, 1):
        raise Http404("No such page.")
    return paginator.page(int(number))


def _listing(queryset):
    return queryset.select_related("source").prefetch_related("topics")


def home(request):
    """Newest published briefs."""
    page = _page(request, _listing(Brief.objects.published()))
    return render(request, "briefs/brief_list.html", {"page": page, "heading": "Latest briefs"})


def brief_detail(request, slug):
    """One published brief."""
    brief = get_object_or_404(
        Brief.objects.published().select_related("source").prefetch_related("topics"), slug=slug
    )
    return render(request, "briefs/brief_detail.html", {"brief": brief})


def topic_detail(request, slugs):
    """Briefs carrying every topic named in the URL."""
    try:
        selection = resolve_topic_slugs(slugs)
    except UnknownTopic:
        raise Http404("No such topic.") from None
    if selection.redirect:
        return redirect("briefs:topic-detail", slugs=selection.canonical, permanent=True)
    page = _page(request, _listing(Brief.objects.published().with_topics(selection.topics)))
    heading = selection.name
    return render(request, "briefs/brief_list.html", {"page": page, "heading": heading})


def source_detail(request, slug):
    """Briefs from one source."""
    source = get_object_or_404(Source, slug=slug)
    page = _page(request, _listing(Brief.objects.published().filter(source=source)))
    return render(request, "briefs/brief_list.html", {"page": page, "heading": source.name})
