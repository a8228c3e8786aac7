"""Importing briefs from the admin: upload or paste, preview, then confirm.

The preview runs ``brief_import(dry_run=True)`` on every text, so it shows exactly what the
real import will do (new, update, unchanged or failed) and the same service then does it.
Between the two steps the texts wait in the curator's session, under a one-time token.
"""

import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View

from ..importer import BriefParseError, decode_brief_bytes
from ..services.importing import brief_import
from .forms import BriefImportForm

SESSION_KEY = "briefs_admin_import"
PENDING_PREVIEWS_KEPT = 3
PASTED_NAME = "pasted text"
ACTION_LABELS = {
    "created": "new",
    "updated": "update",
    "unchanged": "unchanged",
    "failed": "failed",
}


def read_uploads(form):
    """The batch as (name, text, reason) rows: text None and a reason when undecodable."""
    rows = []
    for upload in form.cleaned_data["files"]:
        try:
            rows.append((upload.name, decode_brief_bytes(upload.read()), ""))
        except BriefParseError as error:
            rows.append((upload.name, None, str(error)))
    if form.cleaned_data["text"].strip():
        rows.append((PASTED_NAME, form.cleaned_data["text"], ""))
    return rows


class ImportRow:
    """One text of the batch and what importing it did (or would do)."""

    def __init__(self, name, text, reason, result=None):
        self.name = name
        self.result = result
        self.action = result.action if result else "failed"
        self.label = ACTION_LABELS[self.action]
        self.reason = result.reason if result else reason
        self.parsed = result.parsed if result else None
        self.brief = result.brief if result else None
        self.warnings = result.warnings if result else []


def run_batch(rows, *, status, dry_run, by=None):
    """Import every decodable text of the batch, each in its own transaction."""
    return [
        ImportRow(
            name, text, reason,
            brief_import(raw_text=text, status=status, dry_run=dry_run, by=by),
        )
        if text is not None
        else ImportRow(name, text, reason)
        for name, text, reason in rows
    ]


def summary(import_rows):
    counts = {}
    for row in import_rows:
        counts[row.label] = counts.get(row.label, 0) + 1
    return ", ".join(f"{count} {label}" for label, count in counts.items())


class BriefImportView(View):
    """``/admin/briefs/brief/import/``: the form, the preview (POST) and the confirm (POST)."""

    model_admin = None

    def dispatch(self, request, *args, **kwargs):
        admin = self.model_admin
        if not (admin.has_add_permission(request) and admin.has_change_permission(request)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(request, "admin/briefs/brief/import.html", form=BriefImportForm())

    def post(self, request):
        if "token" in request.POST:
            return self.confirm(request)
        form = BriefImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, "admin/briefs/brief/import.html", form=form)
        rows = read_uploads(form)
        status = form.cleaned_data["status"]
        preview = run_batch(rows, status=status, dry_run=True)
        token = secrets.token_urlsafe(16)
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {"status": status, "rows": rows}
        # Abandoned previews must not pile up in the session: keep the newest few.
        request.session[SESSION_KEY] = dict(list(pending.items())[-PENDING_PREVIEWS_KEPT:])
        return self.render(
            request,
            "admin/briefs/brief/import_preview.html",
            rows=preview,
            token=token,
            status=status,
            summary=summary(preview),
            importable=any(row.action in ("created", "updated") for row in preview),
        )

    def confirm(self, request):
        pending = request.session.get(SESSION_KEY, {})
        batch = pending.pop(request.POST["token"], None)
        request.session[SESSION_KEY] = pending
        if batch is None:
            self.model_admin.message_user(
                request,
                "That preview was already imported or has expired; upload the files again.",
                messages.WARNING,
            )
            return HttpResponseRedirect(request.path)
        rows = [tuple(row) for row in batch["rows"]]
        done = run_batch(rows, status=batch["status"], dry_run=False, by=request.user)
        return self.render(
            request, "admin/briefs/brief/import_done.html", rows=done, summary=summary(done)
        )

    def render(self, request, template, **context):
        admin = self.model_admin
        return TemplateResponse(
            request,
            template,
            {
                **admin.admin_site.each_context(request),
                "opts": admin.opts,
                "title": "Import briefs",
                "changelist_url": reverse(
                    "admin:briefs_brief_changelist", current_app=admin.admin_site.name
                ),
                **context,
            },
        )
