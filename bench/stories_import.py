"""What story grouping adds to import time (issue 18): ``import_briefs`` with and without it.

    python -m bench.stories_import [--files 300] [--per-day 55] [--database sqlite|URL]

Generates ``--files`` brief texts in the demo layout from the benchmark's Zipf word pool
(``bench.make_data``), ten sources, ``--per-day`` briefs a day (55 is the density of the
100,000-brief benchmark archive: five years), every tenth brief retold by another source
the same day so stories form. Each run imports them into a fresh database in its own
process: once as shipped, its batch's grouping task run at once, and once with
``brief_story_update`` replaced by a no-op and the task not run. Prints
wall and CPU seconds (the import process's own), briefs/s and the extra time grouping cost. ``--database`` defaults to a
throw-away SQLite file; a PostgreSQL URL must name an empty database made for it.
"""

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [f"Story Bench {name}" for name in (
    "Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett"
)]


def write_files(folder, count, per_day, seed=18):
    """``count`` brief texts in ``folder``; returns how many are retold by a second source."""
    from bench.make_data import _body, _sentence_pool, _vocabulary

    rng = random.Random(seed)
    words, weights = _vocabulary(rng)
    pool = _sentence_pool(rng, words, weights, 4000)
    start = dt.datetime(2024, 3, 2, 6, 0)
    twins = 0
    number = 0
    while number < count:
        moment = start + dt.timedelta(days=number / per_day)
        source = SOURCES[number % len(SOURCES)]
        title = " ".join(rng.choice(words).capitalize() for _ in range(7))
        body = _body(rng, pool, (300, 1200), rare=False)
        place = "".join(rng.choice("aeioukrtlmns") for _ in range(8)).capitalize()
        body += f"\n\nOfficials in {place} said {rng.randint(2, 90)}% of the {rng.randint(100, 999)} sites were affected."
        _write(folder, number, title, source, moment, body)
        number += 1
        if number % 10 == 0 and number < count:
            other = SOURCES[(number + 3) % len(SOURCES)]
            paragraphs = body.split("\n\n")
            retold = "\n\n".join(paragraphs[::-1][: max(3, len(paragraphs) // 2)])
            _write(folder, number, title + " Update", other, moment + dt.timedelta(hours=3), retold)
            number += 1
            twins += 1
    return twins


def _write(folder, number, title, source, moment, body):
    (folder / f"{number:05d}.txt").write_text(
        f"{title}\n\nA generated brief for the stories benchmark.\n\n"
        f"{moment:%B} {moment.day}, {moment.year}{source}\n\nReporter {number % 40}\n\n{source}\n\n"
        f"{body}\n\nSources:\n\nRelated Topics\n\nTrade\n\n{title}\n",
        encoding="utf-8",
    )


def run_one(folder, grouping):
    """Import ``folder`` into the (fresh, migrated) database; print seconds and stories."""
    import django

    django.setup()
    from django.core.management import call_command

    if not grouping:
        import briefs.services.importing as importing

        importing.brief_story_update = lambda **kwargs: None
    from briefs.models import Story
    from briefs.stories.similarity import demo_background

    demo_background()  # read once per process either way: not part of an import
    started, cpu = time.perf_counter(), time.process_time()
    call_command("import_briefs", str(folder), stdout=open(os.devnull, "w"))
    if grouping:  # a batch import leaves its new briefs to a task (briefs.tasks): run it
        from briefs.models import Brief
        from briefs.tasks import briefs_story_update_task

        briefs_story_update_task.func(list(Brief.objects.values_list("pk", flat=True)))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{seconds:.3f} {cpu:.3f} {Story.objects.count()}")


def _child(folder, grouping, database):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"}
    if database == "sqlite":
        handle, path = tempfile.mkstemp(suffix=".sqlite3")
        os.close(handle)
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        env["DATABASE_URL"] = database
    python = sys.executable
    subprocess.run([python, "manage.py", "flush", "--noinput"], cwd=ROOT, env=env,
                   capture_output=True)
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    result = subprocess.run(
        [python, "-m", "bench.stories_import", "--one", "on" if grouping else "off",
         "--folder", str(folder)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )
    seconds, cpu, stories = result.stdout.split()[-3:]
    return float(seconds), float(cpu), int(stories)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--per-day", type=float, default=55.0)
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--one", choices=["on", "off"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        run_one(Path(args.folder), args.one == "on")
        return
    with tempfile.TemporaryDirectory() as folder:
        twins = write_files(Path(folder), args.files, args.per_day)
        off, off_cpu, _ = _child(folder, False, args.database)
        on, on_cpu, stories = _child(folder, True, args.database)
    print(f"{args.files} files, {args.per_day:g} a day, {twins} retold by a second source")
    print(f"without grouping: {off:.2f} s wall, {off_cpu:.2f} s CPU ({args.files / off:.1f} briefs/s)")
    print(f"with grouping:    {on:.2f} s wall, {on_cpu:.2f} s CPU ({args.files / on:.1f} briefs/s), "
          f"{stories} stories")
    print(f"grouping adds {100 * (on - off) / off:.1f}% wall time, "
          f"{100 * (on_cpu - off_cpu) / off_cpu:.1f}% CPU time (the CPU figure is the steadier "
          "one on a shared machine)")


if __name__ == "__main__":
    main()
