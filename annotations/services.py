"""Writes on annotations: create, edit, delete, moderate, re-anchor. Views, the API and the
admin all call these functions, so every write is validated the same way."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from config.limits import (
    ANNOTATION_NOTE_MAX_LENGTH,
    FLAG_REASON_MAX_LENGTH,
    NOTE_TAG_MAX_LENGTH,
    NOTE_TAGS_MAX,
)
from core.history import CHANGE, history_record
from core.text import strip_unfit_characters

from . import anchoring
from .models import Annotation, Membership, NoteSettings


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


def clean_tags(names):
    """Tag names as stored: trimmed, inner spaces collapsed, control characters dropped,
    duplicates (ignoring case) removed, order kept. ValidationError past the limits."""
    cleaned, seen = [], set()
    for name in names or ():
        name = " ".join(strip_unfit_characters(str(name)).split())
        if not name or name.casefold() in seen:
            continue
        if len(name) > NOTE_TAG_MAX_LENGTH:
            raise ValidationError(
                f"A tag has at most {NOTE_TAG_MAX_LENGTH} characters.", code="tag_too_long"
            )
        seen.add(name.casefold())
        cleaned.append(name)
    if len(cleaned) > NOTE_TAGS_MAX:
        raise ValidationError(f"A note has at most {NOTE_TAGS_MAX} tags.", code="too_many_tags")
    return cleaned


def _set_tags(annotation, names):
    """Replace the note's tags; an existing tag is reused whatever its case."""
    from .models import NoteTag

    tags = []
    for name in names:
        tag = NoteTag.objects.filter(name__ifold=name).first()
        if tag is None:
            tag = NoteTag.objects.create(name=name)
        tags.append(tag)
    annotation.tags.set(tags, clear=True)


def _audience(user, visibility, group):
    """The (visibility, group) pair to store; a group note needs a group the user is in.

    Raises ValidationError (code ``group``) for a group the user is not a member of, or a
    group named with another visibility: a note never lands where its author cannot see it.
    """
    visibility = visibility or Annotation.Visibility.PRIVATE
    if visibility != Annotation.Visibility.GROUP:
        if group is not None:
            raise ValidationError("Only a group note names a group.", code="group")
        return visibility, None
    if group is None or not Membership.objects.filter(user=user, group=group).exists():
        raise ValidationError("Choose a group you are a member of.", code="group")
    return visibility, group


@transaction.atomic
def annotation_create(
    *,
    brief,
    by,
    exact,
    start=None,
    end=None,
    prefix="",
    suffix="",
    note="",
    visibility=None,
    group=None,
    tags=(),
):
    """Annotate a passage of ``brief``: the selectors must name a passage of its current body.

    Raises :class:`annotations.anchoring.SelectorMismatch` when they do not; the stored prefix
    and suffix are read from the body itself, whatever the client sent. ``group`` is required
    for (and only for) ``visibility="group"``, and ``by`` (the author) must be one of its
    members.
    """
    note = _clean_note(note)
    tags = clean_tags(tags)
    visibility, group = _audience(by, visibility, group)
    found_start, found_end = anchoring.locate(
        brief.body, exact=exact, start=start, end=end, prefix=prefix, suffix=suffix
    )
    anchor = anchoring.anchor_at(brief.body, found_start, found_end, anchoring.EXACT)
    annotation = Annotation(
        brief=brief,
        user=by,
        exact=anchor.exact,
        prefix=anchor.prefix,
        suffix=anchor.suffix,
        start=anchor.start,
        end=anchor.end,
        note=note,
        visibility=visibility,
        group=group,
        anchor_status=Annotation.AnchorStatus.EXACT,
    )
    annotation.full_clean()
    annotation.save()
    if tags:
        _set_tags(annotation, tags)
    return annotation


