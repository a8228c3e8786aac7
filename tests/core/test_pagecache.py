"""The whole-page cache under many stale pages at once (core/pagecache.py, issue 14).

A brief edit makes a dozen cached pages stale together. Each is rebuilt by one request
holding its page lock, and at most ``PAGE_REBUILDS_AT_ONCE`` are rebuilt at once across
all workers (slots in the shared cache); with every slot taken, a stale page is served
as it was, and a later request rebuilds it, unless it has been served stale too long.
"Another worker" is played by taking its lock or slot in the shared cache directly.
"""

import pytest
from django.core.cache import cache
from django.test import Client

from core import pagecache
from tests.factories import make_brief, make_topic

RARE, CHIPS = "/topics/rare-earths/", "/topics/semiconductors/"


@pytest.fixture
def archive(db):
    rare, chips = make_topic("Rare Earths"), make_topic("Semiconductors")
    make_brief("Gallium Curbs", topics=[rare])
    make_brief("Fab Opens", topics=[chips])
    return {"rare": rare, "chips": chips}


@pytest.fixture
def slots(monkeypatch):
    """Two rebuild slots, whatever config/limits.py says; ``hold(n)`` takes n of them."""
    monkeypatch.setattr(pagecache, "PAGE_REBUILDS_AT_ONCE", 2)

    class Slots:
        def __init__(self):
            self.keys = [pagecache._SLOT.format(number) for number in range(2)]

        def hold(self, count=2):
            for key in self.keys[:count]:
                assert cache.add(key, 1, 10)  # another worker rebuilding another page

        def release(self):
            cache.delete_many(self.keys)

        def free(self):
            return [key for key in self.keys if cache.get(key) is None]

    return Slots()


