"""Writes on annotations: create, edit, delete, moderate, re-anchor. Views, the API and the
admin all call these functions, so every write is validated the same way."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from config.limits import ANNOTATION_NOTE_MAX_LENGTH
from core.history import CHANGE, history_record
from core.text import strip_unfit_characters

from . import anchoring
from .models import Annotation


class NoteTooLong(ValidationError):
    """A note over :data:`ANNOTATION_NOTE_MAX_LENGTH` characters."""


def _clean_note(note):
    """The note as stored: control characters dropped, length checked."""
    note = strip_unfit_characters(note or "")
    if len(note) > ANNOTATION_NOTE_MAX_LENGTH:
        raise NoteTooLong(
            f"The note has {len(note):,} characters; the limit is {ANNOTATION_NOTE_MAX_LENGTH:,}.",
            code="note_too_long",
        )
    return note


@transaction.atomic
def annotation_create(
    *, brief, user, exact, start=None, end=None, prefix="", suffix="", note="", visibility=None
):
    """Annotate a passage of ``brief``: the selectors must name a passage of its current body.

    Raises :class:`annotations.anchoring.SelectorMismatch` when they do not; the stored prefix
    and suffix are read from the body itself, whatever the client sent.
    """
    note = _clean_note(note)
    found_start, found_end = anchoring.locate(
        brief.body, exact=exact, start=start, end=end, prefix=prefix, suffix=suffix
    )
    anchor = anchoring.anchor_at(brief.body, found_start, found_end, anchoring.EXACT)
    annotation = Annotation(
        brief=brief,
        user=user,
        exact=anchor.exact,
        prefix=anchor.prefix,
        suffix=anchor.suffix,
        start=anchor.start,
        end=anchor.end,
        note=note,
        visibility=visibility or Annotation.Visibility.PRIVATE,
        anchor_status=Annotation.AnchorStatus.EXACT,
    )
    annotation.full_clean()
    annotation.save()
    return annotation


def _require_owner(annotation, user):
    if annotation.user_id != getattr(user, "pk", None):
        raise PermissionDenied("Only the author of an annotation may change it.")


@transaction.atomic
def annotation_update(*, annotation, by, note=None, visibility=None):
    """Change the note and/or the visibility of one's own annotation."""
    _require_owner(annotation, by)
    if note is not None:
        annotation.note = _clean_note(note)
    if visibility is not None:
        annotation.visibility = visibility
    annotation.full_clean()
    annotation.save(update_fields=["note", "visibility", "modified_at"])
    return annotation


@transaction.atomic
def annotation_reattach(*, annotation, by, exact, start=None, end=None, prefix="", suffix=""):
    """Point one's own orphaned note at a passage of its brief's current body.

    The selectors are checked as on creation (:class:`anchoring.SelectorMismatch` when they
    name no passage); the note, its visibility and its dates of creation stay. Only orphans
    move: a note still anchored follows its text by itself.
    """
    _require_owner(annotation, by)
    if not annotation.is_orphaned:
        raise ValidationError("Only a note whose text has changed can be re-attached.")
    body = annotation.brief.body
    found_start, found_end = anchoring.locate(
        body, exact=exact, start=start, end=end, prefix=prefix, suffix=suffix
    )
    anchor = anchoring.anchor_at(body, found_start, found_end, anchoring.EXACT)
    annotation.exact, annotation.prefix, annotation.suffix = (
        anchor.exact,
        anchor.prefix,
        anchor.suffix,
    )
    annotation.start, annotation.end = anchor.start, anchor.end
    annotation.anchor_status = Annotation.AnchorStatus.EXACT
    annotation.full_clean()
    annotation.save(
        update_fields=["exact", "prefix", "suffix", "start", "end", "anchor_status", "modified_at"]
    )
    return annotation


@transaction.atomic
def annotation_delete(*, annotation, by):
    """Delete one's own annotation."""
    _require_owner(annotation, by)
    annotation.delete()


def _set_hidden(annotation, by, hidden):
    if not (by.is_active and by.is_staff):
        raise PermissionDenied("Only curators may hide or show annotations.")
    annotation.hidden = hidden
    annotation.save(update_fields=["hidden", "modified_at"])
    verb = "Hidden" if hidden else "Shown"
    history_record(by=by, objects=[annotation], action=CHANGE, message=f"{verb} by a curator.")
    return annotation


@transaction.atomic
def annotation_hide(*, annotation, by):
    """A curator hides an annotation from everyone but its owner (moderation)."""
    return _set_hidden(annotation, by, True)


@transaction.atomic
def annotation_unhide(*, annotation, by):
    """A curator shows a hidden annotation again."""
    return _set_hidden(annotation, by, False)


@transaction.atomic
def annotations_reanchor(*, brief, old_body, new_body):
    """Re-anchor every annotation of ``brief`` after its body changed from ``old_body``.

    Runs inside the transaction that saves the body, so the text and the annotations on it
    never disagree. Returns how many annotations ended in each status.
    """
    counts = {status: 0 for status in Annotation.AnchorStatus.values}
    changed = []
    for annotation in Annotation.objects.filter(brief=brief).select_for_update().order_by("pk"):
        anchor = anchoring.reanchor(
            old_body,
            new_body,
            start=annotation.start,
            end=annotation.end,
            exact=annotation.exact,
            prefix=annotation.prefix,
            suffix=annotation.suffix,
            orphaned=annotation.is_orphaned,
        )
        counts[anchor.status] += 1
        annotation.start, annotation.end = anchor.start, anchor.end
        annotation.exact, annotation.prefix, annotation.suffix = (
            anchor.exact,
            anchor.prefix,
            anchor.suffix,
        )
        annotation.anchor_status = anchor.status
        changed.append(annotation)
    Annotation.objects.bulk_update(
        changed, ["start", "end", "exact", "prefix", "suffix", "anchor_status"]
    )
    return counts
