"""Lists and feeds of briefs show an event once: one card for a story's briefs, "N sources".

A page of cards (or a feed) keeps the newest brief of each story it holds and drops the
others; that card links to the story's page with every version. ``N`` counts all the
story's published briefs, also those on other pages or outside the list.

The reader can switch the grouping off. ``?versions=all`` shows every version and
``?versions=stories`` groups, whatever was chosen; without the parameter the reader's
choice decides: a stored preference when signed in (accounts.ReaderPreferences), the
``versions`` cookie when not. The reader page cache keys on that cookie
(``READER_PAGE_CACHE_COOKIES``), so a grouped copy never answers a reader who chose every
version. Feeds follow the parameter alone: feed readers carry no cookies.
"""

from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.limits import VERSIONS_COOKIE_SECONDS
from core.cache import cached_list, depends_on
from core.redirects import safe_next

from . import cache_keys
from .models import Brief

VERSIONS_PARAMETER = "versions"
EVERY_VERSION = "all"
BY_STORY = "stories"
VERSIONS_COOKIE = "versions"  # its one meaningful value is EVERY_VERSION


def asked_for_every_version(request):
    """True, False, or None when the URL does not say (``?versions=all`` / ``=stories``)."""
    asked = request.GET.get(VERSIONS_PARAMETER)
    return {EVERY_VERSION: True, BY_STORY: False}.get(asked)


def wants_every_version(request):
    """Whether this reader sees every version of an event: the URL, else their choice."""
    asked = asked_for_every_version(request)
    if asked is not None:
        return asked
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from accounts.models import ReaderPreferences

        return ReaderPreferences.objects.wants_every_version(user)
    return request.COOKIES.get(VERSIONS_COOKIE) == EVERY_VERSION


def visible_stories(story_ids):
    """``{story pk: Story}`` for the stories among ``story_ids`` a reader sees (two or more
    published briefs), each with ``source_count`` (its published briefs) and ``versions``
    (``(brief pk, source name or None)`` of those briefs, oldest first).

    One query, cached until one of those stories changes (their keys are declared here,
    before the read, so the page or feed showing them follows them too).
    """
    story_ids = sorted(set(story_ids))
    if not story_ids:
        return {}
    depends_on(*(cache_keys.story(pk) for pk in story_ids))
    rows = cached_list(
        Brief.objects.published()
        .filter(story_id__in=story_ids)
        .select_related("story", "source")
        .only("id", "published_at", "story__title", "story__slug", "source__name")
        .order_by("published_at", "id")
    )
    stories = {}
    for brief in rows:
        story = stories.setdefault(brief.story_id, brief.story)
        if not hasattr(story, "versions"):
            story.versions = []
        story.versions.append((brief.pk, brief.source.name if brief.source else None))
    for story in stories.values():
        story.source_count = len(story.versions)
    return {pk: story for pk, story in stories.items() if story.source_count >= 2}


def collapse_stories(briefs):
    """``briefs`` (newest first) with each story shown once: its first brief here carries
    ``story_card`` (the Story of :func:`visible_stories`), its other briefs are left out.

    One query (cached), none when no brief is in a story. Returns (list of briefs, number
    left out, the story keys the result depends on).
    """
    briefs = list(briefs)
    story_ids = {brief.story_id for brief in briefs if brief.story_id}
    stories = visible_stories(story_ids)
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
    return kept, len(briefs) - len(kept), [cache_keys.story(pk) for pk in sorted(story_ids)]


def story_line(brief):
    """"Also reported by North Wire, South Ledger — 3 sources" for a brief carrying a
    ``story_card``: the story's other outlets in the order they reported, each once,
    never the brief's own."""
    own = dict(brief.story_card.versions).get(brief.pk)
    others = []
    for pk, name in brief.story_card.versions:
        name = name or "an unknown source"
        if pk != brief.pk and name not in others and name != own:
            others.append(name)
    count = f"{brief.story_card.source_count} sources"
    return f"Also reported by {', '.join(others)} — {count}" if others else count


class StoryCardsMixin:
    """For a ListView of brief cards: each story once per page unless the reader says not.

    The context gets ``every_version``, ``folded_versions`` (briefs left out here),
    ``versions_next`` (this page without the parameter, where the switch leads back).
    """

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        every = wants_every_version(self.request)
        folded = 0
        if not every and context.get("page_obj") is not None:
            briefs, folded, _ = collapse_stories(context["page_obj"].object_list)
            context["briefs"] = context["object_list"] = briefs
        query = self.request.GET.copy()
        query.pop(VERSIONS_PARAMETER, None)
        context["every_version"] = every
        context["folded_versions"] = folded
        context["stories_grouped"] = folded > 0
        context["versions_next"] = self.request.path + ("?" + query.urlencode() if query else "")
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        # The answer depends on the reader's cookie: shared caches must key on it.
        patch_vary_headers(response, ("Cookie",))
        return response


@csrf_exempt
@require_POST
def versions_choice(request):
    """``POST /versions/`` with ``show=all`` or ``show=stories`` (and ``next``, a local
    path): remember how lists show an event, then go back to ``next`` (303).

    A signed-in reader's choice is stored (a write, so the CSRF token is checked); a
    signed-out reader's is the ``versions`` cookie, which is all a forged request could
    change, so their form carries no token and the page stays cacheable.
    """
    show = request.POST.get("show")
    if show not in (EVERY_VERSION, BY_STORY):
        return HttpResponseBadRequest(
            "Say show=all or show=stories.", content_type="text/plain; charset=utf-8"
        )
    target = safe_next(request, "/")
    response = HttpResponseRedirect(target, status=303)
    if request.user.is_authenticated:
        refused = CsrfViewMiddleware(lambda _: None).process_view(request, None, (), {})
        if refused is not None:
            return refused
        from accounts.services import reader_preferences_set

        reader_preferences_set(by=request.user, every_version=show == EVERY_VERSION)
    elif show == EVERY_VERSION:
        response.set_cookie(
            VERSIONS_COOKIE,
            EVERY_VERSION,
            max_age=VERSIONS_COOKIE_SECONDS,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(VERSIONS_COOKIE, samesite="Lax")
    return response
