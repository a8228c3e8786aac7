"""Load-test the site the way production runs it, and print one table (``make bench``).

gunicorn (the repository's ``gunicorn.conf.py``, debug off) serves the configured
database on 127.0.0.1; ``wrk`` drives each page from a separate process at a fixed
concurrency for a fixed time. For every page the table gives requests/s, p50/p95/p99
latency, errors, database queries per request (counted in-process with
CaptureQueriesContext against the same database: the first, cold request and a warm
one) and throughput as a share of ``/healthz`` measured in the same run. Then: import
throughput of the real importer (``import_briefs`` on generated files, removed again
afterwards) and the peak RSS of a gunicorn worker.

    python -m bench.run                 # the configured DATABASE_URL (make bench)
    python -m bench.run --smoke         # a tiny SQLite archive, 1 s per page (make bench-smoke)
    python -m bench.run --readme        # also rewrite the results in bench/README.md
    python -m bench.run --writes        # also the table again with bench/writer.py running

Cold column (issue 14): each page requested alone right after ``all`` was bumped (every
cached page and read stale), ``--cold-samples`` times; the one request takes the rebuild
lock and renders from the database. Under writes: the same wrk runs while
``bench/writer.py`` saves a public note a second and edits a brief every ten seconds
through the services. The machine's load average is recorded with each table.

The smoke run checks that every page answers 200 (304 for the conditional feed) and
exits 1 if one does not; it never fails for slowness. Targets are marked, not enforced.
"""

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "bench" / "README.md"
LUA = ROOT / "bench" / "wrk_report.lua"
RESULTS_START, RESULTS_END = "<!-- results:start -->", "<!-- results:end -->"

# Targets of issue 8 (2 cores, PostgreSQL on the same machine).
MAX_QUERIES = 8
P95_MS, P95_304_MS = 50, 5
PAGE_RATIO, FEED_RATIO = 0.35, 0.60
IMPORT_PER_SECOND = 500
# Issue 14: cold requests, and every page under the writer's load.
COLD_P95_MS = 100
WRITES_RATIO, WRITES_P95_MS = 0.5, 100


