"""Topic selections in URLs: any order, old slugs redirect, unknown slugs 404."""

import pytest

from briefs.topic_selection import UnknownTopic, resolve_topic_slugs
from tests.factories import make_brief, make_topic, make_topic_slug_redirect

pytestmark = pytest.mark.django_db


def test_selection_is_in_canonical_order_whatever_the_url_order():
    make_brief(topics=[make_topic("Semiconductors"), make_topic("Rare Earths")])
    selection = resolve_topic_slugs("semiconductors+rare-earths")
    assert selection.canonical == "rare-earths+semiconductors"
    assert selection.name == "Rare Earths + Semiconductors"
    assert selection.redirect is False


def test_unknown_slug_is_refused():
    make_topic("Rare Earths")
    with pytest.raises(UnknownTopic):
        resolve_topic_slugs("rare-earths+no-such-topic")


def test_old_slug_resolves_to_the_renamed_topic_and_asks_for_redirect():
    topic = make_topic("Rare Earth Metals")
    make_brief(topics=[topic])
    make_topic_slug_redirect(old_slug="rare-earths", topic=topic)
    selection = resolve_topic_slugs("rare-earths")
    assert selection.topics == (topic,)
    assert selection.redirect is True


def test_topic_page_redirects_old_slug_permanently(client):
    topic = make_topic("Rare Earth Metals")
    make_brief(topics=[topic])
    make_topic_slug_redirect(old_slug="rare-earths", topic=topic)
    response = client.get("/topics/rare-earths/")
    assert response.status_code == 301
    assert response["Location"] == "/topics/rare-earth-metals/"


def test_topic_page_for_unknown_slug_is_404(client):
    assert client.get("/topics/nothing-here/").status_code == 404
