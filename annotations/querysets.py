"""Who may see which annotations: the one place that decides it.

Every surface (brief pages, note lists, feeds, the API, search, counts) starts from
``Annotation.objects.public()`` or ``Annotation.objects.visible_to(user)``.
"""

from django.db import models

from briefs.models import Brief
from core.querysets import FillingQuerySet


def _shown_rule():
    """``_shown()``'s test of a note's own row and its parent's (the brief is tested apart).

    The parent is tested as "not among the hidden or orphaned notes", which a partial
    index holds (annotations migration 0016): a join to the parent hashed every note
    for each list and count (70 ms of 180 at 300k notes).
    """
    from .models import Annotation

    unshown = Annotation.objects.filter(
        models.Q(hidden=True) | models.Q(anchor_status="orphaned")
    ).values("pk")
    return (
        models.Q(hidden=False)
        & ~models.Q(anchor_status="orphaned")
        & ~models.Q(parent__in=unshown)
    )


class AnnotationQuerySet(FillingQuerySet):
    def prefetch_tags(self):
        """Each note's tags fetched with the notes (one query), read back as
        ``note.tags.all()`` in the order they were added, as ``prefetch_related("tags")``.

        For lists that read the tags (iterate, test, count): taggit's own prefetch builds
        a filtered queryset per note, a fifth of a page of 50 notes' Python time (issue 14);
        here they are a plain list, so chaining a query onto them is not for these lists.
        """
        return self.fill_after_fetch(attach_tags)

    def _shown(self):
        """Notes fit to show to anyone entitled to them: not hidden, anchored, on a published
        brief, and (for a reply) under a parent that is itself neither hidden nor orphaned."""
        return self.filter(brief__in=Brief.objects.published()).filter(_shown_rule())

    def public(self):
        """The notes anyone may see: the one rule every public surface uses.

        Annotations migrations 0014 and 0017 repeat it in SQL to keep ``public_count()``
        and the list order (``PublicNote``); change them together
        (tests/annotations/test_public_count.py compares them).

        Public, not hidden by a curator, still anchored in the text (an orphan's passage
        is gone from the brief, so its quote is no longer the archive's to show), and on
        a published brief.
        """
        return self._shown().filter(visibility="public")

    def public_count(self):
        """How many notes ``public()`` holds, read from the count the database keeps
        (``PublicNoteTotal``, migration 0014, whose triggers repeat the rule above): one
        row instead of counting every note. Only on the unfiltered manager (a TypeError
        otherwise: the kept number counts no narrower selection)."""
        from .models import PublicNoteTotal

        if self.query.has_filters():
            raise TypeError("public_count() counts all public notes; count a filtered queryset.")
        return PublicNoteTotal.objects.values_list("n", flat=True).first() or 0

    def visible_count(self, user):
        """How many notes ``visible_to(user)`` holds (an int), without counting the public ones.

        The public notes come from ``public_count()`` (kept by the database); a signed-in
        reader adds their own and their groups' notes the public does not see, counted in
        one query over their notes and their groups' (by index: a few, not 300k). Only on
        the unfiltered manager, like ``public_count()`` (a TypeError otherwise).
        """
        public = self.public_count()
        if user is None or not user.is_authenticated:
            return public
        # Their group and own notes; group notes are never public, their own public
        # ones are counted already.
        theirs = models.Q(visibility="group") | models.Q(user=user)
        counted = self.public().filter(user=user).values("pk")
        extra = self.visible_to(user).filter(theirs).aggregate(
            n=models.Count("pk"), counted=models.Count("pk", filter=models.Q(pk__in=counted))
        )
        return public + extra["n"] - extra["counted"]

    def in_groups_of(self, user):
        """Group notes of the groups ``user`` belongs to right now (shown ones only).

        Membership is read in the same query, so a reader who leaves or is removed stops
        seeing the group's notes on their very next request.
        """
        from .models import Membership

        groups = Membership.objects.filter(user=user).values("group_id")
        return self._shown().filter(visibility="group", group__in=groups)

    def for_curators(self):
        """The notes curators moderate in the admin: public ones, hidden and orphaned included.

        A private note is its owner's alone: it is neither listed, counted nor linked
        anywhere in the admin, for curators and superusers alike.
        """
        return self.filter(visibility="public")

    def visible_to(self, user):
        """What ``user`` may see: public notes, their groups' notes, and all their own.

        A reader's own notes include private, hidden and orphaned ones (shown to them with
        the old quote), so nobody loses what they wrote. Staff get nothing more.
        """
        if user is None or not user.is_authenticated:
            return self.public()
        from .models import Membership

        # public() | in_groups_of(user) | own notes, with the published-brief test said
        # once outside the OR: PostgreSQL then checks each note's brief by index instead
        # of hashing every published brief (issue 14: a signed-in search's page 60 ms).
        groups = Membership.objects.filter(user=user).values("group_id")
        shared = models.Q(visibility="public") | models.Q(visibility="group", group__in=groups)
        return self.filter(brief__in=Brief.objects.published()).filter(
            models.Q(user=user) | (shared & _shown_rule())
        )


def attach_tags(notes, *, using=None):
    """Put each of ``notes``' tags (NoteTag, by link order) where ``note.tags.all()`` reads
    a prefetch, in one query; none for no notes."""
    from .models import NoteTag, TaggedNote

    by_note = {note.pk: [] for note in notes}
    if by_note:
        rows = (
            TaggedNote.objects.using(using)
            .filter(content_object__in=list(by_note))
            .order_by("pk")
            .values_list("content_object_id", "tag_id", "tag__name", "tag__slug")
        )
        tags = {}
        for note_id, tag_id, name, slug in rows:
            tag = tags.get(tag_id)
            if tag is None:
                fields = ["id", "name", "slug"]
                tag = tags[tag_id] = NoteTag.from_db(using, fields, [tag_id, name, slug])
            by_note[note_id].append(tag)
    for note in notes:
        note.__dict__.setdefault("_prefetched_objects_cache", {})["tags"] = by_note[note.pk]
