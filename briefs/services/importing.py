"""Importing: one article's text becomes a created, updated or unchanged brief.

The import command, the admin's import and tests call the same ``brief_import``.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.history import ADDITION, CHANGE, history_record

from ..importer import BriefParseError, ParsedBrief, parse_brief
from ..models import Brief
from .briefs import brief_set_topics
from .sources import source_for_name
from .topics import brief_suggest_topics, topics_for_names

_HISTORY = {"created": (ADDITION, "Imported."), "updated": (CHANGE, "Updated by a re-import.")}


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


def brief_import(
    *, raw_text, status=Brief.Status.PUBLISHED, dry_run=False, by=None, parsed=None
):
    """Import one article's text: create a brief, update the same story, or change nothing.

    Idempotent: a text whose normalised form was imported before is "unchanged"; a text
    with the same source, title and publication date (UTC day) as a stored brief updates
    it in place, keeping its slug, status and annotations and recording a revision; any
    other text creates a brief with ``status``. ``raw_text`` is stored exactly as given.
    A brief that arrives without a topic list gets topic suggestions instead.
    With ``dry_run`` everything runs (validation included) and is then rolled back.
    A created or updated brief is recorded in the admin history as done by ``by``.
    Bad input never raises: it comes back as a "failed" result with a one-line reason.
    ``parsed``, when given, is ``raw_text`` already read (a saved page's ``parse_html``,
    or a parse whose topics the admin import capped); the text is then not parsed again.
    """
    if status not in Brief.Status.values:
        raise ValueError(f"status must be one of {', '.join(Brief.Status.values)}")
    if parsed is None:
        try:
            parsed = parse_brief(raw_text)
        except BriefParseError as error:
            return ImportResult("failed", reason=str(error))
    try:
        with transaction.atomic():
            result = _store(parsed, raw_text, status)
            if result.action in _HISTORY:
                flag, message = _HISTORY[result.action]
                history_record(by=by, objects=[result.brief], action=flag, message=message)
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
        brief_set_topics(
            brief=brief, topics=topics_for_names(parsed.topics), created=action == "created"
        )
    else:
        brief_suggest_topics(brief=brief)
    return ImportResult(action, brief, warnings=parsed.warnings, parsed=parsed)


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
