"""Every reading page is valid HTML5 according to the Nu HTML checker (npm ``vnu-jar``).

The checker is a Java program: the jar is fetched once from the npm registry into
``.cache/vnu`` (git-ignored; ``make vnu`` does the same). Without Java or npm the
test is skipped with the reason, except in CI, where it must run.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import make_brief, make_source, make_topic

VNU_VERSION = "26.9.27"
VNU_DIR = Path(settings.BASE_DIR) / ".cache" / "vnu"
VNU_JAR = VNU_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _unavailable(reason):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the HTML checker)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def vnu():
    """The command that runs the Nu checker, fetching the jar on first use."""
    java = shutil.which("java")
    if not java:
        _unavailable("Java is not installed, so the Nu HTML checker cannot run")
    if not VNU_JAR.exists():
        npm = shutil.which("npm")
        if not npm:
            _unavailable(f"npm is not installed to fetch vnu-jar (or place it at {VNU_JAR})")
        result = subprocess.run(
            [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(VNU_DIR),
             f"vnu-jar@{VNU_VERSION}"],
            capture_output=True, text=True, timeout=600,
        )
        if result.returncode or not VNU_JAR.exists():
            _unavailable(f"could not fetch vnu-jar from npm: {result.stderr.strip()[-500:]}")
    return [java, "-jar", str(VNU_JAR)]


@pytest.fixture
def pages(db):
    """The URLs of one of each reading page, over a small archive."""
    source = make_source("Valley Courier")
    rivers = make_topic("Rivers", description="Floods, bridges and water levels.")
    towns = make_topic("Towns")
    brief = make_brief(
        "River Rises After Rain",
        dek="Bridges stay open.",
        author="Sam Writer",
        body="The river rose a metre overnight.\n\nWhat Happens Next\n\nCrews watch the banks.",
        source=source,
        topics=[rivers, towns],
    )
    make_brief("Town Hall Repainted", topics=[towns], source=source, published_time_known=False)
    from tests.factories import make_annotation, make_user

    make_annotation(brief, make_user("walker"), "rose a metre", note="High.", visibility="public")
    from tests.factories import make_story

    # A second outlet's version: lists fold it into a story card and offer the switch.
    other = make_brief("River Rises Overnight", source=make_source("Hill Gazette"), topics=[rivers])
    story = make_story(briefs=[brief, other], title="River rises")
    month = brief.published_at.strftime("%Y/%m")
    return [
        "/",
        "/?versions=all",
        "/stories/",
        story.get_absolute_url(),
        brief.get_absolute_url(),
        "/topics/",
        "/topics/?sort=count",
        "/topics/rivers/",
        "/topics/rivers+towns/",
        f"/topics/rivers/?month={month.replace('/', '-')}",
        "/annotations/",
        "/users/walker/",
        f"/briefs/{brief.slug}/notes/",
        "/accounts/password/reset/",
        "/accounts/password/reset/sent/",
        "/accounts/logout/",
        "/sources/",
        source.get_absolute_url(),
        "/archive/",
        f"/archive/{month[:4]}/",
        f"/archive/{month}/",
        "/search/",
        "/search/?q=",
        "/search/?q=river&topic=towns",
        "/search/?q=zeppelin",
    ]


def test_reading_pages_are_valid_html5(client, pages, vnu, tmp_path):
    urls = {}
    for number, url in enumerate(pages):
        response = client.get(url)
        assert response.status_code == 200, url
        (tmp_path / f"page{number}.html").write_bytes(response.content)
        urls[f"page{number}.html"] = url
    result = subprocess.run(
        [*vnu, "--errors-only", "--format", "json", *sorted(map(str, tmp_path.iterdir()))],
        capture_output=True, text=True, timeout=300,
    )
    # The checker reports on stderr as JSON; anything else means it did not run.
    messages = json.loads(result.stderr)["messages"]
    assert result.returncode == (1 if messages else 0), result.stderr
    problems = [
        f"{urls.get(m.get('url', '').rsplit('/', 1)[-1])} line {m.get('lastLine')}: {m['message']}"
        for m in messages
    ]
    assert problems == []
