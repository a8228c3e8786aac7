"""Work every app server process would otherwise do in its first requests, done once at boot.

gunicorn.conf.py calls :func:`warm_up` in the master process, after the app is loaded and
before any worker forks: each worker (and each one that replaces a recycled worker) then
starts with the site's templates compiled and the URL tables built, instead of paying for
them in its first renders of each page (issue 14).
"""

import logging
from pathlib import Path

logger = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = (".html", ".txt", ".xml")


def compile_site_templates():
    """Compile every template under the ``DIRS`` of each Django template engine, so the
    engine's cached loader holds them; returns how many were compiled.

    A template that does not compile is logged and left to fail where it is used, as it
    would without this: booting is not the place to stop a site over one page.
    """
    from django.template import TemplateSyntaxError, engines
    from django.template.backends.django import DjangoTemplates

    compiled = 0
    for backend in engines.all():
        if not isinstance(backend, DjangoTemplates):
            continue
        for directory in map(Path, backend.engine.dirs):
            for path in sorted(directory.rglob("*")):
                if not path.is_file() or path.suffix not in TEMPLATE_SUFFIXES:
                    continue
                name = path.relative_to(directory).as_posix()
                try:
                    backend.get_template(name)
                except TemplateSyntaxError:
                    logger.exception("Template %s does not compile", name)
                    continue
                compiled += 1
    return compiled


def warm_up():
    """Compile the site's templates and build the URL resolver's tables; returns the number
    of templates compiled. Opens no database connection (workers must not share one)."""
    from django.urls import get_resolver

    compiled = compile_site_templates()
    get_resolver().reverse_dict  # noqa: B018 -- reading it builds the reverse tables
    return compiled
