"""Importing: one article's text becomes a created, updated or unchanged brief.

The import command, the admin's import and tests call the same ``brief_import``.
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from config.limits import IMPORT_MAX_TOPICS_PER_BRIEF
from core.history import ADDITION, CHANGE, history_record
from core.text import strip_unfit_characters

from ..importer import (
    REVIEW_FUTURE_DATE,
    REVIEW_UNDATED,
    BriefParseError,
    ParsedBrief,
    parse_brief,
)
from ..importer.normalise import repair_mojibake
from ..importer.parser import FUTURE_TOLERANCE
from ..models import Brief
from ..stories.copies import COPY_DATE_WINDOW, alike_titles, is_corrected_copy
from .briefs import brief_set_topics
from .sources import source_for_name
from .stories import brief_story_update, story_tokens_refresh
from .topics import brief_suggest_topics, topics_for_names

_HISTORY = {"created": (ADDITION, "Imported."), "updated": (CHANGE, "Updated by a re-import.")}
_REVIEW_WORDS = {
    REVIEW_UNDATED: "it has no usable publication date",
    REVIEW_FUTURE_DATE: "its date is more than a day ahead",
}
# Undated imports are compared with this many of the source's latest briefs.
UNDATED_COPY_CANDIDATES = 200


@dataclass
class ImportResult:
    """What importing one text did: ``action`` is created, updated, unchanged or failed.

    ``review_reasons`` are the codes (``"undated"``, ``"future-date"``) for which the
    brief was kept a draft for a curator; ``warnings`` say it in words.
    """

    action: str
    brief: Brief | None = None
    reason: str = ""
    warnings: list = field(default_factory=list)
    parsed: ParsedBrief | None = None
    review_reasons: list = field(default_factory=list)

    @property
    def failed(self):
        return self.action == "failed"


def brief_import(*, raw_text, status=Brief.Status.PUBLISHED, dry_run=False, by=None,
                 reference=None):
    """Import one article's text: create a brief, update the same story, or change nothing.

    ``reference`` (an aware datetime; default now) is when the text was saved, the
    file's own date or modification time: relative dates ("2 hours ago") count back
    from it and a date more than a day after it is "in the future". A text with a title
    and a body is never refused for its date: undated, dated ahead or relatively dated
    with nothing to count from, it is stored as a draft with a warning saying why (see
    ``brief_import_parsed`` for the rest). Bad input never raises: it comes back as a
    "failed" result with a one-line reason.
    """
    if status not in Brief.Status.values:
        raise ValueError(f"status must be one of {', '.join(Brief.Status.values)}")
    reference = reference or timezone.now()
    try:
        parsed = parse_brief(raw_text, reference=reference, require_date=False)
    except BriefParseError as error:
        return ImportResult("failed", reason=str(error))
    return brief_import_parsed(
        parsed=parsed, raw_text=raw_text, status=status, dry_run=dry_run, by=by,
        reference=reference,
    )


def brief_import_parsed(*, parsed, raw_text, status=Brief.Status.PUBLISHED, dry_run=False,
                        by=None, reference=None):
    """Store a ParsedBrief (from text, a saved page, a fetched URL or a corrected preview).

    Idempotent: a text whose normalised form was imported before is "unchanged". The
    same story from the same source (``_same_story``: the same headline on the same day,
    or a corrected copy: headline and body nearly the same, dates within a few days)
    updates the stored brief in place, keeping its slug and annotations and recording a
    revision; any other text creates a brief with ``status``. A brief needing review
    (undated, or dated more than a day after ``reference``) is stored as a draft; an
    undated copy of a dated brief keeps the stored date. Mojibake is repaired and
    invisible characters removed in every field, topics beyond
    ``IMPORT_MAX_TOPICS_PER_BRIEF`` dropped, each with a warning. ``raw_text`` is
    stored exactly as given. With ``dry_run`` everything runs (validation included) and
    is rolled back. A created or updated brief is recorded in the admin history as done
    by ``by``. Never raises for bad input: a "failed" result says why.
    """
    parsed = parsed_tidied(parsed)
    try:
        with transaction.atomic():
            result = _store(parsed, raw_text, status, reference or timezone.now())
            if result.action in _HISTORY:
                flag, message = _HISTORY[result.action]
                history_record(by=by, objects=[result.brief], action=flag, message=message)
                brief_story_update(brief=result.brief, by=by)
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


# A warning about dropped topics names this many of them (a page may list thousands).
DROPPED_TOPICS_NAMED = 10


def parsed_tidied(parsed):
    """A copy of ``parsed`` with every field fit to store, and warnings for what changed.

    Whatever parser produced it (plain text, a saved page, a curator's corrections),
    text fields lose invisible format characters and controls, mojibake is repaired
    (ftfy) and the topic list is cut to ``IMPORT_MAX_TOPICS_PER_BRIEF``.
    """
    warnings = list(parsed.warnings)
    repaired_any = False

    def fit(text):
        nonlocal repaired_any
        text, repaired = repair_mojibake(text or "")
        repaired_any = repaired_any or repaired
        return strip_unfit_characters(text)

    names = ("title", "dek", "author", "source_name", "image_caption", "body")
    changes = {name: fit(getattr(parsed, name)) for name in names}
    topics = [topic for topic in (fit(name) for name in parsed.topics) if topic.strip()]
    if repaired_any and not any(warning.startswith("mojibake") for warning in warnings):
        warnings.append(
            "mojibake repaired: text had been decoded with the wrong encoding "
            "(e.g. 'CafÃ©' for 'Café'); check accents and quotes"
        )
    if len(topics) > IMPORT_MAX_TOPICS_PER_BRIEF:
        dropped = topics[IMPORT_MAX_TOPICS_PER_BRIEF:]
        topics = topics[:IMPORT_MAX_TOPICS_PER_BRIEF]
        warnings.append(
            f"{len(dropped)} topic{'s' if len(dropped) != 1 else ''} beyond the first "
            f"{IMPORT_MAX_TOPICS_PER_BRIEF} dropped: "
            + ", ".join(f"'{name}'" for name in dropped[:DROPPED_TOPICS_NAMED])
            + (", …" if len(dropped) > DROPPED_TOPICS_NAMED else "")
        )
    return dataclasses.replace(parsed, **changes, topics=topics, warnings=warnings,
                               review_reasons=list(parsed.review_reasons))


def _store(parsed, raw_text, status, reference):
    unchanged = Brief.objects.filter(content_hash=parsed.content_hash).first()
    if unchanged:
        return ImportResult("unchanged", unchanged, warnings=parsed.warnings, parsed=parsed)
    source = source_for_name(parsed.source_name)
    brief = _same_story(parsed, source)
    action = "updated" if brief else "created"
    published_at = parsed.published_at
    if brief is None:
        brief = Brief(status=status)
    else:
        brief.note_change(reason="re-import")
        if published_at is None and brief.published_at is not None:
            published_at = brief.published_at
            parsed.warnings.append(
                "the text has no usable date; the stored brief's date "
                f"{published_at:%Y-%m-%d %H:%M} UTC is kept"
            )
    reasons = _review_reasons(parsed, published_at, reference)
    if reasons:
        if brief.status != Brief.Status.DRAFT:
            parsed.warnings.append(
                "saved as a draft for a curator to check, because "
                + " and ".join(_REVIEW_WORDS[code] for code in reasons)
            )
        brief.status = Brief.Status.DRAFT
    brief.title = parsed.title
    brief.dek = parsed.dek
    brief.body = parsed.body
    brief.author = parsed.author
    brief.source = source
    brief.published_at = published_at
    brief.published_time_known = parsed.published_time_known if parsed.published_at else (
        brief.published_time_known if published_at else False
    )
    brief.image_caption = parsed.image_caption
    brief.raw_text = raw_text
    brief.content_hash = parsed.content_hash
    # The source was just looked up or created, and the table constraints are settled
    # already: the content hash was looked up above (a concurrent duplicate fails the
    # insert: IntegrityError below), the status is one of the field's choices and a
    # brief without a date is a draft (clean() says so otherwise). Their checks would be
    # three more queries per file, a third of an import's time.
    brief.full_clean(
        exclude=["source"] + ([] if brief.slug else ["slug"]), validate_constraints=False
    )
    brief.save()
    story_tokens_refresh(briefs=[brief], created=action == "created")
    if parsed.topics:
        brief_set_topics(
            brief=brief, topics=topics_for_names(parsed.topics), created=action == "created"
        )
    else:
        brief_suggest_topics(brief=brief)
    return ImportResult(action, brief, warnings=parsed.warnings, parsed=parsed,
                        review_reasons=reasons)


def _review_reasons(parsed, published_at, reference):
    """Why the brief must wait as a draft: the parser's reasons, checked for any parser.

    A saved page's parser does not flag dates; this applies the same rule to it.
    """
    reasons = [code for code in parsed.review_reasons if code in _REVIEW_WORDS]
    if published_at is None:
        reasons.append(REVIEW_UNDATED)
    else:
        reasons = [code for code in reasons if code != REVIEW_UNDATED]
        if published_at > reference + FUTURE_TOLERANCE:
            reasons.append(REVIEW_FUTURE_DATE)
    return list(dict.fromkeys(reasons))


def _same_story(parsed, source):
    """The stored brief ``parsed`` is a copy of, from the same source, or None.

    The same headline (ignoring case) on the same UTC day is the same story, whatever
    the body says; otherwise a corrected copy (``briefs.stories.copies``): headline and
    body nearly the same, dates at most ``COPY_DATE_WINDOW`` apart, or either undated.
    An undated text is compared with the source's latest ``UNDATED_COPY_CANDIDATES``
    briefs. One query reads the candidates' headlines; more run only when a headline is
    equal (its day) or alike (the bodies).
    """
    briefs = Brief.objects.filter(source=source) if source else Brief.objects.filter(
        source__isnull=True
    )
    moment = parsed.published_at
    if moment is not None:
        window = Q(published_at__gte=moment - COPY_DATE_WINDOW,
                   published_at__lte=moment + COPY_DATE_WINDOW)
        candidates = briefs.filter(window | Q(published_at__isnull=True)).order_by("pk")
    else:
        candidates = briefs.order_by("-created_at", "-pk")[:UNDATED_COPY_CANDIDATES]
    rows = list(candidates.values_list("pk", "title"))
    wanted = parsed.title.casefold()
    same_title = [pk for pk, title in rows if title.casefold() == wanted]
    if same_title and moment is not None:
        start = dt.datetime.combine(_utc_day(moment), dt.time.min, tzinfo=dt.timezone.utc)
        exact = Brief.objects.filter(
            pk__in=same_title, published_at__gte=start,
            published_at__lt=start + dt.timedelta(days=1),
        ).order_by("pk").first()
        if exact is not None:
            return exact
    alike = [rows[index][0] for index in alike_titles(parsed.title, [t for _, t in rows])]
    for brief in Brief.objects.filter(pk__in=alike).order_by("pk"):
        if is_corrected_copy(parsed.title, parsed.body, brief.title, brief.body):
            return brief
    return None


def _utc_day(moment):
    return moment.astimezone(dt.timezone.utc).date() if moment else None


def _validation_reason(error):
    messages = []
    for field_name, errors in error.message_dict.items():
        label = "" if field_name == "__all__" else f"{field_name}: "
        messages.extend(label + message for message in errors)
    return " ".join("; ".join(messages).split())
