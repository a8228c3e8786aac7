"""Boot-time warm-up: workers start with the site's templates compiled (core/warmup.py)."""

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

from django.template import engines
from django.template.loaders.filesystem import Loader as FilesystemLoader

from core.warmup import compile_site_templates, warm_up

ROOT = Path(__file__).resolve().parent.parent


def _site_templates():
    folder = ROOT / "templates"
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in (".html", ".txt", ".xml")
    )


def test_every_site_template_is_compiled_once_at_boot():
    names = _site_templates()
    assert compile_site_templates() == len(names) > 50

    reread = AssertionError("a compiled template was read again")
    with mock.patch.object(FilesystemLoader, "get_contents", side_effect=reread):
        for name in names:  # served from the cached loader: no file is read or parsed again
            engines["django"].get_template(name)


def test_warm_up_needs_no_database():
    # No db fixture: pytest-django refuses any database access here, so a query (or a
    # connection a forked worker would share) fails the test.
    assert warm_up() == len(_site_templates())


def test_gunicorn_warms_up_and_freezes_the_heap_before_forking_only_when_preloaded():
    when_ready = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["when_ready"]
    log = mock.Mock()
    try:
        when_ready(SimpleNamespace(cfg=SimpleNamespace(preload_app=False), log=log))
        assert gc.get_freeze_count() == 0 and not log.info.called

        when_ready(SimpleNamespace(cfg=SimpleNamespace(preload_app=True), log=log))
        assert gc.get_freeze_count() > 0
        _, compiled, frozen = log.info.call_args.args
        assert compiled == len(_site_templates()) and frozen > 0
    finally:
        gc.unfreeze()
