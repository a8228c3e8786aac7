"""Settings for Brief Archive, read from the environment (12-factor).

Every knob that differs between a laptop and production is an environment
variable; the defaults are safe (debug off) and the development conveniences
switch on only with ``DJANGO_DEBUG=1``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured

from config import limits

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=()):
    """Read a comma-separated environment variable into a list of stripped items."""
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or list(default)


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG off) needs a long random "
            "secret key: export DJANGO_SECRET_KEY=... (for local work, set DJANGO_DEBUG=1)."
        )
    SECRET_KEY = "django-insecure-local-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# The site's one canonical address: feed ids, links and validators are built from it, never
# from the request's Host header (so a www alias or a domain move changes no item's id).
# Production sets it (``check --deploy`` warns otherwise); development reads runserver's.
SITE_URL_DEFAULT = "http://127.0.0.1:8000"
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/") or SITE_URL_DEFAULT
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"SITE_URL must be an http:// or https:// address such as https://briefs.example.org, "
        f"not {SITE_URL!r}."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "csp",
    "axes",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "core",
    "briefs",
    "annotations",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "core.middleware.RejectNulCharactersMiddleware",
    "core.middleware.RejectUnknownMethodsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After the security headers, before sessions and CSRF: see core/pagecache.py.
    "core.pagecache.ReaderPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every answer to a signed-in reader is Cache-Control: private (core/middleware.py).
    "core.middleware.SignedInAnswersArePrivateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL, or an embedded SQLite file in the project root.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections buy nothing for a local file; IMMEDIATE transactions
    # and a busy timeout stop "database is locked" under concurrent requests.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # JIT compiling pays off for long analytic queries, not for a web app's: it
        # added 100-200 ms to a search ranking 10,000 briefs (bench/README.md).
        DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")

# Background work (imports of many files, fetching URLs): django-tasks with its database
# backend, so `manage.py db_worker` processes run anywhere that reaches the same database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses locked-out logins before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Mail (sign-up links, password resets, reply notices): EMAIL_URL (smtp://user:pass@host:587/?tls=True, console:, ...),
# else the usual EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS / EMAIL_USE_SSL variables; with neither, debug runs (make run) print mail to
# the console and production sends through an SMTP server on localhost.
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    globals().update(dj_email_url.parse(EMAIL_URL))
elif os.environ.get("EMAIL_HOST"):
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_TIMEOUT = globals().get("EMAIL_TIMEOUT") or int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Brief Archive <noreply@localhost>")
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # seconds a reset link stays valid

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Tags: "Rare earths" and "Rare Earths" are the same topic.
TAGGIT_CASE_INSENSITIVE = True

# Security. Production values unless debug is on; behind a TLS-terminating
# proxy set DJANGO_SECURE_PROXY_SSL_HEADER=1 so Django trusts X-Forwarded-Proto.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Behind N proxies that append to X-Forwarded-For, the client address is the one N
# from the right (core.ratelimit.client_ip); 0 trusts only REMOTE_ADDR.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))

# Content Security Policy (django-csp 4): no inline script or style, nothing from
# other origins. The admin gets inline styles only (core.middleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Login throttling (django-axes): 10 failures in 10 minutes from one IP, or for one
# username, lock that IP or username out for 10 minutes. Attempts are kept in the
# database, so every app server behind the proxy sees the same count.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=10)
# By address and by username; by username alone when there is no address (core/ratelimit.py).
AXES_LOCKOUT_PARAMETERS = "core.ratelimit.login_lockout_parameters"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.ratelimit.login_lockout"
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_address"
AXES_SENSITIVE_PARAMETERS = ["password"]

# Cache: local memory per process by default; a shared Redis when REDIS_URL is set
# (needed for exact rate limits and shared page caches across app servers).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend, reusing its client object (core/redis.py).
            "BACKEND": "core.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "brief-archive",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "brief-archive",
        }
    }

# Whole pages and feeds served to signed-out readers from the cache (core/pagecache.py):
# URL namespaces or views, each with the request headers its answer varies on.
READER_PAGE_CACHE = {
    "briefs": (),
    "annotations:recent": (),
    "annotations:feed": (),
    "annotations:feed-atom": (),
    "annotations:feed-json": (),
    "annotations:brief-notes": (),
    "annotations:brief-feed": (),
    "annotations:topic-feed": (),
    "annotations:tag-feed": (),
    "annotations:api-list": ("Accept",),
    "sitemap": (),
    "sitemap-section": (),
}
# Cookies (and the values that count) a cached page's answer depends on: the key holds
# them, so readers who chose differently never share a copy (briefs/story_cards.py).
READER_PAGE_CACHE_COOKIES = {"versions": ("all",)}
# Each worker also keeps the pages it served last, up to this many bytes (0: none).
READER_PAGE_LOCAL_BYTES = int(os.environ.get("DJANGO_READER_PAGE_LOCAL_BYTES", 32 * 1024 * 1024))

# Request size bounds (config/limits.py holds the per-feature ones).
DATA_UPLOAD_MAX_MEMORY_SIZE = limits.IMPORT_MAX_FILE_BYTES + 512 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = limits.IMPORT_MAX_FILES

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Importing pages by URL (briefs/importer/fetch.py) refuses every address that is not public
# (loopback, private, link-local, ...). Networks listed here, in CIDR form, are allowed
# anyway: the tests put their local server's 127.0.0.0/8 here. Keep it empty in production.
IMPORT_FETCH_ALLOWED_NETWORKS = []
