"""Search ignores accents the same way on PostgreSQL (unaccent) and SQLite (FTS5 diacritics).

Issue 15: on PostgreSQL ``Sao Paulo``, ``Bogota`` and ``Curacao`` found nothing where the text
said São Paulo, Bogotá and Curaçao; SQLite found them. Run this file on both databases (with
and without ``DATABASE_URL``): the answers must be the same.
"""

import pytest

from briefs.search import highlighted, search_briefs
from tests.factories import make_brief, make_topic

pytestmark = pytest.mark.django_db

ACCENTED = ["São Paulo", "Bogotá", "Curaçao", "Zürich", "Kraków", "Malmö", "Nuñez", "Córdoba"]
PLAIN = ["Sao Paulo", "Bogota", "Curacao", "Zurich", "Krakow", "Malmo", "Nunez", "Cordoba"]
PAIRS = list(zip(ACCENTED, PLAIN))


def _titles(query):
    return {brief.title for brief in search_briefs(query)}


@pytest.mark.parametrize("field", ["title", "dek", "body", "topic"])
@pytest.mark.parametrize(("written", "typed"), PAIRS + [(p, a) for a, p in PAIRS] + [(a, a) for a in ACCENTED])
def test_a_place_is_found_with_or_without_its_accents(field, written, typed):
    text = f"Port authority meets in {written} on Friday."
    fields = {"title": "Council notice", "dek": "", "body": "Nothing else happened."}
    topics = []
    if field == "topic":
        topics = [make_topic(written)]
    else:
        fields[field] = text if field != "title" else f"Meeting in {written}"
    brief = make_brief(topics=topics, **fields)
    make_brief("Unrelated", body="The harbour closed early.")
    assert _titles(typed) == {brief.title}


def test_phrases_and_exclusions_ignore_accents_too():
    make_brief("Flights", body="New flights link São Paulo and Bogotá from June.")
    make_brief("Trains", body="Trains from Curaçao docks run late.")
    assert _titles('"sao paulo" bogota') == {"Flights"}
    assert _titles("curacao or bogota -sao") == {"Trains"}


def test_the_snippet_marks_the_accented_word_as_written():
    make_brief("Flights", body="New flights link São Paulo and Bogotá from June.")
    [brief] = search_briefs("Bogota")
    assert "<mark>Bogotá</mark>" in highlighted(brief.search_snippet)
