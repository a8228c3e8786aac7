"""Settings come from the environment and production settings pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_under_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="a-long-random-production-secret-key-of-more-than-fifty-characters-xyz",
        DJANGO_ALLOWED_HOSTS="briefs.example.org",
        SITE_URL="https://briefs.example.org",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_warns_when_the_canonical_site_address_is_not_set():
    result = _manage(
        "check",
        "--deploy",
        DJANGO_SECRET_KEY="a-long-random-production-secret-key-of-more-than-fifty-characters-xyz",
        DJANGO_ALLOWED_HOSTS="briefs.example.org",
    )
    assert "core.W001" in result.stderr + result.stdout


def test_a_site_url_that_is_not_http_is_refused_with_one_line():
    result = _manage("check", DJANGO_DEBUG="1", SITE_URL="javascript:alert(1)")
    assert result.returncode != 0
    assert "SITE_URL must be an http:// or https:// address" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check")
    assert result.returncode != 0
    assert "Configuration error: DJANGO_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_mode_runs_without_a_secret_key():
    result = _manage("check", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr


def _mail_settings(**env):
    """EMAIL_BACKEND, host and port as config.settings reads them from ``env``."""
    # The settings alone, in a fresh interpreter (they are read from the environment at
    # import): no django.setup(), no shell and its auto-imports.
    code = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_HOST_USER)"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].split()


def test_mail_settings_come_from_the_environment():
    debug = {"DJANGO_DEBUG": "1"}
    # make run (debug, nothing configured): mail is printed to the console.
    assert _mail_settings(**debug)[0] == "django.core.mail.backends.console.EmailBackend"
    assert _mail_settings(
        **debug, EMAIL_URL="smtp://mailer:secret@mail.example.org:587/?tls=True"
    ) == ["django.core.mail.backends.smtp.EmailBackend", "mail.example.org", "587", "True", "mailer"]
    assert _mail_settings(
        **debug, EMAIL_HOST="relay.example.org", EMAIL_PORT="2525", EMAIL_USE_TLS="1"
    )[:4] == ["django.core.mail.backends.smtp.EmailBackend", "relay.example.org", "2525", "True"]
