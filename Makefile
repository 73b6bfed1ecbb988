# branchtrack: `make demo` for a first look, `make test` for the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
TEST_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/branchtrack
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/2

# deploy-check is not part of `make test` (55-90 s here, 30 s of it the roll-up's coalescing delay).
.PHONY: deploy-check demo test test-postgres test-sqlite coverage coverage-html install dev services lint format messages catalogues worker serve screenshots bench clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "branchtrack needs Python 3.11 or newer")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(PIP) install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

# The .mo files are built, not committed (a .po merges as text; see .gitattributes).
catalogues: install
	$(PY) scripts/compile_messages.py

demo: install catalogues
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo
	@echo "  branchtrack demo: http://127.0.0.1:8000  (logins above; password Demo@2020)"
	@echo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

services:
	./scripts/ensure_services.sh

lint: dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# CI (.ci/run) runs exactly this: lint, the whole suite on PostgreSQL (browser tests too), every
# non-browser test again on SQLite, the database of `make demo` (tests marked postgres are skipped
# there), then the branch coverage of both legs against its floors.
test: dev catalogues services lint test-postgres test-sqlite coverage

# Branch coverage: the whole at least fail_under (pyproject.toml), the core below at least CORE_FLOOR.
CORE_FLOOR := 95
CORE_MODULES := */services.py,*/selectors.py,*/supervision/rollup.py,*/projects/ranking.py,*/projects/assignment.py,*/org/permissions.py,*/year_end.py,*/branchtrack/web/rounding.py
COV := --cov --cov-report= --cov-fail-under=0

test-postgres: dev catalogues services
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest $(COV) $(PYTEST_ARGS)

# As `make demo` runs: SQLite, no Redis (tasks in the web process, an in-process cache).
test-sqlite: dev catalogues
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest -m "not browser" $(COV) --cov-append $(PYTEST_ARGS)

coverage: dev
	@echo "== branch coverage, whole (floor: fail_under in pyproject.toml)"
	$(VENV)/bin/coverage report
	@echo "== branch coverage, services, selectors, engines, permission API (floor: $(CORE_FLOOR)%)"
	$(VENV)/bin/coverage report --include='$(CORE_MODULES)' --no-skip-covered --fail-under=$(CORE_FLOOR) || \
		{ echo "under $(CORE_FLOOR)%: see the Missing column above, or run make coverage-html"; exit 2; }

coverage-html: dev
	$(VENV)/bin/coverage html --directory=htmlcov && echo "open htmlcov/index.html"

# Rebuild the .po catalogues after changing strings (the .mo files are built by `make catalogues`).
messages: dev
	$(VENV)/bin/django-admin makemessages -l zh_Hans --ignore=.venv --ignore=supervision --ignore=projects --ignore=pairings --ignore=assessment --ignore=bench --ignore=tests --ignore=docs --pythonpath=. --settings=branchtrack.settings
	cd supervision && ../$(VENV)/bin/django-admin makemessages -l zh_Hans --pythonpath=.. --settings=branchtrack.settings
	cd projects && ../$(VENV)/bin/django-admin makemessages -l zh_Hans --pythonpath=.. --settings=branchtrack.settings
	cd pairings && ../$(VENV)/bin/django-admin makemessages -l zh_Hans --pythonpath=.. --settings=branchtrack.settings
	cd assessment && ../$(VENV)/bin/django-admin makemessages -l zh_Hans --pythonpath=.. --settings=branchtrack.settings
	$(PY) scripts/compile_messages.py

worker: install catalogues
	$(VENV)/bin/celery -A branchtrack worker --beat -l info

serve: install catalogues
	$(VENV)/bin/gunicorn branchtrack.wsgi --bind 127.0.0.1:8000 --workers 2

# The production set-up for real: nginx (TLS) -> gunicorn + a Celery worker, log in, complete a visit,
# see the roll-up (scripts/deploy_check.sh; docs/deploy.md). 55-90 s; not run by `make test`.
DEPLOY_CHECK_DATABASE ?= bt_deploy_check
DEPLOY_CHECK_REDIS_URL ?= redis://127.0.0.1:6379/14
deploy-check: dev catalogues
	DEPLOY_CHECK_DATABASE=$(DEPLOY_CHECK_DATABASE) DEPLOY_CHECK_REDIS_URL=$(DEPLOY_CHECK_REDIS_URL) ./scripts/deploy_check.sh

# The browser journeys, saving their screenshots into docs/screenshots (the README shows them).
screenshots: dev services catalogues
	SCREENSHOTS_DIR=docs/screenshots DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest tests/browser -m browser

# The benchmark at State Grid size (bench/README.md): generates database `bench`, then prints the table.
bench: install services catalogues
	./scripts/ensure_services.sh wrk
	$(PY) -m bench generate --scale target --seed 2020
	REDIS_URL=$(BENCH_REDIS_URL) $(PY) -m bench run --scale target

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .coverage htmlcov
