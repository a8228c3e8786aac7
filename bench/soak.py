"""Soak test (issue 9): many clients for minutes against gunicorn, nothing may fail (``make soak``).

gunicorn runs with the repository's ``gunicorn.conf.py`` (debug off) on the database of
DATABASE_URL, as in ``bench/run.py``; ``wrk`` holds 64 connections open for two minutes
and sends them round-robin through a mix of pages: the benchmark's pages plus a few
hundred briefs, topic pages (deep ones too), sources and searches, so the run starts
with cold caches and ends warm. Afterwards gunicorn's own log says whether any worker
was restarted: killed by the timeout, crashed, or recycled by ``max_requests``.

    python -m bench.soak                      # 64 connections, 120 s (make soak)
    python -m bench.soak --readme             # also write the result to bench/README.md
    python -m bench.soak --writes             # with bench/writer.py writing meanwhile
    python -m bench.soak --writes --warm-first  # a live archive: every path served once first

Passes (exit 0) when wrk saw no error, no response was a 5xx and no worker was
restarted for a failure; planned recycling by ``max_requests`` is reported apart.
"""

import argparse
import contextlib
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import run

SOAK_START, SOAK_END = "<!-- soak:start -->", "<!-- soak:end -->"
FAILURES = {
    "timeout": re.compile(r"WORKER TIMEOUT"),
    "killed": re.compile(r"was sent SIG|terminated due to signal"),
    "crashed": re.compile(r"exited with code [1-9]"),
}
RECYCLED = re.compile(r"Autorestarting worker after current request")
BOOTED = re.compile(r"Booting worker with pid")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=120, help="seconds of load (120)")
    parser.add_argument("--connections", type=int, default=64, help="open connections (64)")
    parser.add_argument("--readme", action="store_true", help="write the result to README.md")
    parser.add_argument("--writes", action="store_true", help="run bench/writer.py meanwhile "
                        "(a public note a second, a brief edit every 10 s)")
    parser.add_argument("--warm-first", action="store_true", help="request every path once "
                        "(5 at a time) before the load starts: the steady state of a live "
                        "archive instead of a cold start")
    args = parser.parse_args(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is not installed (apt-get install wrk / brew install wrk)", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="brief-soak-"))
    try:
        return _soak(args, wrk, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _soak(args, wrk, workdir):
    env = run._environment(workdir, smoke=False)
    os.environ.update(env)
    sys.path.insert(0, str(run.ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("collectstatic", interactive=False, verbosity=0)
    paths = _paths()
    machine = run._machine(settings.DATABASES["default"], connection)
    connection.close()

    port = run._free_port()
    writes = "no writes"
    warmed = ""
    with run.serving(port, workdir, env) as sampler:
        if args.warm_first:
            warmed = _warm(port, paths)
        command = [wrk, "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--timeout",
                   "10s", "-s", str(run.LUA), f"http://127.0.0.1:{port}/"]
        load_before = os.getloadavg()
        with contextlib.ExitStack() as stack:
            if args.writes:
                writer = stack.enter_context(
                    run.writing(workdir, env, seconds=args.duration + 30))
            output = subprocess.run(command, capture_output=True, text=True, check=True,
                                    env={**os.environ, "BENCH_PATHS": " ".join(paths)}).stdout
        if args.writes:
            writes = f"bench/writer.py wrote {writer.summary} meanwhile"
        load_after = os.getloadavg()

    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    load = run.json.loads(line[len("BENCH "):])
    log = (workdir / "gunicorn.log").read_text(errors="replace")
    access = (workdir / "access.log").read_text(errors="replace")
    result = {
        "paths": len(paths),
        "requests": load["requests"],
        "rps": load["requests"] / (load["duration_us"] / 1e6),
        "p50": load["p50"] / 1000, "p95": load["p95"] / 1000, "p99": load["p99"] / 1000,
        "wrk_errors": sum(load[k] for k in ("connect", "read", "write", "status", "timeout")),
        "server_errors": len(re.findall(r'" 5\d\d ', access)),
        "failures": {name: len(pattern.findall(log)) for name, pattern in FAILURES.items()},
        "recycled": len(RECYCLED.findall(log)),
        "boots": len(BOOTED.findall(log)),
        "peak_rss_mb": sampler.peak_kb / 1024,
        "writes": writes,
        "load": f"{run._load_text(load_before)} before, {run._load_text(load_after)} after",
        "slowest": slowest_paths(access),
        "warmed": warmed,
    }
    report = _report(result, machine, args)
    print(report)
    passed = not result["wrk_errors"] and not result["server_errors"] and not any(
        result["failures"].values())
    if args.readme:
        _write_readme(report)
    return 0 if passed else 1


def _warm(port, paths):
    """Request each of ``paths`` once, 5 at a time, before the load; says how long it took."""
    import time
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    def fetch(path):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
            response.read()

    started = time.monotonic()
    with ThreadPoolExecutor(5) as pool:
        list(pool.map(fetch, paths))
    return f"every path requested once first ({time.monotonic() - started:.1f} s, 5 at a time); "


def _paths():
    """The benchmark's pages, and briefs, topics, sources and searches across the archive."""
    from django.db.models import Count

    from bench.make_data import COMMON_WORD, RARE_WORD
    from briefs.models import Brief, Source, TaggedBrief

    paths = [target.path for target in run._targets() if not target.headers]
    published = Brief.objects.published()
    count = published.count()
    step = max(1, count // 200)
    slugs = published.order_by("pk").values_list("slug", flat=True)
    paths += [f"/briefs/{slug}/" for slug in list(slugs[::step])[:200]]
    sizes = (
        TaggedBrief.objects.filter(content_object__in=published.values("pk"))
        .values_list("tag__slug").annotate(n=Count("pk")).order_by("-n", "tag__slug")[:100]
    )
    topics = [(slug, n) for slug, n in sizes]
    paths += [f"/topics/{slug}/" for slug, _ in topics]
    paths += [f"/topics/{slug}/?page={min(n // 20, 9)}" for slug, n in topics[:30] if n > 40]
    paths += [f"/topics/{slug}/feed/" for slug, _ in topics[:30]]
    paths += [source.get_absolute_url() for source in Source.objects.all()[:20]]
    words = [COMMON_WORD, RARE_WORD, "harbour", "ministry", "exports", "quarterly"]
    paths += [f"/search/?q={word}" for word in words]
    paths += ["/topics/", "/sources/", "/archive/", "/annotations/", "/topics/opml/"]
    return paths


def _report(r, machine, args):
    failures = ", ".join(f"{n} {name}" for name, n in r["failures"].items())
    restarts = sum(r["failures"].values())
    return "\n".join([
        f"Run {dt.date.today().isoformat()} on {machine['cores']} cores ({machine['cpu']}), "
        f"{machine['memory_gb']} GB, {machine['database']}, {machine['cache']} cache; "
        f"{machine['briefs']:,} briefs.",
        f"wrk -t2 -c{args.connections} -d{args.duration}s round-robin over {r['paths']} paths "
        "against gunicorn (gunicorn.conf.py, debug off) on 127.0.0.1; "
        f"{r['warmed']}{r['writes']}. The machine is shared: {r['load']} (1/5/15 min).",
        "",
        "| requests | req/s | p50 ms | p95 ms | p99 ms | wrk errors | 5xx answers "
        "| workers restarted by a failure | workers recycled (max_requests) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {r['requests']:,} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
        f"{r['p99']:.1f} | {r['wrk_errors']} {run._mark(not r['wrk_errors'])} | "
        f"{r['server_errors']} {run._mark(not r['server_errors'])} | "
        f"{restarts} {run._mark(not restarts)} ({failures}) | {r['recycled']} |",
        "",
        f"Workers booted in all: {r['boots']}; peak RSS of a worker {r['peak_rss_mb']:.0f} MB.",
        "",
        "Where the workers' time went (gunicorn's access log: time from request to response,",
        "without the wait for a free worker), the paths that took the most in all:",
        "",
        "| path | requests | total s | p50 ms | max ms | over 100 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *(f"| `{row['path']}` | {row['requests']:,} | {row['total_s']:.1f} | {row['p50']:.0f} "
          f"| {row['max']:.0f} | {row['slow']} |" for row in r["slowest"]),
    ])


ACCESS_LINE = re.compile(r'"[A-Z]+ (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) \S+ (?P<ms>\d+)ms')


def slowest_paths(access_log, most=8):
    """The ``most`` paths of gunicorn's access log (``access_log_format`` of
    gunicorn.conf.py, ``%(M)sms``: ms from request to response) with the largest total
    time: ``[{path, requests, total_s, p50, max, slow}]``, ``slow`` counting answers that
    took over 100 ms. What a soak's tail is made of: rebuilds, or a page never cached."""
    times = {}
    for match in ACCESS_LINE.finditer(access_log):
        times.setdefault(match["path"], []).append(int(match["ms"]))
    rows = []
    for path, values in times.items():
        values.sort()
        rows.append({"path": path, "requests": len(values), "total_s": sum(values) / 1000,
                     "p50": values[len(values) // 2], "max": values[-1],
                     "slow": sum(value > 100 for value in values)})
    return sorted(rows, key=lambda row: -row["total_s"])[:most]


def _write_readme(report):
    text = run.README.read_text(encoding="utf-8")
    command = "make soak (python -m bench.soak --readme)"
    block = f"{SOAK_START}\n\nCommand: `{command}`. {report}\n\n{SOAK_END}"
    pattern = re.compile(re.escape(SOAK_START) + ".*?" + re.escape(SOAK_END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{run.README} has no {SOAK_START} … {SOAK_END} section")
    run.README.write_text(pattern.sub(lambda _: block, text), encoding="utf-8")
    print(f"\nwrote the result to {run.README.relative_to(run.ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
