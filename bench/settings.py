"""Settings for a benchmark run: production settings, static files collected into a temp dir.

``bench/run.py`` points gunicorn and itself at this module; nothing else differs from
``config.settings`` (debug off, the real middleware, the real cache configuration).
"""

import os

from config.settings import *  # noqa: F403

STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
