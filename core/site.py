"""The site's canonical address (``settings.SITE_URL``), for everything that names the site.

Feed GUIDs, links and validators come from here, never from the request's ``Host``
header: the same feed read as ``localhost`` or ``127.0.0.1``, through a www alias or
after a domain move, keeps every item's id.
"""

from urllib.parse import urlsplit

from django.conf import settings


def site_url(path=""):
    """``path`` (``"/feed/"``) as an absolute URL on the canonical address."""
    return settings.SITE_URL.rstrip("/") + path


def site_host():
    """The canonical host name without port (``briefs.example.org``), for ``tag:`` URIs."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"
