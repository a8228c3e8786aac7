"""Whatever text arrives, the parser answers with a brief or its own one-line error."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefs.importer import BriefParseError, decode_brief_bytes, parse_brief

# Lines drawn from the family's vocabulary, so examples reach deep into the parser
# (dates, bylines, boilerplate, topic lists) instead of failing at the title.
FAMILY_LINES = st.sampled_from(
    [
        "", "", "Rare Earths Talks Resume In Geneva", "A dek that explains the news.",
        "July 28, 2025Clash Report", "Updated Jul 27, 2025 | 10:10 PM GMT-04",
        "Published Aug. 3, 2025 | 6:45 AM GMT+08", "2025-02-30", "Sept. 31, 2025",
        "Cover Image", "Profile Image", "Share this article", "Deepti Sri\u00b7Stocktwits",
        "By Jane Roe, Meridian Wire", "ClashReport Editor", "ClashReport", "Sources:",
        "Related Topics", "Topics:", "U.S.-China Trade", "Subscribe to Market Minute",
        "All Newsletters", "Advertisement. Remove ads.", "Tariffs, Tech, And Talks Loom Large",
        "The body goes on with a sentence.", "A caption (Photo credit: Someone)", "\u00a0",
        "\x00\x07", "\ufeff", "\r", "\ud800", "·", "13:99 PM GMT+99",
    ]
)
FAMILY_TEXT = st.lists(st.one_of(FAMILY_LINES, st.text(max_size=40)), max_size=30).map("\n".join)
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parse_or_refuse(text):
    try:
        brief = parse_brief(text)
    except BriefParseError as error:
        assert str(error) and "\n" not in str(error)
        return None
    return brief


@QUICK
@given(st.text(max_size=400))
def test_arbitrary_text_gives_a_brief_or_a_clean_error(text):
    _parse_or_refuse(text)


@QUICK
@given(FAMILY_TEXT)
def test_family_shaped_text_gives_a_brief_or_a_clean_error(text):
    brief = _parse_or_refuse(text)
    if brief is not None:
        fields = (brief.title, brief.dek, brief.body, brief.author, brief.source_name)
        for field in fields + tuple(brief.topics):
            assert "\x00" not in field and "\u00a0" not in field and "\ufeff" not in field
            field.encode("utf-8")  # no lone surrogates: PostgreSQL and feeds refuse them
        assert brief.body.strip() and "\n\n\n" not in brief.body
        assert brief.published_at.utcoffset().total_seconds() == 0


@QUICK
@given(st.binary(max_size=300))
def test_arbitrary_bytes_decode_to_text_or_a_clean_error(data):
    try:
        text = decode_brief_bytes(data)
    except BriefParseError:
        return
    _parse_or_refuse(text)
