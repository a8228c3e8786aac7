"""``manage.py backup PATH``: the whole archive as one versioned JSON Lines file.

Writes sources, topics, briefs (with raw text and revisions), users' public profiles and
annotations to a file that ``restore`` reads back.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from briefs.backup import backup_export


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("path", help="File to write ('-' for standard output).")
        parser.add_argument(
            "--include-credentials",
            action="store_true",
            help="Also export password hashes, e-mail addresses, staff rights and groups "
            "(keep such a file as secret as the database itself).",
        )

    def handle(self, *args, path, include_credentials, **options):
        if path == "-":
            counts = backup_export(sys.stdout, include_credentials=include_credentials)
            return
        try:
            with open(path, "x", encoding="utf-8") as stream:
                counts = backup_export(stream, include_credentials=include_credentials)
        except FileExistsError:
            raise CommandError(f"{path} already exists; choose a new file name.") from None
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
        summary = ", ".join(f"{count} {label}" for label, count in counts.items() if count)
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}: {summary or 'an empty archive'}."))
