"""The parser reads every layout of the copied-news family into clean brief fields."""

import datetime as dt
from pathlib import Path

import pytest

from briefs.importer import BriefParseError, decode_brief_bytes, parse_brief
from config.limits import BRIEF_TITLE_MAX_LENGTH

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
UTC = dt.timezone.utc

# A layout like the first seed: glued date, cover image, author and source lines.
LEDGER = """Harbour Pilots Strike Delays Grain Ships

A two-day walkout by pilots left bulk carriers waiting at anchor outside the estuary.

March 4, 2025Harbor Ledger

Cover Image
Ines Marlow

Harbor Ledger

Pilots who guide ships through the estuary stopped work on Monday over a dispute about night shifts.

At least fourteen bulk carriers, most loaded with grain, waited at anchor while talks went on.

Talks Resume Friday

Both sides said they would meet again on Friday with a mediator present.

Sources:

Related Topics

Port Strikes
Grain Exports
Harbour Pilots

Harbour Pilots Strike Delays Grain Ships"""

# A layout like the second seed: caption twice, middot byline, "Updated ... | time GMT-04".
TICKER = """Lumber Futures Jump On Mill Closures

Two large sawmills shut for maintenance, tightening supply just as building season begins.
Stacks of lumber at a yard in Oregon. (Photo credit: Tickerline archive)
Stacks of lumber at a yard in Oregon. (Photo credit: Tickerline archive)
Profile Image
Marcus Feld\u00b7Tickerline
Updated Jul 27, 2025 | 10:10 PM GMT-04
Share this article

Lumber futures rose\u00a0sharply on Monday after two big mills announced closures.\u00a0

Builders said they had little inventory to fall back on.

Subscribe to Market Minute
All Newsletters
Five things to know before the opening bell, every weekday.

For updates and corrections, email desk[at]tickerline[dot]example.

Read about our editorial guidelines and ethics policy

Advertisement. Remove ads."""

BOILERPLATE = (
    "Sources:", "Cover Image", "Profile Image", "Share this article", "Subscribe to",
    "All Newsletters", "Five things to know", "For updates and corrections",
    "editorial guidelines", "Advertisement", "Remove ads", "Photo credit",
)


def assert_no_boilerplate(text):
    for phrase in BOILERPLATE:
        assert phrase not in text


def seed(name):
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"seed sample {path} is not present (it lives outside the repository)")
    return parse_brief(decode_brief_bytes(path.read_bytes()))


# -- the two real samples -----------------------------------------------------------------


def test_first_seed_reads_every_field():
    brief = seed("000_a308dd3e395b69b8.txt")

    assert brief.title == "U.S. And China Meet In Stockholm To Extend Trade Truce"
    assert brief.dek.startswith("Top U.S. and Chinese officials began talks in Sweden")
    assert (brief.author, brief.source_name) == ("ClashReport Editor", "ClashReport")
    assert brief.published_at == dt.datetime(2025, 7, 28, tzinfo=UTC)
    assert brief.published_time_known is False
    assert len(brief.topics) == 22
    assert brief.topics[0] == "U.S.-China Trade"
    assert brief.topics[-1] == "Trump 2025"
    assert "Tariffs, Tech, And Trump-Xi Summit Loom Large" in brief.paragraphs
    assert brief.paragraphs[0].startswith("The Stockholm summit follows")
    assert brief.paragraphs[-1].startswith("U.S. business leaders like Sean Stein")
    assert brief.title not in brief.body
    assert "Related Topics" not in brief.body
    assert_no_boilerplate(brief.body)


