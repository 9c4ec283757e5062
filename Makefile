# Two commands: `make run` (set up + start the app on the embedded data) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: run test setup lint report readme bench clean mutation

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	@echo "Starting the planner on http://$(HOST):$(PORT) (embedded Uusimaa data; Ctrl-C stops)"
	$(BIN)/streamlit run app.py --server.address $(HOST) --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

readme: $(STAMP)
	$(BIN)/planner stats --write-readme README.md

report: $(STAMP)
	$(BIN)/planner report --out out/baseline

test: $(STAMP)
	$(BIN)/ruff check planner tests benchmarks app.py
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_traveltime.py

# Mutation testing of the core modules (not part of `make test`; slow): per-module kill rates
# and survivors in docs/mutation.md, summary in README.md. MODULES="fca demand" runs some only.
mutation: $(STAMP)
	nice -n 19 $(BIN)/python mutation/run.py $(MODULES)

clean:
	rm -rf $(VENV) out .pytest_cache mutants
