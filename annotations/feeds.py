"""RSS feeds of annotations: public notes (the whole archive, one brief, a topic selection,
a tag) and a group's notes, read through a member's secret feed URL.

Built on the briefs app's ConditionalFeed, so they answer conditional GETs from one
aggregate query and render with a fixed number of queries, as the brief feeds do.
"""

import time
from urllib.parse import urlencode

from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import escape

from briefs import cache_keys
from briefs.feed_formats import body_html, clean_text
from briefs.feeds import ConditionalFeed, feed_topic_selection
from briefs.models import Brief

from .models import Annotation, Membership
from .views import public_author_or_404

QUOTE_IN_TITLE = 80
# Lists of notes show the notes and their briefs' titles.
NOTE_LIST_KEYS = (cache_keys.NOTES, cache_keys.BRIEFS)


class AnnotationFeed(ConditionalFeed):
    """Newest public annotations: quote, note and a link to the passage."""

    item_guid_is_permalink = False
    item_order = ("-created_at", "-id")
    guid_kind = "annotation"
    subject_keys = NOTE_LIST_KEYS

    def item_rows(self, queryset):
        return queryset.select_related("brief", "user").defer(
            "brief__raw_text", "brief__body", "brief__image_caption", "user__password"
        )

    def item_title(self, note):
        if note.parent_id:
            return f"Reply by {clean_text(note.user.get_username())} — on {clean_text(note.brief.title)}"
        quote = " ".join(clean_text(note.exact).split())
        if len(quote) > QUOTE_IN_TITLE:
            quote = quote[: QUOTE_IN_TITLE - 1].rstrip() + "…"
        return f"“{quote}” — on {clean_text(note.brief.title)}"

    def item_description(self, note):
        quote = escape(clean_text(note.exact))
        return f"<blockquote><p>{quote}</p></blockquote>\n{body_html(note.note)}".rstrip()

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

    heading = "Public notes"
    page_name = "annotations:recent"  # the page the feed follows (and its Atom id)
    summary = "The newest public notes readers left on passages of briefs."

    def get_queryset(self):
        return Annotation.objects.public()


class BriefAnnotationsFeed(AnnotationFeed):
    """``/briefs/<slug>/annotations/feed/``: public notes on one published brief."""

    def get_object(self, request, slug):
        brief = get_object_or_404(Brief.objects.published().only("pk", "slug", "title"), slug=slug)
        return self.subject(
            request,
            heading=f"Notes on {brief.title}",
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
            heading=f"Notes on {selection.name}",
            link=reverse("briefs:topic-detail", kwargs={"slugs": selection.canonical}),
            description=f"Public notes on briefs about {selection.name}, newest first.",
            queryset=Annotation.objects.public().filter(brief__in=briefs),
            cache_keys=NOTE_LIST_KEYS,
        )


class UserAnnotationsFeed(AnnotationFeed):
    """``/users/<username>/feed/``: one reader's public notes (404 as their page is)."""

    def get_object(self, request, username):
        author = public_author_or_404(username)
        name = author.get_username()
        return self.subject(
            request,
            heading=f"Public notes by {name}",
            link=reverse("annotations:user", kwargs={"username": name}),
            description=f"Public notes by {name}, newest first.",
            queryset=Annotation.objects.public().filter(user=author),
        )


class TagAnnotationsFeed(AnnotationFeed):
    """``/annotations/tags/<tag>/feed/``: public notes carrying one tag (any case)."""

    def get_object(self, request, tag):
        name = " ".join(tag.split())
        return self.subject(
            request,
            heading=f"Notes tagged {name}",
            link=reverse("annotations:recent") + "?" + urlencode({"tag": name}),
            description=f"Public notes tagged “{name}”, newest first.",
            queryset=Annotation.objects.public().filter(tagged_items__tag__name__ifold=name),
        )


class GroupAnnotationsFeed(AnnotationFeed):
    """``/annotations/groups/<slug>/feed/<key>/``: a group's notes for one member.

    The key is the member's own secret; it stops working when they leave, are removed or
    renew it. Group notes do not move the archive counter, so nothing here is cached
    across requests: freshness is counted afresh and the answer is ``private``.
    """

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-cache"
        return response

    def validated_body(self, subject):
        return self._render(subject)  # never shared: rendered for this member, each time

    def get_object(self, request, slug, key):
        membership = (
            Membership.objects.select_related("group", "user")
            .filter(group__slug=slug, feed_key=key)
            .first()
        )
        if membership is None or not membership.user.is_active:
            raise Http404("No such feed.")
        group = membership.group
        return self.subject(
            request,
            heading=f"Notes in {group.name}",
            link=group.get_absolute_url(),
            description=f"Notes of the group “{group.name}”, newest first.",
            queryset=Annotation.objects.in_groups_of(membership.user).filter(group=group),
        )

    def last_modified(self, subject):
        latest = subject.queryset.order_by().aggregate(latest=Max("modified_at"))["latest"]
        return int(latest.timestamp()) if latest else int(time.time())