def test_second_seed_reads_every_field():
    brief = seed("002_12f988887ed07eed.txt")

    assert brief.title.startswith("US, China Return To Negotiating Table In Stockholm")
    assert brief.dek.startswith("The high-level talks come just weeks before")
    assert (brief.author, brief.source_name) == ("Deepti Sri", "Stocktwits")
    assert brief.published_at == dt.datetime(2025, 7, 28, 2, 10, tzinfo=UTC)
    assert brief.published_time_known is True
    assert brief.image_caption.endswith("(Photo credit: Getty Images)")
    assert brief.topics == []
    assert brief.paragraphs[0].startswith("U.S. Treasury Secretary Scott Bessent")
    assert brief.paragraphs[-1].startswith("Message volume was")
    assert "Trends with Friends" not in brief.body
    assert "serious sense of humor" not in brief.body
    assert_no_boilerplate(brief.body)
    for text in (brief.title, brief.dek, brief.body, brief.image_caption):
        assert "\u00a0" not in text


# -- both layouts, written for these tests ------------------------------------------------


def test_ledger_layout_reads_header_body_and_topics():
    brief = parse_brief(LEDGER)

    assert brief.title == "Harbour Pilots Strike Delays Grain Ships"
    assert brief.dek == (
        "A two-day walkout by pilots left bulk carriers waiting at anchor outside the estuary."
    )
    assert (brief.author, brief.source_name) == ("Ines Marlow", "Harbor Ledger")
    assert brief.published_at == dt.datetime(2025, 3, 4, tzinfo=UTC)
    assert not brief.published_time_known
    assert brief.topics == ["Port Strikes", "Grain Exports", "Harbour Pilots"]
    assert brief.body == (
        "Pilots who guide ships through the estuary stopped work on Monday over a dispute "
        "about night shifts.\n\n"
        "At least fourteen bulk carriers, most loaded with grain, waited at anchor while talks "
        "went on.\n\n"
        "Talks Resume Friday\n\n"
        "Both sides said they would meet again on Friday with a mediator present."
    )
    assert brief.warnings == []


def test_ticker_layout_keeps_caption_once_and_drops_site_boilerplate():
    brief = parse_brief(TICKER)

    assert brief.dek.startswith("Two large sawmills shut")
    assert brief.image_caption == (
        "Stacks of lumber at a yard in Oregon. (Photo credit: Tickerline archive)"
    )
    assert (brief.author, brief.source_name) == ("Marcus Feld", "Tickerline")
    assert brief.body == (
        "Lumber futures rose sharply on Monday after two big mills "
        "announced closures.\n\nBuilders said they had little inventory to fall back on."
    )
    assert brief.topics == []
    assert any("no topic list" in warning for warning in brief.warnings)


# -- encodings and whitespace -------------------------------------------------------------


def test_crlf_bom_nbsp_and_trailing_spaces_parse_and_hash_like_the_plain_text():
    plain = parse_brief(LEDGER)
    messy_text = "\ufeff" + LEDGER.replace("\n", "\r\n").replace(" on Monday", "\u00a0on Monday")
    messy_text = messy_text.replace("night shifts.", "night shifts.   \t") + "\r\n\r\n"

    messy = parse_brief(messy_text)

    assert messy.body == plain.body
    assert messy.title == plain.title
    assert messy.content_hash == plain.content_hash


def test_decoding_accepts_utf8_with_and_without_bom():
    text = "Café Owners Cheer\n\nBody"
    assert decode_brief_bytes(text.encode()) == text
    assert decode_brief_bytes(b"\xef\xbb\xbf" + text.encode()) == text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00", "binary"),
        ("Caf\u00e9 prices".encode("latin-1"), "not UTF-8"),
        ("Title\n\nBody".encode("utf-16"), "UTF-16"),
        (b"Title\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\n\nBody", "binary"),
        (b"x" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
    ],
)
def test_decoding_refuses_data_that_is_not_utf8_text(data, reason):
    with pytest.raises(BriefParseError, match=reason):
        decode_brief_bytes(data)


def test_control_characters_and_nul_are_stripped():
    text = LEDGER.replace("stopped work", "stopped\x00 work\x07").replace("Pilots", "Pil\x1bots", 1)

    brief = parse_brief(text)

    assert brief.paragraphs[0].startswith("Pilots who guide ships through the estuary stopped work")
    assert not any(ord(char) < 32 and char != "\n" for char in brief.body)