@dataclass
class Target:
    """One row of the table: what is requested and what it is held to."""

    label: str
    path: str
    kind: str = "page"  # floor, page, feed or 304
    headers: dict = field(default_factory=dict)
    status: int = 200
    result: dict = field(default_factory=dict)
    single: dict = field(default_factory=dict)  # the same at one connection (floor and 304)
    queries: tuple = (None, None)
    cold: list = field(default_factory=list)  # ms of each request right after a change
    writes: dict = field(default_factory=dict)  # the wrk result with the writer running

    @property
    def min_ratio(self):
        return {"floor": None, "page": PAGE_RATIO}.get(self.kind, FEED_RATIO)

    @property
    def max_p95(self):
        return P95_304_MS if self.kind == "304" else P95_MS


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny SQLite archive, short runs")
    parser.add_argument("--duration", type=int, help="seconds of load per page (10; smoke 1)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--import-files", type=int, help="files for the import test (2000)")
    parser.add_argument("--port", type=int, default=0, help="port for gunicorn (a free one)")
    parser.add_argument("--readme", action="store_true", help="write the results to README.md")
    parser.add_argument("--json", metavar="FILE", help="also dump the raw results as JSON")
    parser.add_argument("--import-only", action="store_true",
                        help="only the import throughput (no server, no wrk)")
    parser.add_argument("--profile", metavar="FILE", help="with --import-only: profile the "
                        "import with pyinstrument and write its HTML report to FILE")
    parser.add_argument("--only", metavar="WORDS", help="only pages whose label contains one "
                        "of these comma-separated words (healthz is always measured)")
    parser.add_argument("--cold-samples", type=int, help="cold requests per page (10; smoke 2)")
    parser.add_argument("--writes", action="store_true",
                        help="measure again with bench/writer.py writing (issue 14)")
    args = parser.parse_args(argv)
    if args.cold_samples is None:
        args.cold_samples = 2 if args.smoke else 10
    duration = args.duration or (1 if args.smoke else 10)
    import_files = args.import_files if args.import_files is not None else (
        40 if args.smoke else 2000)

    workdir = Path(tempfile.mkdtemp(prefix="brief-bench-"))
    try:
        return _run(args, duration, import_files, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(args, duration, import_files, workdir):
    env = _environment(workdir, smoke=args.smoke)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    database = settings.DATABASES["default"]
    if args.import_only:
        call_command("migrate", interactive=False, verbosity=0)
        before = os.getloadavg()
        imported = _import_throughput(import_files, workdir, profile=args.profile)
        # The machine is shared: say how busy it was (1/5/15 min), as the full report does.
        print(f"{_import_line(imported, connection)} {_load_text(before).capitalize()} "
              f"before, {_load_text(os.getloadavg())} after.")
        return 0
    if args.smoke:
        from bench import make_data

        call_command("migrate", interactive=False, verbosity=0)
        make_data.generate(make_data.SCALES["tiny"], progress=False)
    elif connection.vendor != "postgresql":
        print("note: the benchmark targets PostgreSQL; this database is " + connection.vendor)
    call_command("collectstatic", interactive=False, verbosity=0)

    wrk = shutil.which("wrk")
    if wrk is None:
        print(
            "wrk (the load generator) is not installed. On Debian/Ubuntu: "
            "sudo apt-get install wrk; on macOS: brew install wrk.",
            file=sys.stderr,
        )
        if not args.smoke:
            return 2
        print("bench-smoke: checking every page's status only (no load numbers)", file=sys.stderr)

    targets = _targets()
    if args.only:
        words = [word.strip() for word in args.only.split(",") if word.strip()]
        targets = [t for t in targets
                   if t.kind == "floor" or any(word in t.label for word in words)]
    for target in targets:
        target.queries = _count_queries(target)
    connection.close()

    port = args.port or _free_port()
    base = f"http://127.0.0.1:{port}"
    failures = []
    loads = {}
    with serving(port, workdir, env) as sampler:
        loads["warm"] = os.getloadavg()
        for target in targets:
            status = _fetch_status(base + target.path, target.headers)
            if status != target.status:
                failures.append(f"{target.label}: {target.path} answered {status}, "
                                f"expected {target.status}")
                continue
            if wrk:
                target.result = _load(wrk, base + target.path, target.headers, duration,
                                      args.connections)
        if wrk:  # service time without queueing: the floor and the 304 at one connection
            for target in targets:
                if target.kind in ("floor", "304") and target.result:
                    target.single = _load(wrk, base + target.path, target.headers, duration, 1)
        loads["cold"] = os.getloadavg()
        for target in targets:
            if target.result or not wrk:
                target.cold = _cold(base + target.path, target.headers, args.cold_samples)
        if wrk and args.writes:
            with writing(workdir, env, seconds=duration * len(targets) + 30) as writer:
                loads["writes"] = os.getloadavg()
                for target in targets:
                    if target.result:
                        target.writes = _load(wrk, base + target.path, target.headers,
                                              duration, args.connections)
            loads["writer"] = writer.summary
        loads["end"] = os.getloadavg()

    imported = _import_throughput(import_files, workdir)
    machine = _machine(database, connection)
    report = _report(targets, imported, sampler.peak_kb, machine, duration, args, loads)
    print(report)
    if failures:
        print("\n".join(["", "pages that did not answer as expected:"] + failures))
    if args.readme and not failures:
        _write_readme(report)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"targets": [t.__dict__ for t in targets], "import": imported,
             "peak_rss_kb": sampler.peak_kb, "machine": machine}, default=str, indent=2))
    return 1 if failures else 0


def _environment(workdir, *, smoke):
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "BENCH_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    if smoke:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench-smoke.sqlite3'}"
        env.pop("REDIS_URL", None)
    return env


def _targets():
    """The pages of issue 8, with real slugs picked from the archive."""
    from django.db.models import Count
    from django.test import Client

    from annotations.models import Annotation
    from bench.make_data import COMMON_WORD, RARE_WORD
    from briefs.models import Brief, TaggedBrief

    published = Brief.objects.published()
    top = list(
        TaggedBrief.objects.filter(content_object__in=published.values("pk"))
        .values("tag__slug").annotate(n=Count("pk")).order_by("-n", "tag__slug")[:2]
    )
    popular, second = top[0]["tag__slug"], top[1]["tag__slug"]
    pages = (top[0]["n"] + 19) // 20
    busiest = (
        Annotation.objects.public()
        .values("brief").annotate(n=Count("pk")).filter(n__gte=20).order_by("n", "-brief")
        .values_list("brief", flat=True).first()
    )
    brief = Brief.objects.get(pk=busiest)
    combination = "+".join(sorted([popular, second]))
    feed = f"/topics/{popular}/feed/"
    etag = Client(HTTP_HOST="127.0.0.1").get(feed)["ETag"]
    return [
        Target("healthz (floor)", "/healthz", "floor"),
        Target("home", "/"),
        Target("brief, 20 annotations", brief.get_absolute_url()),
        Target("popular topic", f"/topics/{popular}/"),
        Target("two topics", f"/topics/{combination}/"),
        Target(f"topic page {min(200, pages)}", f"/topics/{popular}/?page={min(200, pages)}"),
        Target("search, common word", f"/search/?q={COMMON_WORD}"),
        Target("search, rare word", f"/search/?q={RARE_WORD}"),
        Target("/feed/", "/feed/", "feed"),
        Target("topic feed", feed, "feed"),
        Target("topic feed, 304", feed, "304", {"If-None-Match": etag}, status=304),
        Target("annotations API", "/api/annotations/"),
    ]


