"""The parser reads each kind of line generically: properties over generated dates, input
faults (invisible characters, mojibake, future dates) and the reference-time contract."""

import datetime as dt
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefs.importer import BriefParseError, parse_brief
from briefs.importer.dates import parse_date_line
from briefs.text import strip_unfit_characters

UTC = dt.timezone.utc
REFERENCE = dt.datetime(2025, 7, 29, 12, 0, tzinfo=UTC)
QUICK = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CF_CHARACTERS = [chr(code) for code in range(0x110000) if unicodedata.category(chr(code)) == "Cf"]

ARTICLE = (
    "Grain Barges Stuck As River Falls To Record Low\n\n"
    "Shippers say loads have been cut by half.\n\n"
    "Nadia Holm | River Post\n"
    "{date}\n\n"
    "Barges on the river carried half their usual loads on Monday as water levels fell.\n\n"
    "Tags: Shipping, Drought"
)


def article(date_line):
    return ARTICLE.format(date=date_line)


# -- dates: every printed form of the same moment reads the same -------------------------

DAYS = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2035, 12, 31))
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
DAY_LAYOUTS = [
    lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"{MONTHS[d.month - 1][:3]} {d.day}, {d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1][:3]}, {d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{d.year}-{d.month:02}-{d.day:02}",
    lambda d: f"[{MONTHS[d.month - 1]} {d.day}, {d.year}]",
    lambda d: f"Created: {d.day:02}-{d.month:02}-{d.year}" if d.day > 12 else d.isoformat(),
    lambda d: f"Posted {d.month}/{d.day}/{d.year}" if d.day > 12 else d.isoformat(),
    lambda d: f"Newsdesk{d.day:02}-{d.month:02}-{d.year}" if d.day > 12 else d.isoformat(),
    lambda d: f"By Jane Doe{MONTHS[d.month - 1]} {d.day}, {d.year}",
]


@QUICK
@given(DAYS, st.sampled_from(DAY_LAYOUTS))
def test_a_day_reads_the_same_in_every_layout(day, layout):
    found = parse_date_line(layout(day))
    assert found is not None
    assert found.dates[0].published_at == dt.datetime(day.year, day.month, day.day, tzinfo=UTC)
    assert found.dates[0].time_known is False


@QUICK
@given(DAYS, st.integers(0, 23), st.integers(0, 59), st.sampled_from(["", "PDT", "IST", "GMT-04"]))
def test_time_before_or_after_the_day_gives_the_same_moment(day, hour, minute, zone):
    clock = f"{(hour - 1) % 12 + 1}:{minute:02} {'AM' if hour < 12 else 'PM'}"
    zone_part = f" {zone}" if zone else ""
    printed = f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
    after = parse_date_line(f"{printed} / {clock}{zone_part}")
    before = parse_date_line(f"{clock}{zone_part} on {printed}")
    assert after and before
    assert after.dates[0].published_at == before.dates[0].published_at
    assert after.dates[0].published_at.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("27-07-2025 19:29 IST", dt.datetime(2025, 7, 27, 13, 59, tzinfo=UTC)),
        ("7/29/2025", dt.datetime(2025, 7, 29, tzinfo=UTC)),
        ("June 15, 2025 / 1:03 PM", dt.datetime(2025, 6, 15, 13, 3, tzinfo=UTC)),
        ("2:17 PM PDT on May 29, 2025", dt.datetime(2025, 5, 29, 21, 17, tzinfo=UTC)),
        ("[August 22, 2025]", dt.datetime(2025, 8, 22, tzinfo=UTC)),
        ("Last updated: 2 hours ago", dt.datetime(2025, 7, 29, 10, 0, tzinfo=UTC)),
        ("Updated Feb 27, 2025, 9:38 a.m. Published Feb 26, 2025, 7:04 p.m.",
         dt.datetime(2025, 2, 26, 19, 4, tzinfo=UTC)),
    ],
)
def test_date_line_kinds_in_a_header(line, expected):
    brief = parse_brief(article(line), reference=REFERENCE)
    assert brief.published_at == expected
    assert (brief.author, brief.source_name) == ("Nadia Holm", "River Post")


def test_ambiguous_numeric_date_is_read_by_its_separator_with_a_warning():
    dashed = parse_brief(article("05-06-2025"), reference=REFERENCE)
    slashed = parse_brief(article("05/06/2025"), reference=REFERENCE)
    assert dashed.published_at == dt.datetime(2025, 6, 5, tzinfo=UTC)
    assert slashed.published_at == dt.datetime(2025, 5, 6, tzinfo=UTC)
    assert any("ambiguous" in warning for warning in dashed.warnings)


def test_date_of_a_related_story_is_never_taken_when_the_header_has_one():
    brief = parse_brief(
        article("Jul 2, 2025") + "\n\nMore from River Post\nLocks Reopen After Repairs\nJun 1, 2025"
    )
    assert brief.published_at == dt.datetime(2025, 7, 2, tzinfo=UTC)
    assert "Locks Reopen" not in brief.body


# -- never refused for the date ----------------------------------------------------------


@pytest.mark.parametrize("date_line", ["", "2 hours ago", "Sometime last summer", "31/31/2025"])
def test_title_and_body_without_a_usable_date_come_back_undated_for_review(date_line):
    brief = parse_brief(article(date_line), require_date=False)
    assert brief.published_at is None
    assert brief.review_reasons == ["undated"] and brief.needs_review
    assert any("no publication date found" in warning for warning in brief.warnings)
    assert brief.paragraphs[-1].startswith("Barges on the river")


