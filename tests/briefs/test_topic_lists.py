"""A brief's topic list: by name, fetched with a list of briefs in one query, linked as chips."""

import pickle

import pytest
from bs4 import BeautifulSoup

from briefs.models import Brief
from tests.factories import make_brief, make_topic

pytestmark = pytest.mark.django_db


def names(brief):
    return [topic.name for topic in brief.topic_list]


def test_prefetched_topics_come_by_name_in_one_query_for_the_whole_list(
    django_assert_num_queries,
):
    rare, chips, trade = make_topic("Rare Earths"), make_topic("Chips"), make_topic("Trade")
    make_brief("Both", topics=[trade, rare])
    make_brief("All", topics=[rare, chips, trade])
    make_brief("None")

    with django_assert_num_queries(2):  # the briefs, then every brief's topics
        briefs = list(Brief.objects.published().prefetch_topics().order_by("title"))
        assert {brief.title: names(brief) for brief in briefs} == {
            "All": ["Chips", "Rare Earths", "Trade"],
            "Both": ["Rare Earths", "Trade"],
            "None": [],
        }


def test_a_listed_topic_has_its_key_name_slug_and_page():
    topic = make_topic("U.S.-China Trade")
    brief = Brief.objects.published().prefetch_topics().get(pk=make_brief(topics=[topic]).pk)

    (listed,) = brief.topic_list
    assert (listed.pk, listed.id, listed.name, listed.slug) == (
        topic.pk, topic.pk, "U.S.-China Trade", "us-china-trade"
    )
    assert str(listed) == "U.S.-China Trade"
    assert listed.get_absolute_url() == topic.get_absolute_url() == "/topics/us-china-trade/"


def test_topic_list_without_prefetch_reads_the_topics_now(django_assert_num_queries):
    brief = make_brief(topics=["Zinc", "Copper"])
    fetched = Brief.objects.get(pk=brief.pk)

    with django_assert_num_queries(1):
        assert names(fetched) == ["Copper", "Zinc"]


def test_a_cached_list_of_briefs_keeps_its_topics():
    make_brief("Cached", topics=["Copper", "Zinc"])
    briefs = list(Brief.objects.published().for_cards())

    restored = pickle.loads(pickle.dumps(briefs))
    assert names(restored[0]) == ["Copper", "Zinc"]
    assert restored[0].topic_list[0].get_absolute_url() == "/topics/copper/"


def test_card_chips_link_each_topic_with_its_name_escaped(client):
    odd = make_topic("Q&A <Live>")
    make_brief("Chips", topics=[odd, "Alloys"])

    page = BeautifulSoup(client.get("/").content, "html5lib")
    chips = page.select_one("article.card ul.chips[aria-label=Topics]").select("a.chip")
    assert [(a.get_text(), a["href"]) for a in chips] == [
        ("Alloys", "/topics/alloys/"),
        ("Q&A <Live>", odd.get_absolute_url()),
    ]
    assert "Q&amp;A &lt;Live&gt;" in client.get("/").content.decode()


def test_a_card_without_topics_has_no_chip_list(client):
    make_brief("Bare")

    page = BeautifulSoup(client.get("/").content, "html5lib")
    assert page.select_one("article.card") is not None
    assert page.select("article.card .chips") == []
