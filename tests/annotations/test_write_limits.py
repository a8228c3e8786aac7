"""Every note write is rate-limited, and the limit holds across worker processes (issue 15).

Create, edit, visibility flip and delete all count against one per-user budget; the
counter lives in the shared cache, so two processes (two gunicorn workers, two servers)
with their own cache clients on one Redis count together.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from annotations.models import Annotation
from config.limits import ANNOTATION_WRITES_PER_MINUTE
from tests.factories import make_annotation, make_brief, make_user

ROOT = Path(__file__).resolve().parents[2]
BODY = "Magnets matter.\n\nChips too."


@pytest.fixture
def author(client, db, pinned_rate_clock):
    user = make_user()
    brief = make_brief("Magnets", body=BODY)
    note = make_annotation(brief, user, "Magnets", note="First.")
    client.force_login(user)
    return client, note


def _write(client, kind, note):
    url = f"/api/annotations/{note.pk}/"
    bodies = {
        "edit": ("patch", {"bodyValue": "Edited."}),
        "flip": ("patch", {"visibility": "public"}),
        "replace": ("put", {"bodyValue": "Replaced.", "visibility": "private"}),
        "delete": ("delete", None),
    }
    method, document = bodies[kind]
    data = json.dumps(document) if document is not None else ""
    return getattr(client, method)(url, data, content_type="application/ld+json")


@pytest.mark.parametrize("kind", ["edit", "flip", "replace", "delete"])
def test_every_kind_of_note_write_counts_against_the_limit(author, kind):
    client, note = author
    for _ in range(ANNOTATION_WRITES_PER_MINUTE):
        assert _write(client, "edit", note).status_code == 200
    response = _write(client, kind, note)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert int(response["Retry-After"]) > 0
    assert Annotation.objects.filter(pk=note.pk).exists()


# --- Two processes, one Redis ---------------------------------------------------------------

HITS_PER_PROCESS = 45  # two processes: 90 attempts against a limit of 60

COUNTER = """
import django, os, sys
django.setup()
from core.ratelimit import rate_limit_hit
allowed = sum(
    1 for _ in range({hits})
    if not rate_limit_hit(scope="annotation-write", who="user:7", rate="{rate}")
)
print(allowed)
"""


@pytest.fixture
def redis_url():
    server = shutil.which("redis-server")
    if not server:
        if os.environ.get("CI"):
            pytest.fail("redis-server is needed for the shared rate limit test")
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    workdir = tempfile.mkdtemp()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", workdir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def test_two_processes_with_their_own_cache_clients_share_one_counter(redis_url):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "REDIS_URL": redis_url,
    }
    # A day's window, so the two runs cannot straddle a window's edge.
    script = COUNTER.format(hits=HITS_PER_PROCESS, rate=f"{ANNOTATION_WRITES_PER_MINUTE}/d")
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]
    allowed = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        allowed.append(int(out.strip().splitlines()[-1]))
    # Counted apart, each would let all 45 through (90); counted together, exactly 60 pass.
    assert sum(allowed) == ANNOTATION_WRITES_PER_MINUTE, allowed


def test_with_the_local_memory_default_production_is_warned_that_limits_are_per_process():
    from core.checks import shared_cache_is_configured

    warnings = shared_cache_is_configured(environ={"GUNICORN_WORKERS": "3"})
    assert [warning.id for warning in warnings] == ["core.W002"]
    assert shared_cache_is_configured(environ={"REDIS_URL": "redis://cache:6379/0"}) == []
