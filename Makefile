# Two commands for a newcomer: `make run` (app on the demo data) and `make test` (all tests);
# `make test-fast` is `make test` without the browser tests (those marked `browser`).
# All three create .venv/ and install the project into it, so .venv/bin/portfolio is the CLI.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast lint bench

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(PY) app.py

test: $(STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy portfolio simulation reporting storage cli
	$(PY) -m pytest -q

test-fast: $(STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy portfolio simulation reporting storage cli
	$(PY) -m pytest -q -m "not browser"

bench: $(STAMP)
	$(PY) benchmarks/bench_whatif.py
	$(PY) benchmarks/bench_page_load.py
	$(PY) benchmarks/bench_simulation.py
