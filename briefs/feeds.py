"""RSS, Atom and JSON feeds of briefs, and the OPML list of topic feeds.

Feed readers poll every few minutes. Every feed is rendered once per change of the
archive (core/cache.py), with a fixed number of queries whatever its length; its ETag
is the digest of those bytes and its Last-Modified the archive's last change, so a
conditional GET in between costs one read of the counter and one cache get. Links and
ids come from ``SITE_URL``, never the Host header. ``ConditionalFeed`` holds that
machinery; the annotations app builds on it too.
"""

import hashlib
import io
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response, quote_etag
from django.utils.html import escape, format_html
from django.utils.http import http_date
from django.utils.xmlutils import SimplerXMLGenerator

from config.limits import (
    FEED_DEFAULT_ITEMS,
    MAX_OPML_TOPICS,
    MAX_PAGE_SIZE,
    MAX_TOPICS_IN_SELECTION,
)
from core.cache import (
    ALL,
    agreed,
    archive_changed_at,
    depends_on,
    remember,
    stamp,
    versions_changed_at,
)
from core.site import site_host, site_url

from . import cache_keys
from .feed_formats import FORMATS, body_html, clean_text, plain_text
from .models import Brief, Source, Topic, topic_url
from .search import UnusableQuery, briefs_among, search_candidates
from .story_cards import (
    EVERY_VERSION,
    VERSIONS_PARAMETER,
    asked_for_every_version,
    collapse_stories,
    story_line,
)
from .topic_selection import UnknownTopic, resolve_topic_slugs, topic_selection_or_404

SITE_NAME = "Brief Archive"
CACHE_CONTROL = "public, max-age=300"
# Part of every ETag: bump it when the rendered feeds change shape, so readers refetch.
FEED_VERSION = "3"


class BadFeedRequest(Exception):
    """A query parameter the feed cannot honour; the message is shown to the reader."""


class FeedMoved(Exception):
    """The feed lives under other URL arguments now (a renamed or merged topic)."""

    def __init__(self, **kwargs):
        super().__init__(kwargs)
        self.kwargs = kwargs


def feed_topic_selection(slugs):
    """The topics a feed URL names: unknown ones 404; old slugs, another order or a slug
    twice move the feed (301) to its one address, so a reader subscribes to it once."""
    selection = topic_selection_or_404(slugs)
    if selection.redirect or slugs != selection.canonical:
        raise FeedMoved(slugs=selection.canonical)
    return selection


@dataclass
class FeedSubject:
    """What one feed request is about: its texts, the rows it lists and how many."""

    title: str
    link: str
    description: str
    queryset: QuerySet
    limit: int
    authority: str
    key: str
    feed_url: str
    cache_keys: tuple
    every_version: bool = False
    # The stories its items show, filled in while rendering (BriefFeed.items).
    story_keys: list = field(default_factory=list)


def feed_limit(request):
    """The ``?limit=`` of the request: FEED_DEFAULT_ITEMS when absent, 1 to MAX_PAGE_SIZE
    allowed, else BadFeedRequest."""
    raw = request.GET.get("limit", "").strip()
    if not raw:
        return FEED_DEFAULT_ITEMS
    if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise BadFeedRequest(
            f"limit must be a whole number from 1 to {MAX_PAGE_SIZE} "
            f"(leave it out for the newest {FEED_DEFAULT_ITEMS})."
        )
    return int(raw)


class _CanonicalRequest:
    """Just enough of a request for Django's syndication framework, on ``SITE_URL``.

    ``Feed.get_feed`` makes every link absolute with the request's host; handing it this
    instead of the real request makes them absolute on the canonical address.
    """

    def __init__(self, path):
        self.path = path

    def get_host(self):
        return urlsplit(site_url()).netloc

    def is_secure(self):
        return site_url().startswith("https://")


def canonical_feed_path(request):
    """The feed's path with only the parameters that shape it (``q``, a search's
    ``topic`` filters, ``limit``, ``versions=all``), in order.

    What names the feed for its cached rendering and its ``feed_url``: stray parameters
    (``?utm_source=``) and the host it was read through change nothing.
    """
    params = [("q", request.GET["q"])] if "q" in request.GET else []
    params += [("topic", slug) for slug in sorted(set(request.GET.getlist("topic"))) if slug]
    params += [("limit", request.GET["limit"])] if "limit" in request.GET else []
    if asked_for_every_version(request):
        params.append((VERSIONS_PARAMETER, EVERY_VERSION))
    return request.path + ("?" + urlencode(params) if params else "")


def tag_uri(authority, kind, pk):
    """A guid that survives edits of title, slug and body: it is built from the primary key."""
    return f"tag:{authority},2025:{kind}:{pk}"


