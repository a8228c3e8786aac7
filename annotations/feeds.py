"""RSS feeds of public annotations: the whole archive, one brief, or a topic selection.

Built on the briefs app's ConditionalFeed, so they answer conditional GETs from one
aggregate query and render with a fixed number of queries, as the brief feeds do.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import escape

from briefs import cache_keys
from briefs.feed_formats import body_html, clean_text
from briefs.feeds import ConditionalFeed, feed_title, feed_topic_selection, tag_uri
from briefs.models import Brief

from .models import Annotation

QUOTE_IN_TITLE = 80
# Lists of notes show the notes and their briefs' titles.
NOTE_LIST_KEYS = (cache_keys.NOTES, cache_keys.BRIEFS)


class AnnotationFeed(ConditionalFeed):
    """Newest public annotations: quote, note and a link to the passage."""

    item_guid_is_permalink = False
    item_order = ("-created_at", "-id")

    def items(self, subject):
        notes = list(
            subject.queryset.select_related("brief", "user")
            .defer("brief__raw_text", "brief__body", "brief__image_caption", "user__password")
            .order_by(*self.item_order)[: subject.limit]
        )
        for note in notes:
            note.feed_authority = subject.authority
        return notes

    def item_title(self, note):
        quote = " ".join(clean_text(note.exact).split())
        if len(quote) > QUOTE_IN_TITLE:
            quote = quote[: QUOTE_IN_TITLE - 1].rstrip() + "…"
        return f"“{quote}” — on {clean_text(note.brief.title)}"

    def item_description(self, note):
        quote = escape(clean_text(note.exact))
        return f"<blockquote><p>{quote}</p></blockquote>\n{body_html(note.note)}".rstrip()

    def item_link(self, note):
        return note.get_absolute_url()

    def item_guid(self, note):
        return tag_uri(note.feed_authority, "annotation", note.pk)

    def item_author_name(self, note):
        return clean_text(note.user.get_username())

    def item_pubdate(self, note):
        return note.created_at

    def item_updateddate(self, note):
        return note.modified_at

    def item_extra_kwargs(self, note):
        return {"content_html": self.item_description(note)}


class LatestAnnotationsFeed(AnnotationFeed):
    """``/annotations/feed/``: the newest public notes anywhere in the archive."""

    def get_object(self, request):
        return self.subject(
            request,
            title=feed_title("Public notes"),
            link=reverse("briefs:home"),
            description="The newest public notes readers left on passages of briefs.",
            queryset=Annotation.objects.public(),
            cache_keys=NOTE_LIST_KEYS,
        )


class BriefAnnotationsFeed(AnnotationFeed):
    """``/briefs/<slug>/annotations/feed/``: public notes on one published brief."""

    def get_object(self, request, slug):
        brief = get_object_or_404(Brief.objects.published().only("pk", "slug", "title"), slug=slug)
        return self.subject(
            request,
            title=feed_title(f"Notes on {brief.title}"),
            link=brief.get_absolute_url(),
            description=f"Public notes on “{brief.title}”, newest first.",
            queryset=Annotation.objects.public().filter(brief=brief),
            cache_keys=(cache_keys.brief(brief.pk),),
        )


class TopicAnnotationsFeed(AnnotationFeed):
    """``/topics/a+b/annotations/feed/``: public notes on briefs carrying every topic named."""

    def get_object(self, request, slugs):
        selection = feed_topic_selection(slugs)
        briefs = Brief.objects.published().with_topics(selection.topics)
        return self.subject(
            request,
            title=feed_title(f"Notes on {selection.name}"),
            link=reverse("briefs:topic-detail", kwargs={"slugs": selection.canonical}),
            description=f"Public notes on briefs about {selection.name}, newest first.",
            queryset=Annotation.objects.public().filter(brief__in=briefs),
            cache_keys=NOTE_LIST_KEYS,
        )
