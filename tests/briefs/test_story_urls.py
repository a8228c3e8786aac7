"""Story URLs: slugs never take a fixed path under /stories/ (issue 18)."""

import pytest
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLResolver

from briefs.models import Brief, Story
from briefs.slugs import STORY_ROUTE_WORDS
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