def feed_title(what):
    """ "Brief Archive — Rare Earths + Semiconductors"."""
    return f"{SITE_NAME} — {what}"


class ConditionalFeed(Feed):
    """A syndication feed whose validators are its bytes' digest and the archive's change time.

    Subclasses implement ``get_object`` returning a FeedSubject (raising Http404,
    FeedMoved or BadFeedRequest as needed), or, for a feed without URL arguments, name
    its ``heading``, ``page_name`` and ``summary`` and implement ``get_queryset``.
    ``items`` lists the newest rows in ``item_order`` (``item_rows`` says what they read),
    each with a guid ``tag:<host>,2025:<guid_kind>:<pk>``; ``subject_keys`` (or the
    subject's own ``cache_keys``) is what the feed shows.
    """

    modified_field = "modified_at"
    item_order = ("-published_at", "-id")
    guid_kind = "brief"
    subject_keys = (cache_keys.BRIEFS, *cache_keys.NAMES)
    # A feed without URL arguments: its title after the site name, the URL name of the
    # page it follows, and its description.
    heading = page_name = summary = None
    # Every feed's author is the archive (RFC 4287 4.1.1: an Atom feed whose entries may
    # have no author of their own needs one at feed level; JSON Feed's ``authors`` too).
    author_name = SITE_NAME

    def author_link(self):
        return site_url("/")

    def __init__(self, format="rss"):
        self.format = format
        self.feed_type = FORMATS[format]

    def __call__(self, request, *args, **kwargs):
        try:
            subject = self.get_object(request, *args, **kwargs)
        except BadFeedRequest as error:
            return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
        except FeedMoved as moved:
            return self._moved(request, moved)
        except ObjectDoesNotExist:
            raise Http404("No such feed.") from None
        depends_on(*subject.cache_keys)  # before the feed's rows are read
        body, etag, modified = self.validated_body(subject)
        response = HttpResponse(content_type=self.feed_type.content_type)
        response["Cache-Control"] = CACHE_CONTROL
        response["ETag"] = etag
        response["Last-Modified"] = http_date(modified)
        answer = get_conditional_response(
            request, etag=etag, last_modified=modified, response=response
        )
        if answer is not response:
            return answer
        response.content = body
        return response

    def validated_body(self, subject):
        """``(body, etag, last_modified)``, rendered once per URL and versions of the
        feed's keys (``subject.cache_keys``, declared before its rows are read) and of
        the stories its items show (known once rendered, so checked after: a new version
        of a story re-renders the feed even when it is no item of it)."""

        def render():
            body, etag, modified = self._render(subject)
            keys = subject.story_keys
            return body, etag, modified, stamp(keys) if keys else ()

        body, etag, modified, _ = remember(
            "feed", (FEED_VERSION, self.format, subject.key), render, fresh=_stories_unchanged
        )
        return body, etag, modified

    def last_modified(self, subject):
        """When what this feed shows last changed, in epoch seconds (never backwards).

        The archive's change time as of the versions the feed is built from (read in
        the same statement), and the first build at those versions decides for every
        worker: two workers building the same feed a second apart, while unrelated
        writes move the archive's time, would otherwise disagree, and a reader polling
        both would see Last-Modified step back.
        """
        stories = getattr(subject, "story_keys", None)  # known once the items are rendered
        seen = versions_changed_at() or archive_changed_at() or int(time.time())
        stories_stamp = stamp(stories) if stories else ()
        return agreed("feed-modified", (FEED_VERSION, subject.key, stories_stamp), seen)

    def _render(self, subject):
        """The feed's bytes with their validators: ``(body, etag, last_modified seconds)``.

        Rendered once per URL and versions of the feed's keys (``remember``), whoever asks. The ETag
        is the body's digest, so it changes exactly when a byte does (a renamed source,
        topic or note author, a deleted item) and never depends on the host it was read
        through (links and ids come from SITE_URL). Last-Modified is when the archive last
        changed (briefs migration 0012; every version bump of migration 0013 moves it):
        shared by every worker and server, it never goes backwards, and it moves forward
        with every change, a deletion included.
        """
        # Written to a string, not to an HttpResponse: the XML writer makes thousands of
        # small writes, each a bytes conversion in HttpResponse.write (issue 14). Encoded
        # as the response's writer encoded them: characters UTF-8 cannot carry (none once
        # cleaned) become character references.
        rendered = io.StringIO()
        self.get_feed(subject, _CanonicalRequest(subject.feed_url)).write(rendered, "utf-8")
        body = rendered.getvalue().encode("utf-8", "xmlcharrefreplace")
        etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
        return body, etag, self.last_modified(subject)

    def _moved(self, request, moved):
        match = request.resolver_match
        url = reverse(match.view_name, kwargs={**match.kwargs, **moved.kwargs})
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)

    def subject(self, request, *, heading, **texts):
        """A FeedSubject for this request, titled ``heading`` after the site's name, with its
        limit, tag authority and ETag key; its ``cache_keys`` are the class's
        ``subject_keys`` unless ``texts`` names others."""
        texts.setdefault("cache_keys", self.subject_keys)
        return FeedSubject(
            title=feed_title(heading),
            limit=feed_limit(request),
            authority=site_host(),
            key=canonical_feed_path(request),
            feed_url=canonical_feed_path(request),
            every_version=bool(asked_for_every_version(request)),
            **texts,
        )

    def get_object(self, request):
        """The subject of a feed without URL arguments, from ``heading``, ``page_name``,
        ``summary`` and ``get_queryset()``."""
        return self.subject(
            request,
            heading=self.heading,
            link=reverse(self.page_name),
            description=self.summary,
            queryset=self.get_queryset(),
        )

    def get_queryset(self):
        """Every row a feed without URL arguments may list (subclasses say which)."""
        raise NotImplementedError

    def items(self, subject):
        """The newest ``subject.limit`` rows in ``item_order``, each told the tag authority
        its guid is built on."""
        rows = list(self.item_rows(subject.queryset).order_by(*self.item_order)[: subject.limit])
        for row in rows:
            row.feed_authority = subject.authority
        return rows

    def item_rows(self, queryset):
        """``queryset`` with what the items show joined or deferred."""
        return queryset

    def item_guid(self, item):
        return tag_uri(item.feed_authority, self.guid_kind, item.pk)

    def title(self, subject):
        return plain_text(subject.title)

    def link(self, subject):
        return subject.link

    def description(self, subject):
        return plain_text(subject.description)

    def feed_url(self, subject):
        return subject.feed_url


