"""Curators' writes: topic creation, rename and merge (with slug redirects), bulk topic and
status changes on briefs.

Each function is keyword-only and atomic; the admin, scripts and tests call the same ones.
When ``by`` (a user) is given, the change is also written to the admin log, so the history of
a topic or brief shows it whichever way it was made.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Brief, TaggedBrief, Topic, TopicSlugRedirect, TopicSuggestion
from .slugs import base_slug, first_free_slug

TOPIC_SLUG_MAX_LENGTH = Topic._meta.get_field("slug").max_length


def topic_name_key(name):
    """The form two topic names share when a reader would call them the same topic.

    Case, Unicode composition, punctuation and runs of whitespace do not count:
    "Rare Earths", "rare-earths" and "Rare  Earths." share one key, as do "U.S." and "US".
    """
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = re.sub(r"[.'’]", "", text)  # "U.S." is "US", "Xi's" is "Xis"
    text = re.sub(r"[\W_]+", " ", text)
    return " ".join(text.split())


def topic_near_duplicates(topics=None):
    """Groups (lists of two or more topics) whose names share a ``topic_name_key``.

    One query; groups and their members come in name order.
    """
    groups = {}
    for topic in topics if topics is not None else Topic.objects.order_by("name"):
        groups.setdefault(topic_name_key(topic.name), []).append(topic)
    return [group for group in groups.values() if len(group) > 1]


def _log(by, objects, flag, message):
    if by is not None and objects:
        LogEntry.objects.log_actions(
            user_id=by.pk, queryset=list(objects), action_flag=flag, change_message=message
        )


def topic_free_slug(text, *, topic=None):
    """A slug for ``text`` used neither by another topic nor as another topic's old slug."""
    base = base_slug(text, max_length=TOPIC_SLUG_MAX_LENGTH - 10, fallback="topic")
    other_topics = Topic.objects.filter(slug__startswith=base)
    old_slugs = TopicSlugRedirect.objects.filter(old_slug__startswith=base)
    if topic is not None and topic.pk is not None:
        other_topics = other_topics.exclude(pk=topic.pk)
        old_slugs = old_slugs.exclude(topic=topic)
    taken = set(other_topics.values_list("slug", flat=True))
    taken |= set(old_slugs.values_list("old_slug", flat=True))
    return first_free_slug(base, taken, max_length=TOPIC_SLUG_MAX_LENGTH)


def check_topic_slug(*, slug, topic):
    """Refuse ``slug`` for ``topic`` when another topic has it now or had it before."""
    others = Topic.objects.filter(slug=slug)
    old_slugs = TopicSlugRedirect.objects.filter(old_slug=slug).select_related("topic")
    if topic.pk is not None:
        others, old_slugs = others.exclude(pk=topic.pk), old_slugs.exclude(topic=topic)
    if others.exists():
        raise ValidationError({"slug": f"Another topic already has the slug “{slug}”."})
    taken = old_slugs.first()
    if taken is not None:
        raise ValidationError(
            {"slug": f"“{slug}” is an old slug of “{taken.topic}”; its URLs redirect there."}
        )


def _same_name_topic(name, *, exclude=None):
    queryset = Topic.objects.filter(name__iexact=name.strip())
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.first()


@transaction.atomic
def topic_create(*, name, slug="", description="", by=None):
    """Create a topic; refuse a name that differs from an existing one only in case.

    A slug another topic uses (or used) is not an error: the new topic gets ``slug-2``.
    """
    name = " ".join((name or "").split())
    existing = _same_name_topic(name)
    if existing is not None:
        raise ValidationError(
            {"name": f"A topic “{existing.name}” already exists (names ignore case)."}
        )
    topic = Topic(name=name, description=description)
    if slug:
        check_topic_slug(slug=slug, topic=topic)
        topic.slug = slug
    else:
        topic.slug = topic_free_slug(name)
    topic.full_clean()
    topic.save()
    _log(by, [topic], ADDITION, "Created.")
    return topic


