"""A steady writer for the benchmark: public notes and brief edits through the services.

``bench/run.py --writes`` and ``bench/soak.py --writes`` run it beside the load, as issue
14 asks: one public note a second (``annotation_create`` on a brief picked at random,
by a bench reader) and one brief edit every ten seconds (``brief_update`` changing the
dek), so caches go stale the way they do on a live archive. Deterministic (fixed seed).

    python -m bench.writer --duration 60 [--notes-per-second 1] [--edit-every 10]

Prints ``WRITER notes=N edits=M errors=E`` when it stops (after the duration or SIGTERM).
"""

import argparse
import os
import random
import signal
import sys
import time

SEED = 14


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds to run")
    parser.add_argument("--notes-per-second", type=float, default=1.0)
    parser.add_argument("--edit-every", type=float, default=10.0, help="seconds between edits")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    counts = run(args.duration, args.notes_per_second, args.edit_every, stop)
    print("WRITER " + " ".join(f"{name}={n}" for name, n in counts.items()), flush=True)
    return 0


def run(duration, notes_per_second, edit_every, stop):
    """Write until ``duration`` seconds pass or ``stop["now"]``; counts of what was written."""
    from django.contrib.auth import get_user_model

    from briefs.models import Brief

    rng = random.Random(SEED)
    pks = list(Brief.objects.published().values_list("pk", flat=True))
    writer, _ = get_user_model().objects.get_or_create(username="bench-writer")
    counts = {"notes": 0, "edits": 0, "errors": 0}
    started = time.monotonic()
    next_note, next_edit = started, started + edit_every
    while not stop["now"] and time.monotonic() - started < duration:
        now = time.monotonic()
        try:
            if now >= next_edit:
                _edit(Brief.objects.get(pk=rng.choice(pks)), counts["edits"])
                counts["edits"] += 1
                next_edit += edit_every
            elif now >= next_note:
                _note(Brief.objects.get(pk=rng.choice(pks)), writer, counts["notes"])
                counts["notes"] += 1
                next_note += 1 / notes_per_second
        except Exception as error:  # a benchmark helper: count it, say it, keep the pace
            counts["errors"] += 1
            print(f"writer: {error.__class__.__name__}: {error}", file=sys.stderr)
        time.sleep(max(0.0, min(next_note, next_edit) - time.monotonic()))
    return counts


def _note(brief, user, number):
    """A public note on the first words of ``brief``, as the API would save it."""
    from annotations.services import annotation_create

    end = min(len(brief.body), 24)
    annotation_create(
        brief=brief, by=user, exact=brief.body[:end], start=0, end=end,
        note=f"Bench note {number}", visibility="public",
    )


def _edit(brief, number):
    """A curator's edit of the standfirst (body unchanged: no re-anchoring)."""
    from briefs.services.briefs import brief_update

    brief.dek = f"{brief.dek.split(' [edit ')[0]} [edit {number}]"
    brief_update(brief=brief, reason="Bench edit")


if __name__ == "__main__":
    sys.exit(main())
