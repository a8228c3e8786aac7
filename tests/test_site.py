"""Site-wide plumbing: health check, URL names, migrations, admin access."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import resolve, reverse

from tests.factories import make_brief, make_source, make_topic


@pytest.mark.django_db
def test_healthz_answers_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_database_fails(client):
    with mock.patch("core.views.connection.cursor", side_effect=OSError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database unavailable"


@pytest.mark.parametrize(
    ("name", "kwargs", "path"),
    [
        ("healthz", {}, "/healthz"),
        ("briefs:home", {}, "/"),
        ("briefs:brief-detail", {"slug": "talks-resume"}, "/briefs/talks-resume/"),
        ("briefs:topic-detail", {"slugs": "rare-earths"}, "/topics/rare-earths/"),
        ("briefs:topic-detail", {"slugs": "rare-earths+chips"}, "/topics/rare-earths+chips/"),
        ("briefs:source-detail", {"slug": "clashreport"}, "/sources/clashreport/"),
    ],
)
def test_url_names_reverse_and_resolve_alike(name, kwargs, path):
    assert reverse(name, kwargs=kwargs) == path
    match = resolve(path)
    assert match.view_name == name
    assert match.kwargs == kwargs


@pytest.mark.django_db
def test_models_link_to_their_pages():
    topic = make_topic("Rare Earths")
    brief = make_brief("Magnets Move Again", topics=[topic], source=make_source("Wire"))
    assert brief.get_absolute_url() == "/briefs/magnets-move-again/"
    assert topic.get_absolute_url() == "/topics/rare-earths/"


@pytest.mark.django_db
def test_migrations_match_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_dev_superuser_is_created_once_and_can_log_in(client, capsys):
    call_command("ensure_dev_superuser")
    first = capsys.readouterr().out
    password = first.split("password: ")[1].split()[0]
    call_command("ensure_dev_superuser")
    second = capsys.readouterr().out

    assert "username: admin" in first
    assert "password:" not in second
    assert client.login(username="admin", password=password)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_admin_is_closed_to_anonymous_visitors(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
