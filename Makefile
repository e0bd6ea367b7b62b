# Two commands matter: `make demo` and `make test`. Everything runs from .venv.
# Python 3.11 or newer: python3.11 where the machine has it, else python3 (checked below).
PYTHON ?= $(shell command -v python3.11 >/dev/null 2>&1 && echo python3.11 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
export RYADOM_VAR_DIR ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
TEST_WORKERS ?= 2
# Build output of src/ryadom/web/scss (docs/design.md).
SITE_CSS := src/ryadom/web/static/web/site.css

.PHONY: demo test lint install browser fonts messages clean bench bench-smoke bench-matching \
	bench-analytics bench-matching-db bench-imports bench-load cluster cluster-check nginx

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
# The same for a file a package brings.
define debian_file
	@test -e $(1) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "--- apt-get install $(2)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	  else \
	    echo "Missing $(1): run 'sudo apt-get install $(2)' and try again." >&2; exit 1; \
	  fi; }
endef

$(BIN)/ryadom: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "Ryadom needs Python 3.11 or newer; $(PYTHON) is not. Install python3.11," \
	    "or give one: make PYTHON=python3.12 ..." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -c 'import ensurepip' 2>/dev/null || { \
	  pkg=python$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "--- apt-get install $$pkg"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkg >/dev/null; \
	  else \
	    echo "Missing venv for $(PYTHON): run 'sudo apt-get install $$pkg' and try again." >&2; exit 1; \
	  fi; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/ryadom

install: $(BIN)/ryadom messages fonts node_modules/axe-core/axe.min.js $(SITE_CSS)

# The PDF exports (veterans/export.py) write Cyrillic in DejaVu Sans.
fonts:
	$(call debian_file,/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf,fonts-dejavu-core)

# The browser the page tests drive (tests/browser/): Debian's chromium.
browser:
	$(call debian_package,chromium,chromium)

# From npm, pinned by package-lock.json: the accessibility checker the browser tests inject
# into pages, and GOV.UK Frontend with the sass compiler for the site's stylesheet.
node_modules/axe-core/axe.min.js: package-lock.json
	$(call debian_package,npm,npm)
	npm ci --no-audit --no-fund --silent
	touch $@

# The site's stylesheet (docs/design.md): GOV.UK Frontend's Sass, pinned in package-lock.json,
# with our additions, compiled by the pinned sass. Build output, never committed.
$(SITE_CSS): node_modules/axe-core/axe.min.js $(wildcard src/ryadom/web/scss/*.scss)
	npx --no-install sass --no-source-map --style=compressed \
	  --load-path=node_modules/govuk-frontend/dist src/ryadom/web/scss/site.scss $@

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
	@# The worker serves every queue ('*': "urgent" and "default"), urgent deliveries first.
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/ryadom db_worker --queue-name '*' & \
	$(BIN)/gunicorn ryadom.config.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
	  --access-logfile - --log-level warning

# The production topology on one machine (docs/operations.md): nginx on 127.0.0.1:8780 in
# front of two gunicorn instances (8781, 8782), RQ task workers carrying the periodic chains,
# PostgreSQL and Redis, under supervisord; its own database RYADOM_CLUSTER_DATABASE_URL
# (created if missing, with the small demo) and Redis database RYADOM_CLUSTER_REDIS_URL.
# `bench/cluster.py --env` prints every setting; Ctrl-C stops it all.
cluster: install nginx
	$(BIN)/python bench/cluster.py

# Starts the cluster, drives one request end to end through nginx, stops it all (~1 min).
cluster-check: install nginx
	$(BIN)/python bench/cluster_check.py

nginx:
	$(call debian_package,nginx,nginx)

# loadgroup: tests marked with one xdist_group run on one worker (the fault drills share
# their processes); the rest are spread as they come.
test: install browser
	mkdir -p $(RYADOM_VAR_DIR)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --durations=20

# Every benchmark at full size (minutes to an hour; the analytics one needs PostgreSQL).
bench: bench-matching bench-matching-db bench-analytics bench-imports bench-load

# The load run against the production topology (docs/performance.md): health, intake, the
# mix and a sign-up surge; e.g. make bench-load BENCH_ARGS="--phases soak --soak-minutes 30"
bench-load: install nginx
	$(BIN)/python bench/load/run.py $(BENCH_ARGS)

# Every benchmark at a tiny size, in a few minutes: CI runs it (.ci/run) so that a change
# that breaks a benchmark fails there. The analytics one makes (and drops first) its own
# PostgreSQL database, BENCH_SMOKE_DATABASE_URL; the load run starts the cluster on its own
# database and Redis database (both emptied first), which the HSDS export then reads.
BENCH_SMOKE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ryadom_bench_smoke
BENCH_SMOKE_CLUSTER_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ryadom_cluster_smoke
BENCH_SMOKE_CLUSTER_REDIS_URL ?= redis://127.0.0.1:6379/3
bench-smoke: install nginx
	$(BIN)/python bench/matching.py --sizes tiny --calls 50 --scan-calls 10
	$(BIN)/python bench/matching_db.py --volunteers 300 --requests 100 --institutions 12 \
	  --organisations 8 --repeat 1
	$(BIN)/python bench/analytics.py --database-url $(BENCH_SMOKE_DATABASE_URL) \
	  --requests 3000 --volunteers 300 --institutions 200 --organisations 30 --veterans 200
	$(BIN)/python bench/imports.py --rows 500
	RYADOM_CLUSTER_DATABASE_URL=$(BENCH_SMOKE_CLUSTER_DATABASE_URL) \
	RYADOM_CLUSTER_REDIS_URL=$(BENCH_SMOKE_CLUSTER_REDIS_URL) \
	  $(BIN)/python bench/load/run.py --seconds 3 --signups 30 \
	  --phases health,intake,mix,surge,soak --soak-minutes 0.5 --every 5 --drain-seconds 5
	$(BIN)/python bench/hsds_export.py --database-url $(BENCH_SMOKE_CLUSTER_DATABASE_URL)

# Matching benchmark (docs/matching.md); e.g. make bench-matching BENCH_ARGS="--sizes small"
bench-matching: install
	$(BIN)/python bench/matching.py $(BENCH_ARGS)

# Loading a region from the database, timed apart from the solve (docs/matching.md)
bench-matching-db: install
	$(BIN)/python bench/matching_db.py $(BENCH_ARGS)

# Bulk import benchmark (docs/imports.md): 100,000 volunteer rows; e.g.
# make bench-imports BENCH_ARGS="--format csv --database-url postgres://…/ryadom_bench_imports"
bench-imports: install
	$(BIN)/python bench/imports.py $(BENCH_ARGS)

# Analytics benchmark (docs/analytics.md): needs PostgreSQL; makes the database ryadom_bench
# with 5,000,000 requests; e.g. make bench-analytics BENCH_ARGS="--requests 200000"
bench-analytics: install
	nice $(BIN)/python bench/analytics.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) var
