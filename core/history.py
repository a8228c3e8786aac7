"""The admin's history of an object (its *History* page), written by the services.

Every write with side effects records who did it here, whichever surface called the
service (admin, command, API), so the history of a brief or topic is complete. One admin
save may call several services (the brief, then its topics): ``history_batch`` gathers
what they record into one entry per object, as Django's own admin log would.
"""

import json
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

__all__ = [
    "ADDITION",
    "CHANGE",
    "DELETION",
    "history_batch",
    "history_changed_fields",
    "history_record",
    "history_save",
]

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


def history_changed_fields(obj, stored):
    """The changes from ``stored`` to ``obj`` (two instances of one model) as a history
    message: ``"Changed title and slug."``, or ``""`` when no concrete field differs."""
    names = [
        str(field.verbose_name)
        for field in obj._meta.concrete_fields
        if field.value_from_object(obj) != field.value_from_object(stored)
    ]
    if not names:
        return ""
    listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
    return f"Changed {listed}."


def history_save(*, obj, by, exclude=None):
    """Validate (``full_clean(exclude=...)``) and save ``obj``, a row edited as a whole (an
    admin form), and record by ``by`` "Added." or which of its fields changed. For the
    services of rows with no side effects beyond their own columns; returns ``obj``."""
    adding = obj._state.adding
    stored = None if adding else type(obj)._base_manager.get(pk=obj.pk)
    obj.full_clean(exclude=exclude)
    obj.save()
    if adding:
        history_record(by=by, objects=[obj], action=ADDITION, message="Added.")
    elif message := history_changed_fields(obj, stored):
        history_record(by=by, objects=[obj], action=CHANGE, message=message)
    return obj


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

    One admin save writes exactly one entry per object (``history_batch`` joins what the
    services record). A service that records describes its whole change, so Django's own
    description of the save is added only for what no service described: the inline rows
    added, changed or deleted, or the whole save when no service recorded anything (a field
    no service looks at, or "No fields changed.").
    """

    def changeform_view(self, request, *args, **kwargs):
        with history_batch():
            return super().changeform_view(request, *args, **kwargs)

    def log_addition(self, request, obj, message):
        self._log_unrecorded(request, obj, ADDITION, message)

    def log_change(self, request, obj, message):
        self._log_unrecorded(request, obj, CHANGE, message)

    def _log_unrecorded(self, request, obj, action, message):
        pending = _batch.get()
        if pending is not None and (type(obj), obj.pk) in pending and isinstance(message, list):
            # Only the inline rows' parts (they name the row): the form's own fields were
            # described by the service.
            message = [part for part in message if "name" in next(iter(part.values()), {})]
            if not message:
                return
        history_record(by=request.user, objects=[obj], action=action, message=_described(message))


def _described(message):
    """Django's change message (a list of {"added"|"changed"|"deleted": ...}) as text."""
    if isinstance(message, list):
        message = json.dumps(message)
    return LogEntry(change_message=message).get_change_message()
