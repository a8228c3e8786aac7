"""Admin imports as runs: read and preview in the background, correct, then import.

An ``ImportRun`` holds a curator's batch (text files, saved pages, a clipped page, URLs)
in the database, never in the session. ``import_run_start`` stores it and queues
``briefs.tasks.import_run_read_task``: URLs are fetched, every item is parsed and tried
with ``brief_import(dry_run=True)``, and the run waits as a preview. The curator corrects
any field and confirms (``import_run_confirm``); ``import_run_execute`` (a task too) then
imports every item with ``brief_import`` and applies the corrections through
``brief_update`` and ``brief_set_topics``, recording them in the brief's history. Each
step updates the run's counts, so the admin shows progress while workers run it.
"""

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.limits import (
    IMPORT_ITEM_NAME_MAX_LENGTH,
    IMPORT_MAX_TOPICS_PER_BRIEF,
    IMPORT_PREVIEW_TTL_SECONDS,
)
from core.history import CHANGE, history_record

from ..importer import BriefParseError, parse_brief
from ..importer.fetch import FetchError, fetch_page
from ..importer.html import parse_html
from ..models import Brief, ImportItem, ImportRun
from .briefs import brief_set_topics, brief_update
from .importing import ImportResult, brief_import_parsed, parsed_tidied
from .sources import source_for_name
from .topics import topics_for_names

PREVIEW_STATES = (ImportRun.Status.READING, ImportRun.Status.PREVIEW)
# Characters of a failed run's fault kept as its error (the first line only).
ERROR_SHOWN = 500
# Fields of the preview a curator may correct, in the order the preview shows them.
CORRECTABLE = ("title", "dek", "date", "time", "author", "source", "topics",
               "body_start", "body_end")
FIELD_LABELS = {
    "title": "title", "dek": "dek", "date": "date", "time": "time", "author": "author",
    "source": "source", "topics": "topics", "body_start": "body start", "body_end": "body end",
}


def parse_item(*, kind, content, url=""):
    """The ParsedBrief of one item's text or page, its topics capped; BriefParseError if none.

    At most ``IMPORT_MAX_TOPICS_PER_BRIEF`` topics are kept (with a warning), so a page or
    file listing thousands of tags costs no more than one with fifty.
    """
    if kind == "text":
        parsed = parse_brief(content, reference=timezone.now(), require_date=False)
    else:
        parsed = parse_html(content, url=url or None)
    return parsed_tidied(parsed)


def item_import(item, *, status, dry_run, by=None):
    """``brief_import`` of one ImportItem's content; a parse failure is a failed result."""
    try:
        parsed = parse_item(kind=item.kind, content=item.content, url=item.url)
    except BriefParseError as error:
        return ImportResult("failed", reason=str(error))
    return brief_import_parsed(
        raw_text=item.content, parsed=parsed, status=status, dry_run=dry_run, by=by
    )


def parsed_fields(parsed):
    """The preview's view of a ParsedBrief: plain JSON values, one per correctable field.

    ``date`` is ``YYYY-MM-DD`` and ``time`` ``HH:MM`` (UTC; empty when the text gave
    none); ``topics`` one name a line; ``body_start``/``body_end`` the first and last
    paragraphs (``body_end`` empty for a one-paragraph body).
    """
    paragraphs = [p for p in parsed.body.split("\n\n") if p.strip()]
    published = parsed.published_at
    if published is not None:
        published = published.astimezone(dt.timezone.utc)
    return {
        "title": parsed.title,
        "dek": parsed.dek,
        "date": published.strftime("%Y-%m-%d") if published else "",
        "time": published.strftime("%H:%M") if published and parsed.published_time_known
        else "",
        "author": parsed.author,
        "source": parsed.source_name,
        "topics": "\n".join(parsed.topics),
        "body_start": paragraphs[0] if paragraphs else "",
        "body_end": paragraphs[-1] if len(paragraphs) > 1 else "",
        "paragraphs": len(paragraphs),
    }


# --- starting and reading a run -----------------------------------------------------------


