"""Odd input a visitor can type answers a page or a clear 4xx, never a 5xx (issue 15).

Unicode digits (``str.isdigit()`` accepts them, ``int()`` does not or reads them),
numbers past the database's integers, empty and NUL values, on every paginated page;
odd JSON bodies and addresses for the API, whose errors are always JSON, even for an
address no API view answers. tests/test_fuzz.py walks every URL pattern the same way.
"""

import json

import pytest

from tests.factories import make_annotation, make_brief, make_topic, make_user

pytestmark = pytest.mark.django_db

ODD_PAGES = ["²", "٣", "𝟘", "1²", "-1", "0", "", " ", "9" * 25, "9" * 5000, "%00", "1e3", "last"]
PAGINATED = [
    "/",
    "/annotations/",
    "/annotations/mine/",
    "/topics/",
    "/topics/rare-earths/",
    "/sources/",
    "/archive/2025/",
    "/archive/2025/07/",
    "/search/?q=magnets&",
    "/api/annotations/",
]


@pytest.fixture
def reader(client):
    rare = make_topic("Rare Earths")
    brief = make_brief("Magnets", topics=[rare], body="Magnets matter.\n\nChips too.")
    user = make_user()
    make_annotation(brief, user, "Magnets", visibility="public")
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", PAGINATED)
@pytest.mark.parametrize("page", ODD_PAGES, ids=lambda v: v if len(v) < 12 else f"{len(v)}-digits")
def test_an_odd_page_number_is_a_404_or_a_page_never_a_server_error(reader, url, page):
    joiner = "&" if "?" in url else "?"
    response = reader.get(f"{url}{joiner}page={page}")
    assert response.status_code in {200, 400, 404}, (url, page)
    if url.startswith("/api/") and response.status_code >= 400:
        assert json.loads(response.content)["status"] == response.status_code


@pytest.mark.parametrize("pk", ["9" * 20, "9" * 400, "0"], ids=["20-digits", "400-digits", "0"])
def test_an_annotation_id_past_the_database_integers_is_a_json_404(reader, pk):
    response = reader.get(f"/api/annotations/{pk}/")
    assert response.status_code == 404
    assert json.loads(response.content)["status"] == 404


@pytest.mark.parametrize("path", ["/api/annotations/²/", "/api/nothing/", "/api/annotations/x/"])
def test_an_unknown_api_address_answers_json_not_an_html_page(reader, path):
    response = reader.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"error": "No such address.", "status": 404}


def test_a_nul_in_an_api_address_answers_json_400(reader):
    response = reader.get("/api/annotations/?brief=%00")
    assert response.status_code == 400
    assert json.loads(response.content)["status"] == 400


def test_a_topic_filter_of_unicode_digits_or_a_huge_id_does_not_break_the_admin(client):
    from tests.factories import make_curator

    client.force_login(make_curator())
    for value in ("²", "9" * 30, "12345678901234567890"):
        response = client.get(f"/admin/briefs/brief/?topic={value}")
        assert response.status_code in {200, 302}, value


def test_the_source_add_form_renders_without_a_deprecation_fault(client):
    """Found by the route fuzz: the homepage field warned (an error under the suite)."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "pw"))
    assert client.get("/admin/briefs/source/add/").status_code == 200
