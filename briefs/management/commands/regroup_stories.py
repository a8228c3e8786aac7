"""``manage.py regroup_stories``: group the whole archive into stories again, from the texts."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from tqdm import tqdm

from briefs.models import Brief, Story
from briefs.services.stories import stories_regroup


class Command(BaseCommand):
    help = (
        "Compare every published brief with the briefs of other sources published within a "
        "few days of it and store the stories found. Curators' decisions (merged stories, "
        "briefs moved out or marked 'not part of any story') are kept. Reports what changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar (it goes to stderr)"
        )

    def handle(self, *args, no_progress, verbosity, **options):
        total = Brief.objects.published().count()
        with tqdm(
            total=total,
            disable=no_progress or not sys.stderr.isatty(),
            file=sys.stderr,
            unit="brief",
            leave=False,
        ) as bar:
            try:
                report = stories_regroup(progress=bar.update)
            except DatabaseError as error:
                raise CommandError(f"Regrouping failed, nothing was changed: {error}") from error
        if verbosity >= 2:
            for label, ids in (("created", report.created), ("changed", report.changed)):
                for story in Story.objects.filter(pk__in=ids):
                    self.stdout.write(f"{label}: {story.slug}")
            for story_id in report.deleted:
                self.stdout.write(f"deleted: story {story_id}")
        self.stdout.write(
            f"{report.briefs} briefs compared: {len(report.created)} stories created, "
            f"{len(report.changed)} changed, {len(report.deleted)} deleted, "
            f"{report.unchanged} unchanged."
        )
