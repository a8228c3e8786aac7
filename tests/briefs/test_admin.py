"""The curation admin: changelists, actions, merge and rename, import, permissions."""

import datetime as dt
import io
import zipfile

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.timezone import localtime

from briefs.models import (
    Brief,
    Story,
    TaggedBrief,
    Topic,
    TopicSlugRedirect,
    TopicSuggestion,
)
from tests.briefs.import_pages import IMPORT, form_values, preview_of
from tests.factories import (
    make_annotation,
    make_brief,
    make_source,
    make_story,
    make_topic,
    make_topic_suggestion,
    make_user,
)

pytestmark = pytest.mark.django_db

BRIEFS = "/admin/briefs/brief/"
TOPICS = "/admin/briefs/topic/"


def page(response):
    return BeautifulSoup(response.content, "html.parser")


def run_action(client, url, action, objects, **extra):
    data = {"action": action, "_selected_action": [obj.pk for obj in objects], **extra}
    return client.post(url, data)


def log_messages(user, model_object=None):
    entries = LogEntry.objects.filter(user=user)
    if model_object is not None:
        entries = entries.filter(object_id=str(model_object.pk))
    return list(entries.values_list("action_flag", "change_message"))


def topic_form(name, slug=""):
    """The topic change form as a browser posts it (no old slugs added)."""
    return {
        "name": name,
        "slug": slug,
        "description": "",
        "old_slugs-TOTAL_FORMS": "0",
        "old_slugs-INITIAL_FORMS": "0",
    }


def changelist_rows(response):
    return page(response).select("#result_list tbody tr")


_DAY_NEWS = [
    "Dock workers unloaded a record cargo of ore before the storm closed the port early.",
    "The regulator opened a consultation on emissions limits for smelters in the region.",
    "A second furnace restarted after maintenance that took longer than planned by weeks.",
    "Freight rates for bulk carriers fell as fewer ships waited outside the harbour today.",
    "Union leaders and managers agreed to resume talks about overtime pay next Tuesday.",
    "Local councils approved a rail spur linking the refinery to the inland freight hub.",
    "Engineers tested a new filter that captures most of the dust from the crushing mills.",
    "Shareholders will vote on the proposed dividend at a meeting in the capital in June.",
    "Two tankers collided in fog near the breakwater, though nobody aboard was injured.",
    "A heat wave forced the operator to cut shifts short at the open-air storage yards.",
]


def article(topic_lines="Related Topics\n\nRare Earths\nSemiconductors", title=None, day=3):
    """A brief in the layout copied from news sites."""
    return (
        f"{title or f'Refinery output rises on day {day}'}\n\n"
        "Processors report steady growth across the quarter.\n\n"
        "Jane Writer·Harbor Wire\n\n"
        f"August {day}, 2025\n\n"
        "Output at the coastal refinery rose for the third month in a row, its operator said.\n\n"
        "Analysts expect prices to follow demand from magnet makers through the winter.\n\n"
        # Each day's story has its own text: the same text on another day is a copy.
        f"{_DAY_NEWS[2 * day % len(_DAY_NEWS)]} {_DAY_NEWS[(2 * day + 1) % len(_DAY_NEWS)]}\n\n"
        f"{topic_lines}\n"
    )


# --- access -----------------------------------------------------------------------------


