# The two commands of the README: `make run` and `make test`. Everything they need is
# installed here, so a fresh machine needs nothing else.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test test-sqlite test-postgres postgres browser clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.run-deps: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# The scheduler (reminders, the month close, the gap watch, escalation) runs beside the server, in
# its own process, and stops with it. Another port: make run PORT=8080.
run: $(VENV)/.run-deps
	$(BIN)/zhaoying init
	$(BIN)/zhaoying demo
	$(BIN)/zhaoying scheduler & SCHEDULER=$$!; trap 'kill $$SCHEDULER 2>/dev/null' EXIT INT TERM; \
	API_DOCS_PUBLIC=1 $(BIN)/zhaoying serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

# PostgreSQL on 127.0.0.1:5432, started when it is down (installed when missing, as root).
postgres:
	@if ! command -v pg_ctlcluster >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; \
		else echo "PostgreSQL is not installed; run as root or install the postgresql package"; exit 1; fi; \
	fi
	@if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | sort -V | tail -n 1) main start; \
		for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi
	@pg_isready -h 127.0.0.1 -p 5432

# Debian's Chromium for the PWA tests (Playwright never downloads a browser here), and a CJK
# font so the screenshots in test-artifacts/ show Chinese.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'wqy\|noto sans cjk'; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-microhei; \
		else echo "chromium and fonts-wqy-microhei are needed: install them as root"; exit 1; fi; \
	fi

test-sqlite: $(VENV)/.test-deps browser
	$(BIN)/pytest

# The browser tests run their own server on SQLite; the PostgreSQL pass covers everything else.
test-postgres: $(VENV)/.test-deps postgres
	TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser"

test: test-sqlite test-postgres

clean:
	rm -rf $(VENV) instance .pytest_cache test-artifacts

bench-scale: $(BIN)/python  # a province on one database (bench/scale.py); SCALE_DB and SCALE_N pick where and how many
	$(BIN)/pip install -q -e '.[bench]' && $(BIN)/python bench/scale.py --database $(or $(SCALE_DB),postgresql://postgres@127.0.0.1:5432/zy_scale) $(if $(SCALE_N),--persons $(SCALE_N))
