"""Highlights count code points, like the stored offsets: astral characters are one each.

The server side of issue 15's fault (client and server disagreeing on offset units): the
highlight cutter, the page and the text-fragment link must all treat "𝐀", "👍🏽" and flags
as the Unicode characters they are.
"""

from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup

from annotations.highlights import Span, runs, text_fragment
from tests.factories import make_annotation, make_brief, make_user

ASTRAL = "Port 𝐀 log 👍🏽 🇧🇷: the ferry sailed at noon, and the ferry sailed again at dusk."
PHRASE = "the ferry sailed"


def test_highlight_runs_cut_astral_text_at_code_points():
    second = ASTRAL.index(PHRASE, ASTRAL.index(PHRASE) + 1)
    cut = runs(ASTRAL, 100, [Span(100 + second, 100 + second + len(PHRASE), 1)])
    assert [(run.text, bool(run.spans)) for run in cut] == [
        (ASTRAL[:second], False),
        (PHRASE, True),
        (ASTRAL[second + len(PHRASE) :], False),
    ]


def test_text_fragment_keeps_astral_characters_whole():
    directive = text_fragment("𝐀𝐁 crews cheered 🇧🇷🇵🇹", prefix="notes: ", suffix=" as the")
    assert unquote(directive) == ":~:text=notes:-,𝐀𝐁 crews cheered 🇧🇷🇵🇹,-as the"


@pytest.mark.django_db
def test_page_draws_a_note_after_astral_characters_on_its_own_words(client):
    body = "Harbour 🚢 notes.\n\n" + ASTRAL
    brief = make_brief(body=body)
    annotation = make_annotation(brief, make_user(), PHRASE, occurrence=1, visibility="public")
    soup = BeautifulSoup(client.get(brief.get_absolute_url()).content, "html5lib")
    mark = soup.find(id=f"annotation-{annotation.pk}")
    assert mark.get_text() == PHRASE
    paragraph = mark.find_parent("p")
    assert int(paragraph["data-start"]) == body.index("Port")
    assert str(paragraph).split("<mark", 1)[0].endswith("at noon, and ")  # the second copy
