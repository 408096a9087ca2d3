# Session investigation: `make report` and `make test` do all set-up themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
DEMO_DB := data/demo.db
DEMO_CSV := $(wildcard data/demo/*.csv)
KERNEL := session-analysis
START ?= 2025-10-29
END ?= 2025-11-06
# make batch: weekly over October–November 2025 by default
BATCH_START ?= 2025-10-01
BATCH_END ?= 2025-11-30
EVERY ?= week
BATCH_ARGS ?=
BENCH_ARGS ?=
# Spark at 100k and 1M on the server of $ANALYSIS_BENCH_SPARK_URL, else `make spark`'s
BENCH_SPARK_ARGS ?=
# python -m analysis run end to end (bench.py run), its section of benchmarks/results.md
RUN_BENCH_ARGS ?=
# the daily batch of a year of the demo (BATCH_BENCH_ARGS="--days 60" for a shorter one)
BATCH_BENCH_ARGS ?=
# where the findings' time goes, per query, appended to benchmarks/results.md
PROFILE_ARGS ?= --size 1000000 --engines duckdb,postgresql,sqlite
CHROMIUM := /usr/bin/chromium
SPARK_PORT ?= 10000

.DEFAULT_GOAL := help
.PHONY: help setup data report batch browser test test-fast lint lab bench clean spark spark-down

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: $(INSTALLED) ## Create .venv, install the package and its tools, register the Jupyter kernel

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: Python 3.11+ is needed; run make with PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))"
	@touch $@

data: $(DEMO_DB) ## Build the SQLite demo database from data/demo/*.csv

$(DEMO_DB): $(DEMO_CSV) analysis/source/schema.py analysis/load/demo.py | $(INSTALLED)
	$(PY) -m analysis build-demo --to $@

report: $(INSTALLED) $(DEMO_DB) ## Regenerate the investigation (START=YYYY-MM-DD END=YYYY-MM-DD)
	$(PY) -m analysis run --start $(START) --end $(END)

batch: $(INSTALLED) $(DEMO_DB) browser ## One report per period + reports/index.html (EVERY=day|week|month BATCH_START= BATCH_END=)
	$(PY) -m analysis batch --start $(BATCH_START) --end $(BATCH_END) --every $(EVERY) $(BATCH_ARGS)
	$(PY) -m analysis check --out reports

browser: ## Install headless Chromium (Debian package) if it is missing
	@test -x $(CHROMIUM) || { apt-get update && apt-get install -y chromium; }

test: $(INSTALLED) $(DEMO_DB) browser lint ## Lint, unit tests, the reference reproduction, nbval, browser checks
	$(PY) -m pytest tests --nbval-lax notebooks/

test-fast: $(INSTALLED) $(DEMO_DB) ## Unit tests only (tests/unit, under 2 minutes)
	$(PY) -m pytest tests/unit -q

lint: $(INSTALLED) ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

lab: $(INSTALLED) $(DEMO_DB) ## Open the notebooks in JupyterLab
	$(VENV)/bin/jupyter lab notebooks/

bench: $(INSTALLED) $(DEMO_DB) ## Benchmarks → benchmarks/results.md (BENCH_ARGS="--sizes 100000 …")
	$(PY) benchmarks/bench.py $(BENCH_ARGS)
	$(PY) benchmarks/bench.py run $(RUN_BENCH_ARGS)
	$(PY) benchmarks/bench.py batch $(BATCH_BENCH_ARGS)
	$(PY) benchmarks/query_profile.py $(PROFILE_ARGS) --append benchmarks/results.md
	$(PY) benchmarks/bench_spark.py $(BENCH_SPARK_ARGS) --append benchmarks/results.md

spark: $(INSTALLED) ## Start a local Spark Thrift Server (installs pyspark + the [spark] extra; SPARK_PORT=10000)
	$(PY) -m analysis spark-up --port $(SPARK_PORT)

spark-down: ## Stop the local Spark Thrift Server (by its pid file, .spark/thriftserver.pid)
	$(PY) -m analysis spark-down

clean: ## Remove the venv, the demo database and generated reports
	rm -rf $(VENV) $(DEMO_DB) reports .pytest_cache .ruff_cache *.egg-info
