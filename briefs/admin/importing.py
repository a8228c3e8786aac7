"""Importing briefs from the admin: upload, paste, give URLs or clip a page; preview; confirm.

The form stores an ``ImportRun`` (``briefs.services.import_runs``) and redirects to the
run's own page, ``import/<key>/``: while background workers fetch and read it the page
shows progress; then the preview, where every field the parser found can be corrected;
after the confirmation, progress again and the result. The batch waits in the database
under a random key, owned by the curator and expiring, never in the session.
``import/clip/`` is the page the "Clip to Brief Archive" bookmarklet opens.
"""

import json
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View

from config.limits import IMPORT_MAX_PAGE_BYTES

from ..importer import BriefParseError, decode_brief_bytes
from ..importer.html import decode_html_bytes
from ..models import ImportItem, ImportRun
from ..services.import_runs import CORRECTABLE, import_run_confirm, import_run_start
from .forms import PAGE_SUFFIXES, BriefImportForm

PASTED_NAME = "pasted text"
REFRESH_SECONDS = 2
# The curator's newest runs listed on the import page (all are under "Import runs").
RECENT_RUNS_SHOWN = 10
ACTION_LABELS = {
    "created": "new",
    "updated": "update",
    "unchanged": "unchanged",
    "failed": "failed",
    "": "waiting",
}
CLIP_MESSAGE_TYPE = "brief-archive-clip"
FIELD_INPUT_LABELS = {
    "title": "Title", "dek": "Dek", "date": "Date (UTC, YYYY-MM-DD)",
    "time": "Time (UTC, HH:MM; empty if unknown)", "author": "Author", "source": "Source",
    "topics": "Topics (one a line)", "body_start": "Body start (first paragraph)",
    "body_end": "Body end (last paragraph)",
}
ONE_LINE_FIELDS = {"title", "date", "time", "author", "source"}


def form_items(form):
    """The batch of a valid BriefImportForm as ``import_run_start`` items, in form order."""
    items = []
    for upload in form.cleaned_data["files"]:
        items.append(_upload_item(upload))
    if form.cleaned_data["text"].strip():
        items.append({"name": PASTED_NAME, "kind": ImportItem.Kind.TEXT,
                      "content": form.cleaned_data["text"]})
    for url in form.cleaned_data["urls"]:
        items.append({"name": url, "kind": ImportItem.Kind.URL, "url": url})
    if form.cleaned_data["clip_url"]:
        url = form.cleaned_data["clip_url"]
        items.append(_upload_item(form.cleaned_data["clip_page"], name=url, url=url, page=True))
    return items


def _upload_item(upload, *, name=None, url="", page=False):
    is_page = page or upload.name.lower().endswith(PAGE_SUFFIXES)
    item = {"name": name or upload.name, "url": url,
            "kind": ImportItem.Kind.HTML if is_page else ImportItem.Kind.TEXT}
    try:
        data = upload.read()
        item["content"] = decode_html_bytes(data) if is_page else decode_brief_bytes(data)
    except BriefParseError as error:
        item["reason"] = str(error)
    return item


class PreviewRow:
    """One item of a run as its page shows it: label, fields, warnings, correction inputs."""

    def __init__(self, item, editable, typed=None):
        self.item = item
        self.name = item.name
        self.action = item.action or ""
        self.label = ACTION_LABELS.get(self.action, self.action)
        self.reason = item.reason
        self.warnings = item.warnings
        self.brief = item.brief
        self.parsed = item.parsed
        self.corrections = item.corrections
        self.editable = editable and self.action in ("created", "updated") and bool(item.parsed)
        # What the curator typed wins: a refused confirmation shows their values again.
        shown = {**item.parsed, **item.corrections, **(typed or {})}
        self.fields = [
            {"name": name, "label": FIELD_INPUT_LABELS[name], "input": f"item-{item.pk}-{name}",
             "value": shown.get(name, ""), "corrected": name in item.corrections,
             "one_line": name in ONE_LINE_FIELDS}
            for name in CORRECTABLE
        ]


def summary(run):
    """"2 new, 1 failed": the run's counts so far, in a fixed order, zeros left out."""
    parts = [(run.created, "new"), (run.updated, "update"), (run.unchanged, "unchanged"),
             (run.failed, "failed")]
    return ", ".join(f"{count} {label}" for count, label in parts if count)


def preview_summary(rows):
    counts = {}
    for row in rows:
        counts[row.label] = counts.get(row.label, 0) + 1
    return ", ".join(f"{count} {label}" for label, count in counts.items())