def test_no_final_newline_and_extra_blank_lines_do_not_matter():
    spaced = LEDGER.replace("\n\n", "\n\n\n\n") + "\n\n\n"
    assert parse_brief(spaced).body == parse_brief(LEDGER).body


# -- dates --------------------------------------------------------------------------------


def brief_dated(date_line):
    return parse_brief(f"A Title For Dates\n\nA standfirst sentence here.\n\n{date_line}\n\nBody.")


@pytest.mark.parametrize(
    ("line", "expected", "time_known"),
    [
        ("July 28, 2025", dt.datetime(2025, 7, 28, tzinfo=UTC), False),
        ("Jul 9, 2025", dt.datetime(2025, 7, 9, tzinfo=UTC), False),
        ("Aug. 3, 2025", dt.datetime(2025, 8, 3, tzinfo=UTC), False),
        ("Sept. 3, 2025", dt.datetime(2025, 9, 3, tzinfo=UTC), False),
        ("2025-07-28", dt.datetime(2025, 7, 28, tzinfo=UTC), False),
        ("3 March 2025", dt.datetime(2025, 3, 3, tzinfo=UTC), False),
        ("July 28, 2025Clash Report", dt.datetime(2025, 7, 28, tzinfo=UTC), False),
        ("Updated Jul 27, 2025 | 10:10 PM GMT-04", dt.datetime(2025, 7, 28, 2, 10, tzinfo=UTC), 1),
        ("Published Aug 1, 2025 | 6:45 AM GMT+08", dt.datetime(2025, 7, 31, 22, 45, tzinfo=UTC), 1),
        ("Published Dec 1, 2025 | 10:00 GMT+5:30", dt.datetime(2025, 12, 1, 4, 30, tzinfo=UTC), 1),
        ("Updated Jul 27, 2025 | 10:10 AM IST", dt.datetime(2025, 7, 27, 4, 40, tzinfo=UTC), 1),
        ("Sep 3, 2025, 9:15 a.m. ET", dt.datetime(2025, 9, 3, 13, 15, tzinfo=UTC), True),
        ("Dec 3, 2025, 9:15 a.m. ET", dt.datetime(2025, 12, 3, 14, 15, tzinfo=UTC), True),
        ("2025-07-28T02:10:00Z", dt.datetime(2025, 7, 28, 2, 10, tzinfo=UTC), True),
        ("Published 12:30 AM is not a date; March 1, 2025", None, None),
    ],
)
def test_date_lines_are_read_with_time_and_offset_applied_exactly(line, expected, time_known):
    if expected is None:
        with pytest.raises(BriefParseError, match="no publication date"):
            brief_dated(line)
        return
    brief = brief_dated(line)
    assert brief.published_at == expected
    assert brief.published_at.utcoffset() == dt.timedelta(0)
    assert brief.published_time_known is bool(time_known)


