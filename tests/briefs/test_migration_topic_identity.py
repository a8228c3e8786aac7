"""Migration 0008 on an archive that already holds topics one name apart only by invisible
characters: they become one topic, keeping briefs, suggestions and the old URL."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("briefs", "0007_search_unaccent")]
AFTER = [("briefs", "0008_topic_identity_and_undated_drafts")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    """Leave the test database fully migrated, as the next tests expect it."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_topics_sharing_a_name_key_are_merged_into_the_oldest():
    old = _migrate(BEFORE)
    Topic, Brief = old.get_model("briefs", "Topic"), old.get_model("briefs", "Brief")
    TaggedBrief = old.get_model("briefs", "TaggedBrief")
    mining = Topic.objects.create(name="Mining", slug="mining")
    twin = Topic.objects.create(name="Mining\u200f", slug="mining-2")
    moment = dt.datetime(2025, 7, 1, tzinfo=dt.timezone.utc)
    both = Brief.objects.create(title="Both", slug="both", body="B.", published_at=moment)
    only_twin = Brief.objects.create(title="Twin", slug="twin", body="T.", published_at=moment)
    for brief, topic in ((both, mining), (both, twin), (only_twin, twin)):
        TaggedBrief.objects.create(content_object=brief, tag=topic)

    new = _migrate(AFTER)

    Topic = new.get_model("briefs", "Topic")
    TaggedBrief = new.get_model("briefs", "TaggedBrief")
    Redirect = new.get_model("briefs", "TopicSlugRedirect")
    assert list(Topic.objects.values_list("name", "name_key")) == [("Mining", "mining")]
    assert sorted(
        TaggedBrief.objects.values_list("content_object__slug", "tag__name")
    ) == [("both", "Mining"), ("twin", "Mining")]
    redirect = Redirect.objects.get()
    assert (redirect.old_slug, redirect.topic_id, redirect.old_name_key) == (
        "mining-2", mining.pk, "mining"
    )
