"""Lists of notes fetch every note's tags in one query, in the order they were added."""

import pytest

from annotations.models import Annotation
from tests.factories import make_annotation, make_brief, make_user

pytestmark = pytest.mark.django_db


def test_prefetched_tags_come_in_the_order_added_in_one_query_for_the_list(
    django_assert_num_queries,
):
    brief, reader = make_brief(body="First words. Second words."), make_user()
    tagged = make_annotation(brief, reader, "First", tags=["to-check", "quote", "Ports"])
    make_annotation(brief, reader, "Second", tags=["quote"])
    make_annotation(brief, reader, "words", note="Untagged.")

    with django_assert_num_queries(2):  # the notes, then all their tags
        notes = list(Annotation.objects.order_by("start").prefetch_tags())
        tags = {note.exact: [tag.name for tag in note.tags.all()] for note in notes}
    assert tags == {"First": ["to-check", "quote", "Ports"], "Second": ["quote"], "words": []}
    assert [tag.name for tag in tagged.tags.all()] == ["to-check", "quote", "Ports"]  # unprefetched


def test_the_api_list_shows_each_notes_tags_with_a_bounded_number_of_queries(
    client, django_assert_max_num_queries
):
    brief, reader = make_brief(body="First words. Second words."), make_user()
    for n in range(5):
        make_annotation(brief, reader, "First", visibility="public", tags=[f"t{n}", "shared"])

    with django_assert_max_num_queries(6):
        items = client.get("/api/annotations/").json()["first"]["items"]
    tagging = [
        sorted(body["value"] for body in item["body"] if body["purpose"] == "tagging")
        for item in items
    ]
    assert sorted(tagging) == [["shared", f"t{n}"] for n in range(5)]
