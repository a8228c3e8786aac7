"""Shared fixtures for the whole suite (row factories live in tests/factories.py)."""

import time

import feedparser
import pytest
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from tests.factories import make_curator, make_user

# Fixtures other modules define: a real SMTP server (tests/accounts/smtp.py).
pytest_plugins = ["tests.accounts.smtp"]


def read_feed(client, url, **headers):
    """Fetch ``url`` and parse it as a feed reader would; it must parse without complaint."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content[:300]
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


# Modules whose tests are slow by nature: corpora, fuzzing, the HTML validator, the bench
# smoke run; browser tests are slow too. `make test` runs them all; `make test-fast` not.
SLOW_MODULES = {
    "test_anchoring_corpus.py",
    "test_anchoring_properties.py",
    "test_importer_properties.py",
    "test_fuzz.py",
    "test_html_validity.py",
    "test_bench.py",
}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.name in SLOW_MODULES or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def user(db):
    return make_user()


@pytest.fixture
def other_user(db):
    return make_user()


@pytest.fixture
def curator(db):
    return make_curator()


@pytest.fixture
def curator_client(client, curator):
    """A test client signed in as ``curator``."""
    client.force_login(curator)
    return client


@pytest.fixture(autouse=True)
def _derived_tables_match_the_data(request):
    """A test on a committed database (``transactional_db``, ``live_server``) starts with
    the derived tables (topic counts, public note counts, the story index) rebuilt.

    Django empties only the tables of managed models after such a test, so those tables,
    which the database's triggers keep (``managed = False``), keep the last test's rows;
    on SQLite its DELETEs even run the triggers and leave negative counts. A later test
    whose topic or brief got one of those ids (a restored backup, a reset sequence) then
    found its topic hidden (a 404) or a draft-only topic listed, depending on the order
    the tests ran in: a flaky failure seen under pytest-xdist.
    """
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        from briefs.backup import refill_derived

        request.getfixturevalue("transactional_db")
        refill_derived()


@receiver(post_migrate)
def _derived_tables_match_a_flushed_database(sender, **kwargs):
    """After a test on a committed database, Django flushes it and sends ``post_migrate``
    (without a ``plan``, which only ``migrate`` passes): rebuild the derived tables then too.

    The flush empties only the managed tables, and on SQLite its DELETEs run the triggers
    in whatever order the tables come, while the sequences restart at 1: the tests after it
    (each in a transaction, ids from 1 again) could find a count row of an earlier test's
    topic under their new topic's id and the topic hidden (``UnknownTopic``, a 404), in an
    order pytest-xdist produces only now and then.
    """
    if sender.label == "briefs" and "plan" not in kwargs:
        from briefs.backup import refill_derived

        refill_derived()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts and ends with empty caches.

    Rate limits must not leak between tests, and cached reads are keyed on the archive's
    change counter (core/cache.py), which a test's rolled-back transaction winds back:
    without this, a later test could meet an earlier test's entries under the same value.
    """
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def pinned_rate_clock(monkeypatch):
    """Rate limits count in calendar-aligned windows (a minute, an hour; see
    ``core.ratelimit.rate_limit_hit``): a test that counts up to a limit must not see its
    window turn over midway, or the request past the limit opens a new window and passes.
    Pins the limiter's clock to this moment for the test."""
    moment = time.time()
    monkeypatch.setattr("core.ratelimit.time.time", lambda: moment)
    return moment
