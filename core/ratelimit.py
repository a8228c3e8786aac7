"""A small cache-based rate limiter for views, and the client address it counts by.

The project's one rate limiter, used where django-axes does not reach: sign-ups per IP,
note writes per user (the API and pages). Counters
live in Django's cache, so with several app servers the limit is exact only when
they share a cache (set ``REDIS_URL``); with the local-memory default each worker
counts on its own, which still stops a single client hammering one process.

    @ratelimit(key="ip", rate="5/h")
    def signup(request): ...
"""

import functools
import ipaddress
import logging
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


def parse_rate(rate):
    """Turn ``"5/h"`` or ``"10/10m"`` into ``(count, seconds)``; raise ValueError otherwise."""
    match = _RATE.match(rate)
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"Rate {rate!r} is not of the form '5/h', '60/m' or '10/10m'.")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * _UNITS[unit]


def client_ip(request):
    """The visitor's address: ``REMOTE_ADDR``, or the proxy-appended one behind trusted proxies.

    ``X-Forwarded-For`` can be forged by the client, so it is read only when
    ``TRUSTED_PROXY_COUNT`` says how many proxies in front of the app append to it;
    the address the outermost trusted proxy saw is then the one ``count`` from the right.
    """
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR") or "unknown"


def client_address(request):
    """The visitor's address as :func:`client_ip` reads it, or None when it is not an address.

    Behind a unix socket (gunicorn under nginx) ``REMOTE_ADDR`` is empty: every visitor
    would share one made-up address, and PostgreSQL refuses a non-address in an ``inet``
    column. django-axes gets this (``AXES_CLIENT_IP_CALLABLE``).
    """
    found = client_ip(request)
    try:
        return str(ipaddress.ip_address(found))
    except ValueError:
        return None


_missing_address_logged = False


def login_lockout_parameters(request_or_attempt, credentials=None):
    """What django-axes locks out by (``AXES_LOCKOUT_PARAMETERS``): address and username.

    Without a client address (a misconfigured proxy, a unix socket without
    ``DJANGO_TRUSTED_PROXY_COUNT``) locking by address would lock every visitor out
    together, admins included: then only the username counts, and the misconfiguration
    is logged once per process.
    """
    global _missing_address_logged
    address = getattr(request_or_attempt, "axes_ip_address", None) or getattr(
        request_or_attempt, "ip_address", None
    )
    if address:
        return ["ip_address", "username"]
    if not _missing_address_logged:
        _missing_address_logged = True
        logger.error(
            "Login throttling sees no client address (REMOTE_ADDR is empty: a unix socket or "
            "a proxy not trusted?). Locking out by username only. Behind a proxy, set "
            "DJANGO_TRUSTED_PROXY_COUNT and have it send X-Forwarded-For."
        )
    return ["username"]


def _key_value(request, key):
    if callable(key):
        return str(key(request))
    if key == "ip":
        return client_ip(request)
    if key == "user":
        if request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return f"ip:{client_ip(request)}"
    raise ValueError(f"Unknown rate limit key {key!r}: use 'ip', 'user' or a callable.")


def too_many_requests(request, retry_after):
    """The friendly 429 page, with ``Retry-After`` so well-behaved clients wait."""
    body = render_to_string("429.html", {"retry_minutes": max(1, -(-retry_after // 60))}, request)
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit_hit(*, scope, who, rate):
    """Count one request of ``who`` against ``rate`` in ``scope``; seconds to wait, or 0.

    ``scope`` names what is limited (a view, "annotation-write"), ``who`` the client
    (``"user:3"``, an address). Windows are fixed (the counter starts on the first
    request), which is simple and cheap: at worst twice the rate passes around a
    window's edge. The counter lives in the shared cache, so with Redis every worker
    and server counts together.
    """
    limit, window = parse_rate(rate)
    now = int(time.time())
    window_start = now - now % window
    cache_key = f"ratelimit:{scope}:{who}:{window_start}"
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        used = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr: count this one as the first
        cache.set(cache_key, 1, timeout=window + 5)
        used = 1
    return window_start + window - now if used > limit else 0


def ratelimit(*, key="ip", rate, methods=("POST",), group=None):
    """Refuse a view with 429 once ``key`` has made ``rate`` requests in the window.

    ``key`` is ``"ip"``, ``"user"`` (signed-in user, else IP) or a callable of the
    request; only ``methods`` count (so showing a sign-up form is free, submitting
    it is not). Counting is :func:`rate_limit_hit`'s.
    """
    parse_rate(rate)  # a bad rate fails at import time, not on the first request

    def decorator(view):
        scope = group or f"{view.__module__}.{view.__qualname__}"

        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                who = _key_value(request, key)
                retry_after = rate_limit_hit(scope=scope, who=who, rate=rate)
                if retry_after:
                    return too_many_requests(request, retry_after=retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def login_lockout(request, original_response=None, credentials=None):
    """django-axes' lockout answer (``AXES_LOCKOUT_CALLABLE``): 429, the wait, ``Retry-After``."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "retry_minutes": -(-seconds // 60)}
    body = render_to_string("axes/lockout.html", context, request)
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(seconds)
    return response
