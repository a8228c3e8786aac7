"""Driving the admin import as a curator's browser does: post the form, read the preview."""

from bs4 import BeautifulSoup

IMPORT = "/admin/briefs/brief/import/"


def preview_of(client, data):
    """Post the import form; the run's page it redirects to (tasks run at once in tests)."""
    response = client.post(IMPORT, data)
    assert response.status_code == 302, response.content[:800]
    return client.get(response["Location"])


def form_values(response):
    """The preview's form as a browser would post it, unchanged."""
    form = BeautifulSoup(response.content, "html.parser").select_one("form#import-preview")
    values = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    values.update({area["name"]: area.get_text() for area in form.select("textarea[name]")})
    return values
