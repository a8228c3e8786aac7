"""Full-text search: the same behaviour on PostgreSQL (tsvector) and SQLite (FTS5)."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from briefs.models import Brief, TaggedBrief, Topic
from briefs.search import (
    UnusableQuery,
    briefs_among,
    highlighted,
    search_briefs,
    search_candidates,
)
from briefs.services.topics import topic_merge, topic_rename
from config.limits import MAX_TOPICS_IN_SELECTION, SEARCH_QUERY_MAX_LENGTH
from tests.factories import make_brief, make_topic


def titles(queryset):
    return [brief.title for brief in queryset]


def search_page(client, query_string):
    response = client.get(f"/search/?{query_string}")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html5lib")


@pytest.fixture
def library(db):
    """Briefs chosen so that each search feature has one clear right answer."""
    energy = make_topic("Energy Storage")
    shipping = make_topic("Shipping")
    return {
        "energy": energy,
        "shipping": shipping,
        "battery_title": make_brief(
            "Battery Factory Opens", body="Workers began the first shift on Monday."
        ),
        "battery_body": make_brief(
            "Regional Jobs Report",
            body="Hiring rose at a new battery plant and at two warehouses.",
        ),
        "harbour": make_brief(
            "Harbour Strike Ends",
            topics=[shipping],
            dek="Cranes move again after nine days.",
            body="Dockworkers accepted the offer. Container traffic resumes slowly.",
        ),
        "grid": make_brief(
            "Grid Upgrade Approved",
            topics=[energy],
            body="Regulators approved new lines. The plan adds storage near the coast.",
        ),
        "ferry": make_brief(
            "Ferry Timetable Changes",
            topics=[shipping],
            body="Winter sailings drop to two a day; container services are unchanged.",
        ),
        "draft": make_brief(
            "Secret Battery Memo",
            body="Battery plans nobody may read yet.",
            status=Brief.Status.DRAFT,
        ),
    }


def test_title_match_ranks_above_body_match(library):
    assert titles(search_briefs("battery")) == ["Battery Factory Opens", "Regional Jobs Report"]


def test_drafts_are_never_found(library):
    assert "Secret Battery Memo" not in titles(search_briefs("battery"))
    assert titles(search_briefs("memo")) == []


def test_topic_names_are_searched(library):
    # "storage" also appears in the grid body, but only topics and body name the others.
    assert titles(search_briefs("shipping")) == ["Ferry Timetable Changes", "Harbour Strike Ends"]


def test_dek_is_searched(library):
    assert titles(search_briefs("cranes")) == ["Harbour Strike Ends"]


def test_words_are_matched_by_stem(library):
    assert titles(search_briefs("approve")) == ["Grid Upgrade Approved"]


def test_all_words_must_match(library):
    assert titles(search_briefs("container dockworkers")) == ["Harbour Strike Ends"]


def test_quoted_phrase_must_appear_as_written(library):
    assert titles(search_briefs('"container traffic"')) == ["Harbour Strike Ends"]
    assert titles(search_briefs('"traffic container"')) == []


def test_minus_excludes_a_word(library):
    assert titles(search_briefs("container -ferry -winter")) == ["Harbour Strike Ends"]


def test_or_finds_either_word(library):
    assert set(titles(search_briefs("cranes or regulators"))) == {
        "Harbour Strike Ends",
        "Grid Upgrade Approved",
    }


def test_topics_narrow_the_results(library):
    found = search_briefs("container", topics=[library["shipping"]])
    assert set(titles(found)) == {"Harbour Strike Ends", "Ferry Timetable Changes"}
    assert titles(search_briefs("container", topics=[library["energy"]])) == []


@pytest.mark.parametrize(
    ("query", "hint"),
    [
        ("", "Type a word"),
        ("   ", "Type a word"),
        ("!!! ??? ...", "Add a word"),
        ("-battery", "Add a word"),
        ('""', "Add a word"),
        ("x" * (SEARCH_QUERY_MAX_LENGTH + 1), "too long"),
        (" ".join(f"w{n}" for n in range(40)), "at most"),
    ],
)
def test_unusable_queries_explain_what_to_try(db, query, hint):
    with pytest.raises(UnusableQuery, match=hint):
        search_briefs(query)


@pytest.mark.parametrize(
    "query",
    [
        'battery"',
        "NEAR(battery plant)",
        "title:battery",
        "battery*",
        "AND OR NOT",
        "or or battery or",
        "^battery",
        "(battery",
        "battery & | ! :* <->",
        "'; DROP TABLE briefs_brief; --",
        "bätterý",
    ],
)
def test_odd_queries_never_fail(library, query):
    list(search_briefs(query))


def test_index_follows_body_title_and_deletion(library):
    grid = library["grid"]
    grid.body = "Regulators approved new interconnectors."
    grid.save()
    assert titles(search_briefs("interconnectors")) == ["Grid Upgrade Approved"]
    assert titles(search_briefs("coast")) == []
    Brief.objects.filter(pk=grid.pk).update(title="Grid Plan Shelved")
    assert titles(search_briefs("shelved")) == ["Grid Plan Shelved"]
    grid.delete()
    assert titles(search_briefs("interconnectors")) == []


def test_index_follows_topic_changes(library):
    ferry = library["ferry"]
    ferry.topics.add(make_topic("Island Life"))
    assert titles(search_briefs("island")) == ["Ferry Timetable Changes"]
    Topic.objects.filter(name="Island Life").update(name="Coastal Towns")
    assert titles(search_briefs("island")) == []
    assert titles(search_briefs("coastal towns")) == ["Ferry Timetable Changes"]
    ferry.topics.clear()
    assert titles(search_briefs("coastal")) == []


def test_index_follows_links_written_many_at_a_time(library):
    # One statement touching several briefs' links (the importer's bulk INSERT, admin
    # bulk edits) refreshes each brief it touches.
    ferry, grid = library["ferry"], library["grid"]
    island = make_topic("Island Life")
    TaggedBrief.objects.bulk_create(
        [TaggedBrief(content_object=brief, tag=island) for brief in (ferry, grid)]
    )
    found = sorted(titles(search_briefs("island")))
    assert found == ["Ferry Timetable Changes", "Grid Upgrade Approved"]
    lakes = make_topic("Lake Districts")
    TaggedBrief.objects.filter(tag=island, content_object=grid).update(tag=lakes)
    assert titles(search_briefs("island")) == ["Ferry Timetable Changes"]
    assert titles(search_briefs("lake districts")) == ["Grid Upgrade Approved"]
    TaggedBrief.objects.filter(tag__in=[island, lakes]).delete()
    assert titles(search_briefs("island")) == [] and titles(search_briefs("lake")) == []


def test_publishing_a_draft_makes_it_findable(library):
    draft = library["draft"]
    draft.status = Brief.Status.PUBLISHED
    draft.save()
    assert "Secret Battery Memo" in titles(search_briefs("memo"))


def test_snippet_highlights_matches_and_escapes_text(db):
    make_brief("Markup Brief", body="Prices <b>surged</b> after the storm & the floods; 3 < 4.")
    (brief,) = search_briefs("storm")
    html = str(highlighted(brief.search_snippet))
    assert "<mark>storm</mark>" in html
    assert "&amp;" in html and "surged" in html
    # PostgreSQL drops tag-like text from headlines, SQLite escapes it: never raw markup.
    assert "<" not in html.replace("<mark>", "").replace("</mark>", "")


def test_highlighting_escapes_everything_but_its_own_marks():
    raw = "a <script>x</script> \ue000match\ue001 b \ue000unclosed"
    assert str(highlighted(raw)) == "a &lt;script&gt;x&lt;/script&gt; <mark>match</mark> b unclosed"


def test_search_page_shows_highlighted_snippets(client, library):
    page = search_page(client, "q=battery")
    assert page.h1.get_text() == "Results for “battery”"
    cards = page.select(".card")
    assert [card.select_one(".card-title a").get_text() for card in cards] == [
        "Battery Factory Opens",
        "Regional Jobs Report",
    ]
    assert cards[1].select_one(".snippet mark").get_text().lower() == "battery"
    assert "2 briefs found" in page.select_one(".result-count").get_text()


def test_search_page_keeps_the_query_in_the_box(client, library):
    page = search_page(client, "q=%22container+traffic%22+-ferry")
    assert page.select_one("#search-q")["value"] == '"container traffic" -ferry'


def test_search_page_without_query_invites_a_search(client, db):
    page = search_page(client, "")
    assert page.h1.get_text() == "Search the archive"
    assert page.select_one("#search-q") is not None
    assert page.select_one(".notice") is None and page.select_one(".card") is None


@pytest.mark.parametrize("query_string", ["q=", "q=%21%21%21", "q=" + "y" * 500, "q=-x"])
def test_search_page_explains_unusable_queries(client, db, query_string):
    page = search_page(client, query_string)
    assert page.select_one(".notice").get_text().strip()
    assert page.select_one(".card") is None


def test_search_page_says_what_to_do_when_nothing_matches(client, library):
    page = search_page(client, "q=zeppelin")
    empty = page.select_one(".empty")
    assert "Nothing matches “zeppelin”" in empty.get_text()
    assert empty.find("a", string="browse the topics")["href"] == "/topics/"


def test_search_page_filters_by_topic_and_offers_to_remove_it(client, library):
    page = search_page(client, "q=container&topic=shipping")
    assert {a.get_text() for a in page.select(".card-title a")} == {
        "Harbour Strike Ends",
        "Ferry Timetable Changes",
    }
    remove = page.select_one(".removable a")
    assert remove.get_text() == "Remove Shipping"
    assert remove["href"] == "/search/?q=container"
    assert page.select_one('input[type="hidden"][name="topic"]')["value"] == "shipping"


def test_search_page_offers_topics_to_narrow_to(client, library):
    page = search_page(client, "q=container")
    links = {a.contents[0].strip(): a["href"] for a in page.select(".narrow-down a")}
    assert links == {"+ Shipping": "/search/?q=container&topic=shipping"}


def test_narrow_down_counts_each_topic_of_the_results_most_first_then_by_name(client, db):
    from config.limits import SEARCH_NARROW_DOWN_TOPICS

    within = make_topic("Quarries")
    others = [make_topic(f"Topic {n:02d}") for n in range(SEARCH_NARROW_DOWN_TOPICS + 2)]
    # Topic 00 on 3 results, 01 and 02 on 2 (a tie: by name), the rest on 1; a draft and
    # a brief without the word carry Topic 05 too and are not counted.
    for n, topics in enumerate([others[:3], others[:3], [others[0], *others[3:]]]):
        make_brief(f"Quartz find {n}", topics=[within, *topics], body="Quartz in the hills.")
    make_brief("Quartz draft", topics=[within, others[5]], body="Quartz.", status=Brief.Status.DRAFT)
    make_brief("Granite", topics=[within, others[5]], body="Granite in the hills.")

    page = search_page(client, "q=quartz&topic=quarries")
    chips = [(a.contents[0].strip(), a.select_one(".count").get_text())
             for a in page.select(".narrow-down a")]
    expected = [(f"+ {t.name}", str(t.brief_count)) for t in Topic.objects.with_brief_counts(
        Brief.objects.published().filter(title__startswith="Quartz find")
    ).exclude(pk=within.pk).order_by("-brief_count", "name")[:SEARCH_NARROW_DOWN_TOPICS]]
    assert chips == expected
    assert chips[:4] == [("+ Topic 00", "3"), ("+ Topic 01", "2"), ("+ Topic 02", "2"),
                         ("+ Topic 03", "1")]
    assert len(chips) == SEARCH_NARROW_DOWN_TOPICS


def test_unknown_topic_filter_is_said_and_never_widens_the_search(client, library):
    page = search_page(client, "q=cranes&topic=no-such-topic&topic=shipping")
    assert page.select(".card-title a") == []
    assert "No topic has the slug “no-such-topic”." in page.select_one(".notice").get_text()


def test_an_old_topic_slug_filters_by_the_renamed_topic(client, library, curator):
    topic_rename(topic=library["shipping"], name="Sea freight", by=curator)
    make_brief("Cranes idle at the inland depot", body="The cranes stood still.")
    page = search_page(client, "q=cranes&topic=shipping")
    assert [a.get_text() for a in page.select(".card-title a")] == ["Harbour Strike Ends"]
    hidden = page.select_one('input[type="hidden"][name="topic"]')
    assert hidden["value"] == "sea-freight"


def test_an_old_slug_of_a_merged_topic_filters_by_the_topic_kept(client, library, curator):
    freight = make_topic("Freight")
    make_brief("Cranes for freight", topics=[freight], body="Cranes and more cranes.")
    make_brief("Cranes idle at the inland depot", body="The cranes stood still.")
    topic_merge(keep=library["shipping"], merge=[freight], by=curator)
    page = search_page(client, "q=cranes&topic=freight")
    assert {a.get_text() for a in page.select(".card-title a")} == {
        "Harbour Strike Ends",
        "Cranes for freight",
    }


def test_too_many_topic_filters_are_said(client, library):
    query = "&".join(f"topic=t{n}" for n in range(MAX_TOPICS_IN_SELECTION + 1))
    page = search_page(client, f"q=cranes&{query}")
    assert page.select(".card-title a") == []
    assert "at most" in page.select_one(".notice").get_text()


def test_control_characters_in_query_and_topic_are_harmless(client, library):
    assert titles(search_briefs("cran\x00es")) == ["Harbour Strike Ends"]
    page = search_page(client, "q=cranes%07&topic=ship%07ping&topic=%1B")
    assert page.select(".card-title a") == []
    assert "No topic has the slug" in page.select_one(".notice").get_text()


def test_search_results_paginate_with_query_kept(client, db):
    for number in range(23):
        make_brief(f"Lighthouse report {number}", body="The lamp was serviced.")
    first = search_page(client, "q=lighthouse")
    assert len(first.select(".card")) == 20
    next_href = first.select_one('.pagination a[rel="next"]')["href"]
    assert next_href == "?q=lighthouse&page=2"
    second = search_page(client, next_href[1:])
    assert len(second.select(".card")) == 3
    assert client.get("/search/?q=lighthouse&page=3").status_code == 404


def test_search_pages_list_every_result_once_in_rank_order(client, db, monkeypatch):
    monkeypatch.setattr("briefs.search.RANKED", 7)  # ranked first, then the rest by date
    for n in range(25):
        make_brief(f"Beacon note {n}", body="Beacon. " * (1 + n % 4) + "Other words here.")
    shown = []
    for number in (1, 2):
        page = search_page(client, f"q=beacon&page={number}")
        shown += [a.get_text() for a in page.select(".card-title a")]
    assert shown == titles(search_briefs("beacon")) and len(set(shown)) == 25
    assert titles(search_briefs("beacon")[20:22]) == shown[20:22]


def test_search_page_links_its_feed(client, library):
    page = search_page(client, "q=battery&topic=energy-storage")
    feed = page.select_one('head link[rel="alternate"]')["href"]
    assert feed == "/search/feed/?q=battery&topic=energy-storage"


def test_a_search_matching_more_than_the_cap_ranks_the_newest_and_says_so(
    client, db, monkeypatch
):
    # The cap keeps a word found in every brief from ranking the whole archive.
    monkeypatch.setattr("briefs.search.SEARCH_MAX_RESULTS", 3)
    monkeypatch.setattr("briefs.views.SEARCH_MAX_RESULTS", 3)
    monkeypatch.setattr("briefs.search.COMMON_RESULTS", 2)
    for n in range(5):
        make_brief(f"Tidal Report {n}", body="Tidal power.")  # each newer than the last
    found = titles(search_briefs("tidal"))
    assert sorted(found) == ["Tidal Report 3", "Tidal Report 4"]
    page = client.get("/search/", {"q": "tidal"}).content.decode()
    assert "More than 3 briefs found: the best matches among the newest 2 are shown" in page



@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's lexeme statistics")
def test_a_word_the_statistics_call_common_skips_counting_its_matches(client, db, monkeypatch):
    # A word in most briefs: the planner's estimate (from ANALYZE's lexeme frequencies)
    # settles that it passes the cap, so the search never probes the index for the
    # cap's worth of matches (on 100k briefs that probe was 100-300 ms a first search).
    monkeypatch.setattr("briefs.search.SEARCH_MAX_RESULTS", 3)
    monkeypatch.setattr("briefs.views.SEARCH_MAX_RESULTS", 3)
    monkeypatch.setattr("briefs.search.COMMON_RESULTS", 2)
    for n in range(12):
        make_brief(f"Tidal Report {n}", body="Tidal power." + (" Kelp farms." if n < 4 else ""))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE briefs_brief_search")
    with CaptureQueriesContext(connection) as queries:
        found = titles(search_briefs("tidal"))
    assert sorted(found) == ["Tidal Report 10", "Tidal Report 11"]  # the newest, as before
    assert not [q for q in queries.captured_queries if "MATERIALIZED" in q["sql"]]
    page = client.get("/search/", {"q": "tidal"}).content.decode()
    assert "More than 3 briefs found: the best matches among the newest 2 are shown" in page
    # Four matches: near the cap, so they are counted, and found to pass it all the same.
    with CaptureQueriesContext(connection) as queries:
        found = titles(search_briefs("kelp"))
    assert sorted(found) == ["Tidal Report 2", "Tidal Report 3"]
    assert [q for q in queries.captured_queries if "MATERIALIZED" in q["sql"]]



def test_a_common_word_within_a_topic_lists_that_topics_newest_matches(db, monkeypatch):
    # Past the cap, the newest COMMON_RESULTS matches of the topic's own briefs: not
    # briefs of another topic, not drafts, not briefs without the word, newest first.
    monkeypatch.setattr("briefs.search.SEARCH_MAX_RESULTS", 3)
    monkeypatch.setattr("briefs.search.COMMON_RESULTS", 3)
    tides, other = make_topic("Tides"), make_topic("Other")
    for n in range(6):
        make_brief(f"Tidal Report {n}", body="Tidal power.", topics=[tides])
        make_brief(f"Tidal Elsewhere {n}", body="Tidal power.", topics=[other])
    make_brief("Calm Report", body="No word here.", topics=[tides])
    make_brief("Tidal Draft", body="Tidal.", topics=[tides], status=Brief.Status.DRAFT)
    found = search_candidates("tidal", topics=[tides])
    assert found.common
    newest_first = [Brief.objects.get(pk=pk).title for pk in found]
    assert newest_first == ["Tidal Report 5", "Tidal Report 4", "Tidal Report 3"]



@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statement_timeout")
def test_a_search_that_would_read_too_long_is_given_up_with_a_message(client, db, monkeypatch):
    # A quoted phrase of words in most briefs reads every such brief's document; past
    # SEARCH_STATEMENT_SECONDS the search stops and says why, instead of holding a worker.
    make_brief("Tidal Report", body="Tidal power.")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (before,) = cursor.fetchone()

    def slow(text, briefs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")

    monkeypatch.setattr("briefs.search._postgres_candidates", slow)
    monkeypatch.setattr("briefs.search.SEARCH_STATEMENT_SECONDS", 0.05)
    page = client.get("/search/", {"q": '"tidal power"'})
    assert page.status_code == 200
    assert "That search would read most of the archive" in page.content.decode()
    assert "no-store" in page["Cache-Control"]  # a later try may finish: never kept
    with connection.cursor() as cursor:  # the connection is usable and its limit back
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == (before,)
    monkeypatch.undo()
    assert titles(search_briefs("tidal")) == ["Tidal Report"]


def test_only_the_newest_candidates_are_ranked_the_others_follow_newest_first(
    db, monkeypatch
):
    monkeypatch.setattr("briefs.search.RANKED", 2)
    make_brief("Harbour dredging", body="Dredging of the harbour.")  # oldest, best match
    make_brief("Tidal Harbour Harbour", body="Harbour harbour harbour.")
    make_brief("Council budget", body="The council mentioned the harbour once.")
    make_brief("Ferry timetable", body="Ferries leave the harbour hourly.")  # newest
    # Ranked: the two newest (the ferry's harbour is no better than the council's, the
    # date breaks the tie); then the older two by date, the best match among them last.
    found = titles(search_briefs("harbour"))
    assert found[2:] == ["Tidal Harbour Harbour", "Harbour dredging"]
    assert sorted(found[:2]) == ["Council budget", "Ferry timetable"]


def test_each_search_card_shows_the_reading_time_of_its_own_brief(client, db):
    # The length is counted for the shown briefs only (after ranking), each its own.
    make_brief("Short Quarry Note", body="Quarry " + "word " * 10)
    make_brief("Long Quarry Study", body="Quarry " + "x" * 4_200)  # 3 minutes
    page = search_page(client, "q=quarry")
    minutes = {
        card.select_one(".card-title a").get_text(): card.select_one(".reading-time").get_text()
        for card in page.select(".card")
    }
    assert minutes == {"Short Quarry Note": "1 min read", "Long Quarry Study": "3 min read"}


def test_briefs_among_finds_exactly_the_briefs_listed(db):
    found = [make_brief(f"Listed {n}") for n in range(3)]
    make_brief("Not listed")
    assert set(titles(briefs_among([found[0].pk, found[2].pk]))) == {"Listed 0", "Listed 2"}
    assert list(briefs_among([])) == []


def _plan_nodes(node):
    yield node
    for child in node.get("Plans", ()):
        yield from _plan_nodes(child)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_search_page_reads_snippets_and_lengths_only_for_the_briefs_it_shows(client, db):
    # Ranking sorts every candidate; snippets and body lengths (each parses or
    # decompresses a whole body) must be computed for the page's briefs alone, even on a
    # later page (computed above an OFFSET, they were computed for every brief before it).
    for n in range(45):
        make_brief(f"Lantern report {n}", body="The lantern was lit. " * (n + 1))
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/search/?q=lantern&page=2")
    assert len(BeautifulSoup(page.content, "html5lib").select(".card")) == 20
    [page_query] = [q["sql"] for q in queries.captured_queries if "ts_headline" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) " + page_query)
        [[plan]] = cursor.fetchone()
    computing = [
        node for node in _plan_nodes(plan["Plan"])
        if any("ts_headline" in column or "length(" in column for column in node.get("Output", ()))
    ]
    assert computing
    assert all(node["Actual Rows"] * node["Actual Loops"] <= 20 for node in computing)
