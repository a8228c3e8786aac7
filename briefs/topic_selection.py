"""Reading topic selections from URLs: ``rare-earths+semiconductors`` and old slugs."""

import re
from dataclasses import dataclass

from django.http import Http404

from config.limits import MAX_TOPICS_IN_SELECTION

from .models import SLUG_MAX_LENGTH, Topic, TopicSlugRedirect

_SLUG = re.compile(rf"[-\w]{{1,{SLUG_MAX_LENGTH}}}")


class UnknownTopic(LookupError):
    """A slug in the selection names no topic (the page answers 404)."""


@dataclass(frozen=True)
class TopicSelection:
    """Topics named in a URL, in canonical (slug) order.

    ``redirect`` is true when an old slug (renamed or merged topic) was used, so
    the caller answers 301 to ``canonical``; the topic page also moves a reordering or a
    repeated slug there (``TopicDetailView.dispatch``).
    """

    topics: tuple
    canonical: str
    redirect: bool

    @property
    def name(self):
        return " + ".join(topic.name for topic in self.topics)


def resolve_topic_slugs(slugs, *, limit=MAX_TOPICS_IN_SELECTION):
    """Turn ``"a+b"`` (or a list of slugs) into a TopicSelection; UnknownTopic for any unknown.

    Old slugs of renamed or merged topics name their topic now (``redirect`` is then
    true). More than ``limit`` slugs, none, or a string that cannot be a slug is
    UnknownTopic too (its argument: the unknown slugs, comma-separated). The one resolver of
    topic slugs: pages, feeds and OPML use it. Only public topics (``Topic.objects.public()``)
    are found: a topic used only by drafts is unknown. Runs one query, plus one more only when
    some slug is not a current one.
    """
    wanted = {slug for slug in (slugs.split("+") if isinstance(slugs, str) else slugs) if slug}
    if not wanted or len(wanted) > limit:
        raise UnknownTopic(slugs)
    malformed = {slug for slug in wanted if not _SLUG.fullmatch(slug)}
    if malformed:  # never a slug, and not sent to the database (PostgreSQL refuses NUL)
        raise UnknownTopic(", ".join(sorted(malformed)))
    found = {topic.slug: topic for topic in Topic.objects.public().filter(slug__in=wanted)}
    missing = wanted - found.keys()
    redirect = False
    if missing:
        moved = {
            row.old_slug: row.topic
            for row in TopicSlugRedirect.objects.filter(
                old_slug__in=missing, topic__in=Topic.objects.public()
            ).select_related("topic")
        }
        if missing - moved.keys():
            raise UnknownTopic(", ".join(sorted(missing - moved.keys())))
        found.update({topic.slug: topic for topic in moved.values()})
        redirect = True
    topics = tuple(found[slug] for slug in sorted(found))
    return TopicSelection(topics, "+".join(t.slug for t in topics), redirect)


def topic_selection_or_404(slugs):
    """:func:`resolve_topic_slugs` for pages and feeds: an unknown slug answers 404."""
    try:
        return resolve_topic_slugs(slugs)
    except UnknownTopic:
        raise Http404("No such topic.") from None
