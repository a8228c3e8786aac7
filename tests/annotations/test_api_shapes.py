"""Every field of a W3C annotation sent to the API, in every JSON shape, is answered with
a JSON status and message: never a 500 (``motivation: []`` used to be a TypeError).

Each top-level field and each field of the body and selectors is replaced by a list, an
object, a number, a boolean, null or an odd string, on POST, PUT and PATCH.
"""

import copy
import json

import pytest

from tests.annotations.test_api import BODY, QUOTE, _payload
from tests.factories import make_annotation, make_brief

pytestmark = pytest.mark.django_db


ODD_VALUES = [
    [],
    ["commenting"],
    [{"type": "TextualBody"}],
    {},
    {"type": "TextualBody", "value": "x"},
    0,
    -1,
    1.5,
    10**30,
    True,
    False,
    None,
    "",
    "commenting",
    "x" * 300,
    "\x00",
    "a\u200bb",
    "http://testserver/api/annotations/99999999999999999999999/",
]

# Paths into the document: a field of the annotation, its body, its target or a selector.
FIELDS = [
    ("type",),
    ("motivation",),
    ("body",),
    ("bodyValue",),
    ("visibility",),
    ("group",),
    ("target",),
    ("body", "type"),
    ("body", "value"),
    ("body", "format"),
    ("body", "purpose"),
    ("target", "source"),
    ("target", "selector"),
    ("target", "id"),
    ("target", "selector", 0),
    ("target", "selector", 0, "type"),
    ("target", "selector", 0, "exact"),
    ("target", "selector", 0, "prefix"),
    ("target", "selector", 0, "suffix"),
    ("target", "selector", 1, "type"),
    ("target", "selector", 1, "start"),
    ("target", "selector", 1, "end"),
]


def _document(brief):
    return _payload(brief, note="A note.", visibility="private")


def _with(document, path, value):
    changed = copy.deepcopy(document)
    place = changed
    for step in path[:-1]:
        place = place[step]
    place[path[-1]] = value
    return changed


def _answered(response):
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"]


@pytest.mark.parametrize("path", FIELDS, ids=lambda path: "/".join(map(str, path)))
@pytest.mark.parametrize("value", ODD_VALUES, ids=lambda value: repr(value)[:24])
def test_any_shape_of_any_field_is_answered_without_a_server_error(client, user, path, value):
    brief = make_brief("Dock strike", body=BODY)
    note = make_annotation(brief, user, QUOTE, note="Mine.")
    client.force_login(user)
    document = _with(_document(brief), path, value)
    for method, url in (
        ("post", "/api/annotations/"),
        ("put", f"/api/annotations/{note.pk}/"),
        ("patch", f"/api/annotations/{note.pk}/"),
    ):
        response = getattr(client, method)(
            url, data=json.dumps(document), content_type="application/ld+json"
        )
        _answered(response)


@pytest.mark.parametrize("value", [[], ["commenting"], {}, {"a": 1}, 3, True, "Commenting"])
def test_a_motivation_that_is_not_a_string_is_a_400(client, user, value):
    brief = make_brief("Dock strike", body=BODY)
    client.force_login(user)
    document = _with(_document(brief), ("motivation",), value)
    response = client.post(
        "/api/annotations/", data=json.dumps(document), content_type="application/ld+json"
    )
    assert response.status_code == 400
    assert "motivation" in response.json()["error"]