def test_relative_date_without_reference_says_what_is_missing():
    with pytest.raises(BriefParseError, match="reference time"):
        parse_brief(article("3 hours ago"))


def test_relative_date_counts_back_from_the_reference_time():
    brief = parse_brief(article("Posted 3 days ago"), reference=REFERENCE)
    assert brief.published_at == dt.datetime(2025, 7, 26, tzinfo=UTC)
    assert brief.published_time_known is False


def test_naive_reference_is_read_as_utc():
    brief = parse_brief(article("5 minutes ago"), reference=dt.datetime(2025, 7, 29, 12, 0))
    assert brief.published_at == dt.datetime(2025, 7, 29, 11, 55, tzinfo=UTC)


# -- input faults --------------------------------------------------------------------------


def test_future_date_is_flagged_for_review_with_a_warning():
    brief = parse_brief(article("July 28, 2052"), reference=REFERENCE)
    assert brief.published_at == dt.datetime(2052, 7, 28, tzinfo=UTC)
    assert brief.review_reasons == ["future-date"] and brief.needs_review
    assert any("flagged for review" in warning for warning in brief.warnings)


def test_a_date_within_a_day_of_the_reference_is_not_flagged():
    brief = parse_brief(article("July 30, 2025"), reference=REFERENCE)
    assert brief.review_reasons == [] and not brief.needs_review


def test_mojibake_is_repaired_with_a_warning():
    brief = parse_brief(article("July 2, 2025").replace("Shippers say", "CafÃ© owners say"))
    assert brief.dek.startswith("Café owners say")
    assert any("mojibake" in warning for warning in brief.warnings)


def test_clean_text_gets_no_mojibake_warning():
    brief = parse_brief(article("July 2, 2025").replace("Shippers say", "Café “owners” say"))
    assert brief.dek.startswith("Café “owners” say")
    assert not any("mojibake" in warning for warning in brief.warnings)


def test_strip_unfit_characters_removes_every_format_character():
    assert strip_unfit_characters("".join(CF_CHARACTERS)) == ""
    assert strip_unfit_characters("Bei\u200bjing e\u0301 \U0001F600") == "Beijing e\u0301 \U0001F600"


@QUICK
@given(st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(CF_CHARACTERS)), max_size=25))
def test_invisible_format_characters_never_reach_a_returned_field(insertions):
    text = article("July 2, 2025")
    for position, char in sorted(insertions, reverse=True):
        position %= len(text) + 1
        text = text[:position] + char + text[position:]
    brief = parse_brief(text, require_date=False)
    fields = [brief.title, brief.dek, brief.author, brief.source_name, brief.body,
              brief.image_caption, *brief.topics]
    assert not any(unicodedata.category(char) == "Cf" for field in fields for char in field)


def test_invisible_characters_inside_words_do_not_change_what_is_read():
    plain = parse_brief(article("July 2, 2025"))
    dotted = parse_brief(
        article("July\u200b 2, 2025").replace("River", "Ri\u00adver").replace("Drought", "Dro\u200dught")
    )
    assert (dotted.title, dotted.source_name, dotted.topics, dotted.published_at) == (
        plain.title, plain.source_name, plain.topics, plain.published_at
    )


# -- bylines and furniture -----------------------------------------------------------------


@pytest.mark.parametrize(
    "furniture",
    ["Comments", "Business", "Author", "Staff Writer",
     "WhatsApp Telegram Facebook Twitter Email"],
)
def test_site_furniture_is_never_author_source_or_dek(furniture):
    brief = parse_brief(f"Headline Here\n\n{furniture}\n\nJuly 1, 2025\n\nThe body text here.")
    assert furniture not in (brief.author, brief.source_name, brief.dek)
    assert furniture not in brief.body


@pytest.mark.parametrize(
    "line",
    [
        "Firefighters work near the harbour on Monday. (AP Photo/Ken Ito)",
        "REUTERS/Ken Ito/File Photo",
        "Ken Ito/File Photo/Delta Wire",
        "Screenshot 2025-07-01 at 09.14.22.png",
        "Content is loading...",
        "No recommendation",
        "Stay in touch",
        "More from Delta Wire",
    ],
)
def test_credits_and_widgets_in_the_body_are_dropped(line):
    brief = parse_brief(
        f"Headline Here\n\nJuly 1, 2025\n\nFirst paragraph of the story.\n\n{line}\n\n"
        "Second paragraph of the story, which is long enough to read as prose."
    )
    assert brief.paragraphs == [
        "First paragraph of the story.",
        "Second paragraph of the story, which is long enough to read as prose.",
    ]


@pytest.mark.parametrize("header", ["READ MORE ON:", "Tags:", "Filed under:"])
def test_tag_lists_become_topics_not_body(header):
    brief = parse_brief(
        f"Headline Here\n\nJuly 1, 2025\n\nBody text.\n\n{header}\nShipping\nDrought"
    )
    assert brief.topics == ["Shipping", "Drought"]
    assert brief.body == "Body text."


def test_bullet_items_stay_separate_paragraphs():
    items = [
        "• The first change applies to everyone born after 1970 in the country",
        "• The second change applies to workers with forty years of contributions",
    ]
    brief = parse_brief("Headline Here\n\nJuly 1, 2025\n\nThe changes are:\n" + "\n".join(items))
    assert brief.paragraphs == ["The changes are:", *items]
