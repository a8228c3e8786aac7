"""One topic per name: Unicode case-insensitive, blind to invisible characters, and old
names and slugs of renamed or merged topics lead to the current topic on every path."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from briefs.models import Topic
from briefs.services.importing import brief_import
from briefs.services.topics import (
    topic_create,
    topic_merge,
    topic_rename,
    topics_for_names,
)
from tests.factories import make_brief, make_topic, make_topic_slug_redirect

pytestmark = pytest.mark.django_db

ARTICLE = """Solar Farms Spread Across The Plains

Developers filed a record number of permits this summer.

By Lena Vogt, Prairie Post

July 22, 2025

Permits for solar farms doubled compared with last year, the state agency said.

Tags: {tags}
"""


def imported_topics(tags, **changes):
    text = ARTICLE.format(tags=tags)
    for old, new in changes.items():
        text = text.replace(old, new)
    result = brief_import(raw_text=text)
    assert not result.failed, result.reason
    return [topic.name for topic in result.brief.topic_list]


@pytest.mark.parametrize(
    ("stored", "listed"),
    [
        ("Énergie Solaire", "énergie solaire"),
        ("ÉNERGIE SOLAIRE", "Énergie Solaire"),
        ("Σεισμοί", "ΣΕΙΣΜΟΊ"),  # Greek, with its accented capital
        ("Σεισμός", "ΣΕΙΣΜΌΣ"),  # final sigma folds like the capital
        ("Москва", "МОСКВА"),
        ("Straße", "STRASSE"),
        ("Mining", "Mining\u200f"),  # a right-to-left mark copied from a page
        ("Mining", "Mi\u00adning"),  # a soft hyphen
    ],
)
def test_names_differing_in_case_or_invisibles_are_one_topic(stored, listed):
    topic = make_topic(stored)

    assert topics_for_names([listed]) == [topic]
    assert Topic.objects.count() == 1


def test_the_database_enforces_one_topic_per_name_key():
    make_topic("Énergie Solaire")
    with pytest.raises(IntegrityError), transaction.atomic():
        Topic.objects.create(name="énergie solaire", slug="energie-solaire-x")


def test_a_new_topic_keeps_its_spelling_without_invisible_characters():
    (topic,) = topics_for_names(["Bei\u200bjing  Talks"])
    assert topic.name == "Beijing Talks" and topic.name_key == "beijing talks"


def test_topic_create_refuses_a_unicode_case_variant():
    make_topic("Énergie Solaire")
    with pytest.raises(ValidationError) as error:
        topic_create(name="ÉNERGIE SOLAIRE")
    assert "already exists" in str(error.value)


def test_topic_create_strips_invisible_characters():
    topic = topic_create(name="\ufeffRare\u2060 Earths")
    assert topic.name == "Rare Earths"


def test_import_after_a_rename_finds_the_renamed_topic_and_the_old_url_redirects(client):
    topic = make_topic("Solar Power")
    make_brief(topics=[topic])
    topic_rename(topic=topic, name="Solar Energy")

    names = imported_topics("Solar Power, Permits")

    assert names == ["Permits", "Solar Energy"]
    assert not Topic.objects.filter(name="Solar Power").exists()
    response = client.get("/topics/solar-power/")
    assert response.status_code == 301 and response["Location"].endswith("/topics/solar-energy/")


def test_import_after_a_merge_finds_the_kept_topic_by_any_merged_name(client):
    keep, merged = make_topic("Photovoltaics"), make_topic("Solar Panels")
    make_brief(topics=[merged])
    topic_merge(keep=keep, merge=[merged])

    names = imported_topics("SOLAR PANELS")

    assert names == ["Photovoltaics"]
    assert client.get("/topics/solar-panels/").status_code == 301


def test_a_redirect_recorded_before_old_names_were_kept_is_found_by_its_slug():
    topic = make_topic("Critical Minerals")
    make_topic_slug_redirect(old_slug="rare-earths", topic=topic)

    assert topics_for_names(["Rare Earths"]) == [topic]


def test_renaming_back_to_an_old_name_is_allowed_but_another_topic_may_not_take_it():
    topic = make_topic("Solar Power")
    topic_rename(topic=topic, name="Solar Energy")

    with pytest.raises(ValidationError) as error:
        topic_create(name="solar power")
    assert "old name of “Solar Energy”" in str(error.value)
    topic_rename(topic=topic, name="Solar Power")
    assert Topic.objects.get().slug == "solar-power"


def test_the_admin_add_form_refuses_an_old_name_of_another_topic(curator_client):
    topic = make_topic("Solar Power")
    topic_rename(topic=topic, name="Solar Energy")

    response = curator_client.post(
        "/admin/briefs/topic/add/", {"name": "Solar Power", "slug": "", "description": "",
                                     "old_slugs-TOTAL_FORMS": "0",
                                     "old_slugs-INITIAL_FORMS": "0"}
    )

    assert response.status_code == 200
    assert "is an old name of" in response.content.decode()
    assert Topic.objects.count() == 1


def test_admin_add_form_stores_a_name_without_invisible_characters(curator_client):
    curator_client.post(
        "/admin/briefs/topic/add/", {"name": "Wind\u200d Power", "slug": "", "description": "",
                                     "old_slugs-TOTAL_FORMS": "0",
                                     "old_slugs-INITIAL_FORMS": "0"}
    )
    assert list(Topic.objects.values_list("name", flat=True)) == ["Wind Power"]


def test_mojibake_in_imported_topic_names_is_repaired_with_a_warning():
    result = brief_import(raw_text=ARTICLE.format(tags="CafÃ© Culture, Ã‰nergie"))

    assert [t.name for t in result.brief.topic_list] == ["Café Culture", "Énergie"]
    assert any(warning.startswith("mojibake repaired") for warning in result.warnings)


def test_topics_beyond_the_cap_are_dropped_with_a_warning(settings, monkeypatch):
    from briefs.services import importing

    monkeypatch.setattr(importing, "IMPORT_MAX_TOPICS_PER_BRIEF", 3)
    result = brief_import(raw_text=ARTICLE.format(tags="A1, B2, C3, D4, E5"))

    assert sorted(t.name for t in result.brief.topic_list) == ["A1", "B2", "C3"]
    assert any("2 topics beyond the first 3 dropped: 'D4', 'E5'" in w for w in result.warnings)
