"""Saved pages into ParsedBrief: what is read from the markup and what is refused."""

import datetime as dt

import pytest

from briefs.importer import BriefParseError
from briefs.importer.html import decode_html_bytes, parse_html
from briefs.text import body_blocks
from config.limits import IMPORT_MAX_PAGE_BYTES, IMPORT_MAX_TOPICS_PER_PAGE

PARAGRAPHS = [
    "Freight operators on the northern corridor said on Monday that rail capacity would "
    "double by the end of next year, after regulators approved a long-delayed expansion "
    "of the line between the two ports.",
    "The approval ends a three-year dispute over noise limits near the river crossing, "
    "where residents had argued that night trains would keep them awake for hours.",
    "Operators expect the first additional services to run in the spring, with full "
    "timetables published once the signalling work has been tested on the new track.",
]


def page(*, head="", article=None, title="Rail Capacity on the Northern Corridor to Double"):
    """A news page: site chrome around one article; ``head`` goes into <head>."""
    article = article if article is not None else "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Harbour Gazette</title>
{head}</head>
<body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>{title}</h1>{article}</article></main>
<aside><h3>Most read</h3><ul><li><a href="/a">Council votes on budget</a></li>
<li><a href="/b">Storm closes bridge</a></li></ul></aside>
<footer><p>© Harbour Gazette. All rights reserved.</p></footer>
</body></html>"""


FULL_HEAD = """
<meta property="og:site_name" content="Harbour Gazette">
<meta name="author" content="Mara Lindqvist">
<meta name="description" content="Regulators approve the long-delayed expansion.">
<meta property="article:published_time" content="2025-07-28T09:15:00-04:00">
<meta property="article:section" content="Transport">
<meta property="article:tag" content="Rail">
<meta property="article:tag" content="Ports">
"""


def test_article_fields_come_from_the_page_metadata():
    brief = parse_html(page(head=FULL_HEAD), url="https://www.harbour.example/news/rail")

    assert brief.title == "Rail Capacity on the Northern Corridor to Double"
    assert brief.author == "Mara Lindqvist"
    assert brief.source_name == "Harbour Gazette"
    assert brief.dek == "Regulators approve the long-delayed expansion."
    assert brief.topics == ["Transport", "Rail", "Ports"]
    assert brief.body == "\n\n".join(PARAGRAPHS)
    assert brief.image_caption == ""


def test_stated_publication_time_is_kept_exactly_with_its_offset():
    brief = parse_html(page(head=FULL_HEAD))

    assert brief.published_at == dt.datetime(2025, 7, 28, 13, 15, tzinfo=dt.timezone.utc)
    assert brief.published_at.utcoffset() == dt.timedelta(hours=-4)
    assert brief.published_time_known is True


def test_a_date_without_a_time_is_midnight_utc_with_the_time_unknown():
    head = '<meta property="article:published_time" content="2025-07-28">'

    brief = parse_html(page(head=head))

    assert brief.published_at == dt.datetime(2025, 7, 28, tzinfo=dt.timezone.utc)
    assert brief.published_time_known is False


def test_a_page_without_a_date_is_read_with_no_date_and_a_warning():
    brief = parse_html(page())

    assert brief.published_at is None
    assert brief.published_time_known is False
    assert any("no publication date" in warning for warning in brief.warnings)


def test_subheadings_lists_and_quotes_become_paragraphs_of_their_own():
    article = (
        f"<p>{PARAGRAPHS[0]}</p><h2>What Changes for Passengers</h2><p>{PARAGRAPHS[1]}</p>"
        "<ul><li>Two more trains an hour at peak times.</li>"
        "<li>Later last departures on Fridays.</li></ul>"
        f"<blockquote><p>{PARAGRAPHS[2]}</p></blockquote>"
    )

    brief = parse_html(page(head=FULL_HEAD, article=article))

    assert brief.paragraphs == [
        PARAGRAPHS[0],
        "What Changes for Passengers",
        PARAGRAPHS[1],
        "- Two more trains an hour at peak times.",
        "- Later last departures on Fridays.",
        PARAGRAPHS[2],
    ]
    assert [block.kind for block in body_blocks(brief.body)][:2] == ["paragraph", "heading"]


def test_line_breaks_inside_a_paragraph_split_it_and_spacing_is_normalised():
    article = (
        f"<p>{PARAGRAPHS[0]}</p><p>Harbour\u00a0Gazette   newsroom<br>12 Quay Street</p>"
        f"<p>{PARAGRAPHS[1]}\u200b</p>"
    )

    brief = parse_html(page(article=article))

    assert brief.paragraphs == [
        PARAGRAPHS[0], "Harbour Gazette newsroom", "12 Quay Street", PARAGRAPHS[1]
    ]


def test_source_falls_back_to_the_host_without_www():
    brief = parse_html(page(), url="https://www.harbour.example/news/rail")

    assert brief.source_name in {"harbour.example", "Harbour Gazette"}
    no_site_name = page(title="Rail Capacity to Double").replace(" | Harbour Gazette", "")
    assert parse_html(no_site_name, url="https://www.harbour.example/x").source_name == (
        "harbour.example"
    )


def test_the_description_is_no_dek_when_it_only_repeats_the_opening():
    head = f'<meta name="description" content="{PARAGRAPHS[0][:120]}...">'

    brief = parse_html(page(head=head))

    assert brief.dek == ""
    assert "no dek (standfirst) found" in brief.warnings


@pytest.mark.parametrize("marked", ['class="dek"', 'class="article-standfirst"', 'class="sub-headline"'])
def test_without_a_description_the_standfirst_the_page_marks_is_the_dek(marked):
    standfirst = "Regulators end a three-year dispute over the northern line."
    article = f"<p {marked}>{standfirst}</p>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)

    brief = parse_html(page(article=article))

    assert brief.dek == standfirst
    assert brief.body.startswith(PARAGRAPHS[0][:40])
    assert "no dek (standfirst) found" not in brief.warnings


def test_topics_are_deduplicated_split_filtered_and_capped():
    tags = ", ".join(f"Topic {number}" for number in range(12))
    head = (
        '<meta property="article:section" content="Transport">'
        '<meta property="article:tag" content="transport">'
        '<meta property="article:tag" content="Why you cannot trust the timetable this winter">'
        f'<meta name="keywords" content="{tags}">'
    )

    brief = parse_html(page(head=head))

    assert brief.topics[0] == "Transport"
    assert "transport" not in brief.topics
    assert len(brief.topics) == IMPORT_MAX_TOPICS_PER_PAGE
    assert all(len(topic.split()) <= 6 for topic in brief.topics)
    assert any("reads like a sentence" in warning for warning in brief.warnings)
    assert any("dropped (at most" in warning for warning in brief.warnings)


def test_the_hash_ignores_page_chrome_but_not_the_article():
    original = page(head=FULL_HEAD)
    resaved = original.replace(
        "<footer>", '<script>var ad = "slot-93";</script><div class="ad"></div><footer>'
    )
    edited = original.replace("double by the end", "triple by the end")

    first = parse_html(original)

    assert parse_html(resaved).content_hash == first.content_hash
    assert parse_html(edited).content_hash != first.content_hash
    assert first.normalised_text.startswith(first.title)


def test_a_short_brief_is_still_read():
    brief = parse_html(page(article=f"<p>{PARAGRAPHS[0]}</p>"))

    assert brief.body == PARAGRAPHS[0]


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        (b"<html></html>", "expected HTML text, got bytes"),
        ("   \n ", "page is empty"),
        ("x" * (IMPORT_MAX_PAGE_BYTES + 1), "page is larger than 5 MB"),
        ("<html><head><title>Only a title</title></head><body></body></html>", "no article"),
        (page(article="<p>\u00a0</p>", title=""), "no article"),
    ],
)
def test_pages_without_an_article_are_refused_with_one_line(html, reason):
    with pytest.raises(BriefParseError) as error:
        parse_html(html)

    assert reason in str(error.value)
    assert "\n" not in str(error.value)


def test_page_bytes_decode_with_the_declared_charset_or_by_detection():
    saved = page(article="<p>Caf\u00e9 cr\u00e8me on the quay, served from dawn.</p>")

    assert decode_html_bytes(saved.encode("utf-8")) == saved
    assert decode_html_bytes(saved.encode("cp1252"), charset="windows-1252") == saved
    assert decode_html_bytes(saved.encode("utf-8"), charset="no-such-charset") == saved


def test_page_bytes_over_the_cap_are_refused():
    with pytest.raises(BriefParseError, match="page is larger than 5 MB"):
        decode_html_bytes(b"x" * (IMPORT_MAX_PAGE_BYTES + 1))
