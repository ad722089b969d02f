# Two commands for a newcomer: `make run` and `make test`. Both set up .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench bench-load check clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m proxi demo --if-empty
	$(BIN)/streamlit run app.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m proxi check
	$(BIN)/python -m pytest

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: $(STAMP)
	$(BIN)/python -m proxi check

bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.bench_load --write-doc

# The real server under load (100 learners, 60 phones) beside an empty page; docs/performance.md.
bench-load: $(STAMP)
	$(BIN)/python -m bench.bench_load --write-doc

clean:
	rm -rf $(VENV) bench/results
