"""Paging through a long list gives every brief once, newest first, on every page: the home
page, a source's page and an archive month (deep pages read their ids first, issue 14)."""

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
