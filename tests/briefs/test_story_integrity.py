"""A story holds one brief per source, whatever path adds briefs to it (issue 18)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from briefs.models import Brief, Source, Story
from briefs.services.briefs import brief_update, briefs_set_status
from briefs.services.stories import (
    brief_story_move_out,
    brief_story_put,
    stories_merge,
    stories_regroup,
)
from tests.briefs.test_stories_service import (
    KESTREL,
    ROUND5,
    import_eval,
    import_seeds,
    members,
    story_of,
)
from tests.factories import make_brief, make_source, make_story

pytestmark = pytest.mark.django_db


def test_merging_stories_that_share_a_source_is_refused_and_says_what_to_do(curator):
    round5 = import_eval(*ROUND5)
    kestrel = import_eval(*KESTREL)
    keep, other = story_of(round5[0]), story_of(kestrel[0])
    before = dict(Brief.objects.values_list("pk", "story_id"))
    with pytest.raises(ValidationError) as error:
        stories_merge(keep=keep, merge=[other], by=curator)
    message = " ".join(error.value.messages)
    assert "Harbor Ledger has “" in message and round5[0].title in message
    assert kestrel[1].title in message and "Move one of each source’s briefs out" in message
    assert dict(Brief.objects.values_list("pk", "story_id")) == before
    assert Story.objects.count() == 2 and not Story.objects.filter(curator_fixed=True).exists()


def test_the_admin_merge_action_shows_the_refusal(curator_client):
    import_eval(*ROUND5)
    import_eval(*KESTREL)
    response = curator_client.post(
        reverse("admin:briefs_story_changelist"),
        {"action": "merge_stories", "_selected_action": [s.pk for s in Story.objects.all()]},
        follow=True,
    )
    assert response.status_code == 200
    assert "cannot be merged: a story holds one brief per source" in response.content.decode()
    assert Story.objects.count() == 2
    assert not LogEntry.objects.filter(change_message__startswith="Merged").exists()


def test_an_edit_giving_a_brief_the_source_of_another_member_takes_it_out(curator):
    harbor, meridian, tickerline = import_eval(*ROUND5)
    story = story_of(harbor)
    fairway = import_eval(KESTREL[0])[0]
    brief_story_put(brief=fairway, story=story, by=curator)  # now curator-fixed
    edited = Brief.objects.get(pk=meridian.pk)
    edited.source = Source.objects.get(name=harbor.source.name)
    brief_update(brief=edited, by=curator, changed_fields=["source"])
    assert members(story) == {harbor.pk, tickerline.pk, fairway.pk}
    assert story_of(meridian) is None


def test_regrouping_keeps_one_brief_per_source_in_a_fixed_story(curator):
    harbor, meridian, tickerline = import_eval(*ROUND5)
    story = story_of(harbor)
    Story.objects.filter(pk=story.pk).update(curator_fixed=True)
    # A source changed behind the services' back (an old import, a bulk fix).
    Brief.objects.filter(pk=tickerline.pk).update(source=harbor.source)
    stories_regroup()
    assert members(story) == {harbor.pk, meridian.pk}


def test_a_brief_page_never_lists_its_own_source_as_also_reporting(client):
    harbor, meridian, tickerline = import_eval(*ROUND5)
    Brief.objects.filter(pk=tickerline.pk).update(source=harbor.source)
    page = client.get(harbor.get_absolute_url()).content.decode()
    line = page[page.index("Also reported by"):].split("</p>")[0]
    assert meridian.source.name in line and harbor.source.name not in line


# --- status changes -------------------------------------------------------------------


def _admin_action(curator_client, action, briefs):
    return curator_client.post(
        reverse("admin:briefs_brief_changelist"),
        {"action": action, "_selected_action": [brief.pk for brief in briefs]},
        follow=True,
    )


def test_unpublishing_in_the_admin_takes_the_brief_out_and_dissolves_a_two_brief_story(
    curator_client, client
):
    first, second = import_seeds()
    story = story_of(first)
    assert _admin_action(curator_client, "unpublish", [second]).status_code == 200
    assert story_of(second) is None and story_of(first) is None
    assert not Story.objects.exists()
    assert client.get(story.get_absolute_url()).status_code == 404
    page = client.get(first.get_absolute_url()).content.decode()
    assert "Also reported by" not in page and story.get_absolute_url() not in page


def test_publishing_in_the_admin_places_the_brief_in_its_story_at_once(curator_client, client):
    first, second = import_seeds()
    briefs_set_status(briefs=[second], status="draft")
    assert not Story.objects.exists()
    _admin_action(curator_client, "publish", [second])
    story = story_of(first)
    assert story is not None and members(story) == {first.pk, second.pk}
    assert client.get(story.get_absolute_url()).status_code == 200


def test_unpublishing_one_of_three_keeps_the_story_for_the_other_two():
    harbor, meridian, tickerline = import_eval(*ROUND5)
    story = story_of(harbor)
    briefs_set_status(briefs=Brief.objects.filter(pk=tickerline.pk), status="draft")
    assert members(story) == {harbor.pk, meridian.pk} and story_of(tickerline) is None


# --- titles ---------------------------------------------------------------------------


def _by_date(briefs):
    return sorted(briefs, key=lambda brief: (brief.published_at, brief.pk))


def test_a_story_whose_title_brief_leaves_takes_the_earliest_remaining_headline(curator):
    first, second, _third = _by_date(import_eval(*ROUND5))
    story = story_of(first)
    assert story.title == first.title
    brief_story_move_out(brief=Brief.objects.get(pk=first.pk), by=curator)
    assert Story.objects.get(pk=story.pk).title == second.title


def test_regrouping_retitles_a_story_its_title_brief_left():
    first, second, third = _by_date(import_eval(*ROUND5))
    story = story_of(first)
    Brief.objects.filter(pk=first.pk).update(body="Cocoa grinders reported a quiet quarter.")
    stories_regroup()
    assert members(story) == {second.pk, third.pk}
    assert Story.objects.get(pk=story.pk).title == second.title


def test_a_title_a_curator_wrote_stays_when_briefs_leave(curator):
    first, _second, _third = _by_date(import_eval(*ROUND5))
    story = story_of(first)
    Story.objects.filter(pk=story.pk).update(title="EU–India talks, round five")
    briefs_set_status(briefs=[first], status="draft", by=curator)
    assert Story.objects.get(pk=story.pk).title == "EU–India talks, round five"


# --- curator-fixed stories keep taking new coverage -----------------------------------


def _cocoa(near):
    return make_brief(
        "Cocoa grind steady",
        source=make_source("Cocoa Wire"),
        published_at=near.published_at,
        body="Cocoa grinders in Abidjan reported a quiet quarter.",
    )


def test_a_new_report_joins_a_story_a_curator_put_an_unmatched_brief_into(curator):
    harbor, meridian = import_eval(*ROUND5[:2])
    story = story_of(harbor)
    outsider = _cocoa(harbor)
    brief_story_put(brief=outsider, story=story, by=curator)
    (tickerline,) = import_eval(ROUND5[2])
    assert members(story) == {harbor.pk, meridian.pk, outsider.pk, tickerline.pk}
    report = stories_regroup()
    assert report.unchanged == 1 and not (report.created or report.changed or report.deleted)


def test_a_fixed_story_still_refuses_a_report_its_grouped_members_do_not_match(curator):
    harbor, meridian = import_eval(*ROUND5[:2])
    story = story_of(harbor)
    brief_story_put(brief=_cocoa(harbor), story=story, by=curator)
    import_eval("eu-india-round6-dispatch", "kestrel-dresden-fairway")
    assert members(story) == {harbor.pk, meridian.pk} | {story.briefs.get(title__startswith="Cocoa").pk}
    stories_regroup()
    assert story.briefs.count() == 3


def test_a_feed_never_says_a_brief_is_also_reported_by_its_own_source(client):
    harbor, _meridian, tickerline = import_eval(*ROUND5)
    Brief.objects.filter(pk=tickerline.pk).update(source=harbor.source)  # an old clash
    feed = client.get(reverse("briefs:source-feed", kwargs={"slug": harbor.source.slug}))
    text = feed.content.decode()
    assert "Also reported by Meridian Wire —" in text
    assert "Also reported by Meridian Wire, Harbor Ledger" not in text
    assert "Also reported by Harbor Ledger" not in text


def test_a_curators_story_keeps_a_withdrawn_version_and_takes_it_back_when_republished(
    curator_client, client
):
    first, second = import_seeds()
    story = make_story(briefs=[first, second], title="Stockholm talks, as the desk sees them")
    address = story.get_absolute_url()

    _admin_action(curator_client, "unpublish", [second])
    assert client.get(address).status_code == 404  # one published version: no story page
    assert "Also reported by" not in client.get(first.get_absolute_url()).content.decode()

    _admin_action(curator_client, "publish", [second])
    story.refresh_from_db()
    assert members(story) == {first.pk, second.pk}
    assert (story.title, story.get_absolute_url(), story.curator_fixed) == (
        "Stockholm talks, as the desk sees them", address, True
    )
    assert client.get(address).status_code == 200


def test_regrouping_keeps_a_curators_story_with_a_withdrawn_version(curator_client):
    first, second = import_seeds()
    story = make_story(briefs=[first, second], title="Stockholm talks, as the desk sees them")
    _admin_action(curator_client, "unpublish", [second])

    stories_regroup()
    _admin_action(curator_client, "publish", [second])

    story.refresh_from_db()
    assert members(story) == {first.pk, second.pk}
    assert story.title == "Stockholm talks, as the desk sees them"
