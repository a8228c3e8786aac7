"""Background tasks (django-tasks): the admin import's reading and importing steps, and
placing the briefs of a batch import in their stories.

Enqueued by ``briefs.services.import_runs``; run by ``manage.py db_worker`` (any number of
workers on any machine that reaches the database), or at once where the immediate backend
is configured (the tests). A fault no import step expected marks the run failed, so the
admin never shows a run stuck in progress, and is raised again for the worker's log.
"""

from django_tasks import task

from .services import import_runs


def _run_step(step, run_id):
    """``step(run_id=run_id)``; a fault it did not expect marks the run failed and is raised
    again (for the worker's log)."""
    try:
        step(run_id=run_id)
    except Exception as error:
        import_runs.import_run_fail(run_id=run_id, error=error)
        raise


@task()
def import_run_read_task(run_id):
    """Fetch, parse and dry-run every item of import run ``run_id`` (its preview)."""
    _run_step(import_runs.import_run_read, run_id)


@task()
def import_run_execute_task(run_id):
    """Import every item of the confirmed import run ``run_id``, applying corrections."""
    _run_step(import_runs.import_run_execute, run_id)


@task()
def briefs_story_update_task(brief_ids):
    """Place each brief of ``brief_ids`` (new briefs of a batch import) in its story
    (``briefs_story_update_many``): a brief the candidate index finds no neighbour for
    costs its share of two queries (~0.2 ms), one with neighbours ~11 ms, several times
    what storing it costs (see bench/README.md); a batch import hands it to a worker.
    """
    from .services.stories import briefs_story_update_many

    briefs_story_update_many(brief_ids=brief_ids)
