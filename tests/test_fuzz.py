"""Property-based tests: arbitrary visitor input never yields a 500, only a page or a clear 4xx.

Hypothesis generates the input; the pages are fetched through the real URL
routing, middleware and templates, on whichever database the suite runs on
(PostgreSQL refuses NUL characters in text, a classic source of 500s).
"""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefs.topics import TopicSelection, UnknownTopic, resolve_topic_slugs
from tests.factories import make_brief, make_topic

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

SLUGS = ["rare-earths", "semiconductors", "supply-chains"]
# Text of any kind, weighted towards what a topic URL is made of.
slug_like = st.text(alphabet=st.sampled_from("abcrs-_+0é\u00a0%./\\ \x00"), max_size=40)
any_text = st.one_of(st.text(max_size=300), slug_like)
slug_lists = st.lists(st.one_of(st.sampled_from(SLUGS), slug_like), min_size=0, max_size=12)


@pytest.fixture
def topics(db):
    found = [make_topic(name) for name in ("Rare Earths", "Semiconductors", "Supply Chains")]
    make_brief("Magnets and chips", topics=found[:2])
    make_brief("Ports and chips", topics=found[1:])
    return found


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)


@FUZZ
@given(text=any_text.filter(lambda text: "\x00" not in text))
def test_topic_selection_parser_accepts_or_refuses_cleanly(topics, text):
    """Any text a URL can carry: NUL never reaches the parser (the URL converter and
    core.middleware.RejectNulCharactersMiddleware stop it first)."""
    try:
        selection = resolve_topic_slugs(text)
    except UnknownTopic:
        return
    assert isinstance(selection, TopicSelection)
    assert set(selection.canonical.split("+")) <= set(SLUGS)


@FUZZ
@given(parts=slug_lists)
def test_any_topic_combination_url_answers_without_server_error(topics, visitor, parts):
    path = "/topics/" + quote("+".join(parts), safe="+") + "/"
    response = visitor.get(path)
    assert response.status_code in {200, 301, 400, 404}, path


@FUZZ
@given(parts=st.lists(st.sampled_from(SLUGS), min_size=1, max_size=3))
def test_known_topics_in_any_order_answer_200(topics, visitor, parts):
    response = visitor.get("/topics/" + "+".join(parts) + "/")
    assert response.status_code == 200


def _search_path():
    try:
        return reverse("briefs:search")
    except NoReverseMatch:
        pytest.skip("no search page yet (the reading-site issue adds it)")


@FUZZ
@given(query=any_text, topic=st.one_of(st.none(), st.sampled_from(SLUGS), slug_like),
       page=st.one_of(st.none(), st.text(max_size=8)))
def test_any_search_query_answers_without_server_error(topics, visitor, query, topic, page):
    params = {"q": query}
    if topic is not None:
        params["topic"] = topic
    if page is not None:
        params["page"] = page
    response = visitor.get(_search_path(), params)
    assert response.status_code in {200, 400, 404}, params


@FUZZ
@given(query=st.sampled_from(['"quoted phrase"', "-exclude", "chips or magnets", "'", '"',
                              "(", "*", "AND", "NEAR(", "x" * 5000, "-", "OR OR", ":"]))
def test_search_syntax_and_absurd_queries_get_a_friendly_page(topics, visitor, query):
    response = visitor.get(_search_path(), {"q": query})
    assert response.status_code == 200
