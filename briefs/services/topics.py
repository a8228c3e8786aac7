"""Writes on topics: create, rename and merge (old slugs keep redirecting), topics found by
name for imports, and topic suggestions (suggest, accept, dismiss).
"""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from core.history import ADDITION, CHANGE, DELETION, history_record

from ..importer.mentions import find_mentions
from ..models import TaggedBrief, Topic, TopicSlugRedirect, TopicSuggestion
from .briefs import briefs_add_topics, briefs_touch


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


def topic_check(*, topic, name, slug=""):
    """The name and slug ``topic`` would have, or ValidationError saying why it cannot.

    ``name`` is tidied (runs of spaces folded); it may not differ from another topic's
    only in case. ``slug``, when given, may be neither another topic's slug nor one of
    their old slugs; when empty it follows the name (kept when the name only changed in
    case or punctuation). Errors are keyed by field, so a form shows them in place. The
    services call this before every write, and the admin's topic form calls it to
    validate: one definition of what a valid topic is.
    """
    name = " ".join((name or "").split())
    errors = {}
    clash = Topic.objects.filter(name__iexact=name)
    if topic.pk is not None:
        clash = clash.exclude(pk=topic.pk)
    clash = clash.first()
    if clash is not None:
        errors["name"] = (
            f"A topic “{clash.name}” already exists (names ignore case); merge the two instead."
        )
    if slug:
        others = Topic.objects.filter(slug=slug)
        old_slugs = TopicSlugRedirect.objects.filter(old_slug=slug).select_related("topic")
        if topic.pk is not None:
            others, old_slugs = others.exclude(pk=topic.pk), old_slugs.exclude(topic=topic)
        taken = old_slugs.first()
        if others.exists():
            errors["slug"] = f"Another topic already has the slug “{slug}”."
        elif taken is not None:
            errors["slug"] = f"“{slug}” is an old slug of “{taken.topic}”; its URLs redirect there."
    if errors:
        raise ValidationError(errors)
    if not slug:
        if topic.pk is not None and topic_name_key(name) == topic_name_key(topic.name):
            slug = topic.slug
        else:
            slug = topic.free_slug(name)
    return name, slug


@transaction.atomic
def topic_create(*, name, slug="", description="", by=None):
    """Create a topic; refuse a name that differs from an existing one only in case.

    A slug left empty follows the name (``name-2`` when that one is taken); a slug given
    must be free (see :func:`topic_check`).
    """
    topic = Topic(description=description)
    topic.name, topic.slug = topic_check(topic=topic, name=name, slug=slug)
    topic.full_clean()
    topic.save()
    history_record(by=by, objects=[topic], action=ADDITION, message="Created.")
    return topic


@transaction.atomic
def topic_rename(*, topic, name, slug="", description=None, by=None):
    """Give ``topic`` a new name (and slug); the old slug keeps answering with a redirect.

    Without ``slug`` the slug follows the new name. A redirect row that named the new slug
    as an old one of this topic is dropped: the slug is current again.
    """
    stored = Topic.objects.get(pk=topic.pk)
    old_name, old_slug = stored.name, stored.slug
    name, new_slug = topic_check(topic=stored, name=name, slug=slug)
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
        briefs_touch(TaggedBrief.objects.filter(tag=topic).values_list("content_object", flat=True))
        history_record(by=by, objects=[topic], action=CHANGE, message=" ".join(changes))
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
    history_record(
        by=by, objects=plan.merge, action=DELETION, message=f"Merged into “{keep}” (id {keep.pk})."
    )
    Topic.objects.filter(pk__in=merged).delete()
    briefs_touch(affected)
    names = ", ".join(f"“{topic}”" for topic in plan.merge)
    history_record(by=by, objects=[keep], action=CHANGE, message=f"Merged {names} into this topic.")
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


def topics_for_names(names):
    """The Topics called ``names`` (ignoring case, like taggit's), created when missing.

    In name order, without duplicates. One query finds the known ones, where taggit
    asks once per name; a name the bulk match misses (a case rule Python and the
    database disagree on) goes through taggit's own case-insensitive get-or-create.
    """
    wanted = {}
    for name in names:
        wanted.setdefault(name.lower(), name)
    found = {
        topic.key: topic
        for topic in Topic.objects.annotate(key=Lower("name")).filter(key__in=list(wanted))
    }
    topics = {}
    for key, name in wanted.items():
        topic = found.get(key)
        if topic is None:
            topic = Topic.objects.filter(name__iexact=name).order_by("pk").first()
        if topic is None:
            topic = Topic.objects.create(name=name)
        topics.setdefault(topic.pk, topic)
    return list(topics.values())


def brief_suggest_topics(*, brief):
    """Suggest existing topics whose names occur in the brief's title, dek or body.

    Topics already on the brief and topics already suggested (pending or dismissed) are
    left out, so a dismissed suggestion never comes back. Suggestions are stored apart
    from ``brief.topics``: readers see nothing until a curator accepts one.
    Returns the new suggestions.
    """
    with transaction.atomic():
        taken = set(brief.topics.values_list("pk", flat=True))
        taken.update(
            TopicSuggestion.objects.filter(brief=brief).values_list("topic_id", flat=True)
        )
        vocabulary = Topic.objects.exclude(pk__in=taken).values_list("pk", "name")
        text = "\n\n".join(part for part in (brief.title, brief.dek, brief.body) if part)
        topic_ids = find_mentions(text, vocabulary.iterator())
        suggestions = [TopicSuggestion(brief=brief, topic_id=pk) for pk in topic_ids]
        TopicSuggestion.objects.bulk_create(suggestions, ignore_conflicts=True)
    return suggestions


def topic_suggestion_accept(*, suggestion, by=None):
    """Add the suggested topic to its brief (readers now see it) and drop the suggestion."""
    with transaction.atomic():
        briefs_add_topics(
            briefs=[suggestion.brief],
            topics=[suggestion.topic],
            by=by,
            history_message=f"Accepted the suggested topic “{suggestion.topic}”.",
        )
        TopicSuggestion.objects.filter(pk=suggestion.pk).delete()
    return suggestion.topic


def topic_suggestion_dismiss(*, suggestion, by=None):
    """Mark a suggestion dismissed; it stays stored so a re-import does not suggest it again."""
    with transaction.atomic():
        suggestion.status = TopicSuggestion.Status.DISMISSED
        suggestion.full_clean()
        suggestion.save(update_fields=["status"])
        history_record(
            by=by,
            objects=[suggestion.brief],
            action=CHANGE,
            message=f"Dismissed the suggested topic “{suggestion.topic}”.",
        )
    return suggestion
