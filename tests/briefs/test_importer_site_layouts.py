"""Articles laid out like thirty kinds of news site parse into the fields in their sidecar.

Each ``site_layouts/NN_kind.txt`` is an invented article copied the way a wire service,
business or tech site, regional paper or blog prints it; ``NN_kind.json`` beside it says
what the parser must read from it:

- ``title``, ``dek``, ``author``, ``source``, ``topics``: exactly these values;
- ``published_at``: ISO 8601 in UTC, or null for "no usable date", with ``time_known``;
- ``body_start`` / ``body_end``: how the first and last paragraphs start and end;
- ``dropped``: text that must not survive in any returned field (furniture, credits);
- optional ``reference`` (the file's own time, ISO 8601 or null), ``review_reasons``,
  ``warnings_include`` (substrings of some warning) and ``paragraphs`` (their count).

Undated articles are parsed with ``require_date=False``: they are never refused for
their date, and come back for review instead.
"""

import datetime as dt
import json
from pathlib import Path

import pytest

from briefs.importer import parse_brief

LAYOUTS = Path(__file__).resolve().parent / "site_layouts"
DEFAULT_REFERENCE = dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc)
CASES = sorted(path.stem for path in LAYOUTS.glob("*.txt"))


def load(name):
    text = (LAYOUTS / f"{name}.txt").read_text(encoding="utf-8")
    expected = json.loads((LAYOUTS / f"{name}.json").read_text(encoding="utf-8"))
    reference = expected.get("reference", DEFAULT_REFERENCE.isoformat())
    reference = dt.datetime.fromisoformat(reference) if reference else None
    return parse_brief(text, reference=reference, require_date=False), expected


def differences(brief, expected):
    """Field name -> (read, expected) for every field the parser got wrong."""
    published = expected["published_at"]
    wanted = {
        "title": expected["title"],
        "dek": expected["dek"],
        "author": expected["author"],
        "source": expected["source"],
        "published_at": dt.datetime.fromisoformat(published) if published else None,
        "time_known": expected["time_known"],
        "topics": expected["topics"],
        "review_reasons": expected.get("review_reasons", []),
    }
    read = {
        "title": brief.title,
        "dek": brief.dek,
        "author": brief.author,
        "source": brief.source_name,
        "published_at": brief.published_at,
        "time_known": brief.published_time_known,
        "topics": brief.topics,
        "review_reasons": brief.review_reasons,
    }
    wrong = {key: (read[key], wanted[key]) for key in wanted if read[key] != wanted[key]}
    paragraphs = brief.paragraphs
    if not paragraphs[0].startswith(expected["body_start"]):
        wrong["body_start"] = (paragraphs[0][:60], expected["body_start"])
    if not paragraphs[-1].endswith(expected["body_end"]):
        wrong["body_end"] = (paragraphs[-1][-60:], expected["body_end"])
    if "paragraphs" in expected and len(paragraphs) != expected["paragraphs"]:
        wrong["paragraphs"] = (len(paragraphs), expected["paragraphs"])
    fields = [brief.title, brief.dek, brief.author, brief.source_name, brief.body, *brief.topics]
    kept = [text for text in expected["dropped"] if any(text in field for field in fields)]
    if kept:
        wrong["dropped"] = (kept, [])
    missing = [
        text for text in expected.get("warnings_include", [])
        if not any(text in warning for warning in brief.warnings)
    ]
    if missing:
        wrong["warnings"] = (brief.warnings, missing)
    return wrong


def test_there_are_at_least_thirty_site_layouts():
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", CASES)
def test_site_layout_parses_into_the_expected_fields(name):
    brief, expected = load(name)
    assert differences(brief, expected) == {}


@pytest.mark.parametrize("name", CASES)
def test_site_layout_never_refused_and_undated_only_with_a_review_reason(name):
    brief, _ = load(name)
    assert brief.title and brief.body
    assert (brief.published_at is None) == ("undated" in brief.review_reasons)
    assert brief.needs_review is bool(brief.review_reasons)
