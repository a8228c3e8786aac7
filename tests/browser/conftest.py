"""Browser tests drive Debian's Chromium (``/usr/bin/chromium``) against a live server.

Where Chromium is missing they are skipped with the reason, except in CI (``CI``
set), where a missing browser is a failure: CI installs it (.ci/run).
"""

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.factories import make_brief, make_source, make_topic

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Launch Debian's Chromium instead of a Playwright download."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs {CHROMIUM} for the browser tests; install the chromium package.")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium) and CI is not set.")
    return {"executable_path": str(CHROMIUM), "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1024, "height": 800}}


@pytest.fixture
def demo_archive(transactional_db):
    """Enough briefs for two pages of search results, over a few topics."""
    wire = make_source("Harbour Wire")
    ports = make_topic("Ports", description="Harbours, docks and the ships that use them.")
    weather = make_topic("Weather")
    labour = make_topic("Labour")
    start = dt.datetime(2025, 3, 1, 8, tzinfo=dt.timezone.utc)
    for number in range(24):
        make_brief(
            f"Tide report {number}: the lighthouse keeps watch",
            dek="Notes from the quay.",
            body=f"The lighthouse on the north pier logged {number} ships.\n\nCalm seas followed.",
            source=wire,
            topics=[ports, weather] if number % 2 else [ports],
            published_at=start + dt.timedelta(hours=number),
        )
    make_brief(
        "Dockers vote on a new contract",
        body="Dockers at the main terminal vote on Friday.",
        source=wire,
        topics=[ports, labour],
        published_at=start + dt.timedelta(days=3),
    )
    return {"ports": ports, "weather": weather, "labour": labour}
