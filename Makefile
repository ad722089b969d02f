# Two commands for a newcomer: `make run` and `make test`. Both set up .venv first.
# `make test` is the whole suite; `make test-fast` the tier without pages, browsers and servers
# (under a minute); `make mutation` the mutation run over the core's decision code (slow).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The test LRS (ralph) lives in an environment of its own: its pins clash with Streamlit.
LRS_STAMP := $(VENV)/lrs/.installed

.PHONY: run test test-fast mutation lint format bench bench-load check clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(LRS_STAMP): tests/lrs-requirements.txt
	$(PY) -m venv $(VENV)/lrs
	$(VENV)/lrs/bin/pip install --quiet -r tests/lrs-requirements.txt
	touch $(LRS_STAMP)

run: $(STAMP)
	$(BIN)/python -m proxi demo --if-empty
	$(BIN)/streamlit run app.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint $(LRS_STAMP)
	$(BIN)/python -m proxi check
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not content" --ignore=tests/e2e

mutation: $(STAMP)
	$(BIN)/python -m tools.mutation

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: $(STAMP)
	$(BIN)/python -m proxi check

# Both run, and write their figures, even when the first misses a target; then the status.
bench: $(STAMP)
	$(BIN)/python -m bench; status=$$?; \
	$(BIN)/python -m bench.bench_load --write-doc || status=1; exit $$status

# The real server under load (100 learners, 60 phones) beside an empty page; docs/performance.md.
bench-load: $(STAMP)
	$(BIN)/python -m bench.bench_load --write-doc

clean:
	rm -rf $(VENV) bench/results
