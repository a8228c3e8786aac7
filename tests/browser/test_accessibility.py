"""axe-core finds no accessibility violations on the reading and account pages, light or dark."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from briefs.models import Brief
from tests.factories import make_user

PAGES = {
    "home": "/",
    "brief": None,  # the newest brief, looked up once the archive exists
    "topic": "/topics/ports/",
    "combination": "/topics/ports+weather/",
    "search": "/search/?q=lighthouse",
    "signup": "/accounts/signup/",
    "login": "/accounts/login/",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_axe_violations(page, live_server, demo_archive, name, scheme):
    path = PAGES[name] or Brief.objects.published().first().get_absolute_url()
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server.url + path)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_account_forms_with_errors_have_no_axe_violations(
    page, live_server, transactional_db, scheme
):
    """Sign-up with errors shown, and the password change of a signed-in reader."""
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_role("button", name="Create account").click()  # empty form: every field in error
    assert Axe().run(page).violations_count == 0

    make_user("keeper", password="lamp-oil-and-wicks-7")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("keeper")
    page.get_by_label("Password").fill("lamp-oil-and-wicks-7")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/")
    page.goto(live_server.url + "/accounts/password/change/")
    expect(page.locator("input[name=new_password1]")).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
