"""Every admin save or delete leaves exactly one history entry saying what changed."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.admin.models import CHANGE, DELETION, LogEntry

from briefs.models import Source, Story, TopicSlugRedirect
from briefs.services.topics import topic_rename
from tests.factories import (
    make_brief,
    make_source,
    make_story,
    make_topic,
    make_topic_suggestion,
)

pytestmark = pytest.mark.django_db


def change_form_values(response, model_name):
    """The admin change form as a browser would post it, unchanged."""
    form = BeautifulSoup(response.content, "html.parser").select_one(f"form#{model_name}_form")
    values = {}
    for field in form.select("input[name]"):
        kind = field.get("type", "text")
        if kind in ("submit", "button", "file") or (
            kind in ("checkbox", "radio") and not field.has_attr("checked")
        ):
            continue
        default = "on" if kind in ("checkbox", "radio") else ""
        values.setdefault(field["name"], []).append(field.get("value", default))
    for area in form.select("textarea[name]"):
        values[area["name"]] = [area.get_text().removeprefix("\n")]
    for select in form.select("select[name]"):
        values[select["name"]] = [o.get("value", "") for o in select.select("option[selected]")]
    return values


def admin_save(client, obj, **changes):
    url = f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"
    values = change_form_values(client.get(url), obj._meta.model_name)
    values.update({name: [value] for name, value in changes.items()})
    response = client.post(url, values)
    errors = response.context and response.context["adminform"].form.errors
    assert response.status_code == 302, errors


def entries(obj):
    return list(
        LogEntry.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)
        .order_by("pk")
        .values_list("action_flag", "change_message")
    )


def story_of_two():
    first, second = make_brief(source=make_source()), make_brief(source=make_source())
    return make_story(briefs=[first, second])


@pytest.mark.parametrize(
    ("make", "field", "value", "message"),
    [
        (make_source, "homepage", "https://example.org/", "Changed homepage."),
        (make_source, "name", "Renamed source", "Changed name."),
        (make_brief, "dek", "A new standfirst.", "Changed dek."),
        (make_topic, "description", "What the topic covers.", "Changed description."),
        (story_of_two, "title", "A better title", "Changed title."),
        (story_of_two, "slug", "a-better-slug", "Changed slug."),
    ],
)
def test_an_admin_edit_of_any_field_writes_one_entry_naming_it(
    curator_client, make, field, value, message
):
    obj = make()
    LogEntry.objects.all().delete()
    admin_save(curator_client, obj, **{field: value})
    obj.refresh_from_db()
    assert str(getattr(obj, field)) == value
    assert entries(obj) == [(CHANGE, message)]


def test_deleting_an_old_slug_in_the_topic_form_is_recorded_on_the_topic(admin_client, curator):
    """Curators may not delete old slugs (their URLs would 404); an administrator may."""
    topic = make_topic("Harbour")
    topic_rename(topic=topic, name="Port", by=curator)
    LogEntry.objects.all().delete()
    redirect = TopicSlugRedirect.objects.get(topic=topic)
    url = f"/admin/briefs/topic/{topic.pk}/change/"
    values = change_form_values(admin_client.get(url), "topic")
    values["old_slugs-0-DELETE"] = ["on"]
    assert admin_client.post(url, values).status_code == 302
    assert not TopicSlugRedirect.objects.filter(pk=redirect.pk).exists()
    assert entries(topic) == [(CHANGE, "Deleted topic slug redirect “harbour → port”.")]
    assert admin_client.get("/topics/harbour/").status_code == 404


def test_renaming_a_topic_and_its_description_is_one_entry_with_both(curator_client):
    topic = make_topic("Harbour")
    LogEntry.objects.all().delete()
    admin_save(curator_client, topic, name="Port", slug="port", description="Ships.")
    message = (
        "Renamed from “Harbour”. Slug changed from “harbour”; the old URLs redirect. "
        "Changed description."
    )
    assert entries(topic) == [(CHANGE, message)]


def test_a_save_that_changes_nothing_still_says_so_once(curator_client):
    source = make_source()
    LogEntry.objects.all().delete()
    admin_save(curator_client, source)
    assert entries(source) == [(CHANGE, "No fields changed.")]


def test_adding_a_source_in_the_admin_writes_one_entry(curator_client):
    response = curator_client.post(
        "/admin/briefs/source/add/", {"name": "Harbour Gazette", "slug": "harbour-gazette"}
    )
    assert response.status_code == 302
    assert [flag for flag, _ in entries(Source.objects.get())] == [1]


@pytest.mark.parametrize("make", [make_source, make_topic, make_brief, story_of_two])
def test_an_admin_delete_writes_one_entry(admin_client, make):
    obj = make()
    LogEntry.objects.all().delete()
    url = f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not type(obj).objects.filter(pk=obj.pk).exists()
    assert [flag for flag, _ in entries(obj)] == [DELETION]


def test_a_story_edit_keeps_its_briefs(curator_client, curator):
    story = story_of_two()
    admin_save(curator_client, story, title="A better title")
    assert Story.objects.get().briefs.count() == 2


def test_a_topic_suggestion_is_not_edited_or_added_by_hand(curator_client):
    suggestion = make_topic_suggestion()
    url = f"/admin/briefs/topicsuggestion/{suggestion.pk}/change/"
    page = BeautifulSoup(curator_client.get(url).content, "html.parser")
    assert page.select("#topicsuggestion_form select, #topicsuggestion_form input[type=text]") == []
    assert curator_client.post(url, {"status": "dismissed", "topic": suggestion.topic_id})
    suggestion.refresh_from_db()
    assert suggestion.status == "pending"
    assert curator_client.get("/admin/briefs/topicsuggestion/add/").status_code == 403


# Every model admin of the project whose form edits something is exercised above.
EDITED_IN_TESTS = {"source", "brief", "topic", "story"}


def test_every_project_admin_that_edits_rows_is_covered_above(rf, admin_user):
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = admin_user
    editing = set()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("briefs", "annotations"):
            continue
        readonly = set(model_admin.get_readonly_fields(request))
        if set(model_admin.get_fields(request)) - readonly:
            editing.add(model._meta.model_name)
    assert editing == EDITED_IN_TESTS
