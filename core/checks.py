"""System checks of the deployment settings this project adds (``manage.py check --deploy``)."""

import os

from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url_is_set(app_configs=None, **kwargs):
    """Warn when production runs on the development SITE_URL: feed ids would name 127.0.0.1."""
    if os.environ.get("SITE_URL", "").strip():
        return []
    return [
        Warning(
            "SITE_URL is not set, so feeds name http://127.0.0.1:8000 as the site.",
            hint="export SITE_URL=https://your.domain (the one address readers use).",
            id="core.W001",
        )
    ]


@register(Tags.caches, deploy=True)
def shared_cache_is_configured(app_configs=None, environ=None, **kwargs):
    """Warn when production has no shared cache: rate limits would count per worker process.

    Note writes and sign-ups are limited per user and address through the cache
    (core/ratelimit.py); with the local-memory default each gunicorn worker keeps its own
    counters, so N workers let N times the limit through. Redis (``REDIS_URL``) is the
    shared cache every worker and server counts in.
    """
    environ = os.environ if environ is None else environ
    if environ.get("REDIS_URL", "").strip():
        return []
    return [
        Warning(
            "REDIS_URL is not set: rate limits (note writes, sign-ups) and page caches are "
            "counted per worker process, so several workers let several times the limit through.",
            hint="export REDIS_URL=redis://host:6379/0 (one Redis shared by every app server).",
            id="core.W002",
        )
    ]
