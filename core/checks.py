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