def _count_queries(target):
    """Queries of a cold request (empty cache) and of the next, warm one."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", headers=target.headers)
    cache.clear()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(target.path)
        assert response.status_code == target.status, (target.path, response.status_code)
        counts.append(len(queries))
    return tuple(counts)


def _cold(url, headers, samples):
    """Milliseconds of ``samples`` requests, each alone right after every cache went stale."""
    from django.db import connection

    from core.cache import mark_all_stale

    times = []
    for _ in range(samples):
        mark_all_stale()
        started = time.perf_counter()
        _fetch_status(url, headers)
        times.append((time.perf_counter() - started) * 1000)
    connection.close()
    return times


class _Writer:
    summary = ""


@contextlib.contextmanager
def writing(workdir, env, *, seconds):
    """bench/writer.py running for the block (at most ``seconds``); yields its summary holder."""
    holder = _Writer()
    log = open(workdir / "writer.log", "w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.writer", "--duration", str(seconds)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env},
    )
    try:
        time.sleep(2)  # let it start writing
        yield holder
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.seek(0)
        lines = log.read().splitlines()
        holder.summary = next((line[len("WRITER "):] for line in lines
                               if line.startswith("WRITER ")), "no summary")
        log.close()


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(port, workdir, env):
    """gunicorn answering on ``port`` for the block; yields the RssSampler of its workers.

    Its log goes to ``workdir/gunicorn.log``, its access log to ``workdir/access.log``.
    """
    server = _start_gunicorn(port, workdir, env)
    sampler = RssSampler(server.pid)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        sampler.start()
        yield sampler
    finally:
        sampler.stop()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _start_gunicorn(port, workdir, env):
    log = open(workdir / "gunicorn.log", "wb")
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--access-logfile",
         str(workdir / "access.log")],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, **env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
    )


def _wait_until_up(url, server, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited while starting; see its log above")
        try:
            if _fetch_status(url) == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout} s")


def _fetch_status(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _load(wrk, url, headers, duration, connections):
    command = [wrk, f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
               "-s", str(LUA), url]
    for name, value in headers.items():
        command[1:1] = ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    raw = json.loads(line[len("BENCH "):])
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "rps": raw["requests"] / seconds,
        "p50": raw["p50"] / 1000, "p95": raw["p95"] / 1000, "p99": raw["p99"] / 1000,
        "errors": errors, "requests": raw["requests"],
    }


class RssSampler(threading.Thread):
    """Samples the resident memory of gunicorn's workers; keeps the peak of any one."""

    def __init__(self, master_pid):
        super().__init__(daemon=True)
        self.master_pid, self.peak_kb = master_pid, 0
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            for pid in self._children():
                self.peak_kb = max(self.peak_kb, _status_kb(pid, "VmHWM"))
            self._halt.wait(0.25)

    def stop(self):
        self._halt.set()
        if self.is_alive():
            self.join()

    def _children(self):
        path = Path(f"/proc/{self.master_pid}/task/{self.master_pid}/children")
        try:
            return path.read_text().split()
        except OSError:
            return []


def _status_kb(pid, key):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _import_line(imported, connection):
    """The report's import line, with the database it ran on."""
    return (
        f"Import ({connection.vendor}): {imported['files']:,} files through `import_briefs` in "
        f"{imported['seconds']:.1f} s = {imported['per_second']:,.0f} briefs/s "
        f"{_mark(imported['per_second'] >= IMPORT_PER_SECOND)} (target ≥ {IMPORT_PER_SECOND}); "
        f"{imported['summary']}."
    )


