"""Writes on briefs: edits, status, and the links between briefs and topics.

``brief_set_topics`` and ``briefs_add_topics`` are the only ways a topic gets onto a brief
(import, an accepted suggestion, the admin's form and bulk action): each marks the brief
changed, so feeds send its new categories instead of ``304``, settles pending suggestions
of the added topics, and records the change in the admin history. (``topic_merge`` moves
the links of merged topics onto the kept one in bulk; it touches the briefs and records
its own history.)
"""

import io
import zipfile

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import m2m_changed
from django.utils import timezone

from core.history import ADDITION, CHANGE, history_record

from ..models import Brief, TaggedBrief, Topic, TopicSuggestion
from .stories import brief_story_update, briefs_story_update_many, story_tokens_refresh


def _brief_ids(briefs):
    return [brief if isinstance(brief, int) else brief.pk for brief in briefs]


def briefs_touch(brief_ids):
    """Mark briefs changed (``modified_at``), so feed validators see what else changed."""
    Brief.objects.filter(pk__in=list(brief_ids)).update(modified_at=timezone.now())


def _send_links_changed(action, brief_id, topic_ids):
    """The ``m2m_changed`` taggit sends for ``brief.topics``, for whoever listens to it."""
    m2m_changed.send(
        sender=TaggedBrief,
        action=action,
        instance=Brief(pk=brief_id),
        reverse=False,
        model=Topic,
        pk_set=set(topic_ids),
        using=TaggedBrief.objects.db,
    )


def _link(pairs, *, settle_suggestions=True):
    """Insert the (brief id, topic id) ``pairs`` in one statement; settle their suggestions.

    ``settle_suggestions=False`` is for briefs just inserted, which have none yet.
    """
    by_brief = {}
    for brief_id, topic_id in pairs:
        by_brief.setdefault(brief_id, set()).add(topic_id)
    for brief_id, topic_ids in by_brief.items():
        _send_links_changed("pre_add", brief_id, topic_ids)
    TaggedBrief.objects.bulk_create(
        [TaggedBrief(content_object_id=brief_id, tag_id=topic_id) for brief_id, topic_id in pairs]
    )
    for brief_id, topic_ids in by_brief.items():
        if settle_suggestions:
            TopicSuggestion.objects.filter(
                brief_id=brief_id, topic__in=topic_ids, status=TopicSuggestion.Status.PENDING
            ).delete()
        _send_links_changed("post_add", brief_id, topic_ids)
    return sorted(by_brief)


def _topic_names(topics):
    return ", ".join(f"“{topic}”" for topic in topics)


@transaction.atomic
def briefs_add_topics(*, briefs, topics, by=None, history_message=None):
    """Tag every brief in ``briefs`` with every topic in ``topics`` (existing tags stay).

    Pending suggestions of those topics are settled by it. ``history_message`` replaces the
    history's "Added topics …" (an accepted suggestion says so). Returns how many tags were
    added.
    """
    brief_ids, topics = _brief_ids(briefs), list(topics)
    if not topics:
        raise ValidationError("Choose at least one topic to add.")
    present = set(
        TaggedBrief.objects.filter(content_object__in=brief_ids, tag__in=topics).values_list(
            "content_object", "tag"
        )
    )
    new = [
        (brief_id, topic.pk)
        for brief_id in brief_ids
        for topic in topics
        if (brief_id, topic.pk) not in present
    ]
    changed = _link(new)
    briefs_touch(changed)
    history_record(
        by=by,
        objects=Brief.objects.filter(pk__in=changed),
        action=CHANGE,
        message=history_message or f"Added topics {_topic_names(topics)}.",
    )
    return len(new)


@transaction.atomic
def briefs_remove_topics(*, briefs, topics, by=None):
    """Untag every brief in ``briefs`` from every topic in ``topics``; returns how many tags."""
    brief_ids, topics = _brief_ids(briefs), list(topics)
    if not topics:
        raise ValidationError("Choose at least one topic to remove.")
    rows = TaggedBrief.objects.filter(content_object__in=brief_ids, tag__in=topics)
    links = {}
    for brief_id, topic_id in rows.values_list("content_object", "tag"):
        links.setdefault(brief_id, set()).add(topic_id)
    for brief_id, topic_ids in links.items():
        _send_links_changed("pre_remove", brief_id, topic_ids)
    removed, _ = rows.delete()
    for brief_id, topic_ids in links.items():
        _send_links_changed("post_remove", brief_id, topic_ids)
    briefs_touch(links)
    history_record(
        by=by,
        objects=Brief.objects.filter(pk__in=sorted(links)),
        action=CHANGE,
        message=f"Removed topics {_topic_names(topics)}.",
    )
    return removed