class ImportAdminView(View):
    """Shared by the import views: curators who may add and change briefs, admin context."""

    model_admin = None

    def dispatch(self, request, *args, **kwargs):
        admin = self.model_admin
        if not (admin.has_add_permission(request) and admin.has_change_permission(request)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

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


class BriefImportView(ImportAdminView):
    """``/admin/briefs/brief/import/``: the form (GET) and starting a run (POST)."""

    def get(self, request):
        return self.form_page(request, BriefImportForm())

    def post(self, request):
        form = BriefImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.form_page(request, form)
        run = import_run_start(
            owner=request.user, brief_status=form.cleaned_data["status"], items=form_items(form)
        )
        return HttpResponseRedirect(run.get_absolute_url())

    def form_page(self, request, form):
        clip_url = request.build_absolute_uri(reverse("admin:briefs_brief_import_clip"))
        return self.render(
            request, "admin/briefs/brief/import.html", form=form,
            bookmarklet=bookmarklet(clip_url),
            runs=ImportRun.objects.filter(owner=request.user)[:RECENT_RUNS_SHOWN],
        )


class ImportRunView(ImportAdminView):
    """``/admin/briefs/brief/import/<key>/``: one run's progress, preview or result."""

    def get_run(self, request, key):
        run = get_object_or_404(ImportRun, key=key, owner=request.user)
        if run.status in (ImportRun.Status.READING, ImportRun.Status.PREVIEW) and (
            run.expires_at < timezone.now()
        ):
            raise Http404("This preview has expired.")
        return run

    def get(self, request, key):
        return self.run_page(request, self.get_run(request, key))

    def post(self, request, key):
        run = self.get_run(request, key)
        corrections = {}
        for item in run.items.exclude(action="failed"):
            values = {name: request.POST[f"item-{item.pk}-{name}"]
                      for name in CORRECTABLE if f"item-{item.pk}-{name}" in request.POST}
            corrections[item.pk] = values
        try:
            import_run_confirm(run=run, corrections=corrections)
        except ValidationError as error:
            # The page again with everything typed kept, and what to fix: nothing is lost.
            self.model_admin.message_user(request, " ".join(error.messages), messages.ERROR)
            return self.run_page(request, run, typed=corrections)
        return HttpResponseRedirect(run.get_absolute_url())

    def run_page(self, request, run, typed=None):
        editable = run.status == ImportRun.Status.PREVIEW
        typed = typed or {}
        rows = [PreviewRow(item, editable, typed.get(item.pk))
                for item in run.items.select_related("brief").order_by("position")]
        return self.render(
            request,
            "admin/briefs/brief/import_run.html",
            run=run,
            rows=rows,
            editable=editable,
            importable=editable and any(row.action in ("created", "updated") for row in rows),
            summary=summary(run) if run.status == ImportRun.Status.DONE
            else preview_summary(rows),
            refresh=None if run.status in (ImportRun.Status.PREVIEW, ImportRun.Status.DONE,
                                           ImportRun.Status.FAILED) else REFRESH_SECONDS,
        )


class ClipView(ImportAdminView):
    """``/admin/briefs/brief/import/clip/``: receives a page from the bookmarklet.

    The bookmarklet opens this page and posts the page's HTML and URL to it with
    ``postMessage``; ``static/js/clip.js`` checks the message (it comes from the window
    that opened this one, its origin is the clipped URL's, its fields are strings of the
    allowed sizes), puts it into the import form with this page's CSRF token, and the
    curator presses *Preview*. The page must keep its opener, hence its opener policy.
    """

    def get(self, request):
        form = BriefImportForm(initial={"status": "published"})
        response = self.render(
            request, "admin/briefs/brief/import_clip.html", form=form,
            title="Clip a page", message_type=CLIP_MESSAGE_TYPE,
            max_html=IMPORT_MAX_PAGE_BYTES,
        )
        response["Cross-Origin-Opener-Policy"] = "unsafe-none"
        return response


BOOKMARKLET = (
    "javascript:(function(){var o=%(origin)s,u=%(url)s,t=%(type)s,"
    "w=window.open(u,'brief_archive_clip');"
    "if(!w){alert('Allow pop-ups from this page to clip it to Brief Archive.');return;}"
    "var m={type:t,url:location.href,html:document.documentElement.outerHTML},n=0,"
    "i=setInterval(function(){if(++n>240){clearInterval(i);return;}"
    "try{w.postMessage(m,o);}catch(e){}},500);"
    "window.addEventListener('message',function(e){"
    "if(e.origin===o&&e.source===w&&e.data===t+'-received'){clearInterval(i);}});})();"
)


def bookmarklet(clip_url):
    """The ``javascript:`` URL of the "Clip to Brief Archive" bookmarklet for ``clip_url``.

    It opens the clip page and sends it the current page's HTML (the DOM as the curator
    sees it, so pages behind a sign-in work) and URL, every half second until the clip
    page says it has them, for two minutes at most (a sign-in may come first).
    Messages go to our origin only.
    """
    parts = urlsplit(clip_url)
    return BOOKMARKLET % {
        "origin": json.dumps(f"{parts.scheme}://{parts.netloc}"),
        "url": json.dumps(clip_url),
        "type": json.dumps(CLIP_MESSAGE_TYPE),
    }
