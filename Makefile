# The front door. `make run` builds the warehouse, `make test` tests it; `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPARK_STAMP := $(VENV)/.spark-installed
MANIFEST := dbt_project/target/manifest.json
# The Dagster instance every entry point records its runs in (the UI of `make dev` shows them all).
DAGSTER_HOME ?= .dagster_home
DAGSTER_PORT ?= 3000
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o -type f \( -name '*.sql' -o -name '*.yml' -o -name '*.md' \) -print)

.DEFAULT_GOAL := help
.PHONY: help run watch test test-fast fuzz system-packages dev dbt-dev settings rollback site sql serve serve-stop superset superset-stop spark-cluster spark-cluster-stop propose accept export docs bench-data bench lint format lock clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

# Spark (pyspark, dbt-spark) in the same venv, since dbt runs its adapters from it: for the tests and the Spark path.
$(SPARK_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev,spark]'
	touch $@

# dagster-dbt reads the dbt manifest when the definitions load, so it is built before anything runs.
$(MANIFEST): $(STAMP) $(DBT_SOURCES)
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir .
	touch $@

# WAREHOUSE_ENGINE=spark runs the same pipeline on Apache Spark (docs/spark.md), with the `spark` extra installed first.
run: $(MANIFEST) $(if $(filter spark,$(WAREHOUSE_ENGINE)),$(SPARK_STAMP)) ## Build the warehouse: load the seeds, check, transform, publish data/warehouse.duckdb
	$(BIN)/python -m orchestration refresh

# dbt without Dagster: the seed files loaded into dbt's development file, so that `dbt build`, `dbt compile` and
# sqlfluff work in dbt_project/ and never touch the published warehouse.
dbt-dev: $(MANIFEST) ## Load the seeds into dbt's development file (then: cd dbt_project && ../.venv/bin/dbt build)
	$(BIN)/python -m orchestration dev-warehouse

settings: $(STAMP) ## Print every setting (environment variable) with its current value and default
	$(BIN)/python -m orchestration settings

watch: $(MANIFEST) ## Republish the warehouse each time a file in seeds/ is saved, one line per refresh (Ctrl-C stops)
	$(BIN)/python -m orchestration watch

rollback: $(STAMP) ## Publish the previous version of the warehouse again
	$(BIN)/python -m orchestration rollback

site: $(STAMP) ## Write the data page (charts, findings, provenance) from the published warehouse into data/site/
	$(BIN)/python -m orchestration site

sql: $(STAMP) ## Open the published warehouse read-only in the DuckDB CLI
	$(BIN)/duckdb -readonly $${WAREHOUSE_PATH:-data/warehouse.duckdb}

serve: $(MANIFEST) ## Start a local PostgreSQL with the marts for BI tools and print how to connect
	$(BIN)/python -m orchestration serve

serve-stop: $(STAMP) ## Stop the local PostgreSQL
	$(BIN)/python -m orchestration serve-stop

superset: $(STAMP) ## Start Superset (own venv) on http://127.0.0.1:8088 with the starter dashboard (after `make serve`: on PG too)
	$(BIN)/python -m orchestration superset

superset-stop: $(STAMP) ## Stop Superset
	$(BIN)/python -m orchestration superset-stop

spark-cluster: $(SPARK_STAMP) ## Start a local Spark cluster (master, worker, Spark Connect on 127.0.0.1:15002)
	$(BIN)/python -m orchestration spark-cluster

spark-cluster-stop: $(STAMP) ## Stop the local Spark cluster
	$(BIN)/python -m orchestration spark-cluster-stop

propose: $(MANIFEST) ## Propose the figures of a report's text for review: make propose REPORT=report.txt SOURCE=source_id
	@test -n "$(REPORT)" -a -n "$(SOURCE)" || { echo "usage: make propose REPORT=path/to/report.txt SOURCE=source_id"; exit 2; }
	$(BIN)/python -m orchestration propose "$(REPORT)" --source-id "$(SOURCE)"

accept: $(MANIFEST) ## Add the rows kept (keep = true) of a reviewed proposals file to the seeds: make accept PROPOSALS=proposals/source_id.csv
	@test -n "$(PROPOSALS)" || { echo "usage: make accept PROPOSALS=proposals/source_id.csv"; exit 2; }
	$(BIN)/python -m orchestration accept "$(PROPOSALS)"

