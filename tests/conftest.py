"""Shared fixtures and small factories for the whole suite."""

import datetime as dt
import itertools

import feedparser
import pytest
from django.contrib.auth import get_user_model

from briefs.models import Brief, Source, Topic

_counter = itertools.count(1)


def make_source(name=None, **fields):
    """Create a Source with a unique name unless one is given."""
    return Source.objects.create(name=name or f"Source {next(_counter)}", **fields)


def make_topic(name=None, **fields):
    """Create a Topic with a unique name unless one is given."""
    return Topic.objects.create(name=name or f"Topic {next(_counter)}", **fields)


def make_brief(title=None, *, topics=(), body=None, published_at=None, **fields):
    """Create a published Brief; ``topics`` may be Topic objects or names."""
    number = next(_counter)
    brief = Brief.objects.create(
        title=title or f"Brief number {number}",
        body=body if body is not None else f"First paragraph of brief {number}.\n\nSecond one.",
        published_at=published_at
        or dt.datetime(2025, 7, 1, tzinfo=dt.timezone.utc) + dt.timedelta(hours=number),
        **fields,
    )
    if topics:
        brief.topics.add(*topics)
    return brief


def make_annotation(brief, user, exact, *, occurrence=0, **fields):
    """Store an annotation on the ``occurrence``-th copy of ``exact`` in the brief's body.

    Goes straight to the database (no service checks), for tests that need rows of any kind:
    hidden, orphaned, on drafts.
    """
    from annotations.models import Annotation

    start = -1
    for _ in range(occurrence + 1):
        start = brief.body.index(exact, start + 1)
    end = start + len(exact)
    return Annotation.objects.create(
        brief=brief,
        user=user,
        exact=exact,
        prefix=brief.body[max(0, start - 32) : start],
        suffix=brief.body[end : end + 32],
        start=start,
        end=end,
        **fields,
    )


def make_user(username=None, password="correct-horse-battery", **fields):
    """Create an ordinary (non-staff) user."""
    return get_user_model().objects.create_user(
        username=username or f"reader{next(_counter)}", password=password, **fields
    )


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


def make_curator(username=None):
    """A staff user in the "Curators" group (created by the briefs data migration)."""
    from django.contrib.auth.models import Group

    curator = make_user(username=username, is_staff=True)
    curator.groups.add(Group.objects.get(name="Curators"))
    return curator


@pytest.fixture
def curator(db):
    return make_curator()


@pytest.fixture
def curator_client(client, curator):
    """A test client signed in as ``curator``."""
    client.force_login(curator)
    return client


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
