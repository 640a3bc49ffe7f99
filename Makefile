# Two commands: `make run` serves the demo site, `make test` runs every check CI runs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_PASSWORD := $(or $(DJANGO_SUPERUSER_PASSWORD),trygg-demo-2026)

.PHONY: run test lint format messages bench clean vendor

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: export DJANGO_SETTINGS_MODULE = conference.settings.dev
run: export DJANGO_SUPERUSER_PASSWORD = $(DEMO_PASSWORD)
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo
	@echo "  Trygg & Säker  http://127.0.0.1:$(PORT)/   (English: http://127.0.0.1:$(PORT)/en/)"
	@echo "  Admin          http://127.0.0.1:$(PORT)/admin/"
	@echo "  Scanner        http://127.0.0.1:$(PORT)/scan/   (log in as entre)"
	@echo "  Log-ins        admin, redaktor, arrangor, entre, jury  —  password: $(DEMO_PASSWORD)"
	@echo "  Stop with Ctrl-C."
	@echo
	@$(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(VENV)/bin/granian --interface asginl --host 127.0.0.1 --port $(PORT) --workers 1 --backpressure 10000 --backlog 4096 conference.asgi:application

test: export DJANGO_SETTINGS_MODULE = conference.settings.test
test: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Message catalogues: edit locale/*/LC_MESSAGES/django.po, then compile. The .mo files are committed,
# so a fresh machine needs no gettext tools.
messages: $(VENV)/.installed-dev
	DJANGO_SETTINGS_MODULE=conference.settings.dev $(PY) manage.py makemessages --locale sv --locale en --ignore '.venv/*' --ignore 'var/*' --no-obsolete
	DJANGO_SETTINGS_MODULE=conference.settings.dev $(PY) manage.py compilemessages --ignore '.venv/*'

bench: $(VENV)/.installed-dev
	@for script in tests/benchmarks/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) var

# The scanner page's QR decoder, served from our own static files (see static/vendor/barcode-detector/README.md).
BARCODE_DETECTOR_VERSION := 3.2.2
ZXING_WASM_VERSION := 3.1.3
vendor:
	tmp=$$(mktemp -d) && cd $$tmp && \
	npm pack --silent barcode-detector@$(BARCODE_DETECTOR_VERSION) zxing-wasm@$(ZXING_WASM_VERSION) >/dev/null && \
	mkdir bd zw && tar xzf barcode-detector-*.tgz -C bd && tar xzf zxing-wasm-*.tgz -C zw && \
	cp bd/package/dist/iife/ponyfill.js $(CURDIR)/static/vendor/barcode-detector/ponyfill.js && \
	cp bd/package/LICENSE $(CURDIR)/static/vendor/barcode-detector/LICENSE.barcode-detector && \
	cp zw/package/dist/reader/zxing_reader.wasm $(CURDIR)/static/vendor/barcode-detector/zxing_reader.wasm && \
	cp zw/package/LICENSE $(CURDIR)/static/vendor/barcode-detector/LICENSE.zxing-wasm && \
	rm -r $$tmp
