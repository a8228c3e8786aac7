"""The benchmark's data generator makes a consistent archive (bench/make_data.py, tiny scale)."""

import io
import statistics

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count

from annotations.models import Annotation
from bench.make_data import HOT_ANNOTATIONS, RARE_WORD, SCALES, generate
from briefs.models import Brief, Source, TaggedBrief, Topic
from briefs.search import search_briefs

TINY = SCALES["tiny"]


@pytest.fixture
def archive(db):
    assert generate(TINY, progress=False, out=io.StringIO())


def test_generator_makes_the_numbers_it_promises(archive):
    assert Brief.objects.count() == TINY.briefs
    assert Topic.objects.count() == TINY.topics
    assert Source.objects.count() == TINY.sources
    assert get_user_model().objects.count() == TINY.users
    assert Annotation.objects.count() == TINY.annotations
    public = Annotation.objects.public().count()
    assert TINY.annotations / 4 < public < TINY.annotations / 2


def test_every_brief_has_its_topics_and_a_body_of_the_promised_length(archive):
    low, high = TINY.topics_per_brief
    per_brief = Brief.objects.annotate(n=Count("tagged_items")).values_list("n", flat=True)
    assert all(low <= n <= high for n in per_brief)
    for body in Brief.objects.values_list("body", flat=True):
        assert TINY.words[0] <= len(body.split()) <= TINY.words[1] + 200


def test_topics_follow_a_long_tail(archive):
    counts = sorted(
        TaggedBrief.objects.values("tag").annotate(n=Count("pk")).values_list("n", flat=True)
    )
    assert counts[-1] > 3 * statistics.median(counts)


def test_annotations_quote_the_text_they_point_at(archive):
    bodies = dict(Brief.objects.values_list("pk", "body"))
    for note in Annotation.objects.all():
        body = bodies[note.brief_id]
        assert note.exact == body[note.start:note.end]
        assert body[:note.start].endswith(note.prefix)
        assert body[note.end:].startswith(note.suffix)


def test_some_published_brief_has_exactly_twenty_public_annotations(archive):
    busy = (
        Annotation.objects.public().filter(brief__in=Brief.objects.published())
        .values("brief").annotate(n=Count("pk")).filter(n=HOT_ANNOTATIONS)
    )
    assert busy.count() == TINY.hot_briefs


def test_rare_word_is_searchable_in_the_few_briefs_that_have_it(archive):
    assert search_briefs(RARE_WORD).count() == TINY.rare_briefs


def test_running_again_changes_nothing(archive):
    out = io.StringIO()
    assert not generate(TINY, progress=False, out=out)
    assert "skipping" in out.getvalue()
    assert Brief.objects.count() == TINY.briefs