@transaction.atomic
def annotation_reply(*, parent, by, note, site_url=""):
    """Reply, as ``by``, to ``parent`` (a public or group note they may see); returns the reply.

    A reply to a reply joins the same thread (threads are one level deep). The reply takes
    its parent's brief, visibility and group; its author gets no passage of their own.
    Raises PermissionDenied for a private, deleted or invisible parent, ValidationError for
    an empty or over-long note. The parent's author is told by mail (annotations.mail), with
links starting ``site_url`` (``https://host``).
    """
    from .mail import reply_notify

    if parent.parent_id is not None:
        parent = parent.parent
    visible = Annotation.objects.visible_to(by).filter(pk=parent.pk).exists()
    closed = parent.is_deleted or parent.hidden
    if not visible or closed or parent.visibility == Annotation.Visibility.PRIVATE:
        raise PermissionDenied("Only public and group notes you can see take replies.")
    _require_member_for_group_note(parent, by)
    note = _clean_note(note)
    if not note.strip():
        raise ValidationError("A reply needs some text.", code="empty")
    reply = Annotation(
        brief_id=parent.brief_id,
        user=by,
        parent=parent,
        exact="",
        start=0,
        end=0,
        note=note,
        visibility=parent.visibility,
        group_id=parent.group_id,
    )
    reply.full_clean(exclude=["exact"])
    reply.save()
    transaction.on_commit(lambda: reply_notify(reply=reply, site_url=site_url))
    return reply


def _require_owner(annotation, user):
    if annotation.user_id != getattr(user, "pk", None):
        raise PermissionDenied("Only the author of an annotation may change it.")


def _require_member_for_group_note(annotation, user):
    """PermissionDenied unless ``user`` is in the group of ``annotation`` (a group note):
    its author still sees a group note after leaving, but nothing they write may reach
    the members any more."""
    if annotation.visibility != Annotation.Visibility.GROUP:
        return
    if not Membership.objects.filter(user=user, group_id=annotation.group_id).exists():
        raise PermissionDenied(
            "You are no longer in this note's group: you may delete it, not add to it."
        )


_KEEP_GROUP = object()


@transaction.atomic
def annotation_update(
    *, annotation, by, note=None, visibility=None, group=_KEEP_GROUP, tags=None
):
    """Change the note and/or the audience (visibility, group) of one's own annotation.

    A reply's audience is its thread's: only its note changes. A note's replies follow
    its new audience, so a thread is always seen whole or not at all; hence a note other
    readers have replied to keeps its audience (ValidationError): their replies were
    written for that audience, and a group's reply must never turn public because the
    note's author chose so (nor a public reply vanish into a group its author is not in).
    ``tags`` (a list) replaces the note's tags; None leaves them.
    """
    _require_owner(annotation, by)
    if annotation.is_deleted:
        raise PermissionDenied("A deleted note cannot be edited.")
    _require_member_for_group_note(annotation, by)
    if note is not None:
        annotation.note = _clean_note(note)
    if annotation.is_reply and visibility not in (None, annotation.visibility):
        raise ValidationError(
            "A reply is read by whoever reads its thread; change the note it replies to."
        )
    if annotation.is_reply:
        visibility = None
    if visibility is not None:
        if group is _KEEP_GROUP:
            group = annotation.group if visibility == Annotation.Visibility.GROUP else None
        audience = _audience(by, visibility, group)
        moved = audience != (annotation.visibility, annotation.group)
        if moved and annotation.replies.exclude(user=annotation.user).exists():
            raise ValidationError(
                "Other readers have replied to this note, for the audience it has: it keeps "
                "that audience. Write a new note to share it with others."
            )
        annotation.visibility, annotation.group = audience
    annotation.full_clean(exclude=["exact"] if annotation.is_reply else None)
    annotation.save(update_fields=["note", "visibility", "group", "modified_at"])
    if tags is not None:
        _set_tags(annotation, clean_tags(tags))
    if not annotation.is_reply:
        annotation.replies.exclude(
            visibility=annotation.visibility, group=annotation.group
        ).update(visibility=annotation.visibility, group=annotation.group)
    return annotation


@transaction.atomic
def annotation_reattach(*, annotation, by, exact, start=None, end=None, prefix="", suffix=""):
    """Point one's own orphaned note at a passage of its brief's current body.

    The selectors are checked as on creation (:class:`anchoring.SelectorMismatch` when they
    name no passage); the note, its visibility and its dates of creation stay. Only orphans
    move: a note still anchored follows its text by itself.
    """
    _require_owner(annotation, by)
    _require_member_for_group_note(annotation, by)
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