def _import_throughput(count, workdir, profile=None):
    """Briefs/s of ``import_briefs`` on ``count`` generated files; the briefs are removed after.

    With ``profile`` (a path), pyinstrument samples the import and writes its HTML report there.
    """
    if count <= 0:
        return None
    from django.core.management import call_command
    from django.db.models import Max

    from briefs.models import Brief, Source, Topic

    folder = workdir / "import"
    folder.mkdir()
    names = list(Topic.objects.order_by("pk").values_list("name", flat=True)[:200]) or ["Trade"]
    template = (ROOT / "briefs" / "demo").glob("*.txt")
    sample = next(iter(sorted(template))).read_text(encoding="utf-8")
    body = sample.split("Harbor Ledger\n\n", 2)[-1].split("\n\nSources:")[0]
    # Every generated file is a story of its own: same-source briefs a few days apart
    # with near-equal headlines and bodies would be corrected copies of one another
    # (briefs/stories/copies.py), so headlines and bodies are drawn at random.
    vocabulary = sorted({word.strip(".,;:“”\"'()") for word in body.split()} - {""})
    rng = random.Random(2025)
    start = dt.date(2019, 1, 1)
    for n in range(count):
        day = start + dt.timedelta(days=n // 20)
        topics = "\n".join(names[(n * 7 + k * 13) % len(names)] for k in range(8))
        title = " ".join(rng.sample(vocabulary, 6)).capitalize() + f" ({n})"
        paragraphs = [
            " ".join(rng.choices(vocabulary, k=60)).capitalize() + "."
            for _ in range(len(body.split("\n\n")))
        ]
        text = "\n\n".join(paragraphs)
        (folder / f"{n:05d}.txt").write_text(
            f"{title}\n\n"
            f"A generated brief for the import benchmark, number {n}.\n\n"
            f"{day:%B} {day.day}, {day.year}Bench Import Desk\n\nReporter {n % 50}\n\n"
            f"{text}\n\nParagraph unique to story {n}.\n\nSources:\n\nRelated Topics\n\n"
            f"{topics}\n\n{title}\n",
            encoding="utf-8",
        )
    before = Brief.objects.aggregate(top=Max("pk"))["top"] or 0
    out = io.StringIO()
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
    started = time.perf_counter()
    call_command("import_briefs", str(folder), stdout=out, stderr=io.StringIO())
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.stop()
        Path(profile).write_text(profiler.output_html(), encoding="utf-8")
        print(profiler.output_text(unicode=True, color=False, show_all=False)[:6000])
    summary = out.getvalue().strip().splitlines()[-1]
    Brief.objects.filter(pk__gt=before).delete()
    Source.objects.filter(name="Bench Import Desk", briefs__isnull=True).delete()
    return {"files": count, "seconds": seconds, "per_second": count / seconds,
            "summary": summary}


def _machine(database, connection):
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = _meminfo_gb()
    version = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = "PostgreSQL " + cursor.fetchone()[0].split()[0]
    else:
        import sqlite3

        version = "SQLite " + sqlite3.sqlite_version
    from briefs.models import Brief

    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory, "database": version,
        "cache": "Redis" if os.environ.get("REDIS_URL") else "local memory",
        "python": platform.python_version(), "briefs": Brief.objects.count(),
        "date": dt.date.today().isoformat(),
    }


def _meminfo_gb():
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024)
    return None


def _mark(ok):
    return "✓" if ok else "✗"


def _load_text(load):
    return "load average " + " / ".join(f"{value:.2f}" for value in load) if load else ""