@transaction.atomic
def topic_rename(*, topic, name, slug=None, description=None, by=None):
    """Give ``topic`` a new name (and slug); the old slug keeps answering with a redirect.

    Without ``slug`` the slug follows the new name. A redirect row that named the new slug
    as an old one of this topic is dropped: the slug is current again.
    """
    name = " ".join((name or "").split())
    old_name, old_slug = Topic.objects.filter(pk=topic.pk).values_list("name", "slug").get()
    clash = _same_name_topic(name, exclude=topic)
    if clash is not None:
        raise ValidationError(
            {"name": f"A topic “{clash.name}” already exists; merge the two instead."}
        )
    if slug is None:
        new_slug = old_slug if topic_name_key(name) == topic_name_key(old_name) else None
        new_slug = new_slug or topic_free_slug(name, topic=topic)
    else:
        new_slug = slug
        check_topic_slug(slug=new_slug, topic=topic)
    topic.name, topic.slug = name, new_slug
    if description is not None:
        topic.description = description
    topic.full_clean()
    topic.save()
    changes = []
    if name != old_name:
        changes.append(f"Renamed from “{old_name}”.")
    if new_slug != old_slug:
        TopicSlugRedirect.objects.filter(old_slug=new_slug, topic=topic).delete()
        TopicSlugRedirect.objects.create(old_slug=old_slug, topic=topic)
        changes.append(f"Slug changed from “{old_slug}”; the old URLs redirect.")
    if changes:
        _touch_briefs(TaggedBrief.objects.filter(tag=topic).values("content_object"))
        _log(by, [topic], CHANGE, " ".join(changes))
    return topic


@dataclass(frozen=True)
class MergePlan:
    """What a merge will do, for the confirmation page and the result message."""

    keep: Topic
    merge: tuple
    briefs_moving: int
    briefs_already_tagged: int
    old_slugs: tuple


def topic_merge_plan(*, keep, merge):
    """Describe ``topic_merge(keep=keep, merge=merge)`` without changing anything."""
    merge = tuple(topic for topic in merge if topic.pk != keep.pk)
    rows = TaggedBrief.objects.filter(tag__in=merge)
    kept = TaggedBrief.objects.filter(tag=keep).values("content_object")
    involved = set(rows.values_list("content_object", flat=True))
    overlap = set(rows.filter(content_object__in=kept).values_list("content_object", flat=True))
    old_slugs = [topic.slug for topic in merge]
    old_slugs += TopicSlugRedirect.objects.filter(topic__in=merge).values_list(
        "old_slug", flat=True
    )
    return MergePlan(keep, merge, len(involved - overlap), len(overlap), tuple(sorted(old_slugs)))


@transaction.atomic
def topic_merge(*, keep, merge, by=None):
    """Fold the topics in ``merge`` into ``keep`` and delete them.

    Every brief of a merged topic ends up tagged ``keep`` once; pending and dismissed
    suggestions move the same way; each merged topic's slug, and every old slug that pointed
    to it, now redirects to ``keep``. Returns the MergePlan that was carried out.
    """
    plan = topic_merge_plan(keep=keep, merge=merge)
    if not plan.merge:
        raise ValidationError("Choose at least one topic other than the one to keep.")
    merged = [topic.pk for topic in plan.merge]
    affected = list(
        TaggedBrief.objects.filter(tag__in=merged + [keep.pk])
        .values_list("content_object", flat=True)
        .distinct()
    )
    _move_rows(TaggedBrief, "content_object", "tag", merged, keep)
    _move_rows(TopicSuggestion, "brief", "topic", merged, keep)
    # A suggestion of a topic the brief now carries has nothing left to suggest.
    TopicSuggestion.objects.filter(
        topic=keep,
        status=TopicSuggestion.Status.PENDING,
        brief__in=TaggedBrief.objects.filter(tag=keep).values("content_object"),
    ).delete()
    TopicSlugRedirect.objects.filter(topic__in=merged).update(topic=keep)
    TopicSlugRedirect.objects.bulk_create(
        [TopicSlugRedirect(old_slug=topic.slug, topic=keep) for topic in plan.merge]
    )
    _log(by, plan.merge, DELETION, f"Merged into “{keep}” (id {keep.pk}).")
    Topic.objects.filter(pk__in=merged).delete()
    _touch_briefs(affected)
    names = ", ".join(f"“{topic}”" for topic in plan.merge)
    _log(by, [keep], CHANGE, f"Merged {names} into this topic.")
    return plan


