"""Lists of briefs show an event once: one card for a story's briefs, with "N sources".

A page of cards keeps the newest brief of each story it holds and drops the others, and
that card links to the story's page with every version. A reader who wants every brief
as its own card adds ``?versions=all`` (the page cache keys on the full URL, so the two
forms of a page are cached apart); the list offers the switch.
"""


from core.cache import cached_list, depends_on

from . import cache_keys
from .models import Story

VERSIONS_PARAMETER = "versions"
EVERY_VERSION = "all"


def wants_every_version(request):
    """True when the reader switched the grouping off (``?versions=all``)."""
    return request.GET.get(VERSIONS_PARAMETER) == EVERY_VERSION


def collapse_stories(briefs):
    """The ``briefs`` of one page with each story shown once: its first brief here carries
    ``story_card`` (the ``Story`` with ``source_count``), its other briefs are left out.

    One query (cached until the archive changes), and none when no brief is in a story.
    Returns (list of briefs, number left out).
    """
    briefs = list(briefs)
    story_ids = {brief.story_id for brief in briefs if brief.story_id}
    if not story_ids:
        return briefs, 0
    # The cards show each story's title and source count: the page follows those stories.
    depends_on(*(cache_keys.story(pk) for pk in sorted(story_ids)))
    stories = {
        story.pk: story
        for story in cached_list(Story.objects.visible().filter(pk__in=sorted(story_ids)))
    }
    kept, seen = [], set()
    for brief in briefs:
        story = stories.get(brief.story_id)
        if story is None:
            kept.append(brief)
            continue
        if story.pk in seen:
            continue
        seen.add(story.pk)
        brief.story_card = story
        kept.append(brief)
    return kept, len(briefs) - len(kept)


class StoryCardsMixin:
    """For a ListView of brief cards: each story once per page unless the reader says not."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        every = wants_every_version(self.request)
        if not every and context.get("page_obj") is not None:
            briefs, hidden = collapse_stories(context["page_obj"].object_list)
            context["briefs"] = context["object_list"] = briefs
            context["stories_grouped"] = hidden > 0
        query = self.request.GET.copy()
        query.pop("page", None)
        if every:
            query.pop(VERSIONS_PARAMETER, None)
        else:
            query[VERSIONS_PARAMETER] = EVERY_VERSION
        context["every_version"] = every
        context["versions_toggle_url"] = "?" + query.urlencode()
        return context
