"""Stories as stored: grouping on import and edit, curator decisions, the regroup command."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from briefs.models import Brief, Story, StoryApart
from briefs.services.briefs import brief_update, briefs_set_status
from briefs.services.importing import brief_import
from briefs.services.stories import (
    brief_story_exclude,
    brief_story_move_out,
    brief_story_put,
    brief_story_update,
    stories_merge,
    stories_regroup,
)
from tests.factories import make_brief, make_source

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
EVAL = Path(__file__).resolve().parent / "story_eval" / "briefs"


def import_files(*paths, by=None):
    """Import text files as the import command does; returns their briefs in order."""
    briefs = []
    for path in paths:
        result = brief_import(raw_text=Path(path).read_text(encoding="utf-8-sig"), by=by)
        assert result.action == "created", result.reason
        briefs.append(result.brief)
    return briefs


def import_seeds(by=None):
    """The two real seed articles of ``../shared/seeds/`` imported; the test is skipped
    (with the reason) where that folder is not beside the project (a clone on its own)."""
    files = sorted(SEEDS.glob("*.txt"))
    if len(files) != 2:
        pytest.skip(f"the two seed articles are not at {SEEDS} (shared/ beside the project)")
    return import_files(*files, by=by)


def import_eval(*names):
    return import_files(*(EVAL / f"{name}.txt" for name in names))


ROUND5 = ("eu-india-round5-harbor", "eu-india-round5-meridian", "eu-india-round5-tickerline")
ROUND6 = ("eu-india-round6-dispatch", "eu-india-round6-fairway")
KESTREL = ("kestrel-dresden-fairway", "kestrel-dresden-harbor", "kestrel-dresden-meridian")


def members(story):
    return set(story.briefs.values_list("pk", flat=True))


def story_of(brief):
    return Brief.objects.get(pk=brief.pk).story


def test_the_two_seeds_import_as_one_story_recorded_in_history(curator):
    first, second = import_seeds(by=curator)
    story = Story.objects.get()
    assert members(story) == {first.pk, second.pk}
    assert "Stockholm" in story.title and story.slug
    assert not story.curator_fixed
    entry = LogEntry.objects.filter(object_id=str(story.pk), content_type__model="story").get()
    assert entry.user == curator


def test_three_outlets_make_one_story_and_the_next_round_another():
    round5 = import_eval(*ROUND5)
    round6 = import_eval("eu-india-round6-dispatch", "eu-india-round6-fairway")
    assert Story.objects.count() == 2
    assert members(story_of(round5[0])) == {brief.pk for brief in round5}
    assert members(story_of(round6[0])) == {brief.pk for brief in round6}


def test_a_brief_alone_or_of_one_source_has_no_story():
    source = make_source("Only Wire")
    make_brief("Copper miners strike at Cerro Alto", source=source)
    brief = make_brief("Copper miners strike at Cerro Alto again", source=source)
    assert brief_story_update(brief=brief) is None
    assert not Story.objects.exists()


def test_an_edit_to_another_event_takes_the_brief_out_and_ends_a_two_brief_story(curator):
    first, second = import_seeds()
    second.title, second.dek = "Cocoa grind steady", "Grinders in Abidjan had a quiet quarter."
    second.body = "Cocoa grinders in Abidjan reported a quiet quarter.\n\nNothing else changed."
    second.full_clean()
    brief_update(brief=second, by=curator)
    assert story_of(first) is None and story_of(second) is None
    assert not Story.objects.exists()


def test_a_draft_brief_is_in_no_story():
    first, second = import_seeds()
    briefs_set_status(briefs=[second], status="draft")
    brief_story_update(brief=Brief.objects.get(pk=second.pk))
    assert not Story.objects.exists()


def test_merged_stories_stay_merged_after_regrouping_and_edits(curator):
    round5 = import_eval(*ROUND5)
    round6 = import_eval(*ROUND6)
    keep, other = story_of(round5[0]), story_of(round6[0])
    stories_merge(keep=keep, merge=[other], by=curator)
    everyone = {brief.pk for brief in round5 + round6}
    assert members(keep) == everyone and Story.objects.get(pk=keep.pk).curator_fixed
    report = stories_regroup()
    assert report.unchanged == 1 and not (report.created or report.changed or report.deleted)
    brief_update(brief=Brief.objects.get(pk=round6[0].pk), by=curator)
    assert members(Story.objects.get()) == everyone


def test_a_brief_moved_out_is_never_grouped_with_those_briefs_again(curator):
    harbor, meridian, tickerline = import_eval(*ROUND5)
    story = story_of(harbor)
    brief_story_move_out(brief=Brief.objects.get(pk=tickerline.pk), by=curator)
    assert members(story) == {harbor.pk, meridian.pk}
    assert StoryApart.objects.count() == 2
    brief_update(brief=Brief.objects.get(pk=tickerline.pk), by=curator)
    stories_regroup()
    assert story_of(tickerline) is None
    assert members(Story.objects.get()) == {harbor.pk, meridian.pk}


def test_a_brief_marked_not_part_of_any_story_stays_out(curator):
    first, second = import_seeds()
    brief_story_exclude(brief=Brief.objects.get(pk=second.pk), by=curator)
    assert not Story.objects.exists()
    stories_regroup()
    brief_update(brief=Brief.objects.get(pk=second.pk), by=curator)
    assert not Story.objects.exists()
    assert Brief.objects.get(pk=second.pk).story_excluded


def test_a_brief_a_curator_puts_into_a_story_stays_there_through_regrouping_and_edits(curator):
    first, second = import_seeds()
    story = story_of(first)
    outsider = make_brief(
        "Cocoa grind steady",
        source=make_source("Cocoa Wire"),
        published_at=first.published_at,
        body="Cocoa grinders in Abidjan reported a quiet quarter.",
    )
    assert brief_story_update(brief=outsider) is None  # the texts alone never join them
    assert brief_story_put(brief=outsider, story=story, by=curator) == story
    everyone = {first.pk, second.pk, outsider.pk}
    assert members(story) == everyone and Story.objects.get(pk=story.pk).curator_fixed
    report = stories_regroup()
    assert report.unchanged == 1 and not (report.created or report.changed or report.deleted)
    for brief in (outsider, first):
        brief_update(brief=Brief.objects.get(pk=brief.pk), by=curator)
    assert members(Story.objects.get()) == everyone
    logged = LogEntry.objects.filter(user=curator).values_list("object_id", "change_message")
    assert (str(story.pk), "Put “Cocoa grind steady” into it.") in logged
    assert (str(outsider.pk), f"Put into “{story.title}”.") in logged


def test_a_brief_moved_out_and_put_back_rejoins_its_story_for_good(curator):
    harbor, meridian, tickerline = import_eval(*ROUND5)
    story = story_of(harbor)
    brief_story_move_out(brief=Brief.objects.get(pk=tickerline.pk), by=curator)
    brief_story_put(brief=Brief.objects.get(pk=tickerline.pk), story=story, by=curator)
    assert not StoryApart.objects.exists()
    stories_regroup()
    brief_update(brief=Brief.objects.get(pk=tickerline.pk), by=curator)
    assert members(Story.objects.get()) == {harbor.pk, meridian.pk, tickerline.pk}


def test_a_brief_put_into_another_story_leaves_its_old_one(curator):
    round5 = import_eval(*ROUND5)
    fairway, harbor, meridian = import_eval(*KESTREL)
    first, second = import_seeds()
    story, kestrel, seeds = story_of(round5[0]), story_of(fairway), story_of(first)
    brief_story_put(brief=fairway, story=story, by=curator)
    brief_story_put(brief=first, story=story, by=curator)
    assert members(story) == {brief.pk for brief in round5} | {fairway.pk, first.pk}
    assert members(kestrel) == {harbor.pk, meridian.pk}
    assert not Story.objects.filter(pk=seeds.pk).exists()  # one brief left: no story
    assert story_of(second) is None


@pytest.mark.parametrize(
    "case, message",
    [
        ("same source", "already has Harbor Ledger’s version, “EU And India"),
        ("excluded", "marked not part of any story: untick “Story excluded”"),
        ("draft", "is a draft: publish it first"),
        ("already in", "is already in the story"),
    ],
)
def test_putting_a_brief_into_a_story_refuses_what_would_break_it_and_says_why(
    curator, case, message
):
    round5 = import_eval(*ROUND5)
    fairway, harbor, meridian = import_eval(*KESTREL)
    story = story_of(round5[0])
    brief = {"same source": harbor, "excluded": fairway, "draft": meridian, "already in": round5[1]}[
        case
    ]
    if case == "excluded":
        brief_story_exclude(brief=fairway, by=curator)
    if case == "draft":
        briefs_set_status(briefs=[meridian], status="draft")
    before = {pk: story_id for pk, story_id in Brief.objects.values_list("pk", "story_id")}
    with pytest.raises(ValidationError, match=message):
        brief_story_put(brief=Brief.objects.get(pk=brief.pk), story=story, by=curator)
    assert dict(Brief.objects.values_list("pk", "story_id")) == before
    assert members(story) == {b.pk for b in round5} and not Story.objects.get(pk=story.pk).curator_fixed
    assert not LogEntry.objects.filter(change_message__startswith="Put").exists()


def test_regroup_command_rebuilds_lost_stories_and_reports_what_changed():
    import_seeds()
    import_eval(*ROUND5)
    Brief.objects.update(story=None)
    Story.objects.all().delete()
    out = StringIO()
    call_command("regroup_stories", "--no-progress", stdout=out)
    assert "2 stories created, 0 changed, 0 deleted, 0 unchanged" in out.getvalue()
    out = StringIO()
    call_command("regroup_stories", "--no-progress", "-v", "2", stdout=out)
    assert "0 stories created, 0 changed, 0 deleted, 2 unchanged" in out.getvalue()


def test_regroup_splits_a_story_that_no_longer_matches():
    first, second = import_seeds()
    Brief.objects.filter(pk=second.pk).update(body="Cocoa grinders reported a quiet quarter.")
    report = stories_regroup()
    assert len(report.deleted) == 1 and not Story.objects.exists()


def test_curators_merge_stories_and_move_briefs_out_in_the_admin(curator_client):
    round5 = import_eval(*ROUND5)
    round6 = import_eval(*ROUND6)
    response = curator_client.post(
        reverse("admin:briefs_story_changelist"),
        {"action": "merge_stories", "_selected_action": [s.pk for s in Story.objects.all()]},
        follow=True,
    )
    assert response.status_code == 200
    story = Story.objects.get()
    assert story.curator_fixed and story.briefs.count() == 5
    page = curator_client.get(reverse("admin:briefs_story_change", args=[story.pk]))
    assert round5[0].title in page.content.decode()
    curator_client.post(
        reverse("admin:briefs_brief_changelist"),
        {"action": "move_out_of_story", "_selected_action": [round6[0].pk]},
    )
    curator_client.post(
        reverse("admin:briefs_brief_changelist"),
        {"action": "exclude_from_stories", "_selected_action": [round6[1].pk]},
    )
    assert story.briefs.count() == 3
    assert Brief.objects.get(pk=round6[1].pk).story_excluded
    assert curator_client.get(reverse("admin:briefs_brief_changelist")).status_code == 200


def test_demo_archive_and_seeds_yield_only_the_stockholm_story():
    demo = Path(__file__).resolve().parents[2] / "briefs" / "demo"
    import_files(*sorted(demo.glob("*.txt")))
    first, second = import_seeds()
    story = Story.objects.get()
    assert members(story) == {first.pk, second.pk} and "Stockholm" in story.title
