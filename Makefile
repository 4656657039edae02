# Two commands for a newcomer: `make run` (app on the demo data) and `make test` (all tests);
# `make test-fast` is `make test` without the browser tests (those marked `browser`).
# They create .venv/ and install into it exactly the versions in requirements.lock (hashes
# checked), then Strata itself (editable), so .venv/bin/portfolio is the CLI.
# `make lock` recompiles requirements.lock from pyproject.toml (see the README's set-up).
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --quiet
DEPS   := $(VENV)/.deps-installed
STAMP  := $(VENV)/.installed
# e.g. `make lock LOCK_FLAGS=--upgrade` (newest of everything) or `LOCK_FLAGS="-P dash"`
LOCK_FLAGS :=

.PHONY: run test test-fast lint bench lock

# The locked third-party packages (runtime + dev + the build backend), nothing else.
$(DEPS): requirements.lock
	python3 -m venv $(VENV)
	$(PIP) install --require-hashes -r requirements.lock
	touch $(DEPS)

# Strata itself, built by the locked setuptools (no build isolation, so nothing unlocked is
# fetched); `pip check` fails when pyproject.toml asks for something the lock lacks.
$(STAMP): $(DEPS) pyproject.toml
	$(PIP) install --no-deps --no-build-isolation -e .
	@$(PY) -m pip check || { echo "requirements.lock does not satisfy pyproject.toml: run 'make lock'"; exit 1; }
	touch $(STAMP)

# Resolve pyproject.toml's dependencies and dev extras, plus its build-system requires, on PyPI
# for Python 3.11+ on any platform, one version per package, with every file's sha256. Pins
# already in requirements.lock are kept unless LOCK_FLAGS says otherwise.
lock: $(DEPS)
	$(PY) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")' \
	| $(VENV)/bin/uv --quiet pip compile pyproject.toml - --extra dev --universal --fork-strategy fewest \
	    --python-version 3.11 --generate-hashes --custom-compile-command "make lock" \
	    --output-file requirements.lock $(LOCK_FLAGS)

run: $(STAMP)
	$(PY) app.py

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy portfolio simulation reporting storage cli
	$(PY) -m pytest -q

test-fast: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy portfolio simulation reporting storage cli
	$(PY) -m pytest -q -m "not browser"

bench: $(STAMP)
	$(PY) benchmarks/bench_whatif.py
	$(PY) benchmarks/bench_page_load.py
	$(PY) benchmarks/bench_simulation.py