def _move_rows(model, owner_field, topic_field, from_topics, keep):
    """Point ``model`` rows of ``from_topics`` at ``keep``, never leaving two per owner."""
    owner_id = f"{owner_field}_id"
    rows = model.objects.filter(**{f"{topic_field}__in": from_topics}).order_by("pk")
    owners_with_keep = set(
        model.objects.filter(**{topic_field: keep}).values_list(owner_id, flat=True)
    )
    surplus, seen = [], set(owners_with_keep)
    for pk, owner in rows.values_list("pk", owner_id):
        if owner in seen:
            surplus.append(pk)
        seen.add(owner)
    model.objects.filter(pk__in=surplus).delete()
    model.objects.filter(**{f"{topic_field}__in": from_topics}).update(**{topic_field: keep})


def _touch_briefs(brief_ids):
    """Mark briefs as changed, so feeds (ETag, Last-Modified) see their new topics."""
    Brief.objects.filter(pk__in=brief_ids).update(modified_at=timezone.now())


def _brief_ids(briefs):
    return [brief.pk for brief in briefs]


@transaction.atomic
def briefs_add_topics(*, briefs, topics, by=None):
    """Tag every brief in ``briefs`` with every topic in ``topics`` (existing tags stay).

    Pending suggestions of those topics are settled by it. Returns how many tags were added.
    """
    brief_ids, topics = _brief_ids(briefs), list(topics)
    if not topics:
        raise ValidationError("Choose at least one topic to add.")
    present = set(
        TaggedBrief.objects.filter(content_object__in=brief_ids, tag__in=topics).values_list(
            "content_object", "tag"
        )
    )
    new_rows = [
        TaggedBrief(content_object_id=brief_id, tag=topic)
        for brief_id in brief_ids
        for topic in topics
        if (brief_id, topic.pk) not in present
    ]
    TaggedBrief.objects.bulk_create(new_rows)
    TopicSuggestion.objects.filter(
        brief__in=brief_ids, topic__in=topics, status=TopicSuggestion.Status.PENDING
    ).delete()
    changed = sorted({row.content_object_id for row in new_rows})
    _touch_briefs(changed)
    names = ", ".join(f"“{topic}”" for topic in topics)
    _log(by, Brief.objects.filter(pk__in=changed), CHANGE, f"Added topics {names}.")
    return len(new_rows)


@transaction.atomic
def briefs_remove_topics(*, briefs, topics, by=None):
    """Untag every brief in ``briefs`` from every topic in ``topics``; returns how many tags."""
    brief_ids, topics = _brief_ids(briefs), list(topics)
    if not topics:
        raise ValidationError("Choose at least one topic to remove.")
    rows = TaggedBrief.objects.filter(content_object__in=brief_ids, tag__in=topics)
    changed = sorted(set(rows.values_list("content_object", flat=True)))
    removed, _ = rows.delete()
    _touch_briefs(changed)
    names = ", ".join(f"“{topic}”" for topic in topics)
    _log(by, Brief.objects.filter(pk__in=changed), CHANGE, f"Removed topics {names}.")
    return removed


@transaction.atomic
def briefs_set_status(*, briefs, status, by=None):
    """Publish or unpublish ``briefs``; returns how many changed status."""
    if status not in Brief.Status.values:
        raise ValidationError(f"Unknown status “{status}”.")
    changing = Brief.objects.filter(pk__in=_brief_ids(briefs)).exclude(status=status)
    changed = list(changing.only("pk", "title"))
    Brief.objects.filter(pk__in=[brief.pk for brief in changed]).update(
        status=status, modified_at=timezone.now()
    )
    _log(by, changed, CHANGE, f"Status set to {Brief.Status(status).label.lower()}.")
    return len(changed)