def test_published_date_wins_over_updated_date():
    brief = brief_dated("Updated Aug 2, 2025 | 9:00 AM GMT\nPublished Aug 1, 2025 | 8:00 AM GMT")
    assert brief.published_at == dt.datetime(2025, 8, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("zone", ["", " XYZT"])
def test_time_without_a_known_zone_is_read_as_utc_with_a_warning(zone):
    brief = brief_dated(f"Jul 27, 2025 | 10:10 PM{zone}")
    assert brief.published_at == dt.datetime(2025, 7, 27, 22, 10, tzinfo=UTC)
    assert any("time zone" in warning for warning in brief.warnings)


def test_sentence_starting_with_a_date_is_body_not_a_date_line():
    brief = brief_dated("July 28, 2025\n\nJuly 4, 2025 was the hottest day the city has recorded.")
    assert brief.published_at == dt.datetime(2025, 7, 28, tzinfo=UTC)
    assert brief.paragraphs[0] == "July 4, 2025 was the hottest day the city has recorded."


def test_date_found_below_the_body_when_the_header_has_none():
    brief = parse_brief(
        "Title Of A Note\n\nFirst paragraph of the note.\n\nSecond one.\n\nPublished July 2, 2025"
    )
    assert brief.published_at == dt.datetime(2025, 7, 2, tzinfo=UTC)
    assert "Published" not in brief.body


def test_missing_date_fails_with_a_clear_reason():
    with pytest.raises(BriefParseError, match="no publication date found"):
        parse_brief("A Headline\n\nA dek sentence.\n\nSome body text that has no date at all.")


# -- bylines, dek, boilerplate, topics -----------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "author", "source"),
    [
        ("Deepti Sri\u00b7Stocktwits", "Deepti Sri", "Stocktwits"),
        ("Lena Okafor · Meridian Wire", "Lena Okafor", "Meridian Wire"),
        ("By Lena Okafor, Meridian Wire", "Lena Okafor", "Meridian Wire"),
        ("By Lena Okafor", "Lena Okafor", ""),
        ("ClashReport Editor\n\nClashReport", "ClashReport Editor", "ClashReport"),
        ("By Ana Ruiz and Tom Hale", "Ana Ruiz and Tom Hale", ""),
        ("By Ana Ruiz, Tom Hale and Li Na", "Ana Ruiz, Tom Hale and Li Na", ""),
        ("By Ana Ruiz and Tom Hale, Delta Wire", "Ana Ruiz and Tom Hale", "Delta Wire"),
        ("Ana Ruiz, Delta Wire", "Ana Ruiz", "Delta Wire"),
        ("By Ana Ruiz\nSenior Political Correspondent", "Ana Ruiz", ""),
        ("Author\nAna Ruiz", "Ana Ruiz", ""),
    ],
)
def test_bylines_give_author_and_source(byline, author, source):
    brief = parse_brief(f"Headline Here\n\nA dek sentence.\n\n{byline}\nJuly 1, 2025\n\nBody text.")
    assert (brief.author, brief.source_name) == (author, source)


def test_site_glued_to_the_date_is_the_source_when_no_source_line():
    brief = parse_brief(
        "Headline Here\n\nA dek.\n\nJuly 1, 2025Clash Report\n\nJane Roe\n\nBody text here."
    )
    assert (brief.author, brief.source_name) == ("Jane Roe", "Clash Report")


def test_missing_dek_leaves_it_empty_and_warns():
    brief = parse_brief("Headline Here\n\nJuly 1, 2025\n\nThe body starts right away here.")
    assert brief.dek == ""
    assert brief.paragraphs == ["The body starts right away here."]
    assert "no dek (standfirst) found" in brief.warnings


def test_subheadings_stay_as_their_own_paragraphs():
    brief = parse_brief(LEDGER)
    assert brief.paragraphs[2] == "Talks Resume Friday"


def test_hard_wrapped_prose_lines_are_joined_into_one_paragraph():
    body = (
        "Officials said on Tuesday that the new terminal would open\n"
        "in the spring, a year later than planned.\nA second line stands alone."
    )
    brief = parse_brief(f"Headline Here\n\nJuly 1, 2025\n\n{body}")
    assert brief.paragraphs == [
        "Officials said on Tuesday that the new terminal would open in the spring, "
        "a year later than planned.",
        "A second line stands alone.",
    ]


@pytest.mark.parametrize("header", ["Related Topics", "Related Topics:", "Topics", "Topics:"])
def test_topic_headers_start_the_topic_list(header):
    brief = parse_brief(
        f"Headline Here\n\nJuly 1, 2025\n\nBody text.\n\n{header}\n\n"
        "U.S.-China Trade\nRare Earths\nHeadline Here"
    )
    assert brief.topics == ["U.S.-China Trade", "Rare Earths"]
    assert brief.body == "Body text."


def test_topics_keep_spelling_and_lose_case_insensitive_duplicates_in_order():
    brief = parse_brief(
        "Headline Here\n\nJuly 1, 2025\n\nBody text.\n\nRelated Topics\n\n"
        "Rare Earths\nU.S.-China Trade\nrare earths\nSemiconductors\nRARE EARTHS"
    )
    assert brief.topics == ["Rare Earths", "U.S.-China Trade", "Semiconductors"]


