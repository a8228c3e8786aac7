"""The benchmark's data generator makes a consistent archive (bench/make_data.py, tiny scale)."""

import io
import statistics

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count

from annotations.models import Annotation
from bench.make_data import HOT_ANNOTATIONS, RARE_WORD, SCALES, generate
from briefs.models import Brief, Source, StoryToken, TaggedBrief, Topic
from briefs.search import search_briefs
from briefs.stories import candidates

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


def test_briefs_get_their_story_candidate_rows_as_an_import_writes_them(db, monkeypatch):
    # The generated prose has no names or numbers: give each brief two tokens of its title.
    monkeypatch.setattr(
        candidates, "index_tokens", lambda title, dek, body: sorted(set(title.lower().split()[:2]))
    )
    assert generate(TINY, progress=False, out=io.StringIO())
    for brief in Brief.objects.all():
        rows = StoryToken.objects.filter(brief=brief)
        expected = sorted(set(brief.title.lower().split()[:2]))
        assert sorted(rows.values_list("token", flat=True)) == expected
        assert set(rows.values_list("day", flat=True)) == {candidates.index_day(brief.published_at)}


def test_running_again_changes_nothing(archive):
    out = io.StringIO()
    assert not generate(TINY, progress=False, out=out)
    assert "skipping" in out.getvalue()
    assert Brief.objects.count() == TINY.briefs


def test_every_page_of_the_soak_mix_answers(archive, client, settings):
    from bench.soak import _paths

    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]  # bench/run.py asks as 127.0.0.1
    paths = _paths()
    assert len(paths) > 50
    for path in paths:
        assert client.get(path).status_code == 200, path


def test_soak_tells_failed_workers_from_recycled_ones():
    from bench.soak import BOOTED, FAILURES, RECYCLED

    log = "\n".join([
        "[INFO] Booting worker with pid: 11",
        "[CRITICAL] WORKER TIMEOUT (pid:11)",
        "[ERROR] Worker (pid:12) was sent SIGKILL! Perhaps out of memory?",
        "[ERROR] Worker (pid:13) exited with code 1",
        "[INFO] Autorestarting worker after current request.",
        "[INFO] Worker exiting (pid: 14)",
    ])
    assert {name: len(p.findall(log)) for name, p in FAILURES.items()} == {
        "timeout": 1, "killed": 1, "crashed": 1}
    assert len(RECYCLED.findall(log)) == 1 and len(BOOTED.findall(log)) == 1


def test_the_soak_report_names_the_paths_that_took_the_workers_time():
    from bench.soak import slowest_paths

    log = "\n".join([
        '127.0.0.1 "GET /topics/ports/?page=9 HTTP/1.1" 200 5120 240ms "wrk"',
        '127.0.0.1 "GET /topics/ports/?page=9 HTTP/1.1" 200 5120 4ms "wrk"',
        '127.0.0.1 "GET /topics/ports/?page=9 HTTP/1.1" 200 5120 6ms "wrk"',
        '127.0.0.1 "GET / HTTP/1.1" 200 9000 3ms "wrk"',
        '127.0.0.1 "GET /feed/ HTTP/1.1" 304 0 1ms "wrk"',
    ])
    rows = slowest_paths(log, most=2)
    assert [row["path"] for row in rows] == ["/topics/ports/?page=9", "/"]
    assert rows[0] == {"path": "/topics/ports/?page=9", "requests": 3, "total_s": 0.25,
                       "p50": 6, "max": 240, "slow": 1}