@transaction.atomic
def brief_set_topics(*, brief, topics, by=None, created=False):
    """Link ``brief`` to exactly ``topics``: stale links go, new ones come, in bulk.

    The one path behind the import and the admin's brief form. ``created`` says the brief
    was just inserted (it has no links to read). Returns (added, removed) topic lists.
    """
    topics = {topic.pk: topic for topic in topics}
    links = TaggedBrief.objects.filter(content_object=brief)
    linked = set() if created else set(links.values_list("tag_id", flat=True))
    stale, new = linked - topics.keys(), topics.keys() - linked
    if stale:
        _send_links_changed("pre_remove", brief.pk, stale)
        links.filter(tag_id__in=stale).delete()
        _send_links_changed("post_remove", brief.pk, stale)
    if new:
        _link([(brief.pk, topic_id) for topic_id in sorted(new)])
    if (stale or new) and not created:
        briefs_touch([brief.pk])
        parts = []
        if new:
            parts.append(f"Added topics {_topic_names(topics[pk] for pk in sorted(new))}.")
        if stale:
            removed = Topic.objects.filter(pk__in=stale).order_by("name")
            parts.append(f"Removed topics {_topic_names(removed)}.")
        history_record(by=by, objects=[brief], action=CHANGE, message=" ".join(parts))
    getattr(brief, "_prefetched_objects_cache", {}).pop("topics", None)
    brief.__dict__.pop("_topic_list", None)  # prefetch_topics()'s list is stale too
    return [topics[pk] for pk in sorted(new)], sorted(stale)


@transaction.atomic
def briefs_set_status(*, briefs, status, by=None):
    """Publish or unpublish ``briefs``; returns how many changed status.

    A draft without a publication date stays a draft (a published brief needs a date:
    the database refuses one without); ``briefs_undated`` says which those are. Stories
    follow at once (``briefs_story_update_many``, as an edit does): a published brief is
    placed in its story, an unpublished one leaves its story (a story left with one brief
    is deleted).
    """
    if status not in Brief.Status.values:
        raise ValidationError(f"Unknown status “{status}”.")
    changing = Brief.objects.filter(pk__in=_brief_ids(briefs)).exclude(status=status)
    if status == Brief.Status.PUBLISHED:
        changing = changing.exclude(published_at__isnull=True)
    changed = list(changing.only("pk", "title"))
    Brief.objects.filter(pk__in=[brief.pk for brief in changed]).update(
        status=status, modified_at=timezone.now()
    )
    history_record(
        by=by,
        objects=changed,
        action=CHANGE,
        message=f"Status set to {Brief.Status(status).label.lower()}.",
    )
    briefs_story_update_many(brief_ids=[brief.pk for brief in changed], by=by)
    return len(changed)


def briefs_undated(briefs):
    """How many of ``briefs`` have no publication date (so cannot be published yet)."""
    return Brief.objects.filter(pk__in=_brief_ids(briefs), published_at__isnull=True).count()


@transaction.atomic
def brief_update(*, brief, by=None, reason="Edited", changed_fields=()):
    """Save a curator's edit of ``brief`` (already validated by its form or ``full_clean``).

    A changed body is kept as a revision with ``by`` and ``reason``, and the annotations
    on it are re-anchored (``Brief.save`` sends ``brief_body_changed``). The history says
    "Added." for a new brief, else which of ``changed_fields`` (model field names) changed.
    Its candidate index rows are rewritten (``story_tokens_refresh``) and its story is
    worked out again (``brief_story_update``).
    """
    adding = brief._state.adding
    brief.note_change(by=by, reason=reason)
    # Only the stories service moves a brief between stories: keep the stored one, not
    # whatever an older copy of the row says.
    if not adding:
        stored = Brief.objects.filter(pk=brief.pk).values_list("story_id", flat=True)
        brief.story_id = stored.first()
    brief.save()
    story_tokens_refresh(briefs=[brief], created=adding)
    if adding:
        history_record(by=by, objects=[brief], action=ADDITION, message=f"Added. {reason}.")
    elif changed_fields:
        fields = {field.name: str(field.verbose_name) for field in Brief._meta.fields}
        names = [fields.get(name, name.replace("_", " ")) for name in changed_fields]
        history_record(
            by=by, objects=[brief], action=CHANGE, message=f"Changed {_and_list(names)}."
        )
    brief_story_update(brief=brief, by=by)
    return brief


def _and_list(words):
    """``["title", "body", "dek"]`` → ``"title, body and dek"``."""
    words = list(words)
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def briefs_export(*, briefs, by=None):
    """The ``briefs`` as a zip of text files (``<slug>.txt``, see ``brief_as_text``), as bytes.

    Recorded in each brief's history (by ``by``): who took a copy is part of the record.
    """
    briefs = list(briefs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for brief in briefs:
            archive.writestr(f"{brief.slug}.txt", brief_as_text(brief))
    history_record(by=by, objects=briefs, action=CHANGE, message="Exported as a text file.")
    return buffer.getvalue()


def brief_as_text(brief):
    """The brief as a text file: the file it was imported from, or one in the same layout."""
    if brief.raw_text:
        return brief.raw_text
    date = brief.published_at.strftime("%B %-d, %Y") if brief.published_at else ""
    byline = " · ".join(part for part in (brief.author, str(brief.source or "")) if part)
    parts = [brief.title, brief.dek, byline, date, brief.body]
    return "\n\n".join(part for part in parts if part) + "\n"
