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
