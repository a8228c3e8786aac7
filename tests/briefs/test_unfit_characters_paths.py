"""Invisible format characters (Unicode Cf) reach no stored brief, source or topic field,
whichever path writes it: an import, a saved page, the admin's forms, a service."""

import pytest

from briefs.importer.html import parse_html
from briefs.models import Brief, Source
from briefs.services.importing import brief_import_parsed
from briefs.services.sources import source_for_name
from tests.factories import make_brief

pytestmark = pytest.mark.django_db

ZW = "\u200b"  # zero-width space
RLM = "\u200f"  # right-to-left mark


def test_brief_validation_strips_every_text_field():
    brief = make_brief()
    brief.title, brief.dek = f"Bei{ZW}jing Talks", f"Dek{RLM}"
    brief.author, brief.image_caption = f"Jane{ZW} Doe", "\ufeffA caption"
    brief.body = "Soft\u00adhyphen and word\u2060joiner."

    brief.full_clean()

    assert (brief.title, brief.dek, brief.author, brief.image_caption) == (
        "Beijing Talks", "Dek", "Jane Doe", "A caption"
    )
    assert brief.body == "Softhyphen and wordjoiner."


def test_sources_found_by_name_ignore_invisible_characters():
    existing = Source.objects.create(name="Harbor Ledger")

    assert source_for_name(f"Harbor{ZW} Ledger") == existing
    assert source_for_name(f"{RLM}Meridian Wire").name == "Meridian Wire"


def test_admin_brief_form_saves_the_title_without_invisible_characters(curator_client):
    brief = make_brief("Plain Title")
    data = {
        "title": f"Plain{ZW} Title{RLM}", "slug": brief.slug, "status": "published",
        "dek": "", "body": brief.body, "author": "", "source": "",
        "published_at_0": "2025-07-01", "published_at_1": "10:00:00",
        "published_time_known": "on", "image_caption": "",
        "revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0",
        "revisions-MIN_NUM_FORMS": "0", "revisions-MAX_NUM_FORMS": "1000",
    }

    response = curator_client.post(f"/admin/briefs/brief/{brief.pk}/change/", data)

    assert response.status_code == 302, response.content[:2000]
    assert Brief.objects.get().title == "Plain Title"


def test_a_saved_page_with_invisibles_and_mojibake_is_stored_clean():
    page = (
        "<html><head><title>Caf\u00c3\u00a9 Owners Protest New Rules</title>"
        "<meta property='og:site_name' content='Harbour Gazette'></head><body><article>"
        f"<h1>Caf\u00c3\u00a9 Owners Protest New Rules</h1><p>Owners of the old{ZW} town's "
        "caf\u00c3\u00a9s say the new rules on terraces will cost them a summer of trade, "
        "and they plan to close for a day in protest next week.</p></article></body></html>"
    )
    parsed = parse_html(page)

    result = brief_import_parsed(parsed=parsed, raw_text=page)

    brief = result.brief
    assert brief.title == "Café Owners Protest New Rules"
    assert ZW not in brief.body and "cafés" in brief.body
    assert any(warning.startswith("mojibake repaired") for warning in result.warnings)
    assert brief.status == Brief.Status.DRAFT  # the page gives no date


def test_source_validation_strips_the_name():
    source = Source(name=f"Valley{ZW} Echo", slug="valley-echo")
    source.full_clean()
    assert source.name == "Valley Echo"
