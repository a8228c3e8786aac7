"""``manage.py import_briefs PATH|URL [...]``: import articles from text files, saved pages
and web addresses."""

import datetime as dt
import itertools
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone
from tqdm import tqdm

from briefs.importer import BriefParseError, decode_brief_bytes
from briefs.importer.fetch import FetchError, fetch_page
from briefs.importer.html import decode_html_bytes, parse_html
from briefs.importer.normalise import IMPORT_MAX_FILE_LABEL
from briefs.models import Brief
from briefs.services.batch import briefs_import_texts
from briefs.services.importing import ImportResult, brief_import_parsed
from config.limits import IMPORT_MAX_FILE_BYTES, IMPORT_MAX_PAGE_BYTES

STDIN = "-"
TEXT_SUFFIXES = (".txt",)
PAGE_SUFFIXES = (".html", ".htm")
URL_SCHEMES = ("http://", "https://")
SYMLINK_REASON = "is a symbolic link; refused (name the file it points to instead)"
PROGRESS_BAR_MIN_FILES = 20
ACTIONS = ("created", "updated", "unchanged", "failed")


class Command(BaseCommand):
    help = (
        "Import news briefs from text files, saved pages (.html, .htm), directories (every "
        "*.txt, *.html and *.htm inside, recursively), web addresses (http:// or https://) "
        "or '-' for standard input. Each is its own transaction; re-importing changes "
        "nothing; symbolic links are refused. A brief without a usable date, or dated more "
        "than a day ahead, is saved as a draft. Prints one line per file and exits with "
        "status 1 if any failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", metavar="PATH", help="file, directory, http(s) URL or '-'"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="parse and report what would happen, writing nothing",
        )
        parser.add_argument(
            "--status",
            choices=Brief.Status.values,
            default=Brief.Status.PUBLISHED,
            help="status of newly created briefs (default: published); updates keep theirs",
        )

    def handle(self, *args, paths, dry_run, status, verbosity, **options):
        entries = list(_expand(paths))
        counts = dict.fromkeys(ACTIONS, 0)
        show_bar = len(entries) >= PROGRESS_BAR_MIN_FILES and sys.stderr.isatty()
        with tqdm(
            total=len(entries), disable=not show_bar, file=sys.stderr, unit="file", leave=False
        ) as bar:
            for label, result in _import_all(entries, status=status, dry_run=dry_run):
                counts[result.action] += 1
                bar.clear()
                self._report(label, result, verbosity)
                bar.update(1)
        summary = f"{len(entries)} file{'s' if len(entries) != 1 else ''}: " + ", ".join(
            f"{counts[action]} {action}" for action in ACTIONS
        )
        if dry_run:
            summary += " (dry run: nothing was written)"
        self.stdout.write(summary)
        if counts["failed"]:
            raise CommandError(
                f"{counts['failed']} of {len(entries)} files failed; see the lines above",
                returncode=1,
            )

    def _report(self, label, result, verbosity):
        if result.failed:
            self.stdout.write(self.style.ERROR(f"failed: {label}: {result.reason}"))
            return
        style = {"created": self.style.SUCCESS, "updated": self.style.WARNING}.get(
            result.action, str
        )
        self.stdout.write(style(f"{result.action}: {label}"))
        # Why a brief waits as a draft is said at every verbosity: the curator must act.
        for warning in result.warnings:
            if verbosity >= 2 or warning.startswith("saved as a draft"):
                self.stdout.write(f"  warning: {warning}")


def _expand(paths):
    """Yield (label, item) for every file or URL to import, in the order given.

    An item is ``STDIN``, a URL string or a Path. Directories give their text files and
    saved pages, sorted by relative path; symbolic links met inside them are yielded
    too, so that they are reported as refused rather than silently skipped.
    """
    for raw in paths:
        if raw == STDIN:
            yield "<stdin>", STDIN
            continue
        if raw.lower().startswith(URL_SCHEMES):
            yield raw, raw
            continue
        path = Path(raw)
        if path.is_dir() and not path.is_symlink():
            for found in _folder_files(path):
                yield str(found), found
        else:
            yield raw, path


