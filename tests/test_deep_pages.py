"""Paging through a long list gives every brief or note once, newest first, on every page: the home
page, a source's page, an archive month, the public notes and the API (deep pages read their ids
first, issue 14)."""

import datetime as dt
import re

import pytest

from briefs.models import Brief
from tests.factories import make_brief, make_source

UTC = dt.timezone.utc


def _titles(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', response.content.decode())


@pytest.fixture
def wire(db):
    """45 published briefs of one source in March 2025, in pairs that share a moment (the
    id breaks the tie), and drafts in between that no list may show."""
    wire = make_source("Long Wire")
    start = dt.datetime(2025, 3, 1, tzinfo=UTC)
    for n in range(45):
        make_brief(f"Brief {n:02d}", source=wire, published_at=start + dt.timedelta(hours=n // 2))
        if n % 10 == 0:
            make_brief(f"Draft {n:02d}", source=wire, status="draft", published_at=start)
    return wire


@pytest.mark.parametrize("path", ["/", "/sources/long-wire/", "/archive/2025/03/"])
def test_every_page_of_a_long_list_continues_where_the_last_one_ended(client, wire, path):
    expected = list(
        Brief.objects.published().order_by("-published_at", "-id").values_list("title", flat=True)
    )
    seen = []
    for page in (1, 2, 3):
        seen += _titles(client, f"{path}?page={page}" if page > 1 else path)
    assert seen == expected
    assert client.get(f"{path}?page=4").status_code == 404


@pytest.fixture
def public_notes(db, user):
    from annotations.models import Annotation
    from tests.factories import make_annotation

    brief = make_brief("Annotated", body="First words here. " * 40)
    private = make_annotation(brief, user, "First", note="a private one")
    notes = [
        make_annotation(brief, user, "First", occurrence=n % 40, note=f"note {n:02d}",
                        visibility="public")
        for n in range(65)
    ]
    start = dt.datetime(2025, 4, 1, tzinfo=UTC)
    for n, note in enumerate(notes):  # pairs share a moment: the id breaks the tie
        Annotation.objects.filter(pk=note.pk).update(created_at=start + dt.timedelta(hours=n // 2))
    return private


def test_every_page_of_the_public_notes_continues_where_the_last_one_ended(client, public_notes):
    from annotations.models import Annotation

    expected = list(
        Annotation.objects.public().order_by("-created_at", "-id").values_list("note", flat=True)
    )
    assert len(expected) == 65 and "a private one" not in expected
    seen = []
    for page in (1, 2, 3):
        html = client.get(f"/annotations/?page={page}").content.decode()
        seen += [n for n in re.findall(r"note \d\d", html) if n not in seen]
    assert seen == expected
    api = []
    for page in (1, 2):
        document = client.get(f"/api/annotations/?page={page}").json()
        bodies = [item["body"] for item in document["items"]]
        api += [(body[0] if isinstance(body, list) else body)["value"] for body in bodies]
    assert api == expected


@pytest.mark.parametrize(
    "page", ["%EF%BC%92", "%D9%A2", "%202", "2_0", "+2", "last", "2.0", "0", "-1"]
)
@pytest.mark.parametrize("path", ["/", "/sources/long-wire/", "/archive/2025/03/"])
def test_a_page_number_is_plain_digits_or_the_page_does_not_exist(client, wire, path, page):
    assert client.get(f"{path}?page=2").status_code == 200
    assert client.get(f"{path}?page={page}").status_code == 404
