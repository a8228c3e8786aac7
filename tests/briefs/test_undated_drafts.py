"""A brief without a usable date is a draft: stored, shown to curators, never to readers.

An import is never refused for its date layout: undated, dated more than a day ahead, or
dated relatively with nothing to count from, the brief is saved as a draft with a
warning saying why, and the curator sets the date.
"""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from briefs.models import Brief
from briefs.services.briefs import brief_as_text
from briefs.services.importing import brief_import
from tests.conftest import read_feed
from tests.factories import make_brief

pytestmark = pytest.mark.django_db

UTC = dt.timezone.utc
REFERENCE = dt.datetime(2025, 9, 1, 12, tzinfo=UTC)

UNDATED = """Harbour Cranes Get A Second Life

The port is refitting its oldest cranes instead of scrapping them.

By Ana Ribeiro, Harbour Gazette

The refit costs a third of a new crane and takes six weeks per machine.

Dock workers say the refitted cranes are quieter than the new ones.

Tags: Ports, Recycling
"""


def dated(line):
    return UNDATED.replace("By Ana Ribeiro", f"{line}\n\nBy Ana Ribeiro")


def test_the_database_refuses_a_published_brief_without_a_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        Brief.objects.create(title="No Date", body="Text.", published_at=None)


def test_a_draft_may_wait_without_a_date_but_validation_asks_for_one_before_publishing():
    draft = Brief.objects.create(title="No Date", body="Text.", published_at=None, status="draft")
    assert draft.published_at is None

    draft.status = Brief.Status.PUBLISHED
    with pytest.raises(ValidationError) as error:
        draft.full_clean()
    assert "published_at" in error.value.message_dict


def test_undated_drafts_sort_first_on_every_database():
    older = make_brief(published_at=dt.datetime(2025, 1, 1, tzinfo=UTC))
    newer = make_brief(published_at=dt.datetime(2025, 6, 1, tzinfo=UTC))
    undated = Brief.objects.create(title="Undated", body="Text.", status="draft")

    assert list(Brief.objects.all()) == [undated, newer, older]


def test_undated_text_is_saved_as_a_draft_with_a_warning_not_refused():
    result = brief_import(raw_text=UNDATED, reference=REFERENCE)

    brief = Brief.objects.get()
    assert result.action == "created"
    assert brief.status == Brief.Status.DRAFT and brief.published_at is None
    assert brief.title == "Harbour Cranes Get A Second Life"
    assert brief.author == "Ana Ribeiro" and brief.source.name == "Harbour Gazette"
    assert result.review_reasons == ["undated"]
    assert any(w.startswith("saved as a draft") and "no usable publication date" in w
               for w in result.warnings)


def test_a_date_more_than_a_day_ahead_makes_a_draft():
    result = brief_import(raw_text=dated("July 28, 2052"), reference=REFERENCE)

    brief = Brief.objects.get()
    assert brief.status == Brief.Status.DRAFT
    assert brief.published_at == dt.datetime(2052, 7, 28, tzinfo=UTC)
    assert result.review_reasons == ["future-date"]


def test_a_date_within_a_day_of_the_reference_is_published():
    brief_import(raw_text=dated("September 2, 2025"), reference=REFERENCE)
    assert Brief.objects.get().status == Brief.Status.PUBLISHED


def test_relative_dates_count_back_from_the_reference_time():
    brief_import(raw_text=dated("3 hours ago"), reference=REFERENCE)

    brief = Brief.objects.get()
    assert brief.status == Brief.Status.PUBLISHED
    assert brief.published_at == REFERENCE - dt.timedelta(hours=3)


def test_without_a_reference_the_import_counts_from_now():
    brief_import(raw_text=dated("2 days ago"))

    brief = Brief.objects.get()
    today = dt.datetime.now(UTC).date()
    assert brief.published_at.date() == today - dt.timedelta(days=2)


def test_an_undated_copy_of_a_dated_brief_keeps_the_stored_date_and_status():
    brief_import(raw_text=dated("August 30, 2025"), reference=REFERENCE)
    corrected = UNDATED.replace("six weeks", "seven weeks")

    result = brief_import(raw_text=corrected, reference=REFERENCE)

    brief = Brief.objects.get()
    assert result.action == "updated"
    assert brief.published_at == dt.datetime(2025, 8, 30, tzinfo=UTC)
    assert brief.status == Brief.Status.PUBLISHED and "seven weeks" in brief.body
    assert any("date" in w and "kept" in w for w in result.warnings)


def test_drafts_without_a_date_stay_out_of_pages_and_feeds(client):
    make_brief("Dated And Published")
    brief_import(raw_text=UNDATED, reference=REFERENCE)

    home = client.get("/").content.decode()
    feed = read_feed(client, "/feed/")
    assert "Dated And Published" in home and "Harbour Cranes" not in home
    assert [entry.title for entry in feed.entries] == ["Dated And Published"]
    assert client.get(Brief.objects.get(status="draft").get_absolute_url()).status_code == 404


def test_curators_list_edit_and_export_undated_drafts_in_the_admin(curator_client):
    brief_import(raw_text=UNDATED, reference=REFERENCE)
    draft = Brief.objects.get()

    listing = curator_client.get("/admin/briefs/brief/")
    change = curator_client.get(f"/admin/briefs/brief/{draft.pk}/change/")

    assert listing.status_code == 200 and change.status_code == 200
    rows = BeautifulSoup(listing.content, "html.parser").select("#result_list tbody tr")
    assert "Harbour Cranes Get A Second Life" in rows[0].get_text()
    draft.raw_text = ""
    assert brief_as_text(draft).startswith("Harbour Cranes Get A Second Life")


def test_publishing_an_undated_draft_in_the_admin_asks_for_a_date(curator_client):
    brief_import(raw_text=UNDATED, reference=REFERENCE)
    draft = Brief.objects.get()
    form = curator_client.get(f"/admin/briefs/brief/{draft.pk}/change/")
    soup = BeautifulSoup(form.content, "html.parser")
    data = {
        field["name"]: field.get("value", "")
        for field in soup.select("form#brief_form input[name]")
        if field.get("type") not in ("checkbox", "submit", "file")
    }
    for area in soup.select("form#brief_form textarea[name]"):
        data[area["name"]] = area.get_text()
    data.update({"status": "published", "published_at_0": "", "published_at_1": ""})

    response = curator_client.post(f"/admin/briefs/brief/{draft.pk}/change/", data)

    assert response.status_code == 200
    assert "A published brief needs a publication date" in response.content.decode()
    assert Brief.objects.get().status == Brief.Status.DRAFT


def test_the_publish_action_leaves_undated_drafts_as_drafts_and_says_so(curator_client):
    brief_import(raw_text=UNDATED, reference=REFERENCE)
    dated_draft = make_brief("Dated Draft", status="draft")
    undated = Brief.objects.get(published_at__isnull=True)

    response = curator_client.post(
        "/admin/briefs/brief/",
        {"action": "publish", "_selected_action": [undated.pk, dated_draft.pk]},
        follow=True,
    )

    text = response.content.decode()
    assert "Published 1 brief(s)." in text
    assert "1 brief(s) without a publication date stay drafts" in text
    assert Brief.objects.get(pk=undated.pk).status == Brief.Status.DRAFT
    assert Brief.objects.get(pk=dated_draft.pk).status == Brief.Status.PUBLISHED
