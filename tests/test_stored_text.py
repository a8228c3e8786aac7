"""Text readers and curators type is stored without invisible and control characters
(``core.text.strip_unfit_characters``), whatever the write path: groups, API tokens,
story titles, topic descriptions. "Read\\u200bers" would otherwise look like "Readers"
and never match it, and a ``\\u202e`` would turn the rest of a page's line around."""

import pytest

from annotations.groups import group_create
from annotations.models import ApiToken, Group
from annotations.tokens import api_token_create
from briefs.models import Story, Topic
from briefs.services.topics import topic_rename
from core.text import strip_unfit_characters
from tests.factories import make_topic

pytestmark = pytest.mark.django_db

UNFIT = "\u200b\u00ad\u202e\x07\ufeff"


def _dirty(text):
    """``text`` with an unfit character after each letter."""
    return "".join(letter + UNFIT[n % len(UNFIT)] for n, letter in enumerate(text))


def test_a_group_made_on_its_page_keeps_no_invisible_characters(client, user):
    client.force_login(user)
    client.post(
        "/annotations/groups/",
        {"name": _dirty("Harbour readers"), "description": _dirty("We read ports.")},
    )
    group = Group.objects.get()
    assert (group.name, group.description) == ("Harbour readers", "We read ports.")


def test_a_group_name_of_only_invisible_characters_is_refused(user):
    with pytest.raises(Exception, match="needs a name"):
        group_create(by=user, name=UNFIT)
    assert not Group.objects.exists()


def test_a_token_made_on_the_account_page_keeps_no_invisible_characters(client, user):
    client.force_login(user)
    client.post("/annotations/account/", {"token_name": _dirty("Laptop script")})
    assert ApiToken.objects.get().name == "Laptop script"


def test_a_token_name_of_only_invisible_characters_is_refused(user):
    with pytest.raises(Exception, match="name"):
        api_token_create(by=user, name=UNFIT)


def test_a_story_title_edited_by_a_curator_keeps_no_invisible_characters(curator_client):
    story = Story.objects.create(title="Port strike")
    response = curator_client.post(
        f"/admin/briefs/story/{story.pk}/change/",
        {
            "title": _dirty("Port strike ends"),
            "slug": story.slug,
            "briefs-TOTAL_FORMS": "0",
            "briefs-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code in (200, 302)
    story.refresh_from_db()
    assert story.title == "Port strike ends"


def test_a_topic_description_keeps_no_invisible_characters(curator):
    topic = make_topic("Ports")
    topic_rename(topic=topic, name="Ports", description=_dirty("Harbours and docks"), by=curator)
    assert Topic.objects.get(pk=topic.pk).description == "Harbours and docks"


@pytest.mark.parametrize("context", ["plain", "é", "\U0001F600"], ids=["ascii", "latin", "astral"])
def test_every_code_point_is_kept_or_stripped_as_the_one_definition_says(context):
    """The fast paths (ASCII text, text without astral characters) strip exactly the set."""
    from core.text import _IDLE_JOINERS, _UNFIT_CHARACTERS, strip_unfit_characters

    # Every code point once, beside text of each kind, so each path meets each character.
    for start in range(0, 0x110000, 0x1000):
        chunk = "".join(chr(code) for code in range(start, start + 0x1000))
        for text in (chunk, *(f"{context} {ch} x" for ch in chunk[:128] if start == 0)):
            expected = _IDLE_JOINERS.sub("", _UNFIT_CHARACTERS.sub("", text))
            assert strip_unfit_characters(text) == expected
    assert strip_unfit_characters("tab\tline\nend\r\x00\x7f") == "tab\tline\nend\r"
    assert strip_unfit_characters("e\u0301\u200b " + context) == "e\u0301 " + context


@pytest.mark.parametrize(
    "text",
    ["می\u200cخواهم", "क्\u200dष", "\U0001F469\u200d\U0001F469\u200d\U0001F467", "ශ්\u200dරී"],
    ids=["persian-zwnj", "devanagari-zwj", "emoji-family", "sinhala-zwj"],
)
def test_the_joiners_a_script_needs_are_kept(text):
    # Dropping them changes a Persian word's spelling and splits a family emoji in three.
    assert strip_unfit_characters(text) == text


def test_joiners_where_no_script_needs_them_go():
    cleaned = strip_unfit_characters("Bei\u200djing Wind\u200c Power \u200dx")
    assert cleaned == "Beijing Wind Power x"
