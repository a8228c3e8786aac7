"""Who may read, edit and delete which annotation: owner / other / anonymous / staff ×
private / public, through the API and on the brief page."""

import json

import pytest
from django.test import Client
from django.utils.crypto import get_random_string

from annotations.models import Annotation
from tests.factories import make_annotation, make_brief, make_user

pytestmark = pytest.mark.django_db

BODY = "Ministers met in Geneva on Sunday.\n\nNo agreement on fishing quotas was reached."
QUOTE = "fishing quotas"

# (who, visibility) -> (read, edit, delete) status codes
MATRIX = {
    ("owner", "private"): (200, 200, 204),
    ("owner", "public"): (200, 200, 204),
    ("other", "private"): (404, 404, 404),
    ("other", "public"): (200, 403, 403),
    ("anonymous", "private"): (404, 401, 401),
    ("anonymous", "public"): (200, 401, 401),
    ("staff", "private"): (404, 404, 404),
    ("staff", "public"): (200, 403, 403),
}


def _client(who, owner):
    client = Client(enforce_csrf_checks=True)
    client.token = get_random_string(32)
    client.cookies["csrftoken"] = client.token
    if who == "owner":
        client.force_login(owner)
    elif who == "other":
        client.force_login(make_user())
    elif who == "staff":
        client.force_login(make_user(is_staff=True))
    return client


@pytest.mark.parametrize(("who", "visibility"), list(MATRIX))
def test_permission_matrix(who, visibility):
    owner = make_user()
    brief = make_brief(body=BODY)
    annotation = make_annotation(brief, owner, QUOTE, note="the note", visibility=visibility)
    client = _client(who, owner)
    url = f"/api/annotations/{annotation.pk}/"
    read, edit, delete = MATRIX[who, visibility]

    assert client.get(url).status_code == read
    page = client.get(brief.get_absolute_url()).content.decode()
    assert (f'id="annotation-{annotation.pk}"' in page) == (read == 200)
    assert ("the note" in page) == (read == 200)

    response = client.patch(
        url,
        data=json.dumps({"body": {"type": "TextualBody", "value": "changed"}}),
        content_type="application/ld+json",
        HTTP_X_CSRFTOKEN=client.token,
    )
    assert response.status_code == edit
    annotation.refresh_from_db()
    assert (annotation.note == "changed") == (edit == 200)

    response = client.delete(url, HTTP_X_CSRFTOKEN=client.token)
    assert response.status_code == delete
    assert Annotation.objects.filter(pk=annotation.pk).exists() == (delete != 204)


def test_private_annotation_is_counted_for_nobody_but_its_owner(client):
    owner = make_user()
    brief = make_brief(body=BODY)
    make_annotation(brief, owner, QUOTE, note="mine alone")
    page = client.get(brief.get_absolute_url()).content.decode()
    assert "No notes on this brief yet." in page
    assert "mine alone" not in page
    assert client.get("/annotations/").content.decode().count("mine alone") == 0
