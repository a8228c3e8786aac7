"""Writes of the briefs app: importing parsed text, and topic suggestions.

Each function is keyword-only and runs in its own transaction; the import command, the
admin and tests call the same ones.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower, Replace
from django.db.models.signals import m2m_changed

from .importer import BriefParseError, ParsedBrief, parse_brief
from .importer.mentions import find_mentions
from .models import Brief, Source, TaggedBrief, Topic, TopicSuggestion


@dataclass
class ImportResult:
    """What importing one text did: ``action`` is created, updated, unchanged or failed."""

    action: str
    brief: Brief | None = None
    reason: str = ""
    warnings: list = field(default_factory=list)
    parsed: ParsedBrief | None = None

    @property
    def failed(self):
        return self.action == "failed"


def brief_import(*, raw_text, status=Brief.Status.PUBLISHED, dry_run=False):
    """Import one article's text: create a brief, update the same story, or change nothing.

    Idempotent: a text whose normalised form was imported before is "unchanged"; a text
    with the same source, title and publication date (UTC day) as a stored brief updates
    it in place, keeping its slug, status and annotations and recording a revision; any
    other text creates a brief with ``status``. ``raw_text`` is stored exactly as given.
    A brief that arrives without a topic list gets topic suggestions instead.
    With ``dry_run`` everything runs (validation included) and is then rolled back.
    Bad input never raises: it comes back as a "failed" result with a one-line reason.
    """
    if status not in Brief.Status.values:
        raise ValueError(f"status must be one of {', '.join(Brief.Status.values)}")
    try:
        parsed = parse_brief(raw_text)
    except BriefParseError as error:
        return ImportResult("failed", reason=str(error))
    try:
        with transaction.atomic():
            result = _store(parsed, raw_text, status)
            if dry_run:
                transaction.set_rollback(True)
    except ValidationError as error:
        return ImportResult(
            "failed", reason=_validation_reason(error), warnings=parsed.warnings, parsed=parsed
        )
    except IntegrityError:
        return ImportResult(
            "failed",
            reason="another import saved the same brief at the same moment; run it again",
            warnings=parsed.warnings,
            parsed=parsed,
        )
    if dry_run:
        pk = result.brief.pk if result.action != "created" else None
        result.brief = Brief.objects.filter(pk=pk).first() if pk else None
    return result


def _store(parsed, raw_text, status):
    unchanged = Brief.objects.filter(content_hash=parsed.content_hash).first()
    if unchanged:
        return ImportResult("unchanged", unchanged, warnings=parsed.warnings, parsed=parsed)
    source = source_for_name(parsed.source_name)
    brief = _same_story(parsed, source)
    action = "updated" if brief else "created"
    if brief is None:
        brief = Brief(status=status)
    else:
        brief.note_change(reason="re-import")
    brief.title = parsed.title
    brief.dek = parsed.dek
    brief.body = parsed.body
    brief.author = parsed.author
    brief.source = source
    brief.published_at = parsed.published_at
    brief.published_time_known = parsed.published_time_known
    brief.image_caption = parsed.image_caption
    brief.raw_text = raw_text
    brief.content_hash = parsed.content_hash
    # The source was just looked up or created, and both table constraints are settled
    # already: the content hash was looked up above (a concurrent duplicate fails the
    # insert: IntegrityError below), and the status is one of the field's choices. Their
    # checks would be three more queries per file, a third of an import's time.
    brief.full_clean(
        exclude=["source"] + ([] if brief.slug else ["slug"]), validate_constraints=False
    )
    brief.save()
    if parsed.topics:
        _set_topics(brief, parsed.topics, created=action == "created")
    else:
        brief_suggest_topics(brief=brief)
    return ImportResult(action, brief, warnings=parsed.warnings, parsed=parsed)


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


def _set_topics(brief, names, *, created):
    """Link ``brief`` to exactly the topics ``names``: what ``brief.topics.set`` does, in bulk.

    taggit adds links one ``get_or_create`` at a time (a savepoint and two queries
    each, and on PostgreSQL a search-index refresh each); here new links go in one
    INSERT and stale ones out in one DELETE, so the index is rebuilt once per change
    (migration 0006). The same m2m_changed signals are sent as taggit sends.
    """
    topics = {topic.pk: topic for topic in topics_for_names(names)}
    links = TaggedBrief.objects.filter(content_object=brief)
    linked = set() if created else set(links.values_list("tag_id", flat=True))
    stale, new = linked - topics.keys(), topics.keys() - linked
    for action, pks, write in (
        ("remove", stale, lambda: links.filter(tag_id__in=stale).delete()),
        ("add", new, lambda: TaggedBrief.objects.bulk_create(
            [TaggedBrief(content_object=brief, tag=topics[pk]) for pk in new])),
    ):
        if not pks:
            continue
        signal = {"sender": TaggedBrief, "instance": brief, "reverse": False,
                  "model": Topic, "pk_set": set(pks), "using": links.db}
        m2m_changed.send(action="pre_" + action, **signal)
        write()
        m2m_changed.send(action="post_" + action, **signal)
    getattr(brief, "_prefetched_objects_cache", {}).pop("topics", None)


def source_for_name(name):
    """The Source called ``name``, ignoring case and spaces ("Clash Report" is "ClashReport").

    Created when missing; None for an empty name.
    """
    name = " ".join((name or "").split())
    if not name:
        return None
    key = "".join(name.split()).lower()
    existing = (
        Source.objects.annotate(key=Replace(Lower("name"), Value(" "), Value("")))
        .filter(key=key)
        .order_by("pk")
        .first()
    )
    if existing:
        return existing
    source = Source(name=name)
    source.full_clean(exclude=["slug"])
    source.save()
    return source


def _same_story(parsed, source):
    """A stored brief with the same source, title and UTC publication day, if any."""
    day = parsed.published_at.astimezone(dt.timezone.utc).date()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=dt.timezone.utc)
    briefs = Brief.objects.filter(
        title__iexact=parsed.title,
        published_at__gte=start,
        published_at__lt=start + dt.timedelta(days=1),
    )
    briefs = briefs.filter(source=source) if source else briefs.filter(source__isnull=True)
    return briefs.order_by("pk").first()


def _validation_reason(error):
    messages = []
    for field_name, errors in error.message_dict.items():
        label = "" if field_name == "__all__" else f"{field_name}: "
        messages.extend(label + message for message in errors)
    return " ".join("; ".join(messages).split())


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


def topic_suggestion_accept(*, suggestion):
    """Add the suggested topic to its brief (readers now see it) and drop the suggestion."""
    with transaction.atomic():
        suggestion.brief.topics.add(suggestion.topic)
        suggestion.delete()
    return suggestion.topic


def topic_suggestion_dismiss(*, suggestion):
    """Mark a suggestion dismissed; it stays stored so a re-import does not suggest it again."""
    with transaction.atomic():
        suggestion.status = TopicSuggestion.Status.DISMISSED
        suggestion.full_clean()
        suggestion.save(update_fields=["status"])
    return suggestion
