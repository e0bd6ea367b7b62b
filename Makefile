# Two commands matter: `make demo` and `make test`. Everything runs from .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export RYADOM_VAR_DIR ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
TEST_WORKERS ?= 2

.PHONY: demo test lint install browser messages clean bench bench-matching bench-analytics bench-matching-db

# Debian packages the two commands need: installed through apt-get when we are root,
# otherwise make stops at once with the one line to run.
define debian_package
	@command -v $(1) >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "--- apt-get install $(2)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	  else \
	    echo "Missing $(1): run 'sudo apt-get install $(2)' and try again." >&2; exit 1; \
	  fi; }
endef

$(BIN)/ryadom: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/ryadom

install: $(BIN)/ryadom messages node_modules/axe-core/axe.min.js

# The browser the page tests drive (tests/browser/): Debian's chromium.
browser:
	$(call debian_package,chromium,chromium)

# The accessibility checker the browser tests inject into pages (package-lock.json pins it).
node_modules/axe-core/axe.min.js: package-lock.json
	$(call debian_package,npm,npm)
	npm ci --no-audit --no-fund --silent
	touch $@

# Compiled translations are build output: made from the .po files, never committed.
messages: $(BIN)/ryadom
	$(call debian_package,msgfmt,gettext)
	cd src/ryadom && ../../$(BIN)/ryadom compilemessages --verbosity 0

demo: install
	mkdir -p $(RYADOM_VAR_DIR)
	$(BIN)/ryadom migrate --no-input --verbosity 0
	$(BIN)/ryadom demo-data --scale small --if-empty
	$(BIN)/ryadom collectstatic --no-input --verbosity 0
	$(BIN)/ryadom demo-accounts
	$(BIN)/ryadom schedules_start
	@echo "Ryadom is at http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the worker)"
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/ryadom db_worker --queue-name '*' & \
	$(BIN)/gunicorn ryadom.config.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
	  --access-logfile - --log-level warning

test: install browser
	mkdir -p $(RYADOM_VAR_DIR)
	$(BIN)/pytest -n $(TEST_WORKERS)

# Matching benchmark (docs/matching.md); e.g. make bench-matching BENCH_ARGS="--sizes small"
bench-matching: install
	$(BIN)/python bench/matching.py $(BENCH_ARGS)

# Loading a region from the database, timed apart from the solve (docs/matching.md)
bench-matching-db: install
	$(BIN)/python bench/matching_db.py $(BENCH_ARGS)

# Analytics benchmark (docs/analytics.md): needs PostgreSQL; makes the database ryadom_bench
# with 5,000,000 requests; e.g. make bench-analytics BENCH_ARGS="--requests 200000"
bench-analytics: install
	nice $(BIN)/python bench/analytics.py $(BENCH_ARGS)

bench: bench-matching

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) var