def _folder_files(folder):
    """Text files and saved pages under ``folder`` (and symlinks), never following a link."""
    found = []
    for root, directories, files in os.walk(folder, followlinks=False):
        root = Path(root)
        found += [root / name for name in directories if (root / name).is_symlink()]
        found += [
            root / name for name in files
            if (root / name).is_symlink() or name.lower().endswith(TEXT_SUFFIXES + PAGE_SUFFIXES)
        ]
    return sorted(found, key=lambda path: path.relative_to(folder).as_posix())


def _import_all(entries, *, status, dry_run):
    """Yield (label, ImportResult) for every entry, in the order given.

    Runs of plain-text files go through the batch import (``briefs_import_texts``: bulk
    writes, the same results); saved pages, URLs and refused links one at a time.
    """
    for is_text, run in itertools.groupby(entries, key=lambda entry: _is_text_file(entry[1])):
        run = list(run)
        if is_text:
            items = _TextItems([item for _, item in run])
            results = briefs_import_texts(texts=items, status=status, dry_run=dry_run)
        else:
            results = (_import_one(item, status=status, dry_run=dry_run) for _, item in run)
        yield from zip((label for label, _ in run), results)


def _is_text_file(item):
    if item == STDIN:
        return True
    return isinstance(item, Path) and not item.is_symlink() and item.suffix.lower() not in PAGE_SUFFIXES


class _TextItems:
    """The files' (text, reference) pairs, read one at a time as the batch asks for them.

    A file that cannot be read or decoded is a failed ImportResult in its place.
    """

    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __iter__(self):
        for item in self.items:
            try:
                yield decode_brief_bytes(_read(item)), _file_time(item)
            except (BriefParseError, OSError) as error:
                yield _read_failure(error)


def _import_one(item, *, status, dry_run):
    """Import one saved page or URL, or refuse a link; a problem is a failed result."""
    try:
        if isinstance(item, str):
            return _import_url(item, status=status, dry_run=dry_run)
        if item.is_symlink():
            return ImportResult("failed", reason=SYMLINK_REASON)
        return _import_page(item, status=status, dry_run=dry_run)
    except (BriefParseError, FetchError, OSError) as error:
        return _read_failure(error)
    except DatabaseError as error:
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return ImportResult("failed", reason=f"database error: {first_line}")


def _read_failure(error):
    """The failed ImportResult for a file or page that could not be read, in one line."""
    if isinstance(error, (BriefParseError, FetchError)):
        reason = str(error)
    elif isinstance(error, FileNotFoundError):
        reason = "no such file or directory"
    elif isinstance(error, IsADirectoryError):
        reason = "is a directory"
    elif isinstance(error, PermissionError):
        reason = "permission denied"
    else:
        reason = f"cannot read the file ({error.strerror or error})"
    return ImportResult("failed", reason=reason)


def _import_url(url, *, status, dry_run):
    """Fetch a page and import it; the page's HTML is kept as the brief's raw text."""
    page = fetch_page(url)
    parsed = parse_html(page.html, url=page.final_url)
    return brief_import_parsed(
        parsed=parsed, raw_text=page.html, status=status, dry_run=dry_run,
        reference=timezone.now(),
    )


def _import_page(path, *, status, dry_run):
    """Import a saved page (.html, .htm); the file's HTML is kept as the raw text."""
    with path.open("rb") as handle:  # decode_html_bytes refuses what is over the limit
        html = decode_html_bytes(handle.read(IMPORT_MAX_PAGE_BYTES + 1))
    parsed = parse_html(html)
    return brief_import_parsed(
        parsed=parsed, raw_text=html, status=status, dry_run=dry_run, reference=_file_time(path)
    )


def _file_time(path):
    """When the file was saved (its modification time, aware UTC); now for standard input.

    Relative dates in the text ("2 hours ago") count back from it.
    """
    if path == STDIN:
        return timezone.now()
    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.timezone.utc)


def _read(path):
    """The file's bytes, read no further than one byte past the size limit."""
    if path == STDIN:
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text stream (tests, some shells): hand its text back as UTF-8
            return sys.stdin.read(IMPORT_MAX_FILE_BYTES + 1).encode("utf-8", "surrogateescape")
        return stream.read(IMPORT_MAX_FILE_BYTES + 1)
    if path.stat().st_size > IMPORT_MAX_FILE_BYTES:
        raise BriefParseError(f"file is larger than {IMPORT_MAX_FILE_LABEL}")
    with path.open("rb") as handle:
        return handle.read(IMPORT_MAX_FILE_BYTES + 1)
