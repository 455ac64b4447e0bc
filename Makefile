# Agora: `make run` for the site on the embedded defaults, `make test` for the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
# uv uses the machine's Python (3.11+); it never downloads one.
export UV_PYTHON_DOWNLOADS := never
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
PY := .venv/bin/python
BIND ?= 127.0.0.1:8000

.PHONY: help install run test lint format bench serve worker beat

help:
	@echo "make run     the site on SQLite with demo content, at http://$(BIND)"
	@echo "make test    the whole test suite"
	@echo "make install .venv with the locked dependencies (dev tools included)"
	@echo "make lint | bench | serve | worker | beat"

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

install: .venv/.installed

run: export DEBUG ?= 1
# Links in e-mails point at the address the site is served on.
run: export SITE_URL ?= http://$(BIND)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(BIND)

# The suite runs on SQLite unless DATABASE_URL names PostgreSQL; with
# CELERY_BROKER_URL set it also runs a real Celery worker (see .ci/run).
test: export SECRET_KEY ?= test-only-secret-key-not-for-any-deployment-0123456789
test: export HTTPS ?= 0
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: install
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

bench: export SECRET_KEY ?= bench-only-secret-key-not-for-any-deployment-0123456789
bench: export HTTPS ?= 0
bench: install
	$(PY) -m bench

serve: install
	$(PY) manage.py collectstatic --noinput --verbosity 0
	.venv/bin/gunicorn config.wsgi --bind $(BIND) --workers $${WEB_CONCURRENCY:-2} --access-logfile -

# As deploy/agora-worker.service does in production, a worker that exits with
# an error (a crash, a lost broker) is started again after a short pause;
# Ctrl-C, or a worker that stops cleanly, ends the loop.
CELERY := .venv/bin/celery
WORKER_RESTART_DELAY ?= 5
worker: install
	@trap 'exit 130' INT TERM; \
	while true; do \
	  $(CELERY) -A config worker --loglevel INFO && exit 0; \
	  status=$$?; \
	  echo "worker exited with status $$status; starting it again in $(WORKER_RESTART_DELAY) s" >&2; \
	  sleep $(WORKER_RESTART_DELAY); \
	done

beat: install
	@mkdir -p var
	$(CELERY) -A config beat --loglevel INFO --schedule var/celerybeat-schedule
