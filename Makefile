# Two commands: `make run` (set up + start the app on the embedded data) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run` installs only what the app needs (.[app]); `make test` everything (.[dev])
APP_STAMP := $(VENV)/.installed-app
STAMP := $(VENV)/.installed-dev
FLOOR_VENV := .venv-floor
FLOOR_STAMP := $(FLOOR_VENV)/.installed-floor
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: run test test-floor setup lint report readme bench clean mutation

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[app]'
	touch $(APP_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP) $(APP_STAMP)

# the lowest versions pyproject.toml allows (ci/constraints-floor.txt), in a venv of their own
$(FLOOR_STAMP): pyproject.toml ci/constraints-floor.txt
	$(PY) -m venv $(FLOOR_VENV)
	$(FLOOR_VENV)/bin/python -m pip install --quiet --upgrade pip  # self-referencing extras
	$(FLOOR_VENV)/bin/python -m pip install --quiet -c ci/constraints-floor.txt -e '.[test]'
	touch $(FLOOR_STAMP)

setup: $(STAMP)

run: $(APP_STAMP)
	$(BIN)/planner app --host $(HOST) --port $(PORT)

readme: $(STAMP)
	$(BIN)/planner stats --write-readme README.md

report: $(STAMP)
	$(BIN)/planner report --out out/baseline

test: $(STAMP)
	$(BIN)/ruff check planner tests benchmarks tools app.py
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

test-floor: $(FLOOR_STAMP)
	$(FLOOR_VENV)/bin/python -m pip list --format=freeze > $(FLOOR_VENV)/versions.txt
	# the clean-venv packaging tests (-m index) install the newest releases: once, in make test
	$(FLOOR_VENV)/bin/python -m pytest -m "not index"

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_traveltime.py

# Mutation testing of the core modules (not part of `make test`; slow): per-module kill rates
# and survivors in docs/mutation.md, summary in README.md. MODULES="fca demand" runs some only.
# SAMPLE=150 SEED=35: a random sample across all of planner/ against the full suite minus the
# browser tests instead (TESTS="tests/test_x.py" narrows the selection, e.g. for a trial run).
# A fresh measurement needs a seed not used before: 28, 29, 32, 33 and 34 are in docs/mutation_history.md
# (30 and 31 drew per-module samples while tests were written, so they are not fresh either).
mutation: $(STAMP)
	nice -n 19 $(BIN)/python mutation/run.py $(if $(SAMPLE),--sample-all $(SAMPLE) --seed $(or $(SEED),35) \
		$(if $(TESTS),--tests "$(TESTS)"),$(MODULES))

clean:
	rm -rf $(VENV) $(FLOOR_VENV) out .pytest_cache mutants