def import_run_start(*, owner, brief_status, items):
    """Store a new run of ``items`` for ``owner`` and queue its reading; returns the run.

    ``items`` are dicts with ``name``, ``kind`` (ImportItem.Kind), ``content`` (text or
    HTML; empty for a URL), ``url`` and ``reason`` (a failure found while receiving it,
    e.g. undecodable bytes). Expired previews of every curator are deleted here.
    """
    now = timezone.now()
    ImportRun.objects.filter(status__in=PREVIEW_STATES, expires_at__lt=now).delete()
    with transaction.atomic():
        run = ImportRun.objects.create(
            key=secrets.token_urlsafe(32),
            owner=owner,
            brief_status=brief_status,
            total=len(items),
            expires_at=now + dt.timedelta(seconds=IMPORT_PREVIEW_TTL_SECONDS),
        )
        ImportItem.objects.bulk_create(
            ImportItem(
                run=run, position=position, kind=item["kind"],
                name=item["name"][:IMPORT_ITEM_NAME_MAX_LENGTH],
                url=item.get("url", ""), content=item.get("content", ""),
                action="failed" if item.get("reason") else "", reason=item.get("reason", ""),
            )
            for position, item in enumerate(items)
        )
    from ..tasks import import_run_read_task

    import_run_read_task.enqueue(run.pk)
    run.refresh_from_db()
    return run


def import_run_read(*, run_id):
    """The reading step: fetch each URL, parse and dry-run each item, then wait as a preview."""
    run = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.READING).first()
    if run is None:  # gone (expired, deleted) or already read by another worker
        return
    for item in run.items.order_by("position"):
        if not item.action:
            _read_item(item, run)
        ImportRun.objects.filter(pk=run.pk).update(done=F("done") + 1)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.PREVIEW)


def _read_item(item, run):
    if item.kind == ImportItem.Kind.URL:
        try:
            page = fetch_page(item.url)
        except FetchError as error:
            item.action, item.reason = "failed", str(error)
            item.save(update_fields=["action", "reason"])
            return
        item.content, item.url = page.html, page.final_url
        item.kind = ImportItem.Kind.HTML
    try:
        parsed = parse_item(kind=item.kind, content=item.content, url=item.url)
    except BriefParseError as error:
        item.action, item.reason = "failed", str(error)
    else:
        result = brief_import_parsed(
            raw_text=item.content, parsed=parsed, status=run.brief_status, dry_run=True
        )
        item.action, item.reason, item.warnings = result.action, result.reason, parsed.warnings
        item.parsed = parsed_fields(parsed)
        item.brief = result.brief
    item.save()


# --- confirming and importing -------------------------------------------------------------


def import_run_confirm(*, run, corrections):
    """Confirm a previewed run with ``corrections`` ({item id: {field: value}}); queue it.

    Only fields whose value differs from what the parser found are kept. Raises
    ValidationError when the run is not waiting for confirmation or a correction is
    invalid (a date that is not YYYY-MM-DD, an empty title); nothing is queued then.
    """
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if run.status != ImportRun.Status.PREVIEW:
            raise ValidationError("This import was already confirmed.")
        items = list(run.items.exclude(action="failed"))
        for item in items:
            changed = _changed_fields(item, corrections.get(item.pk, {}))
            if changed != item.corrections:
                item.corrections = changed
                item.save(update_fields=["corrections"])
        run.status = ImportRun.Status.QUEUED
        run.done = 0
        run.corrected = sum(1 for item in items if item.corrections)
        run.save(update_fields=["status", "done", "corrected"])
    from ..tasks import import_run_execute_task

    import_run_execute_task.enqueue(run.pk)
    run.refresh_from_db()
    return run


def _changed_fields(item, values):
    changed = {}
    for name in CORRECTABLE:
        if name not in values:
            continue
        value = _tidy(name, values[name])
        if value != _tidy(name, item.parsed.get(name, "")):
            changed[name] = value
    errors = {}
    if "title" in changed and not changed["title"]:
        errors["title"] = f"{item.name}: a brief needs a title."
    if "date" in changed or "time" in changed:
        try:
            _corrected_datetime({**item.parsed, **changed})
        except ValueError:
            errors["date"] = f"{item.name}: give the date as YYYY-MM-DD and the time as HH:MM."
    if "topics" in changed:
        count = len([line for line in changed["topics"].splitlines() if line.strip()])
        if count > IMPORT_MAX_TOPICS_PER_BRIEF:
            errors["topics"] = (
                f"{item.name}: {count} topics typed; a brief carries at most "
                f"{IMPORT_MAX_TOPICS_PER_BRIEF}."
            )
    if errors:
        raise ValidationError(errors)
    return changed