export: $(STAMP) ## Write every mart as Parquet and CSV into data/exports/
	$(BIN)/python -m orchestration export

# dbt's catalog query needs the tables: it reads a copy of the published warehouse, never the file itself.
docs: $(MANIFEST) ## Generate the dbt documentation site (models, columns, lineage, tests) in dbt_project/target/docs/
	mkdir -p dbt_project/target/docs
	cp $${WAREHOUSE_PATH:-data/warehouse.duckdb} dbt_project/target/docs/warehouse.duckdb
	cd dbt_project && WAREHOUSE_WORKING_FILE=target/docs/warehouse.duckdb \
		../$(BIN)/dbt docs generate --static --quiet --profiles-dir . --target-path target/docs
	rm dbt_project/target/docs/warehouse.duckdb
	@echo "Open dbt_project/target/docs/static_index.html in a browser (one self-contained file)."

# What the tests start and pip cannot install (a PostgreSQL server, Chromium, a Java runtime), from Debian's packages
# when missing: as root it installs them, otherwise it stops and names the command to run.
system-packages:
	@scripts/system-packages

test: system-packages $(MANIFEST) $(SPARK_STAMP) ## Run the whole test suite (installs what it needs first)
	$(BIN)/pytest

# The tests that start no dbt, Spark, PostgreSQL or browser process: pure functions, in-process assets, the layout.
test-fast: $(MANIFEST) ## Run the fast tier of the tests (about a minute)
	$(BIN)/pytest -m "not slow"

# N mutations of the seed files at each depth, the input contracts and refresh runs on a copy of a published warehouse
# (tests/fuzz/), in two sessions side by side; SEED repeats a session. Falsifying mutations go to fuzz-failures/.
N ?= 1000
fuzz: $(MANIFEST) ## Fuzz the seed files: N mutations (default 1000), SEED=... to repeat a session
	N=$(N) SEED=$(SEED) scripts/fuzz

dev: $(MANIFEST) ## Open the Dagster UI on http://127.0.0.1:3000: every run, whatever started it; schedules and sensors
	mkdir -p $(DAGSTER_HOME) && test -e $(DAGSTER_HOME)/dagster.yaml || cp .dagster_home/dagster.yaml $(DAGSTER_HOME)/
	PATH=$(CURDIR)/$(BIN):$$PATH DAGSTER_HOME=$(abspath $(DAGSTER_HOME)) \
		$(BIN)/dagster dev --host 127.0.0.1 --port $(DAGSTER_PORT)

bench-data: $(STAMP) ## Generate the synthetic seed sets (10k, 1M, 10M observations) into data/bench/
	$(BIN)/python -m benchmarks.generate 10k 1m 10m

bench: $(MANIFEST) $(SPARK_STAMP) ## Measure the warehouse at 10k, 1M and 10M rows, and on Spark at 10k and 1M, into docs/benchmarks.md (make bench-data first)
	$(BIN)/python -m benchmarks.run 10k 1m 10m

# sqlfluff compiles the models with dbt (templater dbt, DuckDB dialect) against dbt's development file.
lint: $(STAMP) ## Check Python (ruff) and SQL (sqlfluff) style
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
	mkdir -p dbt_project/target/dev
	cd dbt_project && ../$(BIN)/sqlfluff lint models

format: $(STAMP) ## Format Python (ruff) and SQL (sqlfluff fix)
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .
	mkdir -p dbt_project/target/dev
	cd dbt_project && ../$(BIN)/sqlfluff fix models

lock: ## Re-resolve requirements.lock from pyproject.toml in a scratch venv
	rm -rf /tmp/lock-venv && $(PYTHON) -m venv /tmp/lock-venv
	/tmp/lock-venv/bin/pip install --quiet -e '.[dev,analyst,spark]'
	(head -n 2 requirements.lock && /tmp/lock-venv/bin/pip freeze --exclude-editable) > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean: ## Remove the venv, dbt artifacts and built data
	rm -rf $(VENV) .venv-superset .venv-analyst dbt_project/target dbt_project/logs data
