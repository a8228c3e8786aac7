"""The batch import (``briefs_import_texts``): what ``brief_import`` gives, with bulk writes.

Every result and side effect is compared with the one-text-at-a-time path: actions,
slugs, topics, revisions of updated stories, search, the change counter, history.
Chunks are made small here so a handful of texts crosses several chunks.
"""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry

from briefs.models import Brief, BriefRevision, TaggedBrief, TopicSuggestion
from briefs.search import search_briefs
from briefs.services import batch
from briefs.services.batch import briefs_import_texts
from briefs.services.importing import ImportResult, brief_import
from core.cache import archive_version
from tests.factories import make_brief, make_curator, make_topic

pytestmark = pytest.mark.django_db


WORDS = (
    "quillwort cranes ferries ballast tariffs lithium pilots barges copper turbines "
    "dredgers wheat cobalt trawlers gantries nickel tugboats sorghum bauxite freighters "
    "zinc hovercraft lumber cement"
).split()


def article(n, *, title=None, day=None, extra="", topics=("Rare Earths", "Port Logistics")):
    """A brief in the layout copied from news sites; ``n`` makes it its own story (its
    headline and body share few words with another ``n``'s, so it is no corrected copy)."""
    day = day or (n % 27) + 1
    first, second, third = (WORDS[(n * 7 + k * 5) % len(WORDS)] for k in range(3))
    topic_block = ("Related Topics\n\n" + "\n".join(topics) + "\n") if topics else ""
    return (
        f"{title or f'{first.title()} And {second.title()} Lift Harbour {n}'}\n\n"
        f"Terminal operators weigh {third}, story {n}.\n\n"
        f"July {day}, 2025Harbor Ledger\n\n"
        "Ines Marlow\n\nHarbor Ledger\n\n"
        f"Operators at terminal {n} ordered {first} after a record quarter of {second}; quillwort mats line the quay.{extra}\n\n"
        f"Shippers expect {third} prices to settle by spring {2030 + n}.\n\n" + topic_block
    )


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(batch, "IMPORT_BATCH_CHUNK", 3)


def run(texts, **options):
    return list(briefs_import_texts(texts=texts, **options))


def test_a_batch_gives_the_results_of_importing_each_text_alone(small_chunks):
    stored = brief_import(raw_text=article(1)).brief
    changed_story = article(2, extra=" A later paragraph was added.")
    brief_import(raw_text=article(2))
    texts = [
        article(3),
        article(1),  # unchanged
        changed_story,  # an update of a stored story
        "Only a title\n",  # refused by the parser
        ImportResult("failed", reason="permission denied"),  # passed through
        article(4),
        article(4),  # the same text twice in one chunk
        article(5),
        article(5, extra=" Corrected."),  # the same story twice in one chunk
    ]
    results = run(texts)
    assert [result.action for result in results] == [
        "created", "unchanged", "updated", "failed", "failed", "created", "unchanged",
        "created", "updated",
    ]
    assert results[1].brief.pk == stored.pk
    assert results[4].reason == "permission denied"
    assert Brief.objects.count() == 5
    assert BriefRevision.objects.count() == 2
    assert "A later paragraph was added." in Brief.objects.get(
        pk=results[2].brief.pk).body


def test_new_briefs_get_topics_free_slugs_and_suggestions_like_single_imports(small_chunks):
    make_brief(title="Same Title Here")
    make_topic("Quillwort")
    texts = [article(n, title="Same Title Here", day=n * 6) for n in (1, 2, 3, 4)]
    texts.append(article(9, title="Crane Orders Climb At Harbour 9", topics=()))
    run(texts)
    slugs = sorted(Brief.objects.values_list("slug", flat=True))
    assert slugs == ["crane-orders-climb-at-harbour-9", "same-title-here", "same-title-here-2",
                     "same-title-here-3", "same-title-here-4", "same-title-here-5"]
    brief = Brief.objects.get(title="Same Title Here", slug="same-title-here-3")
    assert [topic.name for topic in brief.topic_list] == ["Port Logistics", "Rare Earths"]
    assert TaggedBrief.objects.count() == 8
    untagged = Brief.objects.get(slug="crane-orders-climb-at-harbour-9")
    assert [s.topic.name for s in TopicSuggestion.objects.filter(brief=untagged)] == [
        "Quillwort"]


