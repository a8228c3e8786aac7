"""The data model keeps its promises: visibility, unique slugs, topics through TaggedBrief."""

import pytest
from django.db import IntegrityError, transaction

from briefs.models import Brief, Source, TaggedBrief, Topic
from tests.factories import make_brief, make_source, make_topic

pytestmark = pytest.mark.django_db


def test_published_hides_drafts():
    visible = make_brief("Visible brief")
    make_brief("Hidden draft", status=Brief.Status.DRAFT)

    assert list(Brief.objects.published()) == [visible]


def test_equal_titles_get_distinct_slugs():
    first = make_brief("Talks Resume In Stockholm")
    second = make_brief("Talks Resume In Stockholm")
    third = make_brief("Talks resume in Stockholm!")

    assert first.slug == "talks-resume-in-stockholm"
    assert second.slug == "talks-resume-in-stockholm-2"
    assert third.slug == "talks-resume-in-stockholm-3"


def test_slug_is_kept_when_title_changes():
    brief = make_brief("Original Title")
    brief.title = "A Better Title"
    brief.save()
    brief.refresh_from_db()

    assert brief.slug == "original-title"


def test_duplicate_slug_is_refused_by_database():
    make_brief("Same", slug="same-slug")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_brief("Other", slug="same-slug")


def test_title_without_latin_letters_still_gets_a_slug():
    brief = make_brief("???")
    assert brief.slug == "brief"


def test_topics_are_stored_through_tagged_brief():
    rare = make_topic("Rare Earths")
    brief = make_brief(topics=[rare, "Semiconductors"])

    rows = TaggedBrief.objects.filter(content_object=brief).order_by("tag__name")
    assert [row.tag.name for row in rows] == ["Rare Earths", "Semiconductors"]
    assert set(brief.topics.names()) == {"Rare Earths", "Semiconductors"}
    assert Topic.objects.get(name="Semiconductors").slug == "semiconductors"


def test_topic_names_keep_their_spelling():
    brief = make_brief(topics=["U.S.-China Trade"])
    topic = brief.topics.get()
    assert topic.name == "U.S.-China Trade"
    assert topic.slug == "us-china-trade"


def test_topic_names_are_unique_ignoring_case():
    make_topic("Rare Earths")
    with pytest.raises(IntegrityError), transaction.atomic():
        Topic.objects.create(name="rare earths", slug="rare-earths-2")


def test_adding_a_topic_in_other_case_reuses_the_existing_one():
    topic = make_topic("Rare Earths")
    brief = make_brief(topics=["rare earths"])
    assert list(brief.topics.all()) == [topic]


def test_with_topics_is_an_intersection():
    rare, chips, oil = make_topic("Rare Earths"), make_topic("Chips"), make_topic("Oil")
    both = make_brief(topics=[rare, chips])
    make_brief(topics=[rare])
    make_brief(topics=[chips, oil])

    assert list(Brief.objects.published().with_topics([rare, chips])) == [both]


def test_source_slug_comes_from_name():
    assert make_source("Clash Report").slug == "clash-report"
    assert Source.objects.get(name="Clash Report").get_absolute_url() == "/sources/clash-report/"


def test_brief_paragraphs_split_on_blank_lines():
    brief = make_brief(body="One.\n\nSub Heading\n\nTwo.")
    assert brief.paragraphs == ["One.", "Sub Heading", "Two."]