class Clock:
    """Stands in for the ``time`` module inside core/pagecache.py only (cache expiry
    keeps the real clock, so the slots taken here stay taken)."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(pagecache, "time", fake)
    return fake


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    response.from_cache = getattr(response, "_from_reader_cache", False)
    return response


def warm(client, *urls):
    for url in urls:
        get(client, url)
        assert get(client, url).from_cache, url


def test_a_stale_page_is_served_as_it_was_while_every_rebuild_slot_is_held(client, archive, slots):
    warm(client, RARE)
    make_brief("Fresh Arrival", topics=[archive["rare"]])
    slots.hold(2)
    for _ in range(3):  # not rebuilt by any of them, and never an error
        stale = get(client, RARE)
        assert stale.from_cache
        assert b"Gallium Curbs" in stale.content and b"Fresh Arrival" not in stale.content
    slots.release()
    fresh = get(client, RARE)
    assert not fresh.from_cache and b"Fresh Arrival" in fresh.content
    assert get(client, RARE).from_cache


def test_a_stale_page_is_rebuilt_as_soon_as_one_slot_is_free(client, archive, slots):
    warm(client, RARE)
    make_brief("Fresh Arrival", topics=[archive["rare"]])
    slots.hold(1)  # one other rebuild going on: the second slot is this request's
    fresh = get(client, RARE)
    assert not fresh.from_cache and b"Fresh Arrival" in fresh.content
    assert slots.free() == slots.keys[1:]  # given back; the other worker's is still held


def test_the_slot_is_given_back_after_a_rebuild(client, archive, slots, monkeypatch):
    monkeypatch.setattr(pagecache, "PAGE_REBUILDS_AT_ONCE", 1)
    warm(client, RARE, CHIPS)
    make_brief("Fresh Arrival", topics=[archive["rare"]])
    make_brief("Fresh Fab", topics=[archive["chips"]])
    # One slot: each of the two stale pages is rebuilt in turn, so the first gave it back.
    assert b"Fresh Arrival" in get(client, RARE).content
    assert b"Fresh Fab" in get(client, CHIPS).content
    assert slots.free() == slots.keys


def test_the_slot_and_page_lock_are_given_back_when_the_view_raises(archive, slots, monkeypatch):
    from briefs.views import TopicDetailView

    monkeypatch.setattr(pagecache, "PAGE_REBUILDS_AT_ONCE", 1)
    client = Client(raise_request_exception=False)
    warm(client, RARE, CHIPS)
    make_brief("Fresh Arrival", topics=[archive["rare"]])
    make_brief("Fresh Fab", topics=[archive["chips"]])
    with monkeypatch.context() as broken:

        def fail(self, **kwargs):
            raise RuntimeError("the database went away mid-rebuild")

        broken.setattr(TopicDetailView, "get_context_data", fail)
        assert client.get(RARE).status_code == 500
    # The one slot is free again (the other page is rebuilt), and so is the page's lock.
    assert b"Fresh Fab" in get(client, CHIPS).content
    assert b"Fresh Arrival" in get(client, RARE).content
    assert slots.free() == slots.keys


def test_a_page_with_no_copy_renders_even_when_every_slot_is_held(client, archive, slots):
    slots.hold(2)
    first = get(client, RARE)
    assert not first.from_cache and b"Gallium Curbs" in first.content
    assert get(client, RARE).from_cache  # and it was stored
    assert slots.free() == []  # the other workers' slots untouched


def test_a_page_served_stale_too_long_is_rebuilt_without_a_slot(client, archive, slots, clock):
    warm(client, RARE)
    make_brief("Fresh Arrival", topics=[archive["rare"]])
    slots.hold(2)
    assert b"Fresh Arrival" not in get(client, RARE).content  # stale from now on
    clock.now += pagecache.PAGE_STALE_AT_MOST_SECONDS - 1
    assert b"Fresh Arrival" not in get(client, RARE).content
    clock.now += 1
    fresh = get(client, RARE)
    assert not fresh.from_cache and b"Fresh Arrival" in fresh.content
    assert slots.free() == []  # it took none, and gave back none of the others'


def test_the_staleness_bound_counts_from_the_copy_now_stale_not_the_one_before(
    client, archive, slots, clock
):
    warm(client, RARE)
    make_brief("Fresh Arrival", topics=[archive["rare"]])
    slots.hold(2)
    get(client, RARE)  # served stale: its clock starts
    clock.now += pagecache.PAGE_STALE_AT_MOST_SECONDS
    assert b"Fresh Arrival" in get(client, RARE).content  # rebuilt without a slot
    make_brief("Second Arrival", topics=[archive["rare"]])
    clock.now += 1  # the new copy has been stale for a moment only
    stale = get(client, RARE)
    assert stale.from_cache
    assert b"Fresh Arrival" in stale.content and b"Second Arrival" not in stale.content


def test_a_page_stale_too_long_still_waits_for_the_worker_rebuilding_it(
    client, archive, slots, clock
):
    warm(client, RARE)
    (key,) = _stored_page_keys()
    make_brief("Fresh Arrival", topics=[archive["rare"]])
    slots.hold(2)
    get(client, RARE)
    clock.now += pagecache.PAGE_STALE_AT_MOST_SECONDS + 1
    assert cache.add(key + ":lock", 1, 10)  # another worker is rebuilding this very page
    stale = get(client, RARE)
    assert stale.from_cache and b"Fresh Arrival" not in stale.content


class Recording:
    """The shared cache, with the name of every call the middleware makes on it."""

    def __init__(self, calls):
        self.calls = calls

    def __getattr__(self, name):
        method = getattr(cache, name)

        def recorded(*args, **kwargs):
            self.calls.append(name)
            return method(*args, **kwargs)

        return recorded


def test_a_warm_page_touches_no_lock_or_slot(archive, settings, monkeypatch):
    settings.READER_PAGE_LOCAL_BYTES = 0  # every request asks the shared cache
    client = Client()
    warm(client, RARE)
    calls = []
    monkeypatch.setattr(pagecache, "cache", Recording(calls))
    assert get(client, RARE).from_cache
    assert calls == ["get_many"]  # the page itself: one round trip, as before the slots


def test_a_warm_page_this_worker_served_last_costs_no_cache_round_trip(archive, monkeypatch):
    client = Client()
    warm(client, RARE)
    calls = []
    monkeypatch.setattr(pagecache, "cache", Recording(calls))
    assert get(client, RARE).from_cache
    assert calls == []


def _stored_page_keys():
    from django.core.cache import caches

    store = caches["default"]  # local memory in tests: its keys can be listed
    return [key.split(":", 2)[2][: -len(":h")] for key in store._cache if key.endswith(":h")]


def test_a_stale_page_served_while_slots_are_full_costs_two_reads_and_no_write(
    archive, slots, monkeypatch
):
    client = Client()
    warm(client, RARE)
    make_brief("Fresh Arrival", topics=[archive["rare"]])
    slots.hold(2)
    calls = []
    monkeypatch.setattr(pagecache, "cache", Recording(calls))
    for _ in range(3):
        calls.clear()
        assert b"Fresh Arrival" not in get(client, RARE).content
        # Is there a newer copy (its head only: the body is the one this worker has)?
        # Then the page's lock and the slots, in one read.
        assert calls == ["get", "get_many"]


def test_a_stale_page_another_worker_rebuilds_costs_two_reads_and_no_write(
    archive, slots, monkeypatch
):
    client = Client()
    warm(client, RARE)
    (key,) = _stored_page_keys()
    make_brief("Fresh Arrival", topics=[archive["rare"]])
    assert cache.add(key + ":lock", 1, 10)  # the slots are free, this page is taken
    calls = []
    monkeypatch.setattr(pagecache, "cache", Recording(calls))
    assert b"Fresh Arrival" not in get(client, RARE).content
    assert calls == ["get", "get_many"]


# A page with no copy yet: one request renders it, the others asking meanwhile wait for
# that copy (request coalescing), so a cold archive costs one render per page.


class Waiting:
    """``time`` inside core/pagecache.py for a request waiting on another's first render:
    ``on_sleep(naps)`` plays the other worker between polls; the clock moves by each nap."""

    def __init__(self, on_sleep=lambda naps: None):
        self.now, self.naps, self.on_sleep = 1000.0, 0, on_sleep

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds
        self.naps += 1
        self.on_sleep(self.naps)


def _rendered_by_another_worker(url):
    """``url`` as a fresh copy rendered by another worker: its stored head and body, taken
    out of the shared cache again so that only the waiting request's poll can find them."""
    get(Client(), url)
    (key,) = _stored_page_keys()
    stored = {part: cache.get(key + part) for part in (":h", ":b")}
    cache.delete_many([key + ":h", key + ":b"])
    return key, stored


