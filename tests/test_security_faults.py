"""Security faults found in real use (issue 15), each turned into the behaviour that holds now."""


import pytest

from tests.factories import make_brief, make_topic, make_user

pytestmark = pytest.mark.django_db


# --- Topics used only by drafts are no reader's business ------------------------------------

SECRET = "Project Nightjar"


@pytest.fixture
def draft_topic():
    """A topic only a draft carries, next to a public one on a published brief."""
    secret, public = make_topic(SECRET), make_topic("Rare Earths")
    make_brief("Embargoed story", topics=[secret, public], status="draft")
    make_brief("Published story", topics=[public], body="Gallium exports fell.\n\nMore.")
    return secret


@pytest.mark.parametrize(
    "url",
    [
        "/topics/project-nightjar/",
        "/topics/project-nightjar+rare-earths/",
        "/topics/project-nightjar/feed/",
        "/topics/project-nightjar/feed/atom/",
        "/topics/project-nightjar/feed/json/",
        "/topics/project-nightjar/annotations/feed/",
        "/topics/opml/?topics=project-nightjar",
    ],
)
def test_a_topic_used_only_by_drafts_is_404_by_slug(client, draft_topic, url):
    assert client.get(url).status_code == 404


def test_an_old_slug_of_a_draft_only_topic_is_404_too(client, draft_topic):
    from briefs.models import TopicSlugRedirect

    TopicSlugRedirect.objects.create(old_slug="nightjar", topic=draft_topic)
    assert client.get("/topics/nightjar/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/topics/",
        "/topics/?order=count",
        "/topics/rare-earths/",
        "/topics/opml/",
        "/feed/",
        "/search/?q=story",
        "/search/?q=story&topic=project-nightjar",
        "/annotations/mine/",
        "/annotations/mine/?topic=project-nightjar",
    ],
)
def test_the_name_of_a_draft_only_topic_appears_on_no_public_surface(client, draft_topic, url):
    reader = make_user()
    client.force_login(reader)
    response = client.get(url)
    assert response.status_code in {200, 404}
    assert SECRET.encode() not in response.content


def test_a_reader_filtering_own_notes_by_a_draft_only_topic_gets_404_like_an_unknown_one(
    client, draft_topic
):
    client.force_login(make_user())
    assert client.get("/annotations/mine/?topic=project-nightjar").status_code == 404
    assert client.get("/annotations/mine/?topic=no-such-topic").status_code == 404