def test_anonymous_and_non_staff_users_are_sent_to_the_admin_login(client, user):
    make_brief()
    for url in (BRIEFS, TOPICS, IMPORT, "/admin/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    client.force_login(user)
    assert client.get(BRIEFS)["Location"].startswith("/admin/login/")
    assert client.get(IMPORT)["Location"].startswith("/admin/login/")


def test_curators_reach_curation_pages_but_not_user_admin(curator_client):
    make_brief()
    pages = [BRIEFS, TOPICS, IMPORT, f"{TOPICS}duplicates/", "/admin/annotations/annotation/"]
    for url in pages:
        assert curator_client.get(url).status_code == 200, url
    assert curator_client.get("/admin/auth/user/").status_code == 403
    assert curator_client.get("/admin/auth/group/").status_code == 403


def test_staff_without_the_curators_group_cannot_publish_or_import(client):
    staff = make_user(is_staff=True)
    client.force_login(staff)
    assert client.get(BRIEFS).status_code == 403
    assert client.get(IMPORT).status_code == 403


# --- brief changelist --------------------------------------------------------------------


def test_brief_changelist_shows_counts_and_a_site_link_for_published_briefs(curator_client):
    topics = [make_topic() for _ in range(3)]
    source = make_source("Harbor Wire")
    published = make_brief(title="Port strike ends", topics=topics, source=source)
    make_brief(title="Draft about tariffs", status="draft")
    listing = changelist_rows(curator_client.get(BRIEFS))
    rows = {row.select_one("th").get_text(): row for row in listing}
    cells = [cell.get_text() for cell in rows["Port strike ends"].select("td")]
    assert "Harbor Wire" in cells and "3" in cells
    link = rows["Port strike ends"].select_one("td.field-site_link a")
    assert link["href"] == published.get_absolute_url()
    assert rows["Draft about tariffs"].select_one("td.field-site_link").get_text() == "—"


def test_brief_changelist_filters_by_all_chosen_topics(curator_client):
    trade, chips = make_topic("Trade"), make_topic("Chips")
    make_brief(title="Both topics", topics=[trade, chips])
    make_brief(title="Only trade", topics=[trade])
    response = curator_client.get(BRIEFS, {"topic": [trade.pk, chips.pk]})
    assert [row.select_one("th").get_text() for row in changelist_rows(response)] == ["Both topics"]
    response = curator_client.get(BRIEFS, {"topic": [trade.pk]})
    assert len(changelist_rows(response)) == 2


def test_brief_changelist_searches_title_dek_and_author(curator_client):
    make_brief(title="Port strike ends", author="Ana Ruiz")
    make_brief(title="Chip fab opens", dek="A new plant near the port")
    make_brief(title="Unrelated")
    def titles(query):
        rows = changelist_rows(curator_client.get(BRIEFS, {"q": query}))
        return sorted(row.select_one("th").get_text() for row in rows)

    assert titles("port") == ["Chip fab opens", "Port strike ends"]
    assert titles("Ruiz") == ["Port strike ends"]


def make_many_briefs(count):
    """``count`` briefs with two topics and a public annotation each, created in bulk."""
    from annotations.models import Annotation

    source, topics = make_source(), [make_topic(), make_topic()]
    start = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    briefs = Brief.objects.bulk_create(
        Brief(
            title=f"Bulk brief {n}",
            slug=f"bulk-brief-{n}",
            body="One paragraph of text.",
            source=source,
            published_at=start + dt.timedelta(hours=n),
        )
        for n in range(count)
    )
    briefs = list(Brief.objects.filter(slug__startswith="bulk-brief-"))
    TaggedBrief.objects.bulk_create(
        TaggedBrief(content_object=brief, tag=topic) for brief in briefs for topic in topics
    )
    owner = make_user()
    Annotation.objects.bulk_create(
        Annotation(brief=brief, user=owner, exact="One", start=0, end=3, visibility="public")
        for brief in briefs
    )
    return briefs


@pytest.mark.parametrize("count", [10, 500])
def test_brief_changelist_query_count_does_not_grow_with_rows(
    curator_client, django_assert_max_num_queries, monkeypatch, count
):
    from briefs.admin import BriefAdmin

    monkeypatch.setattr(BriefAdmin, "list_per_page", 500)
    make_many_briefs(count)
    # session, user, 2 permission reads, source filter, 2 counts, the page, 2 date hierarchy
    with django_assert_max_num_queries(10):
        response = curator_client.get(BRIEFS)
    assert len(changelist_rows(response)) == count


@pytest.mark.parametrize("count", [10, 500])
def test_topic_changelist_query_count_does_not_grow_with_rows(
    curator_client, django_assert_max_num_queries, monkeypatch, count
):
    from briefs.admin import TopicAdmin

    monkeypatch.setattr(TopicAdmin, "list_per_page", 500)
    topics = Topic.objects.bulk_create(
        # bulk_create sends no pre_save signal: the identity key is set by hand.
        Topic(name=f"Topic {n}", slug=f"topic-{n}", name_key=f"topic {n}") for n in range(count)
    )
    brief = make_brief()
    TaggedBrief.objects.bulk_create(
        TaggedBrief(content_object=brief, tag=topic) for topic in topics
    )
    TopicSlugRedirect.objects.bulk_create(
        TopicSlugRedirect(old_slug=f"old-{topic.slug}", topic=topic) for topic in topics
    )
    # session, user, 2 permission reads, look-alike names, 2 counts, the page, old slugs
    with django_assert_max_num_queries(9):
        response = curator_client.get(TOPICS)
    assert len(changelist_rows(response)) == count


def test_topic_picker_autocompletes_existing_topics_for_curators(curator_client):
    make_topic("Rare Earths"), make_topic("Rare Metals"), make_topic("Tariffs")
    params = {"app_label": "briefs", "model_name": "brief", "field_name": "topics", "term": "rare"}
    response = curator_client.get("/admin/autocomplete/", params)
    assert [item["text"] for item in response.json()["results"]] == ["Rare Earths", "Rare Metals"]


# --- brief actions -----------------------------------------------------------------------


def test_unpublish_and_publish_actions_change_what_readers_see_and_are_logged(
    curator_client, curator
):
    brief = make_brief(title="Visible brief")
    run_action(curator_client, BRIEFS, "unpublish", [brief])
    assert curator_client.get(brief.get_absolute_url()).status_code == 404
    run_action(curator_client, BRIEFS, "publish", [brief])
    assert curator_client.get(brief.get_absolute_url()).status_code == 200
    assert log_messages(curator, brief) == [
        (CHANGE, "Status set to published."),
        (CHANGE, "Status set to draft."),
    ]


def test_add_topics_action_asks_for_topics_then_tags_every_selected_brief(curator_client, curator):
    chips = make_topic("Chips")
    first, second, other = make_brief(), make_brief(), make_brief()
    form_page = run_action(curator_client, BRIEFS, "add_topics", [first, second])
    assert form_page.status_code == 200
    assert "Add these topics" in form_page.content.decode()
    response = run_action(
        curator_client, BRIEFS, "add_topics", [first, second], apply="yes", topics=[chips.pk]
    )
    assert response.status_code == 302
    assert set(TaggedBrief.objects.filter(tag=chips).values_list("content_object", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert not other.topics.exists()
    assert log_messages(curator, first) == [(CHANGE, "Added topics “Chips”.")]


def test_put_into_story_action_asks_for_the_story_then_puts_the_briefs_it_may(
    curator_client, curator
):
    north, south = make_source("North Wire"), make_source("South Ledger")
    one = make_brief("Ministry sets steel tariff", source=north)
    other = make_brief("Steel imports face new duty", source=south)
    story = make_story(briefs=[one, other], title="Ministry sets steel tariff", curator_fixed=False)
    outsider = make_brief("Ports count the cost of the tariff", source=make_source("Quay Post"))
    rival = make_brief("North Wire again on steel", source=north)
    form_page = run_action(curator_client, BRIEFS, "put_into_story", [outsider, rival])
    assert form_page.status_code == 200
    form = page(form_page).select_one("#content form")
    assert form.select_one("select[name=story]")["data-ajax--url"] == "/admin/autocomplete/"
    assert form.select_one("input[type=submit]")["value"] == "Put into this story"
    params = {"app_label": "briefs", "model_name": "brief", "field_name": "story", "term": "steel"}
    found = curator_client.get("/admin/autocomplete/", params).json()["results"]
    assert [item["text"] for item in found] == ["Ministry sets steel tariff"]

    response = run_action(
        curator_client, BRIEFS, "put_into_story", [outsider, rival], apply="yes", story=story.pk
    )
    assert response.status_code == 302
    shown = [li.text for li in page(curator_client.get(BRIEFS)).select(".messagelist li")]
    assert "Put 1 brief into “Ministry sets steel tariff”; re-grouping keeps it there." in shown
    assert any(
        "already has North Wire’s version, “Ministry sets steel tariff”" in text
        and "Move that brief out of the story first" in text
        for text in shown
    )
    assert set(story.briefs.values_list("pk", flat=True)) == {one.pk, other.pk, outsider.pk}
    assert Story.objects.get(pk=story.pk).curator_fixed
    assert log_messages(curator, outsider) == [(CHANGE, "Put into “Ministry sets steel tariff”.")]
    assert log_messages(curator, rival) == []
    versions = page(curator_client.get(story.get_absolute_url())).select(".story-version h2")
    assert "Quay Post" in [h2.text for h2 in versions]


def test_put_into_story_form_says_when_no_story_was_chosen_and_counts_in_words(curator_client):
    one, two = make_brief(source=make_source("Quay Post")), make_brief()
    form_page = page(run_action(curator_client, BRIEFS, "put_into_story", [one]))
    assert "Put this brief into one story. It leaves" in form_page.select_one("#content p").text
    # The autocomplete hides the select: a "required" one would block the form silently.
    assert not form_page.select_one("select[name=story]").has_attr("required")
    two_page = page(run_action(curator_client, BRIEFS, "put_into_story", [one, two]))
    assert "Put these 2 briefs into one story. Each leaves" in two_page.select_one("#content p").text
    response = run_action(curator_client, BRIEFS, "put_into_story", [one], apply="yes")
    assert response.status_code == 200
    assert page(response).select_one(".errorlist").text == "Choose the story to put the briefs into."


@pytest.mark.parametrize(
    "action, field", [("put_into_story", "story"), ("add_topics", "topics")]
)
@pytest.mark.parametrize("value", ["", "x", "²", "99999999999999999999999", "12345"])
def test_picker_actions_show_the_form_again_for_a_choice_that_is_no_row(
    curator_client, action, field, value
):
    brief = make_brief(source=make_source("Quay Post"))
    response = run_action(curator_client, BRIEFS, action, [brief], apply="yes", **{field: value})
    assert response.status_code == 200
    assert page(response).select_one(".errorlist")
    assert Brief.objects.get(pk=brief.pk).story is None and not brief.topics.exists()


def test_remove_topics_action_untags_only_the_chosen_topic(curator_client, curator):
    chips, trade = make_topic("Chips"), make_topic("Trade")
    brief = make_brief(topics=[chips, trade])
    run_action(curator_client, BRIEFS, "remove_topics", [brief], apply="yes", topics=[chips.pk])
    assert [topic.name for topic in brief.topics.all()] == ["Trade"]
    assert log_messages(curator, brief) == [(CHANGE, "Removed topics “Chips”.")]


def test_export_action_returns_a_zip_of_text_files(curator_client, curator):
    imported = make_brief(title="From a file", raw_text="From a file\n\nThe original text.\n")
    typed = make_brief(title="Typed in", dek="Short dek", body="Body text.")
    response = run_action(curator_client, BRIEFS, "export_as_text", [imported, typed])
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.read(f"{imported.slug}.txt").decode() == "From a file\n\nThe original text.\n"
    typed_text = archive.read(f"{typed.slug}.txt").decode()
    assert typed_text.startswith("Typed in\n\nShort dek\n\n") and "Body text." in typed_text
    assert log_messages(curator, typed) == [(CHANGE, "Exported as a text file.")]


# --- brief change form ------------------------------------------------------------------


def test_editing_a_brief_body_records_a_revision_by_the_curator(curator_client, curator):
    brief = make_brief(title="Port strike", body="Old body.")
    form = curator_client.get(f"{BRIEFS}{brief.pk}/change/")
    assert form.status_code == 200
    data = {
        "title": "Port strike",
        "slug": brief.slug,
        "status": "published",
        "dek": "",
        "body": "New body.",
        "source": "",
        "author": "",
        "published_at_0": "2025-07-01",
        "published_at_1": "10:00:00",
        "published_time_known": "on",
        "image_caption": "",
        "topics": [make_topic("Ports").pk],
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    response = curator_client.post(f"{BRIEFS}{brief.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    brief.refresh_from_db()
    assert brief.body == "New body."
    assert [topic.name for topic in brief.topics.all()] == ["Ports"]
    revision = brief.revisions.get()
    assert (revision.body, revision.author) == ("Old body.", curator)


def test_one_admin_save_is_one_history_entry_naming_every_change(curator_client, curator):
    ports, shipping = make_topic("Ports"), make_topic("Shipping")
    brief = make_brief(title="Port strike", body="Old body.", topics=[ports])
    data = {
        "title": "Port strike ends",
        "slug": brief.slug,
        "status": "published",
        "dek": "",
        "body": "Old body.",
        "source": "",
        "author": "",
        "published_at_0": localtime(brief.published_at).strftime("%Y-%m-%d"),
        "published_at_1": localtime(brief.published_at).strftime("%H:%M:%S"),
        "published_time_known": "on",
        "image_caption": "",
        "topics": [shipping.pk],
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    response = curator_client.post(f"{BRIEFS}{brief.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert log_messages(curator, brief) == [
        (CHANGE, "Changed title. Added topics “Shipping”. Removed topics “Ports”.")
    ]


def test_renaming_a_topic_in_the_admin_writes_one_history_entry(curator_client, curator):
    topic = make_topic("Arctic")
    response = curator_client.post(f"{TOPICS}{topic.pk}/change/", topic_form("The Arctic"))
    assert response.status_code == 302
    assert len(log_messages(curator, topic)) == 1


def test_body_typed_in_the_admin_keeps_its_paragraphs_and_highlights(curator_client, user):
    brief = make_brief(title="Port strike", body="Cranes stood idle.\n\nTalks resume today.")
    note = make_annotation(brief, user, "Talks resume", visibility="public")
    data = {
        "title": "Port strike",
        "slug": brief.slug,
        "status": "published",
        "body": "A new first paragraph.\r\n\r\nCranes stood idle.\r\n\r\nTalks resume today.\r\n",
        "published_at_0": "2025-07-01",
        "published_at_1": "10:00:00",
        "published_time_known": "on",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    response = curator_client.post(f"{BRIEFS}{brief.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    brief.refresh_from_db()
    note.refresh_from_db()

    assert brief.body == "A new first paragraph.\n\nCranes stood idle.\n\nTalks resume today."
    assert len(brief.paragraphs) == 3
    assert brief.body[note.start:note.end] == "Talks resume"
    assert note.anchor_status == "shifted"


def test_suggested_topics_are_accepted_or_dismissed_from_the_brief_page(curator_client, curator):
    brief = make_brief()
    accept = make_topic_suggestion(brief=brief, topic=make_topic("Ports"))
    dismiss = make_topic_suggestion(brief=brief, topic=make_topic("Tariffs"))
    form = page(curator_client.get(f"{BRIEFS}{brief.pk}/change/"))
    buttons = [button["formaction"] for button in form.select(".topic-suggestion button")]
    assert len(buttons) == 4
    curator_client.post(f"{BRIEFS}{brief.pk}/suggestions/{accept.pk}/accept/")
    curator_client.post(f"{BRIEFS}{brief.pk}/suggestions/{dismiss.pk}/dismiss/")
    assert [topic.name for topic in brief.topics.all()] == ["Ports"]
    assert TopicSuggestion.objects.get().status == "dismissed"
    assert [message for _, message in log_messages(curator, brief)] == [
        "Dismissed the suggested topic “Tariffs”.",
        "Accepted the suggested topic “Ports”.",
    ]


# --- topics: rename, merge, duplicates --------------------------------------------------


def test_renaming_a_topic_in_the_admin_keeps_its_old_feed_url_working(curator_client, curator):
    topic = make_topic("Rare Earths")
    make_brief(title="Magnet makers stock up", topics=[topic])
    response = curator_client.post(f"{TOPICS}{topic.pk}/change/", topic_form("Rare Earth Metals"))
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.slug == "rare-earth-metals"
    feed = curator_client.get("/topics/rare-earths/feed/")
    assert feed.status_code == 301
    assert feed["Location"] == "/topics/rare-earth-metals/feed/"
    parsed = feedparser.parse(curator_client.get(feed["Location"]).content)
    assert [entry.title for entry in parsed.entries] == ["Magnet makers stock up"]
    assert log_messages(curator, topic)[0][0] == CHANGE


def test_admin_refuses_a_topic_name_differing_only_in_case(curator_client):
    make_topic("Rare earths")
    response = curator_client.post(f"{TOPICS}add/", topic_form("Rare Earths"))
    assert response.status_code == 200
    assert "A topic “Rare earths” already exists" in response.content.decode()
    assert Topic.objects.count() == 1


def test_merge_page_shows_what_moves_then_merges_into_the_chosen_topic(curator_client, curator):
    keep, other = make_topic("Rare Earths"), make_topic("REE")
    make_brief(title="Both", topics=[keep, other])
    make_brief(title="Only other", topics=[other])
    confirm = run_action(curator_client, TOPICS, "merge_topics", [keep, other])
    rows = {
        row.select_one("label").get_text(): [cell.get_text() for cell in row.select("td")]
        for row in page(confirm).select("tbody tr")
    }
    assert rows["Rare Earths"][3:] == ["1", "1", "ree"]
    response = run_action(
        curator_client, TOPICS, "merge_topics", [keep, other], apply="yes", keep=keep.pk
    )
    assert response.status_code == 302
    assert not Topic.objects.filter(pk=other.pk).exists()
    moved = TaggedBrief.objects.filter(tag=keep).values_list("content_object__title", flat=True)
    assert sorted(moved) == ["Both", "Only other"]
    feed = curator_client.get("/topics/ree/feed/atom/")
    assert (feed.status_code, feed["Location"]) == (301, "/topics/rare-earths/feed/atom/")
    assert log_messages(curator, keep) == [(CHANGE, "Merged “REE” into this topic.")]


def test_duplicates_page_lists_look_alike_topics_with_a_merge_button(curator_client):
    make_topic("Rare Earths"), make_topic("rare-earths"), make_topic("Semiconductors")
    listing = page(curator_client.get("/admin/briefs/topic/duplicates/"))
    groups = [[a.get_text() for a in form.select("li a")] for form in listing.select("form.module")]
    assert groups == [["Rare Earths", "rare-earths"]]
    assert listing.select_one("form.module input[name=action]")["value"] == "merge_topics"


# --- import ------------------------------------------------------------------------------


def upload(name, text):
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def confirm(client, preview, **changes):
    """Press Import on ``preview`` with ``changes`` typed into its fields; the result page."""
    response = client.post(preview.wsgi_request.path, {**form_values(preview), **changes})
    assert response.status_code == 302
    return client.get(response["Location"])


def test_import_preview_saves_nothing_and_confirm_imports_what_it_showed(curator_client, curator):
    stored = Brief.objects.get(pk=_import_one(article(day=1)).pk)
    changed_text = article(day=2).replace("steady growth", "slower growth")
    _import_one(article(day=2))
    files = [
        upload("new.txt", article(day=5)),
        upload("same.txt", stored.raw_text),
        upload("update.txt", changed_text),
        upload("empty.txt", "   \n"),
    ]
    before = Brief.objects.count()
    preview = preview_of(curator_client, {"files": files, "text": "", "status": "published"})
    assert preview.status_code == 200
    labels = [heading.get_text() for heading in page(preview).select(".import-row h2")]
    assert labels[:3] == ["new.txt — new", "same.txt — unchanged", "update.txt — update"]
    assert labels[3].startswith("empty.txt — failed: ")
    assert "Refinery output rises on day 5" in preview.content.decode()
    assert "Rare Earths\nSemiconductors" in preview.content.decode()
    assert Brief.objects.count() == before
    done = confirm(curator_client, preview)
    assert "1 new, 1 update, 1 unchanged, 1 failed" in done.content.decode()
    assert Brief.objects.count() == before + 1
    new = Brief.objects.get(title="Refinery output rises on day 5")
    assert sorted(topic.name for topic in new.topics.all()) == ["Rare Earths", "Semiconductors"]
    assert "slower growth" in Brief.objects.get(title="Refinery output rises on day 2").dek
    assert log_messages(curator, new) == [(ADDITION, "Imported.")]
    again = curator_client.post(preview.wsgi_request.path, form_values(preview))
    assert "This import was already confirmed." in again.content.decode()
    assert Brief.objects.count() == before + 1


def _import_one(text):
    from briefs.services.importing import brief_import

    return brief_import(raw_text=text, status="published").brief


def test_pasted_text_is_previewed_like_a_file(curator_client):
    preview = preview_of(curator_client, {"text": article(day=9), "status": "draft"})
    assert [h.get_text() for h in page(preview).select(".import-row h2")] == ["pasted text — new"]
    confirm(curator_client, preview)
    assert Brief.objects.get().status == "draft"


def test_import_refuses_big_files_other_types_and_an_empty_form_with_clear_errors(
    curator_client,
):
    big = SimpleUploadedFile("big.txt", b"a" * (2 * 1024 * 1024 + 1))
    files = [big, upload("notes.pdf", "x")]
    response = curator_client.post(IMPORT, {"files": files, "status": "published"})
    text = response.content.decode()
    assert "big.txt is 2.0\xa0MB; the limit is 2.0\xa0MB per file." in text
    assert "notes.pdf: only .txt, .html and .htm files can be imported." in text
    response = curator_client.post(IMPORT, {"text": "  ", "status": "published"})
    assert "Choose some .txt or .html files, paste the text of a brief or give an address." in (
        response.content.decode()
    )
    assert not Brief.objects.exists()


def test_import_refuses_more_than_a_hundred_files(curator_client):
    files = [upload(f"brief-{n}.txt", article(day=n % 28 + 1)) for n in range(101)]
    response = curator_client.post(IMPORT, {"files": files, "status": "published"})
    assert response.status_code == 400
    assert not Brief.objects.exists()


def test_curator_imports_five_files_merges_and_renames_and_old_feeds_keep_their_items(
    curator_client,
):
    files = [
        upload(f"brief-{day}.txt", article(topic_lines=topics, day=day))
        for day, topics in [
            (1, "Related Topics\n\nRare Earths\nSemiconductors"),
            (2, "Related Topics\n\nRare earth elements\nMagnets"),
            (3, "Related Topics\n\nMagnets"),
            (4, "Related Topics\n\nSemiconductors"),
            (5, "Related Topics\n\nRare Earths"),
        ]
    ]
    preview = preview_of(curator_client, {"files": files, "status": "published"})
    assert "Preview: 5 new." in preview.content.decode()
    confirm(curator_client, preview)
    assert Brief.objects.published().count() == 5

    keep = Topic.objects.get(name="Rare Earths")
    merged = Topic.objects.get(name="Rare earth elements")
    run_action(curator_client, TOPICS, "merge_topics", [keep, merged], apply="yes", keep=keep.pk)
    magnets = Topic.objects.get(name="Magnets")
    curator_client.post(f"{TOPICS}{magnets.pk}/change/", topic_form("Permanent Magnets"))

    def titles_at(url):
        response = curator_client.get(url, follow=True)
        assert response.redirect_chain[0][1] == 301
        return sorted(entry.title for entry in feedparser.parse(response.content).entries)

    day = "Refinery output rises on day {}".format
    assert titles_at("/topics/rare-earth-elements/feed/") == [day(1), day(2), day(5)]
    assert titles_at("/topics/magnets/feed/") == [day(2), day(3)]
    assert titles_at("/topics/magnets+rare-earth-elements/feed/") == [day(2)]
