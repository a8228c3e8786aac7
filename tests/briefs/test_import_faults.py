"""An import stopped half-way (a crash, Ctrl-C, a killed worker) leaves no half-written brief.

A killed process never commits its open transaction, so the database rolls it back;
raising from inside the transaction, after the brief row and its source are written
and while its topics are being attached, is the same situation seen from Python.
"""

from pathlib import Path
from unittest import mock

import pytest

from briefs.models import Brief, BriefRevision, Source, TaggedBrief, Topic, TopicSuggestion
from briefs.services.importing import brief_import

pytestmark = pytest.mark.django_db

# Called inside the transaction, after the brief row and its source are written.
ATTACH_TOPICS = "briefs.services.importing.topics_for_names"
SAMPLE = (
    Path(__file__).resolve().parents[2] / "briefs" / "demo" / "02-magnet-makers-feedstock.txt"
)


def _row_counts():
    models = [Brief, Source, Topic, TaggedBrief, TopicSuggestion, BriefRevision]
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, SystemExit, MemoryError])
def test_interrupted_import_writes_nothing(interruption):
    raw_text = SAMPLE.read_text(encoding="utf-8")
    with mock.patch(ATTACH_TOPICS, side_effect=interruption):
        with pytest.raises(interruption):
            brief_import(raw_text=raw_text)

    assert _row_counts() == dict.fromkeys(_row_counts(), 0)


def test_import_after_an_interruption_completes_cleanly():
    raw_text = SAMPLE.read_text(encoding="utf-8")
    with mock.patch(ATTACH_TOPICS, side_effect=KeyboardInterrupt):
        with pytest.raises(KeyboardInterrupt):
            brief_import(raw_text=raw_text)

    result = brief_import(raw_text=raw_text)

    assert result.action == "created"
    assert Brief.objects.get().topics.count() == 5
    assert Source.objects.count() == 1


def test_interrupted_update_keeps_the_brief_as_it_was():
    raw_text = SAMPLE.read_text(encoding="utf-8")
    brief = brief_import(raw_text=raw_text).brief
    edited = raw_text.replace("Related Topics:", "One more paragraph of reporting.\n\nRelated Topics:")
    before = _row_counts()

    with mock.patch(ATTACH_TOPICS, side_effect=KeyboardInterrupt):
        with pytest.raises(KeyboardInterrupt):
            brief_import(raw_text=edited)

    brief.refresh_from_db()
    assert brief.raw_text == raw_text
    assert "One more paragraph" not in brief.body
    assert _row_counts() == before