class BriefFeed(ConditionalFeed):
    """Published briefs, newest first: the item methods every brief feed shares."""

    item_guid_is_permalink = False

    def item_rows(self, queryset):
        return (
            queryset.select_related("source").prefetch_topics().defer("raw_text", "image_caption")
        )

    def items(self, subject):
        """The newest briefs, each story once (its newest brief here) unless every version
        was asked for; the stories shown are noted on ``subject`` for the validators."""
        briefs = super().items(subject)
        if not subject.every_version:
            briefs, _, subject.story_keys = collapse_stories(briefs)
        return briefs

    def item_title(self, brief):
        return clean_text(brief.title)

    def item_description(self, brief):
        dek = escape(clean_text(brief.dek)) if brief.dek else ""
        return (dek + _story_html(brief)) or None

    def item_author_name(self, brief):
        return clean_text(brief.author) or None

    def item_pubdate(self, brief):
        return brief.published_at

    def item_updateddate(self, brief):
        return brief.modified_at

    def item_categories(self, brief):
        return [clean_text(topic.name) for topic in brief.topic_list]

    def item_extra_kwargs(self, brief):
        summary = [clean_text(brief.dek)] if brief.dek else []
        if getattr(brief, "story_card", None):
            summary.append(f"{story_line(brief)}: {site_url(brief.story_card.get_absolute_url())}")
        return {
            "content_html": _story_html(brief) + body_html(brief.body),
            "summary_text": "\n\n".join(summary) or None,
        }


def _story_html(brief):
    """The story line of a feed item as a paragraph linking every version, or ""."""
    if not getattr(brief, "story_card", None):
        return ""
    return format_html(
        '<p>{} — <a href="{}">see all versions</a></p>',
        clean_text(story_line(brief)),
        site_url(brief.story_card.get_absolute_url()),
    )


def _stories_unchanged(rendered):
    """Whether none of the stories a rendered feed showed has changed since (one query)."""
    shown = dict(rendered[3])
    keys = [key for key in shown if key != ALL]
    return not keys or depends_on(*keys) == shown


class LatestBriefsFeed(BriefFeed):
    """``/feed/``: the newest published briefs."""

    heading = "Latest briefs"
    page_name = "briefs:home"
    summary = "The newest briefs published in the archive."

    def get_queryset(self):
        return Brief.objects.published()


class TopicBriefsFeed(BriefFeed):
    """``/topics/a+b/feed/``: briefs carrying every topic named; old slugs answer 301."""

    def get_object(self, request, slugs):
        selection = feed_topic_selection(slugs)
        names = selection.name
        return self.subject(
            request,
            heading=names,
            link=reverse("briefs:topic-detail", kwargs={"slugs": selection.canonical}),
            description=f"Briefs on {names}, newest first.",
            queryset=Brief.objects.published().with_topics(selection.topics),
            cache_keys=(*(cache_keys.topic(t.pk) for t in selection.topics), *cache_keys.NAMES),
        )


