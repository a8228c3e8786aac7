"""``manage.py restore PATH``: restore a backup file into an empty database.

Restores a file written by ``backup`` into an empty, migrated database, in one transaction,
keeping every id. Refuses a database that already holds data.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from briefs.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("path", help="File to read ('-' for standard input).")

    def handle(self, *args, path, **options):
        try:
            if path == "-":
                counts = backup_restore(sys.stdin)
            else:
                with open(path, encoding="utf-8") as stream:
                    counts = backup_restore(stream)
        except FileNotFoundError:
            raise CommandError(f"{path} does not exist.") from None
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text: not a Brief Archive export.") from None
        except BackupError as error:
            raise CommandError(f"{error} Nothing was imported.") from None
        summary = ", ".join(f"{count} {label}" for label, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Restored {summary or 'an empty archive'}."))
