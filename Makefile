# Brief Archive: `make run` serves the site, `make test` runs the suite.
# Both create .venv and install requirements.txt first; both honour DATABASE_URL.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in feeds and mails point where make run serves (a deployment sets its own).
SITE_URL ?= http://$(HOST):$(PORT)
# Local commands run with debug on (no production secret needed); the test suite does not.
DEV := DJANGO_DEBUG=1

.PHONY: run test test-fast setup migrate demo check-python clean bench-data bench bench-smoke soak vnu

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Brief Archive needs Python 3.11 or newer; found " + sys.version.split()[0] + ". Set PYTHON=/path/to/python3.11.")'

$(STAMP): requirements.txt | check-python
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(DEV) $(PY) manage.py migrate --noinput

demo: migrate
	@if [ -d briefs/demo ]; then $(DEV) $(PY) manage.py import_briefs briefs/demo; fi

# One background worker (django-tasks' db_worker: admin imports, URL fetches) runs beside
# the server and stops with it. It does not reload: restart `make run` after changing tasks.
run: demo
	$(DEV) $(PY) manage.py ensure_dev_superuser
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@$(DEV) SITE_URL=$(SITE_URL) $(PY) manage.py db_worker --no-reload --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV) SITE_URL=$(SITE_URL) $(PY) manage.py runserver $(HOST):$(PORT)

# Both cores: pytest-xdist runs a worker per core, each module's tests on one worker (its
# live server, browser and fixtures stay together). PYTEST_ARGS adds to or overrides this.
PYTEST_WORKERS ?= auto
test: migrate
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The suite without the slow tests (corpora, fuzzing, browser, validator, bench): for quick runs.
test-fast: migrate
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile -m "not slow" $(PYTEST_ARGS)

# The Nu HTML checker for the validity test (a Java jar from npm, kept in .cache/vnu).
# The test fetches it by itself when missing; this fetches it ahead of time.
vnu:
	npm install --no-save --no-audit --no-fund --prefix .cache/vnu vnu-jar@26.9.27

# Benchmark (bench/README.md): a 100k-brief archive in the PostgreSQL of DATABASE_URL,
# then gunicorn under wrk. bench-smoke is the same on a tiny SQLite archive, for CI.
bench-data: setup
	@test -n "$(DATABASE_URL)" || { echo "bench-data writes 100,000 briefs: point DATABASE_URL at a PostgreSQL database made for it, e.g. createdb ba_bench; DATABASE_URL=postgres://postgres@127.0.0.1:5432/ba_bench make bench-data"; exit 2; }
	$(PY) -m bench.make_data --scale full

bench: setup
	@test -n "$(DATABASE_URL)" || { echo "bench measures the database of DATABASE_URL (after make bench-data): DATABASE_URL=postgres://postgres@127.0.0.1:5432/ba_bench make bench"; exit 2; }
	$(PY) -m bench.run $(BENCH_ARGS)

bench-smoke: setup
	env -u DATABASE_URL $(PY) -m bench.run --smoke $(BENCH_ARGS)

# Issue 9's load test: 64 connections for 2 minutes over a mix of pages, on the same
# archive as bench; fails on any error, 5xx or worker restarted by a failure.
soak: setup
	@test -n "$(DATABASE_URL)" || { echo "soak loads the database of DATABASE_URL (after make bench-data): DATABASE_URL=postgres://postgres@127.0.0.1:5432/ba_bench make soak"; exit 2; }
	$(PY) -m bench.soak $(SOAK_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .hypothesis
