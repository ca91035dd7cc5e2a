# Hearth: `make run` for the embedded default, `make test` for the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT
# Links in e-mails (unsubscribe, "open in Hearth") follow the port you run on.
SITE_URL ?= http://127.0.0.1:$(PORT)
export SITE_URL

.PHONY: run test lint bench load worker install demo clean test-dates axe messages

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Hearth needs Python 3.11 ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# axe-core for the accessibility browser test (tests/browser/test_phone_and_a11y.py),
# from the npm registry into var/node; the test injects the file, never the network.
# Pinned to one minor: a new minor adds rules, which should land on purpose.
AXE_VERSION := ~4.14
AXE := var/node/node_modules/axe-core/axe.min.js
# Without npm (a machine with no Chromium either, where the browser tests skip) it
# says so and goes on; the test itself names what is missing if Chromium is there.
# oidc-provider (an OpenID Connect provider, certified by the OpenID Foundation) for the
# single sign-on tests: tests/identity start it on 127.0.0.1 from var/node.
OIDC_PROVIDER_VERSION := ~9.13
OIDC_PROVIDER := var/node/node_modules/oidc-provider/package.json
# One npm install for both: a --no-save install removes packages it was not given.
$(AXE) $(OIDC_PROVIDER) &:
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --no-save --no-audit --no-fund --prefix var/node "axe-core@$(AXE_VERSION)" "oidc-provider@$(OIDC_PROVIDER_VERSION)"; \
	else echo "npm not found: the accessibility and single sign-on tests need axe-core and oidc-provider (apt-get install npm)"; fi

axe: $(AXE) $(OIDC_PROVIDER)

run: install
	@mkdir -p var/broker/queue var/broker/processed var/broker/control
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo --if-empty
	@echo ""
	@echo "  Hearth is starting on http://127.0.0.1:$(PORT)"
	@echo "  Demo logins (password hearth-demo): alice@hearth.example (manager),"
	@echo "  bob@hearth.example and nia@hearth.example (employees), hana@hearth.example (HR admin)"
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

# Start the demo over: the embedded SQLite database only, never a DATABASE_URL.
demo: install
	@[ -z "$$DATABASE_URL" ] || { echo "make demo resets the embedded SQLite demo only; unset DATABASE_URL"; exit 1; }
	rm -f var/hearth.sqlite3 var/hearth.sqlite3-wal var/hearth.sqlite3-shm
	rm -rf var/broker
	@mkdir -p var/broker/queue var/broker/processed var/broker/control
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo
	@echo "A fresh demo organisation is ready: make run"

worker: install
	$(BIN)/celery -A connection worker --loglevel=INFO --pool=solo

test: install axe
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite at each risky "today" of .ci/dates.py (DST changes, 31 December 23:30 UTC,
# 29 February, Monday 00:05 UTC), every one run even when one fails; TEST_DATES="europe us"
# keeps the labels starting so.
test-dates: install axe
	@dates="$$($(BIN)/python .ci/dates.py $(TEST_DATES))" && [ -n "$$dates" ] || exit 1; \
	failed=""; for at in $$(echo "$$dates" | tr ' ' '='); do \
	  echo "== $${at%%=*}: HEARTH_TEST_NOW=$${at#*=}"; \
	  HEARTH_TEST_NOW="$${at#*=}" $(BIN)/python -m pytest $(PYTEST_ARGS) || failed="$$failed $${at%%=*}"; \
	done; \
	if [ -n "$$failed" ]; then echo "== failed at:$$failed"; exit 1; fi

# Style, then the import contract of docs/architecture.md (tests/test_layers.py).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_layers.py

# The German catalogue, extracted, merged and compiled (needs GNU gettext; docs/i18n.md).
messages: install
	$(BIN)/python manage.py translations build

bench: install
	$(BIN)/python -m bench

# The Monday-morning burst alone (Locust against gunicorn, then two behind nginx;
# needs PostgreSQL on 127.0.0.1:5432, and nginx for the second shape).
load: install
	$(BIN)/python -m bench burst

clean:
	rm -rf var staticfiles .pytest_cache