def test_a_page_with_no_copy_waits_for_the_worker_already_rendering_it(archive, monkeypatch):
    key, stored = _rendered_by_another_worker(RARE)
    assert cache.add(key + ":lock", 1, 10)  # the other worker has started rendering

    def other_worker_finishes(naps):
        if naps == 3:
            cache.set_many({key + part: value for part, value in stored.items()}, 60)
            cache.delete(key + ":lock")

    clock = Waiting(other_worker_finishes)
    monkeypatch.setattr(pagecache, "time", clock)
    rendered = []
    monkeypatch.setattr(
        "briefs.views.TopicDetailView.get_context_data",
        lambda *args, **kwargs: rendered.append(1) or {},
    )
    response = get(Client(), RARE)
    assert response.from_cache and b"Gallium Curbs" in response.content
    assert rendered == [] and clock.naps == 3


def test_the_first_request_for_a_page_holds_its_lock_while_rendering_and_gives_it_back(
    archive, monkeypatch
):
    from briefs.views import TopicDetailView

    held_meanwhile = []
    original = TopicDetailView.get_context_data

    def render(view, **kwargs):
        held_meanwhile.extend(k for k in cache._cache if k.endswith(":lock"))
        return original(view, **kwargs)

    monkeypatch.setattr(TopicDetailView, "get_context_data", render)
    response = get(Client(), RARE)
    assert not response.from_cache and b"Gallium Curbs" in response.content
    assert len(held_meanwhile) == 1  # others asking now would wait for this render
    assert not [k for k in cache._cache if k.endswith(":lock")]


def test_a_waiting_request_renders_itself_when_the_lock_goes_without_a_copy(
    archive, monkeypatch
):
    key, _ = _rendered_by_another_worker(RARE)
    assert cache.add(key + ":lock", 1, 10)
    # The other worker's answer was not one to store (a 404, a cookie): it frees the lock.
    clock = Waiting(lambda naps: naps == 2 and cache.delete(key + ":lock"))
    monkeypatch.setattr(pagecache, "time", clock)
    response = get(Client(), RARE)
    assert not response.from_cache and b"Gallium Curbs" in response.content
    assert clock.naps == 2


def test_a_waiting_request_renders_itself_when_the_renderer_takes_too_long(
    archive, monkeypatch
):
    key, _ = _rendered_by_another_worker(RARE)
    assert cache.add(key + ":lock", 1, 10)  # held, and never given back
    clock = Waiting()
    monkeypatch.setattr(pagecache, "time", clock)
    response = get(Client(), RARE)
    assert not response.from_cache and b"Gallium Curbs" in response.content
    assert clock.now - 1000.0 == pytest.approx(pagecache.PAGE_FIRST_RENDER_WAIT_SECONDS, abs=0.06)


def test_requests_for_a_page_that_is_never_stored_do_not_wait_on_each_other(db, monkeypatch):
    clock = Waiting()
    monkeypatch.setattr(pagecache, "time", clock)
    for _ in range(3):
        assert Client().get("/topics/no-such-topic/").status_code == 404
    assert clock.naps == 0  # each took and gave back the lock: nobody was rendering
