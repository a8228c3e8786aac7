"""Where a reader goes after an action: a ``next`` (or similar) taken from the request,
accepted only as a path on this site.

Every view that sends a reader to an address the request named reads it through
:func:`safe_next`, and redirects with :func:`redirect_next`, never with
``django.shortcuts.redirect``: that reads a bare word (``?next=logout``) as a URL name, so a
link could send a reader to any named page, and an unknown word was a 500 (NoReverseMatch).
"""

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

# Longer targets are not links a page of this site made.
_MAX_TARGET = 2000


def local_path(target, request):
    """``target`` when it is a path on this site (``/briefs/x/?page=2``), else None.

    Accepted: a string starting with one ``/`` (not ``//`` or ``/\\``, which browsers read
    as another host), no control characters (CR/LF would split headers), no scheme or
    host, at most 2000 characters. Bare words (``logout``), ``javascript:`` and absolute
    URLs, even to this host, are refused.
    """
    if not isinstance(target, str) or not target or len(target) > _MAX_TARGET:
        return None
    if not target.startswith("/") or target[1:2] in ("/", "\\"):
        return None
    if any(ord(character) < 32 or ord(character) == 127 for character in target):
        return None
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return target


def safe_next(request, default="/", *, field="next"):
    """The request's ``field`` (POST first, then GET) if :func:`local_path` accepts it,
    else ``default`` (a path, or ``""`` for "none" in a form's hidden field)."""
    target = request.POST.get(field) or request.GET.get(field) or ""
    return local_path(target, request) or default


def redirect_next(request, default="/", *, field="next", status=302):
    """A redirect (``status``) to :func:`safe_next`; ``default`` is a path, never a URL name."""
    response = HttpResponseRedirect(safe_next(request, default, field=field))
    response.status_code = status
    return response