class SourceBriefsFeed(BriefFeed):
    """``/sources/<slug>/feed/``: briefs from one source."""

    def get_object(self, request, slug):
        source = get_object_or_404(Source, slug=slug)
        return self.subject(
            request,
            heading=source.name,
            link=source.get_absolute_url(),
            description=f"Briefs from {source.name}, newest first.",
            queryset=Brief.objects.published().filter(source=source),
            cache_keys=(cache_keys.source(source.pk), *cache_keys.NAMES),
        )


class SearchBriefsFeed(BriefFeed):
    """``/search/feed/?q=`` (and ``&topic=`` as the search page takes it): a saved search,
    newest matches first."""

    def get_object(self, request):
        words = " ".join(request.GET.get("q", "").split())
        if not words:
            raise BadFeedRequest("Say what to search for: /search/feed/?q=rare+earths")
        topics = self._topics(request)
        try:
            # Only the matching ids: a feed lists newest first, so rank and snippets
            # would be computed for nothing.
            depends_on(cache_keys.BRIEFS, *cache_keys.NAMES)
            matches = search_candidates(words, topics=topics)
        except UnusableQuery as error:
            raise BadFeedRequest(str(error)) from None
        query = [("q", words), *(("topic", topic.slug) for topic in topics)]
        within = f" in {', '.join(topic.name for topic in topics)}" if topics else ""
        return self.subject(
            request,
            heading=f"Search: {words}{within}",
            link=reverse("briefs:search") + "?" + urlencode(query),
            description=f"Briefs matching “{words}”{within}, newest first.",
            queryset=briefs_among(matches).published(),
        )

    @staticmethod
    def _topics(request):
        """The ``topic=`` filters as the search page reads them (old slugs name their
        topic now); BadFeedRequest for one that names no topic, or too many: dropping
        a filter would widen the saved search."""
        wanted = [slug for slug in request.GET.getlist("topic") if slug]
        if not wanted:
            return []
        if len(set(wanted)) > MAX_TOPICS_IN_SELECTION:
            raise BadFeedRequest(f"Search within at most {MAX_TOPICS_IN_SELECTION} topics.")
        try:
            return list(resolve_topic_slugs(wanted).topics)
        except UnknownTopic as unknown:
            raise BadFeedRequest(f"No topic has the slug “{unknown}”.") from None


def _chosen_topics(raw):
    """Topics named in ``?topics=a,b`` (old slugs mean their new topic); 404 for unknown ones."""
    wanted = [slug.strip() for slug in raw.split(",") if slug.strip()]
    if not wanted:
        raise Http404("Name the topics: ?topics=rare-earths,semiconductors")
    try:
        selection = resolve_topic_slugs(wanted, limit=MAX_OPML_TOPICS)
    except UnknownTopic as unknown:
        raise Http404(f"No topic called {unknown}") from None
    return sorted(selection.topics, key=lambda topic: topic.name)


def topics_opml(request):
    """``/topics/opml/``: OPML 2.0 listing the RSS feed of every topic with published briefs.

    A reader imports it to subscribe to many topics at once; ``?topics=a,b`` narrows
    the list to the topics chosen.
    """
    depends_on(cache_keys.BRIEFS, cache_keys.TOPICS)
    if "topics" in request.GET:
        topics = [(topic.name, topic.slug) for topic in _chosen_topics(request.GET["topics"])]
    else:
        # Topics with published briefs, from the counts table (no scan of the links), as
        # plain rows: 3,000 model instances were a third of the file's cost.
        topics = Topic.objects.with_brief_counts().order_by("name").values_list("name", "slug")
    # Written to a string and encoded once: 3,000 topics were 30,000 writes to the response.
    text = io.StringIO()
    xml = SimplerXMLGenerator(text, "utf-8")
    xml.startDocument()
    xml.startElement("opml", {"version": "2.0"})
    xml.startElement("head", {})
    xml.addQuickElement("title", feed_title("Topic feeds"))
    xml.addQuickElement("docs", "https://opml.org/spec2.opml")
    xml.endElement("head")
    xml.startElement("body", {})
    for name, slug in topics:
        name = plain_text(name)
        xml.addQuickElement(
            "outline",
            attrs={
                "type": "rss",
                "text": name,
                "title": name,
                "xmlUrl": site_url(topic_url(slug, "briefs:topic-feed")),
                "htmlUrl": site_url(topic_url(slug)),
            },
        )
    xml.endElement("body")
    xml.endElement("opml")
    xml.endDocument()
    response = HttpResponse(text.getvalue().encode(), content_type="text/x-opml; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="brief-archive-topics.opml"'
    response["Cache-Control"] = CACHE_CONTROL
    return response
