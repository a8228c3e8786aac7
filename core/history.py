"""The admin's history of an object (its *History* page), written by the services.

Every write with side effects records who did it here, whichever surface called the
service (admin, command, API), so the history of a brief or topic is complete.
"""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

__all__ = ["ADDITION", "CHANGE", "DELETION", "history_record"]


def history_record(*, by, objects, action=CHANGE, message):
    """Add one admin log entry per object in ``objects``, made by the user ``by``.

    ``action`` is one of ADDITION, CHANGE or DELETION; ``message`` is the change
    message shown on the History page. Nothing is written without a user (``by=None``,
    a script acting on its own) or without objects.
    """
    objects = list(objects)
    if by is None or not objects:
        return
    LogEntry.objects.log_actions(
        user_id=by.pk, queryset=objects, action_flag=action, change_message=message
    )
