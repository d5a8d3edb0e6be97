# The one entry point that README and CI both call.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HTMX_VERSION := 2.0.11
AXE_VERSION := 4.14.1
JSQR_VERSION := 1.4.0
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint format chromium pgbouncer bench vendor clean

$(VENV)/.installed-run: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-bench: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test,bench]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(PY) -m server dev

chromium:
	@test -x /usr/bin/chromium || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium)

# tests/test_pgbouncer.py starts Debian's PgBouncer in front of the test database.
pgbouncer:
	@test -x /usr/sbin/pgbouncer || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq pgbouncer)

lint: $(VENV)/.installed-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: $(VENV)/.installed-test
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Workers: each has its own PostgreSQL, app, live server, browser and mail/push services
# (session fixtures), so they share nothing. Three on two cores: browser and server tests
# mostly wait. loadfile keeps a file's tests (and its module fixtures) on one worker.
PYTEST_WORKERS ?= 3
test: $(VENV)/.installed-test chromium pgbouncer lint
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile

bench: $(VENV)/.installed-bench chromium
	$(PY) bench/swap.py
	$(PY) bench/pageweight.py
	$(PY) bench/push.py
	$(PY) bench/push_clients.py
	$(PY) bench/mail.py
	$(PY) bench/events.py
	$(PY) bench/roster_sizes.py
	$(PY) bench/export.py
	$(PY) bench/photo.py
	$(PY) bench/bump.py

# Front-end libraries come from the npm registry at pinned versions and are committed.
vendor:
	rm -rf build/vendor && mkdir -p build/vendor
	cd build/vendor && npm pack --silent htmx.org@$(HTMX_VERSION) axe-core@$(AXE_VERSION) jsqr@$(JSQR_VERSION)
	cd build/vendor && mkdir htmx axe jsqr && tar xzf htmx.org-$(HTMX_VERSION).tgz -C htmx && tar xzf axe-core-$(AXE_VERSION).tgz -C axe && tar xzf jsqr-$(JSQR_VERSION).tgz -C jsqr
	cp build/vendor/htmx/package/dist/htmx.min.js web/static/vendor/htmx-$(HTMX_VERSION).min.js
	cp build/vendor/htmx/package/LICENSE web/static/vendor/htmx-$(HTMX_VERSION).LICENSE
	cp build/vendor/jsqr/package/dist/jsQR.js web/static/vendor/jsqr-$(JSQR_VERSION).js
	cp build/vendor/jsqr/package/LICENSE web/static/vendor/jsqr-$(JSQR_VERSION).LICENSE
	cp build/vendor/axe/package/axe.min.js tests/vendor/axe-core-$(AXE_VERSION).min.js
	cp build/vendor/axe/package/LICENSE tests/vendor/axe-core-$(AXE_VERSION).LICENSE

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
