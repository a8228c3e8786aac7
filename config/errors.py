"""Error views: a 500 that becomes the 503 page when the fault is the database."""

import sys

from django.views import defaults

from .middleware import DATABASE_ERRORS, database_unavailable


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """Render ``500.html``, or the 503 page when the exception being handled is a database outage.

    ``DatabaseUnavailableMiddleware`` catches outages inside views; this catches
    the rest (a middleware's own query, a session saved on the way out), so the
    visitor sees "try again shortly" rather than "something broke" either way.
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        return database_unavailable(request)
    return defaults.server_error(request, template_name=template_name)
