"""Curation services: topic create / rename / merge with redirects, bulk topics and status."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError

from briefs.models import Brief, TaggedBrief, Topic, TopicSlugRedirect, TopicSuggestion
from briefs.services.briefs import briefs_add_topics, briefs_remove_topics, briefs_set_status
from briefs.services.topics import (
    topic_create,
    topic_merge,
    topic_merge_plan,
    topic_name_key,
    topic_near_duplicates,
    topic_rename,
)
from tests.factories import (
    make_brief,
    make_topic,
    make_topic_slug_redirect,
    make_topic_suggestion,
    make_user,
)

pytestmark = pytest.mark.django_db


def topic_names(brief):
    return sorted(topic.name for topic in Brief.objects.get(pk=brief.pk).topics.all())


# --- creation and duplicates -------------------------------------------------------------


def test_creating_a_topic_differing_only_in_case_is_refused_with_the_existing_name():
    make_topic("Rare earths")
    with pytest.raises(ValidationError) as error:
        topic_create(name="Rare Earths")
    assert "“Rare earths” already exists" in str(error.value)
    assert Topic.objects.count() == 1


def test_names_that_slugify_alike_get_distinct_slugs():
    first = topic_create(name="U.S. Trade")
    second = topic_create(name="US Trade")
    assert (first.slug, second.slug) == ("us-trade", "us-trade-2")


def test_a_new_topic_does_not_take_a_slug_that_still_redirects_elsewhere():
    kept = make_topic("Rare Earth Metals")
    make_topic_slug_redirect(old_slug="rare-earths", topic=kept)
    assert topic_create(name="Rare Earths").slug == "rare-earths-2"


def test_near_duplicates_ignore_case_punctuation_and_spacing():
    make_topic("Rare Earths")
    make_topic("rare-earths.")
    make_topic("Semiconductors")
    make_topic("U.S.-China Trade")
    make_topic("US China  trade")
    groups = [[topic.name for topic in group] for group in topic_near_duplicates()]
    assert groups == [["Rare Earths", "rare-earths."], ["U.S.-China Trade", "US China  trade"]]
    assert topic_name_key("U.S.-China Trade") == "us china trade"


# --- rename ------------------------------------------------------------------------------


def test_rename_moves_the_slug_and_the_old_topic_url_redirects(client):
    topic = make_topic("Rare Earths")
    make_brief(topics=[topic])
    topic_rename(topic=topic, name="Rare Earth Metals")
    assert Topic.objects.get(pk=topic.pk).slug == "rare-earth-metals"
    response = client.get("/topics/rare-earths/")
    assert response.status_code == 301
    assert response["Location"] == "/topics/rare-earth-metals/"


def test_rename_keeps_combination_urls_working(client):
    topic, other = make_topic("Rare Earths"), make_topic("Semiconductors")
    make_brief(topics=[topic, other])
    topic_rename(topic=topic, name="Critical Minerals")
    response = client.get("/topics/semiconductors+rare-earths/")
    assert response.status_code == 301
    assert response["Location"] == "/topics/critical-minerals+semiconductors/"


def test_renaming_only_the_case_keeps_the_slug_and_records_no_redirect():
    topic = make_topic("Rare earths")
    topic_rename(topic=topic, name="Rare Earths")
    assert Topic.objects.get(pk=topic.pk).name == "Rare Earths"
    assert Topic.objects.get(pk=topic.pk).slug == "rare-earths"
    assert not TopicSlugRedirect.objects.exists()


def test_renaming_back_drops_the_redirect_that_named_the_slug_now_current(client):
    topic = make_topic("Rare Earths")
    topic_rename(topic=topic, name="Rare Earth Metals")
    topic_rename(topic=topic, name="Rare Earths")
    assert list(TopicSlugRedirect.objects.values_list("old_slug", flat=True)) == [
        "rare-earth-metals"
    ]
    make_brief(topics=[topic])
    assert client.get("/topics/rare-earths/").status_code == 200
    assert client.get("/topics/rare-earth-metals/")["Location"] == "/topics/rare-earths/"


def test_renaming_to_another_topics_name_is_refused():
    make_topic("Semiconductors")
    topic = make_topic("Chips")
    with pytest.raises(ValidationError):
        topic_rename(topic=topic, name="semiconductors")
    assert Topic.objects.get(pk=topic.pk).name == "Chips"


def test_an_explicit_slug_used_by_another_topic_is_refused():
    make_topic("Semiconductors")
    topic = make_topic("Chips")
    with pytest.raises(ValidationError) as error:
        topic_rename(topic=topic, name="Chips", slug="semiconductors")
    assert "already has the slug" in str(error.value)


# --- merge -------------------------------------------------------------------------------


def test_merge_moves_every_brief_once_and_deletes_the_merged_topics():
    keep, earths, metals = make_topic("Rare Earths"), make_topic("rare earth"), make_topic("REE")
    both = make_brief(topics=[keep, earths, metals])
    only_merged = make_brief(topics=[earths])
    untouched = make_brief(topics=[make_topic("Tariffs")])
    topic_merge(keep=keep, merge=[earths, metals])
    assert topic_names(both) == ["Rare Earths"]
    assert topic_names(only_merged) == ["Rare Earths"]
    assert topic_names(untouched) == ["Tariffs"]
    assert TaggedBrief.objects.filter(tag=keep).count() == 2
    assert not Topic.objects.filter(pk__in=[earths.pk, metals.pk]).exists()


def test_merge_plan_counts_what_moves_and_what_was_already_tagged():
    keep, other = make_topic("Rare Earths"), topic_create(name="Rare-earths")
    make_brief(topics=[keep, other])
    make_brief(topics=[other])
    make_brief(topics=[other])
    plan = topic_merge_plan(keep=keep, merge=[keep, other])
    assert (plan.briefs_moving, plan.briefs_already_tagged) == (2, 1)
    assert plan.old_slugs == ("rare-earths-2",)


def test_merged_slugs_and_their_older_slugs_redirect_to_the_kept_topic(client):
    keep, merged = make_topic("Rare Earths"), make_topic("Critical Minerals")
    make_topic_slug_redirect(old_slug="minerals", topic=merged)
    make_brief(topics=[merged])
    topic_merge(keep=keep, merge=[merged])
    for old in ("critical-minerals", "minerals"):
        response = client.get(f"/topics/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/topics/rare-earths/"


def test_merge_moves_suggestions_and_drops_those_the_brief_now_carries():
    keep, merged = make_topic("Rare Earths"), make_topic("REE")
    tagged = make_brief(topics=[keep])
    plain = make_brief()
    make_topic_suggestion(brief=tagged, topic=merged)
    make_topic_suggestion(brief=plain, topic=merged)
    topic_merge(keep=keep, merge=[merged])
    assert list(TopicSuggestion.objects.values_list("brief", "topic")) == [(plain.pk, keep.pk)]


def test_merging_a_topic_into_itself_is_refused():
    keep = make_topic("Rare Earths")
    with pytest.raises(ValidationError):
        topic_merge(keep=keep, merge=[keep])
    assert Topic.objects.filter(pk=keep.pk).exists()


def test_merge_by_a_user_is_written_to_the_admin_log():
    curator = make_user(is_staff=True)
    keep, merged = make_topic("Rare Earths"), make_topic("REE")
    topic_merge(keep=keep, merge=[merged], by=curator)
    messages = set(LogEntry.objects.filter(user=curator).values_list("change_message", flat=True))
    assert messages == {
        "Merged “REE” into this topic.",
        f"Merged into “Rare Earths” (id {keep.pk}).",
    }


# --- bulk topics and status -------------------------------------------------------------


def test_adding_topics_to_many_briefs_keeps_existing_ones_without_duplicates():
    trade, chips = make_topic("Trade"), make_topic("Chips")
    first, second = make_brief(topics=[trade]), make_brief()
    added = briefs_add_topics(briefs=[first, second], topics=[trade, chips])
    assert added == 3
    assert topic_names(first) == ["Chips", "Trade"]
    assert topic_names(second) == ["Chips", "Trade"]


def test_adding_a_suggested_topic_settles_the_pending_suggestion():
    chips = make_topic("Chips")
    brief = make_brief()
    make_topic_suggestion(brief=brief, topic=chips)
    briefs_add_topics(briefs=[brief], topics=[chips])
    assert not TopicSuggestion.objects.exists()


def test_removing_topics_touches_only_the_chosen_briefs_and_topics():
    trade, chips = make_topic("Trade"), make_topic("Chips")
    first, second = make_brief(topics=[trade, chips]), make_brief(topics=[trade, chips])
    assert briefs_remove_topics(briefs=[first], topics=[chips]) == 1
    assert topic_names(first) == ["Trade"]
    assert topic_names(second) == ["Chips", "Trade"]


def test_topic_changes_move_the_briefs_modified_time_for_feeds():
    chips = make_topic("Chips")
    brief = make_brief()
    before = Brief.objects.get(pk=brief.pk).modified_at
    briefs_add_topics(briefs=[brief], topics=[chips])
    assert Brief.objects.get(pk=brief.pk).modified_at > before


def test_unpublishing_hides_briefs_from_readers(client):
    brief = make_brief(title="Quiet brief")
    assert briefs_set_status(briefs=[brief], status="draft") == 1
    assert client.get(brief.get_absolute_url()).status_code == 404
    assert briefs_set_status(briefs=[brief], status="draft") == 0


def test_an_unknown_status_is_refused():
    brief = make_brief()
    with pytest.raises(ValidationError):
        briefs_set_status(briefs=[brief], status="archived")
