"""Story URLs: slugs never take a fixed path under /stories/ (issue 18)."""

import pytest
from bs4 import BeautifulSoup
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLResolver

from briefs.models import Brief, Story
from briefs.services.stories import stories_merge
from briefs.slugs import STORY_ROUTE_WORDS
from tests.briefs.test_stories_service import ROUND5, ROUND6, import_eval, story_of
from tests.factories import make_brief, make_source

pytestmark = pytest.mark.django_db


def _routes(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        else:
            yield route


def test_every_fixed_path_under_stories_is_a_reserved_story_slug():
    fixed = {
        route.split("/")[1]
        for route in _routes(get_resolver())
        if route.startswith("stories/") and route.split("/")[1] and "<" not in route.split("/")[1]
    }
    assert fixed and fixed <= STORY_ROUTE_WORDS


def test_a_story_headlined_feed_gets_a_slug_its_page_answers_on(client):
    story = Story.objects.create(title="Feed")
    for source in ("North Wire", "South Ledger"):
        Brief.objects.filter(pk=make_brief("Feed", source=make_source(source)).pk).update(story=story)
    assert story.slug == "feed-2"
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200 and response.context["story"] == story
    assert client.get(reverse("briefs:stories-feed")).status_code == 200


def test_the_admin_refuses_a_story_slug_a_path_uses(curator_client):
    story = Story.objects.create(title="Steel tariff")
    response = curator_client.post(
        reverse("admin:briefs_story_change", args=[story.pk]),
        {"title": "Steel tariff", "slug": "feed", "briefs-TOTAL_FORMS": "0",
         "briefs-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 200
    assert "is taken by a page under /stories/" in response.content.decode()
    assert Story.objects.get(pk=story.pk).slug == "steel-tariff"


def test_a_merged_or_dissolved_story_address_says_so_and_links_on(client, curator):
    round5, round6 = import_eval(*ROUND5), import_eval(*ROUND6)
    gone = story_of(round6[0])
    stories_merge(keep=story_of(round5[0]), merge=[gone], by=curator)
    response = client.get(gone.get_absolute_url())
    assert response.status_code == 404
    text = response.content.decode()
    assert "merges the story into another" in text and reverse("briefs:story-list") in text
    search = BeautifulSoup(text, "html.parser").find("a", string=lambda s: "search" in (s or ""))
    assert client.get(search["href"]).status_code == 200
