"""Limits come from config/limits.py alone: forms and scripts read them from there, and no
app module slices or pages by a bare number."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.template import Context, Template

from config import limits
from tests.factories import make_annotation, make_brief, make_user

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "annotations", "briefs", "config", "core")
# `[:40]` on a value; `[:1]`-style single digits (first character, first two parts) are
# structure, not limits, and `hexdigest()[:N]` is a cache key's format.
NUMERIC_SLICE = re.compile(r"(?<!hexdigest\(\))\[\s*:\s*[0-9]{2,}[0-9_]*\s*\]")
NUMERIC_PAGE_SIZE = re.compile(r"\b(?:paginate_by|list_per_page|per_page)\s*=\s*[0-9]")


def _soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def _app_sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _offences(pattern):
    found = []
    for path in _app_sources():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if pattern.search(code):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_app_code_slices_by_named_limits_not_bare_numbers():
    assert _offences(NUMERIC_SLICE) == []


def test_app_code_pages_by_named_limits_not_bare_numbers():
    assert _offences(NUMERIC_PAGE_SIZE) == []


def test_templates_and_scripts_take_maxlength_from_the_limits():
    literal = re.compile(r"""maxlength\s*=\s*["']?[0-9]""", re.IGNORECASE)
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder, suffix in (("templates", "*.html"), ("static", "*.js"))
        for path in sorted((ROOT / folder).rglob(suffix))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if literal.search(line)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("line", "caught"),
    [
        ('q = request.GET.get("q", "")[:200]', True),
        ("names = tags.values_list('name')[: 50]", True),
        ("first = word[:1]", False),
        ("key = hashlib.sha256(data).hexdigest()[:40]", False),
        ("sample = rows[:NARROW_DOWN_SAMPLE]", False),
    ],
)
def test_the_slice_scan_tells_numbers_from_names(line, caught):
    assert bool(NUMERIC_SLICE.search(line)) is caught


def test_limit_tag_reads_config_limits_and_refuses_unknown_names():
    template = Template('{% load limits %}{% limit "SEARCH_QUERY_MAX_LENGTH" %}')
    assert template.render(Context()) == str(limits.SEARCH_QUERY_MAX_LENGTH)
    with pytest.raises(AttributeError):
        Template('{% load limits %}{% limit "NO_SUCH_LIMIT" %}').render(Context())


@pytest.mark.django_db
def test_forms_bound_their_fields_by_the_limits_the_server_enforces(client):
    reader, writer = make_user(), make_user()
    brief = make_brief(body="First paragraph here.\n\nSecond one.")
    make_annotation(brief, writer, note="Shared", visibility="public")
    client.force_login(reader)

    page = _soup(client.get(brief.get_absolute_url()))
    assert page.find(id="site-search-q")["maxlength"] == str(limits.SEARCH_QUERY_MAX_LENGTH)
    assert page.find(attrs={"data-annotate": True})["data-note-max-length"] == str(
        limits.ANNOTATION_NOTE_MAX_LENGTH
    )
    reply = page.select_one("form.reply-form textarea[name=note]")
    assert reply["maxlength"] == str(limits.ANNOTATION_NOTE_MAX_LENGTH)
    flag = page.select_one("form.note-flag-form input[name=reason]")
    assert flag["maxlength"] == str(limits.FLAG_REASON_MAX_LENGTH)

    search = _soup(client.get("/search/?q=paragraph"))
    assert search.find(id="search-q")["maxlength"] == str(limits.SEARCH_QUERY_MAX_LENGTH)
    mine = _soup(client.get("/annotations/mine/"))
    assert mine.find(id="notes-q")["maxlength"] == str(limits.SEARCH_QUERY_MAX_LENGTH)
    assert mine.find(id="notes-tag")["maxlength"] == str(limits.NOTE_TAG_MAX_LENGTH)
    account = _soup(client.get("/annotations/account/"))
    assert account.find(id="token-name")["maxlength"] == str(limits.API_TOKEN_NAME_MAX_LENGTH)
    groups = _soup(client.get("/annotations/groups/"))
    assert groups.find(id="group-name")["maxlength"] == str(limits.GROUP_NAME_MAX_LENGTH)
    assert groups.find(id="group-description")["maxlength"] == str(
        limits.GROUP_DESCRIPTION_MAX_LENGTH
    )
    response = client.get("/no-such-page/")  # the 404 page's search box
    assert response.status_code == 404
    missing = BeautifulSoup(response.content, "html.parser")
    assert missing.find(id="not-found-q")["maxlength"] == str(limits.SEARCH_QUERY_MAX_LENGTH)
