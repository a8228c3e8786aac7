"""Body blocks carry exact offsets and tell subheadings from paragraphs."""

import pytest

from briefs.text import body_blocks, is_subheading, normalise_body


def test_blocks_have_exact_offsets_into_the_body():
    body = "First paragraph here.\n\nTariffs, Tech, And Summits Loom Large\n\nLast one."
    blocks = body_blocks(body)

    assert [b.kind for b in blocks] == ["paragraph", "heading", "paragraph"]
    for block in blocks:
        assert body[block.start:block.end] == block.text


def test_blocks_survive_extra_blank_lines_and_spaces():
    body = "  One.\n\n\n\nTwo.  \n \nThree."
    assert [(b.text, body[b.start:b.end]) for b in body_blocks(body)] == [
        ("One.", "One."), ("Two.", "Two."), ("Three.", "Three.")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tariffs, Tech, And Trump-Xi Summit Loom Large", True),
        ("What Comes Next for the Port", True),
        ("The talks resumed on Monday.", False),
        ("Bessent said the pause was likely to be extended by both sides", False),
        ("“A quoted line”", False),
        ("", False),
    ],
)
def test_subheading_heuristic(text, expected):
    assert is_subheading(text) is expected


def test_normalised_body_has_plain_line_ends_and_single_blank_lines():
    typed = "First line.\r\nSame paragraph.  \r\n\r\n \r\n\r\nSecond\u00a0one.\x00\r\n"
    assert normalise_body(typed) == "First line.\nSame paragraph.\n\nSecond one."


def test_normalising_a_stored_body_changes_nothing():
    body = "One.\n\nTariffs, Tech, And Summits\n\nTwo."
    assert normalise_body(body) == body
