"""gunicorn settings for Brief Archive: ``gunicorn config.wsgi`` picks this file up by itself.

Every number can be overridden from the environment (``GUNICORN_WORKERS=8``), so one
file serves a 2-core box and a larger one. Sync workers suit this app: pages are short
database reads, and the proxy in front buffers slow clients.
"""

import multiprocessing
import os


def _int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# (2 x cores) + 1 is gunicorn's advice for sync workers: one waits on the database
# while another uses the CPU.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"

# A request that takes longer than this is stuck (pages answer in milliseconds):
# the worker is killed and replaced rather than holding a slot forever.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Behind a proxy that reuses connections, keep them a little longer than its idle timeout.
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle each worker after this many requests (jittered so they do not all restart
# together), which bounds any slow memory growth without a deploy. Cached pages answer
# in about a millisecond: at 2,000 a worker restarted every few seconds under load,
# and each restart (new database connection, empty per-process page copy) was a
# 100-300 ms stall at p99 in bench/ (issue 8). Memory per worker is bounded anyway.
max_requests = _int("GUNICORN_MAX_REQUESTS", 25000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 2500)

# Logs to standard output/error, for the process manager or container runtime to collect.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# Headers from the proxy in front (X-Forwarded-Proto for HTTPS) are trusted only from here.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Load the app before forking: workers share its memory pages, and a broken
# configuration (say, no DJANGO_SECRET_KEY) stops the server at once with the error.
preload_app = True


def when_ready(server):
    """In the master, once the app is loaded and before the first worker forks.

    With the app preloaded, compile the site's templates and build its URL tables here
    (core/warmup.py), so no worker compiles them inside a reader's request. Then move
    everything loaded so far out of the garbage collector's sight (``gc.freeze``): a full
    collection in a worker otherwise walks the framework's ~180,000 boot objects, about
    125 ms that lands inside whichever request triggers it (issue 14). The frozen objects
    live as long as the process anyway; freezing them also keeps the collector from
    touching (and so copying) the pages the workers share with the master.
    """
    if not server.cfg.preload_app:
        return
    import gc

    from core.warmup import warm_up

    compiled = warm_up()
    gc.collect()
    gc.freeze()
    server.log.info("Compiled %d templates; froze %d objects", compiled, gc.get_freeze_count())
