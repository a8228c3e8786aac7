"""Writes on topics: create, rename and merge (old slugs keep redirecting), topics found by
name for imports, and topic suggestions (suggest, accept, dismiss).
"""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from core.history import ADDITION, CHANGE, DELETION, history_record
from core.text import strip_unfit_characters

from ..models import TaggedBrief, Topic, TopicSlugRedirect, TopicSuggestion
from ..slugs import base_slug
from ..text import topic_identity
from ..topic_mentions import find_mentions
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

    ``name`` is tidied (invisible characters dropped, runs of spaces folded); it may not
    differ from another topic's only in case (``topic_identity``, Unicode-wide), nor be
    the old name of another topic (renamed or merged: its imports land there). ``slug``, when given, may be neither another topic's slug nor one of
    their old slugs; when empty it follows the name (kept when the name only changed in
    case or punctuation). Errors are keyed by field, so a form shows them in place. The
    services call this before every write, and the admin's topic form calls it to
    validate: one definition of what a valid topic is.
    """
    name = " ".join(strip_unfit_characters(name or "").split())
    errors = {}
    key = topic_identity(name)
    clash = Topic.objects.filter(name_key=key)
    old_name = TopicSlugRedirect.objects.filter(old_name_key=key).select_related("topic")
    if topic.pk is not None:
        clash, old_name = clash.exclude(pk=topic.pk), old_name.exclude(topic=topic)
    clash, old_name = clash.first(), old_name.first()
    if clash is not None:
        errors["name"] = (
            f"A topic “{clash.name}” already exists (names ignore case); merge the two instead."
        )
    elif old_name is not None:
        errors["name"] = (
            f"“{name}” is an old name of “{old_name.topic}”; imports that list it go there."
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

    Without ``slug`` the slug follows the new name; ``description=None`` keeps the stored
    one. A redirect row that named the new slug as an old one of this topic is dropped: the
    slug is current again. The history (by ``by``) says what of the three changed.
    """
    stored = Topic.objects.get(pk=topic.pk)
    old_name, old_slug, old_description = stored.name, stored.slug, stored.description
    name, new_slug = topic_check(topic=stored, name=name, slug=slug)
    topic.name, topic.slug = name, new_slug
    if description is not None:
        topic.description = strip_unfit_characters(description)
    topic.full_clean()
    topic.save()
    changes = []
    if name != old_name:
        changes.append(f"Renamed from “{old_name}”.")
    if new_slug != old_slug:
        TopicSlugRedirect.objects.filter(old_slug=new_slug, topic=topic).delete()
        TopicSlugRedirect.objects.create(old_slug=old_slug, topic=topic, old_name=old_name)
        changes.append(f"Slug changed from “{old_slug}”; the old URLs redirect.")
    if changes:
        briefs_touch(TaggedBrief.objects.filter(tag=topic).values_list("content_object", flat=True))
    if topic.description != old_description:
        changes.append("Changed description.")
    if changes:
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
        [
            TopicSlugRedirect(
                old_slug=topic.slug,
                topic=keep,
                old_name=topic.name,
                old_name_key=topic_identity(topic.name),  # bulk_create sends no pre_save
            )
            for topic in plan.merge
        ]
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
    """The current Topics that ``names`` mean, created when no topic is meant; a list.

    In the order given, without duplicates. A name means a topic when it is the topic's
    name ignoring case (``topic_identity``: Unicode-wide, invisible characters ignored),
    an old name it had before a rename or merge, or the slug of such a name is one of
    its old slugs (redirects recorded before old names were kept): so a merged or
    renamed topic is never re-created by an import, and its old URLs keep redirecting.
    Names are tidied as ``topic_check`` tidies them. Three queries for any number of
    names, plus one insert per new topic.
    """
    wanted = {}
    for raw in names:
        name = " ".join(strip_unfit_characters(raw or "").split())
        if name:
            wanted.setdefault(topic_identity(name), name)
    found = _topics_by_identity(wanted)
    topics = {}
    for key, name in wanted.items():
        topic = found.get(key)
        if topic is None:
            topic = Topic(name=name)
            topic.save()
            found[key] = topic
        topics.setdefault(topic.pk, topic)
    return list(topics.values())


def _topics_by_identity(wanted):
    """{identity key: current Topic} for the keys of ``wanted`` (key -> name) some topic means."""
    found = {topic.name_key: topic for topic in Topic.objects.filter(name_key__in=list(wanted))}
    missing = {key: name for key, name in wanted.items() if key not in found}
    if not missing:
        return found
    slug_length = Topic._meta.get_field("slug").max_length - 10  # as Topic.free_slug cuts
    slugs = {
        base_slug(name, max_length=slug_length, fallback=""): key for key, name in missing.items()
    }
    slugs.pop("", None)
    aliases = TopicSlugRedirect.objects.filter(
        Q(old_name_key__in=list(missing)) | Q(old_slug__in=list(slugs))
    ).select_related("topic")
    by_name, by_slug = {}, {}
    for alias in aliases.order_by("pk"):
        if alias.old_name_key in missing:
            by_name.setdefault(alias.old_name_key, alias.topic)
        if alias.old_slug in slugs:
            by_slug.setdefault(slugs[alias.old_slug], alias.topic)
    for key in missing:
        topic = by_name.get(key) or by_slug.get(key)
        if topic is not None:
            found[key] = topic
    return found


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