# Who a deleted note with replies belongs to once its author has deleted it: a name no
# reader can sign up with (the username rules refuse brackets), never active.
DELETED_AUTHOR = "(deleted)"


def deleted_author():
    """The inactive account that holds deleted notes kept for their replies."""
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(
        username=DELETED_AUTHOR, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def annotation_delete(*, annotation, by):
    """Delete one's own annotation; a note with replies stays as a "deleted" placeholder.

    The placeholder keeps only what holds the thread together (its brief, passage and
    audience): its text and tags go, and it passes to ``deleted_author()``, so no page,
    feed, search or export ties it to the reader who deleted it. A note whose replies are
    all its author's goes with them. Deleting the last reply under a placeholder removes
    the placeholder too.
    """
    _require_owner(annotation, by)
    if annotation.parent_id is None and not annotation.replies.exclude(user=by).exists():
        # Only the author's own replies: the whole thread is theirs, and goes with it
        # (a placeholder would still show their replies under it).
        annotation.replies.all().delete()
    if annotation.replies.exists():
        annotation.note, annotation.deleted_at = "", timezone.now()
        annotation.user = deleted_author()
        annotation.save(update_fields=["note", "deleted_at", "user", "modified_at"])
        annotation.tags.clear()
        return
    parent = annotation.parent
    annotation.delete()
    if parent is not None and parent.is_deleted and not parent.replies.exists():
        parent.delete()


def may_moderate(annotation, user):
    """Curators moderate public notes; a group's owners moderate its group notes."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if annotation.visibility == Annotation.Visibility.PUBLIC:
        return user.is_staff
    if annotation.visibility == Annotation.Visibility.GROUP:
        return Membership.objects.filter(
            user=user, group_id=annotation.group_id, role=Membership.Role.OWNER
        ).exists()
    return False


def _set_hidden(annotation, by, hidden):
    if not may_moderate(annotation, by):
        raise PermissionDenied("Only curators (public notes) or group owners may hide notes.")
    annotation.hidden = hidden
    annotation.save(update_fields=["hidden", "modified_at"])
    verb = "Hidden" if hidden else "Shown"
    who = "a curator" if annotation.is_public else "the group's owner"
    history_record(by=by, objects=[annotation], action=CHANGE, message=f"{verb} by {who}.")
    return annotation


@transaction.atomic
def annotation_hide(*, annotation, by):
    """A curator (public note) or group owner (group note) hides a note from everyone but
    its author (moderation)."""
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
    notes = Annotation.objects.filter(brief=brief, parent__isnull=True)
    for annotation in notes.select_for_update().order_by("pk"):
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


@transaction.atomic
def annotation_flag(*, annotation, by, reason=""):
    """``by`` flags a public or group note they can see (once; a second flag updates the
    reason). Private notes and one's own notes cannot be flagged."""
    from .models import Flag

    if annotation.visibility == Annotation.Visibility.PRIVATE or annotation.user_id == by.pk:
        raise PermissionDenied("Only other readers' public and group notes can be flagged.")
    if not Annotation.objects.visible_to(by).filter(pk=annotation.pk).exists():
        raise PermissionDenied("Only notes you can see can be flagged.")
    reason = strip_unfit_characters(reason or "").strip()[:FLAG_REASON_MAX_LENGTH]
    flag, _ = Flag.objects.update_or_create(
        annotation=annotation, user=by, defaults={"reason": reason}
    )
    return flag


@transaction.atomic
def annotation_flags_clear(*, annotation, by):
    """A moderator (see :func:`may_moderate`) clears a note's flags: it was fine."""
    if not may_moderate(annotation, by):
        raise PermissionDenied("Only curators (public notes) or group owners may clear flags.")
    count, _ = annotation.flags.all().delete()
    history_record(by=by, objects=[annotation], action=CHANGE, message="Flags cleared.")
    return count


@transaction.atomic
def note_settings_save(*, by, reply_mail):
    """Store ``by``'s choice of reply mails (``reply_mail``, a bool); returns NoteSettings.

    A reader's own preference, not recorded in the admin history (curators act on notes,
    not on how their authors are told of replies).
    """
    settings, _ = NoteSettings.objects.update_or_create(
        user=by, defaults={"reply_mail": bool(reply_mail)}
    )
    return settings