def test_batch_imports_are_searchable_counted_and_recorded_in_history(small_chunks):
    curator = make_curator()
    before = archive_version()
    run([article(n) for n in range(1, 8)], by=curator)
    assert archive_version() != before
    found = search_briefs("quillwort")
    assert found.count() == 7
    assert search_briefs("logistics").count() == 7  # topic names are indexed too
    entries = LogEntry.objects.filter(user=curator)
    assert entries.count() == 7
    assert set(entries.values_list("action_flag", "change_message")) == {(ADDITION, "Imported.")}


def test_a_dry_run_batch_writes_nothing(small_chunks):
    results = run([article(n) for n in range(1, 6)], dry_run=True)
    assert [result.action for result in results] == ["created"] * 5
    assert all(result.brief is None for result in results)
    assert not Brief.objects.exists()
    assert not TaggedBrief.objects.exists()


def test_texts_parsed_by_worker_processes_give_the_same_results(small_chunks):
    texts = [article(n) for n in range(1, 12)] + [article(3)]
    results = run(texts, workers=2)
    assert [result.action for result in results] == ["created"] * 11 + ["unchanged"]
    assert Brief.objects.count() == 11
    assert search_briefs("quillwort").count() == 11


def test_a_brief_too_long_for_its_fields_fails_alone(small_chunks):
    texts = [article(1), article(2, title="Long " * 120), article(3)]
    results = run(texts)
    assert [result.action for result in results] == ["created", "failed", "created"]
    assert "title" in results[1].reason


def test_topics_per_brief_are_capped_in_the_batch_too(small_chunks):
    from config.limits import IMPORT_MAX_TOPICS_PER_BRIEF

    [result] = run([article(1, topics=[f"Topic {n}" for n in range(80)])])
    assert result.brief.topics.count() == IMPORT_MAX_TOPICS_PER_BRIEF
    assert any("topics beyond the first 25 dropped" in warning for warning in result.warnings)


def test_a_chunk_a_concurrent_import_collided_with_is_imported_one_at_a_time(
    small_chunks, monkeypatch
):
    # Another import stores one of the chunk's texts between the chunk's checks and its
    # insert (here: inside the same transaction, just before it): the bulk insert (COPY
    # on PostgreSQL) meets the unique content hash, the chunk is rolled back and every
    # text of it goes through brief_import, which sees the stored one.
    give_slugs = batch._give_slugs
    texts = [article(n) for n in (1, 2, 3)]

    def racing(briefs):
        give_slugs(briefs)
        if not Brief.objects.filter(content_hash=briefs[0].content_hash).exists():
            brief_import(raw_text=texts[0])

    monkeypatch.setattr(batch, "_give_slugs", racing)
    results = run(texts)
    assert [result.action for result in results] == ["created", "created", "created"]
    assert Brief.objects.count() == 3
    assert search_briefs("quillwort").count() == 3
    assert TaggedBrief.objects.count() == 6


def test_briefs_inserted_in_bulk_read_back_as_saved(small_chunks):
    [result] = run([article(1)])
    stored = Brief.objects.get(pk=result.brief.pk)
    for field in ("title", "slug", "dek", "body", "author", "source_id", "published_at",
                  "published_time_known", "raw_text", "content_hash", "status"):
        assert getattr(stored, field) == getattr(result.brief, field), field
    assert stored.raw_text == article(1)
    assert stored.created_at is not None and stored.modified_at is not None
    assert not result.brief._state.adding


def test_long_texts_are_stored_with_lz4_on_postgresql(small_chunks):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL column setting")
    with connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        if "lz4" not in cursor.fetchone()[0]:
            pytest.skip("this server has no lz4")
    [result] = run([article(1, extra=" Quillwort mats line the quay." * 200)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(body), pg_column_compression(raw_text)"
            " FROM briefs_brief WHERE id = %s", [result.brief.pk])
        assert cursor.fetchone() == ("lz4", "lz4")


def test_a_corrected_headline_of_a_stored_brief_updates_it_in_the_batch_too(small_chunks):
    stored = brief_import(raw_text=article(2, title="Cobalt And Wheat Lift Harbour Two")).brief
    texts = [article(1), article(2, title="Cobalt and Wheat Lifts Harbour Two"), article(3)]
    results = run(texts)
    assert [result.action for result in results] == ["created", "updated", "created"]
    assert results[1].brief.pk == stored.pk
    assert Brief.objects.get(pk=stored.pk).title == "Cobalt and Wheat Lifts Harbour Two"
