"""Test settings: the real settings module, plus the few things tests must not pay for.

Only a throwaway secret key, a fast password hasher, plain static storage (no
collectstatic manifest needed) and background tasks run at once (no worker needed)
differ from production.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-for-production-use-0123456789")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
# django-axes refuses authenticate() calls without a request, as Client.login() makes;
# tests of login throttling switch it on with the `settings` fixture.
AXES_ENABLED = False
# Serve static files from the app folders, as runserver does; no collectstatic needed.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Background tasks run at once, inside the request or test that enqueues them.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The canonical address the feeds' ids and links are built from (core/site.py).
SITE_URL = "http://testserver"

# One cache per pytest-xdist worker (PYTEST_XDIST_WORKER is "gw0", "gw1", ...). Each
# worker has its own test database, but cached pages and reads are keyed on the URL, the
# connection alias and version counters, which agree across workers: through one shared
# Redis a worker would be served another worker's pages and query results, and each
# test's cache.clear() (a FLUSHDB) would empty the others' rate limits and locks mid-test.
# So with REDIS_URL each worker takes its own Redis database (1-15) and key prefix.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_PREFIX = f"tests-{_WORKER or 'main'}"
CACHES = {"default": {**CACHES["default"], "KEY_PREFIX": _PREFIX}}  # noqa: F405
if REDIS_URL:  # noqa: F405
    from urllib.parse import urlsplit

    _number = int(_WORKER[2:]) if _WORKER[2:].isdigit() else 0
    CACHES["default"]["LOCATION"] = (
        urlsplit(REDIS_URL)._replace(path=f"/{1 + _number % 15}").geturl()  # noqa: F405
    )
else:
    CACHES["default"]["LOCATION"] = f"brief-archive-{_PREFIX}"
