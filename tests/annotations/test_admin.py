"""Moderation in the admin: curators hide public notes from every public surface."""

import datetime as dt

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.contrib.admin.models import CHANGE, LogEntry

from annotations.models import Annotation
from tests.factories import make_annotation, make_brief, make_user

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/annotations/annotation/"
NOTE = "Watch the second paragraph closely"


def annotate(brief, user, *, visibility="public", note=NOTE, **fields):
    return make_annotation(brief, user, "First", visibility=visibility, note=note, **fields)


def listed_quotes(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return [row.select_one("th").get_text() for row in soup.select("#result_list tbody tr")]


def public_surfaces(client, brief):
    """What an anonymous reader gets from the brief page, the recent list, feed and API."""
    client.logout()
    api = client.get("/api/annotations/", {"brief": brief.slug}).content.decode()
    return {
        "brief page": client.get(brief.get_absolute_url()).content.decode(),
        "recent": client.get("/annotations/").content.decode(),
        "feed": " ".join(
            entry.get("summary", "") + entry.get("title", "")
            for entry in feedparser.parse(client.get("/annotations/feed/").content).entries
        ),
        "api": api,
    }


def test_hidden_annotation_vanishes_from_every_public_surface_but_stays_for_its_owner(
    curator_client, curator
):
    brief, owner = make_brief(body="First paragraph.\n\nSecond one."), make_user()
    annotation = annotate(brief, owner)
    assert all(NOTE in text for text in public_surfaces(curator_client, brief).values())

    curator_client.force_login(curator)
    curator_client.post(CHANGELIST, {"action": "hide", "_selected_action": [annotation.pk]})
    annotation.refresh_from_db()
    assert annotation.hidden
    surfaces = public_surfaces(curator_client, brief)
    assert [name for name, text in surfaces.items() if NOTE in text] == []

    curator_client.force_login(owner)
    assert NOTE in curator_client.get("/api/annotations/", {"brief": brief.slug}).content.decode()
    assert list(
        LogEntry.objects.filter(user=curator).values_list("action_flag", "change_message")
    ) == [(CHANGE, "Hidden by a curator.")]


def test_unhide_brings_the_note_back(curator_client):
    brief = make_brief(body="First paragraph.\n\nSecond one.")
    annotation = annotate(brief, make_user(), hidden=True)
    curator_client.post(CHANGELIST, {"action": "unhide", "_selected_action": [annotation.pk]})
    assert NOTE in public_surfaces(curator_client, brief)["brief page"]


def test_moderation_list_shows_public_notes_newest_first_and_never_private_ones(curator_client):
    brief, owner = make_brief(), make_user()
    older = annotate(brief, owner, note="older")
    newer = annotate(brief, owner, note="newer")
    Annotation.objects.filter(pk=older.pk).update(
        created_at=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    )
    annotate(brief, owner, visibility="private", note="diary entry")
    response = curator_client.get(CHANGELIST)
    # Rows are labelled by quote and brief title, never by the brief's id.
    assert listed_quotes(response) == [f"“First” on {brief.title}"] * 2
    assert [newer.pk, older.pk] == [
        int(box["value"]) for box in BeautifulSoup(response.content, "html.parser").select(
            "#result_list tbody input[name=_selected_action]"
        )
    ]
    assert "diary entry" not in response.content.decode()
    private = Annotation.objects.get(note="diary entry")
    assert curator_client.get(f"{CHANGELIST}{private.pk}/change/").status_code == 302


def test_moderation_list_narrows_by_brief_user_note_text_and_orphans(curator_client):
    first, second = make_brief(), make_brief()
    ana, ben = make_user(username="ana"), make_user(username="ben")
    by_ana = annotate(first, ana, note="tariff schedule")
    by_ben = annotate(second, ben, note="port closures", anchor_status="orphaned")
    def label(annotation):
        return f"“{annotation.exact}” on {annotation.brief.title}"

    assert listed_quotes(curator_client.get(CHANGELIST, {"brief__id__exact": first.pk})) == [
        label(by_ana)
    ]
    assert listed_quotes(curator_client.get(CHANGELIST, {"user__id__exact": ben.pk})) == [
        label(by_ben)
    ]
    assert listed_quotes(curator_client.get(CHANGELIST, {"q": "tariff"})) == [label(by_ana)]
    orphans = curator_client.get(CHANGELIST, {"anchor_status__exact": "orphaned"})
    assert listed_quotes(orphans) == [label(by_ben)]


@pytest.mark.parametrize("count", [10, 500])
def test_moderation_list_query_count_does_not_grow_with_rows(
    curator_client, django_assert_max_num_queries, monkeypatch, count
):
    from annotations.admin import AnnotationAdmin

    monkeypatch.setattr(AnnotationAdmin, "list_per_page", 500)
    briefs = [make_brief() for _ in range(5)]
    users = [make_user() for _ in range(5)]
    Annotation.objects.bulk_create(
        Annotation(
            brief=briefs[n % 5], user=users[n % 5], exact="First", start=0, end=5, visibility="public"
        )
        for n in range(count)
    )
    # session, user, 2 permission reads, 2 counts, the page with brief and user joined
    with django_assert_max_num_queries(7):
        response = curator_client.get(CHANGELIST)
    assert len(listed_quotes(response)) == count


def test_taggit_tag_is_not_in_the_admin_and_the_topic_filter_is_labelled(curator_client, client):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-x-1")
    client.force_login(admin_user)
    index = client.get("/admin/").content.decode()
    assert "/admin/taggit/" not in index and "/admin/briefs/topic/" in index
    assert client.get("/admin/taggit/tag/").status_code == 404
    soup = BeautifulSoup(client.get("/admin/briefs/brief/").content, "html.parser")
    select = soup.select_one("#changelist-filter select[name=topic]")
    label = soup.find("label", attrs={"for": select["id"]})
    assert label.get_text(strip=True).startswith("Briefs with all of these topics")
