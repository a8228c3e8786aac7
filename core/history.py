"""The admin's history of an object (its *History* page), written by the services.

Every write with side effects records who did it here, whichever surface called the
service (admin, command, API), so the history of a brief or topic is complete. One admin
save may call several services (the brief, then its topics): ``history_batch`` gathers
what they record into one entry per object, as Django's own admin log would.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

__all__ = ["ADDITION", "CHANGE", "DELETION", "history_batch", "history_record"]

# While a batch is open: {(model, pk): [user, action, object, [messages]]}, in call order.
_batch = ContextVar("history_batch", default=None)


def history_record(*, by, objects, action=CHANGE, message):
    """Add one admin log entry per object in ``objects``, made by the user ``by``.

    ``action`` is one of ADDITION, CHANGE or DELETION; ``message`` is the change
    message shown on the History page. Nothing is written without a user (``by=None``,
    a script acting on its own) or without objects. Inside ``history_batch`` the entry
    is held back and joined with the others recorded for the same object.
    """
    objects = list(objects)
    if by is None or not objects:
        return
    pending = _batch.get()
    if pending is None:
        LogEntry.objects.log_actions(
            user_id=by.pk, queryset=objects, action_flag=action, change_message=message
        )
        return
    for obj in objects:
        entry = pending.setdefault((type(obj), obj.pk), [by, action, obj, []])
        # An object added in this batch stays "added", whatever else was done to it.
        entry[1] = ADDITION if ADDITION in (entry[1], action) else action
        entry[3].append(message)


@contextmanager
def history_batch():
    """Record everything the services inside this block log as one entry per object.

    Nested blocks join the outermost one. Entries are written when the block ends
    without an error; an error (the transaction rolls back) writes none.
    """
    if _batch.get() is not None:
        yield
        return
    token = _batch.set({})
    try:
        yield
        pending = _batch.get()
    finally:
        _batch.reset(token)
    for by, action, obj, messages in pending.values():
        LogEntry.objects.log_actions(
            user_id=by.pk, queryset=[obj], action_flag=action, change_message=" ".join(messages)
        )


class ServiceHistoryAdmin:
    """A ModelAdmin mixin for models saved through services that record their own history.

    Django's own "Changed …" entry is not written (the services' entry says more, and two
    entries for one save confuse a reader of the History page); all a save records is
    joined into one entry by ``history_batch``.
    """

    def changeform_view(self, request, *args, **kwargs):
        with history_batch():
            return super().changeform_view(request, *args, **kwargs)

    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None