def _report(targets, imported, peak_kb, machine, duration, args, loads=None):
    loads = loads or {}
    floor = next((t.result.get("rps") for t in targets if t.kind == "floor"), None)
    lines = [
        f"Run {machine['date']} on {machine['cores']} cores ({machine['cpu']}), "
        f"{machine['memory_gb']} GB, {machine['database']}, {machine['cache']} cache, "
        f"Python {machine['python']}; {machine['briefs']:,} briefs.",
        f"wrk -t2 -c{args.connections} -d{duration}s per page against gunicorn "
        f"(gunicorn.conf.py: {os.environ.get('GUNICORN_WORKERS') or 'default'} workers, "
        "debug off) on 127.0.0.1. The machine is shared: "
        f"{_load_text(loads.get('warm'))} (1/5/15 min) when the warm runs began, "
        f"{_load_text(loads.get('cold'))} before the cold requests.",
        "",
        "| page | path | req/s | p50 ms | p95 ms | p99 ms | errors | queries cold/warm "
        f"| × healthz | cold p50 ms | cold p95 ms ({args.cold_samples} requests) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for t in targets:
        r = t.result
        cold, warm = t.queries
        q = f"{cold}/{warm} {_mark(max(cold, warm) <= MAX_QUERIES)}"
        cold = (f"{_percentile(t.cold, 0.5):.0f} | {_percentile(t.cold, 0.95):.0f} "
                f"{_mark(_percentile(t.cold, 0.95) < COLD_P95_MS)}") if t.cold else "– | –"
        if not r:
            lines.append(f"| {t.label} | `{t.path}` | – | – | – | – | – | {q} | – | {cold} |")
            continue
        ratio_cell = _ratio_cell(t, r["rps"], floor, t.min_ratio)
        lines.append(
            f"| {t.label} | `{_short(t.path)}` | {r['rps']:,.0f} | {r['p50']:.1f} | "
            f"{r['p95']:.1f} {_mark(r['p95'] < t.max_p95)} | {r['p99']:.1f} | {r['errors']} | "
            f"{q} | {ratio_cell} | {cold} |"
        )
    lines.append("")
    if any(t.writes for t in targets):
        lines += _writes_table(targets, loads)
    single = [t for t in targets if t.single]
    if single:
        lines.append("At one connection (no queueing): " + "; ".join(
            f"{t.label} p50 {t.single['p50']:.2f} ms, p95 {t.single['p95']:.2f} ms"
            + (f" {_mark(t.single['p95'] < t.max_p95)}" if t.kind == "304" else "")
            for t in single) + ".")
    lines.append(
        f"Targets: ≤ {MAX_QUERIES} queries; p95 < {P95_MS} ms (304: < {P95_304_MS} ms); "
        f"pages ≥ {PAGE_RATIO:.0%} of healthz, feeds and 304 ≥ {FEED_RATIO:.0%}."
    )
    if imported:
        lines.append(
            f"Import: {imported['files']:,} files through `import_briefs` in "
            f"{imported['seconds']:.1f} s = **{imported['per_second']:,.0f} briefs/s** "
            f"{_mark(imported['per_second'] >= IMPORT_PER_SECOND)} (target ≥ "
            f"{IMPORT_PER_SECOND}); {imported['summary']}."
        )
    lines.append(f"Peak RSS of a gunicorn worker: {peak_kb / 1024:.0f} MB.")
    return "\n".join(lines)


def _writes_table(targets, loads):
    """The wrk runs again while bench/writer.py writes (issue 14's live archive)."""
    floor = next((t.writes.get("rps") for t in targets if t.kind == "floor"), None)
    lines = [
        "Under writes (bench/writer.py: a public note a second, a brief edit every 10 s, "
        f"through the services; it wrote {loads.get('writer', '?')}); "
        f"{_load_text(loads.get('writes'))} when they began, {_load_text(loads.get('end'))} "
        "at the end.",
        "",
        "| page | req/s | p50 ms | p95 ms | p99 ms | errors | × healthz |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for t in targets:
        w = t.writes
        if not w:
            continue
        ratio_cell = _ratio_cell(t, w["rps"], floor, WRITES_RATIO)
        lines.append(
            f"| {t.label} | {w['rps']:,.0f} | {w['p50']:.1f} | {w['p95']:.1f} "
            f"{_mark(w['p95'] < WRITES_P95_MS)} | {w['p99']:.1f} | {w['errors']} | "
            f"{ratio_cell} |"
        )
    lines += ["", f"Targets under writes: every page ≥ {WRITES_RATIO} × healthz, p95 < "
              f"{WRITES_P95_MS} ms; cold p95 < {COLD_P95_MS} ms.", ""]
    return lines


def _ratio_cell(target, rps, floor, minimum):
    """The "× healthz" cell: ``rps`` over the floor's (healthz) req/s, marked against
    ``minimum``; "1.00" for the floor itself, "–" without a floor."""
    if target.kind == "floor":
        return "1.00"
    if not floor:
        return "–"
    ratio = rps / floor
    return f"{ratio:.2f} {_mark(ratio >= minimum)}"


def _short(path):
    return path if len(path) <= 60 else path[:57] + "…"


def _write_readme(report):
    text = README.read_text(encoding="utf-8")
    command = "make bench" + (" (python -m bench.run --readme)")
    block = f"{RESULTS_START}\n\nCommand: `{command}`. {report}\n\n{RESULTS_END}"
    pattern = re.compile(re.escape(RESULTS_START) + ".*?" + re.escape(RESULTS_END), re.S)
    README.write_text(pattern.sub(lambda _: block, text), encoding="utf-8")
    print(f"\nwrote the results to {README.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
