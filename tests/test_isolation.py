"""Tests on a committed database start clean, whatever ran before them on the worker.

After a ``transactional_db`` test Django empties the managed tables only: the derived
tables the triggers keep (briefs_topic_brief_count, the public note counts) kept its rows
(on PostgreSQL, whose TRUNCATE runs no trigger, its counts; on SQLite, whose DELETEs do,
negative ones), and a later topic with a reused id was listed or hidden wrongly. tests/conftest.py rebuilds them before each such
test; these tests replay "a previous test, its teardown, the next test's setup".
"""

from django.core.management import call_command

from briefs.models import Brief, Topic
from tests.conftest import _derived_tables_match_the_data
from tests.factories import make_brief, make_topic


def _previous_test_teardown_and_next_setup(request):
    # What Django's TransactionTestCase does after each test, then the suite's fixture.
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    _derived_tables_match_the_data.__wrapped__(request)


def test_a_topic_with_a_reused_id_is_public_only_by_its_own_briefs(
    transactional_db, client, request
):
    steel = make_topic("Steel")
    for number in range(3):
        make_brief(f"Steel report {number}", topics=[steel])
    _previous_test_teardown_and_next_setup(request)

    again = Topic.objects.create(pk=steel.pk, name="Steel", slug="steel")
    make_brief("Ministry sets steel tariff", topics=[again])
    assert client.get("/topics/steel/").status_code == 200

    _previous_test_teardown_and_next_setup(request)
    drafts_only = Topic.objects.create(pk=steel.pk, name="Steel", slug="steel")
    make_brief("Unpublished steel brief", topics=[drafts_only], status=Brief.Status.DRAFT)
    assert client.get("/topics/steel/").status_code == 404

