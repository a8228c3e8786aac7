"""``manage.py import_briefs PATH [PATH ...]``: import articles saved as text files."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from briefs.importer import BriefParseError, decode_brief_bytes
from briefs.importer.normalise import MAX_BYTES, MAX_BYTES_LABEL
from briefs.models import Brief
from briefs.services.batch import briefs_import_texts
from briefs.services.importing import ImportResult

STDIN = "-"
PROGRESS_BAR_MIN_FILES = 20
ACTIONS = ("created", "updated", "unchanged", "failed")


class Command(BaseCommand):
    help = (
        "Import news briefs from text files, directories (every *.txt inside, recursively) "
        "or '-' for standard input. Each file is its own transaction; re-importing a file "
        "changes nothing. Prints one line per file and exits with status 1 if any file failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="file, directory or '-'")
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
            texts = _Texts(entries)
            results = briefs_import_texts(texts=texts, status=status, dry_run=dry_run)
            for (label, _), result in zip(entries, results):
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
        if verbosity >= 2:
            for warning in result.warnings:
                self.stdout.write(f"  warning: {warning}")


def _expand(paths):
    """Yield (label, path) for every file to import; directories give their *.txt, sorted."""
    for raw in paths:
        if raw == STDIN:
            yield "<stdin>", STDIN
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(
                (found for found in path.rglob("*.txt") if found.is_file()),
                key=lambda found: found.relative_to(path).as_posix(),
            )
            for found in files:
                yield str(found), found
        else:
            yield raw, path


class _Texts:
    """The entries' texts, read one at a time as the batch import asks for them.

    A file that cannot be read or decoded is a failed ImportResult in its place.
    """

    def __init__(self, entries):
        self.entries = entries

    def __len__(self):
        return len(self.entries)

    def __iter__(self):
        return (_read_text(path) for _, path in self.entries)


def _read_text(path):
    """One file's text; every problem becomes a failed result, never a traceback."""
    try:
        return decode_brief_bytes(_read(path))
    except BriefParseError as error:
        return ImportResult("failed", reason=str(error))
    except FileNotFoundError:
        return ImportResult("failed", reason="no such file or directory")
    except IsADirectoryError:
        return ImportResult("failed", reason="is a directory")
    except PermissionError:
        return ImportResult("failed", reason="permission denied")
    except OSError as error:
        return ImportResult("failed", reason=f"cannot read the file ({error.strerror or error})")


def _read(path):
    """The file's bytes, read no further than one byte past the size limit."""
    if path == STDIN:
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text stream (tests, some shells): hand its text back as UTF-8
            return sys.stdin.read(MAX_BYTES + 1).encode("utf-8", "surrogateescape")
        return stream.read(MAX_BYTES + 1)
    if path.stat().st_size > MAX_BYTES:
        raise BriefParseError(f"file is larger than {MAX_BYTES_LABEL}")
    with path.open("rb") as handle:
        return handle.read(MAX_BYTES + 1)
