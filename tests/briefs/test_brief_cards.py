"""What a brief's card in a list shows: title, dek or search snippet, source, when it was
published, reading time, topics, all escaped; and links that are the pages' own URLs."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse, set_script_prefix

from briefs.models import Brief, filled_url
from tests.factories import make_brief, make_source, make_topic

UTC = dt.timezone.utc


def _cards(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html5lib").select("article.card")


@pytest.mark.django_db
def test_a_card_shows_title_dek_source_time_reading_time_and_topics(client):
    source = make_source("North & South Wire")
    brief = make_brief(
        "Ports <reopen> after the storm",
        dek="Cranes back at work by \"Monday\"",
        source=source,
        body="word " * 450,
        published_at=dt.datetime(2026, 3, 5, 14, 7, 31, tzinfo=UTC),
        topics=[make_topic("Shipping"), make_topic("Weather & Climate")],
    )
    [card] = _cards(client, "/")
    title = card.select_one("h2.card-title a")
    assert title.get_text() == "Ports <reopen> after the storm"
    assert title["href"] == reverse("briefs:brief-detail", kwargs={"slug": brief.slug})
    assert card.select_one("p.dek").get_text() == 'Cranes back at work by "Monday"'
    meta = card.select_one("p.meta")
    source_link = meta.find("a")
    assert source_link.get_text() == "North & South Wire"
    assert source_link["href"] == reverse("briefs:source-detail", kwargs={"slug": source.slug})
    time = meta.find("time")
    assert time["datetime"] == "2026-03-05T14:07:31+00:00"
    assert time.get_text() == "5 March 2026, 14:07 UTC"
    assert meta.select_one(".reading-time").get_text() == "2 min read"
    assert " ".join(meta.get_text().split()) == (
        "North & South Wire · 5 March 2026, 14:07 UTC · 2 min read"
    )
    assert [(a.get_text(), a["href"]) for a in card.select("ul.chips a")] == [
        ("Shipping", "/topics/shipping/"),
        ("Weather & Climate", "/topics/weather-climate/"),
    ]


@pytest.mark.django_db
def test_markup_in_what_a_card_shows_is_text_not_html(client):
    make_brief(
        "<script>alert(1)</script>",
        dek="<b>bold</b>",
        source=make_source("<i>Wire</i>"),
        topics=[make_topic("<img src=x>")],
    )
    response = client.get("/")
    assert b"<script>alert(1)" not in response.content
    assert b"<b>bold</b>" not in response.content and b"<i>Wire</i>" not in response.content
    assert b"<img src=x>" not in response.content
    [card] = BeautifulSoup(response.content, "html5lib").select("article.card")
    assert card.select_one("h2 a").get_text() == "<script>alert(1)</script>"
    assert card.select_one("p.dek").get_text() == "<b>bold</b>"
    assert card.select_one("p.meta a").get_text() == "<i>Wire</i>"
    assert card.select_one("ul.chips a").get_text() == "<img src=x>"


@pytest.mark.django_db
def test_a_day_without_a_time_is_shown_as_the_day_and_a_brief_without_source_or_dek_as_less(
    client,
):
    make_brief(
        "Harbour closed",
        published_at=dt.datetime(2026, 3, 5, tzinfo=UTC),
        published_time_known=False,
    )
    [card] = _cards(client, "/")
    assert card.select_one("p.dek") is None and card.select_one("ul.chips") is None
    meta = card.select_one("p.meta")
    assert meta.find("a") is None
    assert meta.find("time")["datetime"] == "2026-03-05"
    assert meta.find("time").get_text() == "5 March 2026"
    assert "time not given" not in meta.get_text()  # the card's date says no more than the day


@pytest.mark.django_db
def test_a_search_card_shows_the_matching_passage_instead_of_the_dek(client):
    make_brief(
        "Quay report",
        dek="A dek that is not shown",
        body="The quay was rebuilt in granite after the flood.\n\nNothing else happened.",
    )
    [card] = _cards(client, "/search/?q=granite")
    assert card.select_one("p.dek") is None
    snippet = card.select_one("p.snippet")
    assert "granite" in snippet.get_text()
    assert [m.get_text().lower() for m in snippet.find_all("mark")] == ["granite"]


@pytest.mark.django_db
def test_links_filled_into_a_reversed_pattern_are_what_reverse_gives(db):
    brief = make_brief("Ports reopen")
    source = make_source("Harbour Wire")
    try:
        for prefix in ("/", "/archive-site/"):
            set_script_prefix(prefix)
            assert brief.get_absolute_url() == reverse(
                "briefs:brief-detail", kwargs={"slug": brief.slug}
            )
            assert source.get_absolute_url().startswith(prefix)
            assert source.get_absolute_url() == reverse(
                "briefs:source-detail", kwargs={"slug": source.slug}
            )
            assert filled_url("briefs:topic-detail", "slugs", "ports+weather") == reverse(
                "briefs:topic-detail", kwargs={"slugs": "ports+weather"}
            )
    finally:
        set_script_prefix("/")
    # What is not a slug is not filled in: reverse() says so, as it did.
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        Brief(slug="not a/slug").get_absolute_url()
