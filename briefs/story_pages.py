"""Story pages: ``/stories/`` (every event told by several sources) and ``/stories/<slug>/``.

The story page reads the stored story (grouping never runs here) and lines up its
versions' sentences with ``briefs.stories.alignment.align_story``; the alignment is
cached until the archive changes, so a page view computes it at most once per change.
"""

from urllib.parse import quote, urlencode

from django.shortcuts import render
from django.urls import reverse
from django.views.generic import DetailView, ListView

from config.limits import BRIEF_LIST_PAGE_SIZE
from core.cache import CachedPaginator, remember

from . import cache_keys
from .models import Brief, Story
from .stories.alignment import SHARED, align_story
from .text import body_blocks
from .views import PageMixin, feed_links

NUMBER_KINDS = {"percent": "percentage"}


class StoryIndexView(PageMixin, ListView):
    """Every story with two or more published versions, most recently changed first."""

    template_name = "briefs/story_list.html"
    context_object_name = "stories"
    paginate_by = BRIEF_LIST_PAGE_SIZE
    paginator_class = CachedPaginator
    heading = "Stories"
    description = "Events reported by several sources, each readable side by side."

    def get_cache_keys(self):
        # Story rows (titles, order) and their versions' rows and names.
        return [cache_keys.STORIES, cache_keys.BRIEFS, *cache_keys.NAMES]

    def get_queryset(self):
        return Story.objects.visible().with_versions().order_by("-updated_at", "-id")

    def get_feeds(self):
        return feed_links("briefs:stories-feed", "New and updated stories")


class StoryDetailView(PageMixin, DetailView):
    """One story: its timeline and its versions side by side, sentences aligned."""

    template_name = "briefs/story_detail.html"
    context_object_name = "story"
    parent_page = ("Stories", "briefs:story-list")

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Story.DoesNotExist:
            return story_gone(request, self.kwargs["slug"])

    def get_cache_keys(self):
        # Its own key moves with its row, its versions (joining, leaving, edited, their
        # topics) and their public notes (briefs migration 0013, annotations 0013).
        self.story = Story.objects.visible().get(slug=self.kwargs["slug"])
        return [cache_keys.story(self.story.pk), *cache_keys.NAMES]

    def get_object(self, queryset=None):
        return self.story

    def get_heading(self):
        return self.object.title

    def get_description(self):
        return f"{self.object.title}: as {self.object.source_count} sources reported it, side by side."

    def get_feeds(self):
        return feed_links(
            "briefs:story-feed", f"Versions of “{self.object.title}”", slug=self.object.slug
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        briefs = list(
            Brief.objects.published()
            .filter(story=self.object)
            .select_related("source")
            .defer("raw_text", "image_caption")
            .order_by("published_at", "id")
        )
        context.update(
            briefs=briefs,
            versions=story_versions(self.object, briefs),
            timeline=story_timeline(briefs),
            untimed_in_timeline=any(not brief.published_time_known for brief in briefs),
        )
        return context


def story_gone(request, slug):
    """The 404 page of a story address with no story (now or ever): stories end when a
    curator merges them into another or their briefs part, so it says so and offers the
    stories list and a search for the address's words."""
    search_url = reverse("briefs:search") + "?" + urlencode({"q": slug.replace("-", " ")})
    return render(request, "briefs/story_gone.html", {"search_url": search_url}, status=404)


def story_timeline(briefs):
    """``briefs`` in the order the timeline can honestly show: by day (UTC), and within a
    day the briefs with a known time in time order before those that give only the day
    (stored at midnight, which would otherwise put them first as if known earliest)."""
    return sorted(
        briefs,
        key=lambda brief: (
            brief.published_at.date(),
            not brief.published_time_known,
            brief.published_at,
            brief.pk,
        ),
    )


def story_versions(story, briefs):
    """One dict per brief for the side-by-side page: the brief, its ``blocks`` (headings
    and paragraphs of sentence dicts) and how many of its sentences are shared, unique and
    have differing numbers. The alignment is cached per story until the archive changes."""
    aligned = remember(
        "story-alignment",
        (story.pk, tuple(brief.pk for brief in briefs)),
        lambda: align_story({brief.pk: brief.body for brief in briefs}),
    )
    names = {brief.pk: _outlet(brief) for brief in briefs}
    versions = []
    for brief, sentences in zip(briefs, (item.sentences for item in aligned)):
        rendered = [_sentence(sentence, names, brief) for sentence in sentences]
        versions.append(
            {
                "brief": brief,
                "outlet": names[brief.pk],
                "blocks": _blocks(brief.body, rendered),
                "shared": sum(1 for s in rendered if s["shared"]),
                "unique": sum(1 for s in rendered if not s["shared"]),
                "differing": sum(1 for s in rendered if s["differences"]),
            }
        )
    return versions


def _outlet(brief):
    return brief.source.name if brief.source else brief.title


def _key_of(sentence_id):
    """The brief key of an alignment id ``"<key>-<index>"``."""
    return int(sentence_id.rsplit("-", 1)[0])


def _sentence(sentence, names, brief):
    """What the template needs of one ``AlignedSentence``."""
    return {
        "id": f"s-{sentence.id}",
        "start": sentence.start,
        "end": sentence.end,
        "text": sentence.text,
        "shared": sentence.status == SHARED,
        "also": [
            {"outlet": names[_key_of(other)], "anchor": f"s-{other}"} for other in sentence.aligned
        ],
        "differences": [
            {
                "kind": NUMBER_KINDS.get(difference.kind, difference.kind),
                "here": ", ".join(difference.here),
                "there": ", ".join(difference.there),
                "outlet": names[_key_of(difference.other)],
            }
            for difference in sentence.differences
        ],
        "passage_url": brief.get_absolute_url() + "#:~:text=" + _fragment(sentence.text),
    }


def _fragment(text):
    """A text fragment directive for ``text`` (start and end words when it is long)."""
    words = text.split()
    if len(words) <= 8:
        return quote(" ".join(words), safe="")
    return quote(" ".join(words[:4]), safe="") + "," + quote(" ".join(words[-4:]), safe="")


def _blocks(body, sentences):
    """The body's headings and paragraphs, each paragraph with the sentences inside it.

    A paragraph's ``start`` is its offset in the body; each sentence carries the body's own
    text between it and the one before (``before``), and the paragraph the text after its
    last sentence (``after``), so the page's text, asides left out, is the body's: the
    annotate script reads selections as offsets into it.
    """
    blocks = []
    for block in body_blocks(body):
        inside = [s for s in sentences if block.start <= s["start"] < block.end]
        if block.kind == "heading":
            blocks.append({"kind": "heading", "start": block.start, "text": block.text})
        elif inside:
            position = block.start
            for sentence in inside:
                sentence["before"] = body[position : sentence["start"]]
                position = sentence["end"]
            blocks.append(
                {
                    "kind": "paragraph",
                    "start": block.start,
                    "sentences": inside,
                    "after": body[position : block.end],
                }
            )
    return blocks