def _tidy(name, value):
    value = str(value or "").replace("\r\n", "\n").strip()
    if name == "topics":
        return "\n".join(line.strip() for line in value.splitlines() if line.strip())
    if name in ("title", "author", "source", "date", "time"):
        return " ".join(value.split())
    return value


def _corrected_datetime(fields):
    """(aware UTC datetime, time known) from ``date`` and ``time``; ValueError if malformed."""
    day = dt.date.fromisoformat(fields["date"])
    if not fields.get("time"):
        return dt.datetime.combine(day, dt.time.min, tzinfo=dt.timezone.utc), False
    clock = dt.time.fromisoformat(fields["time"])
    return dt.datetime.combine(day, clock, tzinfo=dt.timezone.utc), True


def import_run_execute(*, run_id):
    """The import step: ``brief_import`` every item, apply its corrections, count results."""
    updated = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.RUNNING
    )
    if not updated:  # taken by another worker, or not confirmed
        return
    run = ImportRun.objects.select_related("owner").get(pk=run_id)
    for item in run.items.order_by("position"):
        counts = {"done": F("done") + 1}
        if item.action == "failed" and not item.parsed:
            counts["failed"] = F("failed") + 1
        else:
            result = item_import(item, status=run.brief_status, dry_run=False, by=run.owner)
            if result.brief is not None and item.corrections and result.action != "failed":
                _apply_corrections(result.brief, item.corrections, by=run.owner)
            item.action, item.reason, item.brief = result.action, result.reason, result.brief
            item.save(update_fields=["action", "reason", "brief"])
            counts[result.action] = F(result.action) + 1
        ImportRun.objects.filter(pk=run.pk).update(**counts)
    # The imported briefs keep the texts (raw_text); the run keeps only its lines.
    run.items.update(content="")
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.DONE, finished_at=timezone.now()
    )


def import_run_fail(*, run_id, error):
    """Mark a run failed with a one-line ``error`` (a task stopped by an unexpected fault)."""
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    ImportRun.objects.filter(pk=run_id).update(
        status=ImportRun.Status.FAILED, error=first_line[:ERROR_SHOWN], finished_at=timezone.now()
    )


@transaction.atomic
def _apply_corrections(brief, corrections, *, by):
    """Set the corrected fields on the imported ``brief`` and say so in its history."""
    brief = Brief.objects.get(pk=brief.pk)
    for name in ("title", "dek", "author"):
        if name in corrections:
            setattr(brief, name, corrections[name])
    if "source" in corrections:
        brief.source = source_for_name(corrections["source"])
    if "date" in corrections or "time" in corrections:
        stored = brief.published_at.astimezone(dt.timezone.utc) if brief.published_at else None
        fields = {
            "date": stored.strftime("%Y-%m-%d") if stored else "",
            "time": stored.strftime("%H:%M") if stored and brief.published_time_known else "",
            **{k: v for k, v in corrections.items() if k in ("date", "time")},
        }
        brief.published_at, brief.published_time_known = _corrected_datetime(fields)
    if "body_start" in corrections or "body_end" in corrections:
        brief.body = _corrected_body(brief.body, corrections)
    brief.full_clean(exclude=["source", "slug"], validate_constraints=False)
    brief_update(brief=brief, by=by, reason="Corrected in the import preview")
    if "topics" in corrections:
        brief_set_topics(
            brief=brief, topics=topics_for_names(corrections["topics"].splitlines()), by=by
        )
    names = ", ".join(FIELD_LABELS[name] for name in CORRECTABLE if name in corrections)
    history_record(
        by=by, objects=[brief], action=CHANGE, message=f"Corrected in the import preview: {names}."
    )


def _corrected_body(body, corrections):
    """``body`` with its first and/or last paragraph replaced (an empty one is dropped)."""
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    if "body_start" in corrections and paragraphs:
        paragraphs[0] = corrections["body_start"]
    if "body_end" in corrections and len(paragraphs) > 1:
        paragraphs[-1] = corrections["body_end"]
    return "\n\n".join(p for p in paragraphs if p.strip())
