"""axe-core finds no accessibility violations on the main reading pages, light or dark."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from briefs.models import Brief

PAGES = {
    "home": "/",
    "brief": None,  # the newest brief, looked up once the archive exists
    "topic": "/topics/ports/",
    "combination": "/topics/ports+weather/",
    "search": "/search/?q=lighthouse",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_axe_violations(page, live_server, demo_archive, name, scheme):
    path = PAGES[name] or Brief.objects.published().first().get_absolute_url()
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server.url + path)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