def test_unusable_topics_are_skipped_with_a_warning():
    brief = parse_brief(
        "Headline Here\n\nJuly 1, 2025\n\nBody text.\n\nTopics\n\n!!!\n" + "Long " * 30 + "\nMining"
    )
    assert brief.topics == ["Mining"]
    assert len([w for w in brief.warnings if w.startswith("topic ")]) == 2


def test_sources_block_with_content_is_kept():
    brief = parse_brief(
        "Headline Here\n\nJuly 1, 2025\n\nBody text.\n\nSources:\nPort authority figures"
    )
    assert brief.paragraphs == ["Body text.", "Sources:", "Port authority figures"]


def test_caption_printed_twice_inside_the_body_is_kept_once_as_the_caption():
    caption = "Cranes at dusk over the container yard."
    brief = parse_brief(
        f"Headline Here\n\nJuly 1, 2025\n\nFirst paragraph.\n\n{caption}\n{caption}\n\n"
        "Last paragraph."
    )
    assert brief.image_caption == caption
    assert brief.paragraphs == ["First paragraph.", "Last paragraph."]


# -- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   \n\t\r\n \u00a0 \n", "empty"),
        ("Only A Title Here", "no body text"),
        ("Only A Title Here\n\nJuly 1, 2025\n\nCover Image\nShare this article", "no body text"),
        ("July 1, 2025\n\nBody text.", "no recognisable title"),
        ("12345 ... 678\n\nJuly 1, 2025\n\nBody.", "no recognisable title"),
        ("x" * (BRIEF_TITLE_MAX_LENGTH + 1) + "\n\nJuly 1, 2025\n\nBody.", "no recognisable title"),
    ],
)
def test_text_without_title_or_body_is_refused_with_a_one_line_reason(text, reason):
    with pytest.raises(BriefParseError, match=reason) as raised:
        parse_brief(text)
    assert "\n" not in str(raised.value)


def test_a_first_line_as_long_as_the_title_column_is_the_title():
    title = "Long headline " * (BRIEF_TITLE_MAX_LENGTH // 14) + "x" * (BRIEF_TITLE_MAX_LENGTH % 14)
    brief = parse_brief(title + "\n\nJuly 1, 2025\n\nThe body of the brief.")
    assert brief.title == title and len(title) == BRIEF_TITLE_MAX_LENGTH


def test_content_hash_is_sha256_of_the_normalised_text():
    import hashlib

    brief = parse_brief(LEDGER)
    assert brief.content_hash == hashlib.sha256(brief.normalised_text.encode()).hexdigest()
    assert brief.normalised_text.startswith("Harbour Pilots Strike Delays Grain Ships\n\nA two-day")


def test_unseen_variants_pipe_byline_read_time_and_zone_abbreviation():
    brief = parse_brief(
        "Canal Queue Grows Again\n\nVessels wait up to nine days.\n\nJane Roe | Gulf Times\n"
        "Published July 3, 2025 at 10:10 a.m. EDT\n5 min read\n\nThe queue grew this week.\n\n"
        "Related Topics:\nCanal Delays"
    )
    assert (brief.author, brief.source_name) == ("Jane Roe", "Gulf Times")
    assert brief.published_at == dt.datetime(2025, 7, 3, 14, 10, tzinfo=UTC)
    assert brief.paragraphs == ["The queue grew this week."]


def test_subheading_opening_the_body_is_not_taken_for_an_author():
    brief = parse_brief(
        "Headline Here\n\nA dek.\n\nJuly 1, 2025Clash Report\n\nCover Image\n\n"
        "Back To The Table\n\nNegotiators met again on Monday."
    )
    assert brief.author == ""
    assert brief.source_name == "Clash Report"
    assert brief.paragraphs == ["Back To The Table", "Negotiators met again on Monday."]
