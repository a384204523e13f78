# Set-up and everyday tasks. From a fresh clone: `make demo` or `make test` (nothing else needed
# but Python 3.11+, Java 17/21 and Maven, or a Docker engine, or NEO4J_URI).

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# pip runs again only when pyproject.toml is newer than this stamp
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# test files run on this many pytest-xdist workers, each with its own throwaway Neo4j; one worker
# (no xdist) when NEO4J_URI names a server, since the tests delete all of its data
TEST_WORKERS ?= 2
XDIST := $(if $(NEO4J_URI),,$(if $(filter-out 0 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile))

.PHONY: install test test-quick lint demo bench bench-scripts db-start db-stop clean-venv

install: $(STAMP)

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "python3.11 (or python3 >= 3.11) not found" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Neo4j is started by the test fixture (a throwaway server on free ports; see tests/conftest.py)
test: $(STAMP)
	$(BIN)/pytest $(XDIST) --durations=15 $(PYTEST_ARGS)

# the quick subset: no test marked slow (see README, "Tests")
test-quick: $(STAMP)
	$(BIN)/pytest $(XDIST) -m "not slow" $(PYTEST_ARGS)

# ruff: lint and format check (the rules are in pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check customsnet tests benchmarks
	$(BIN)/ruff format --check customsnet tests benchmarks

demo: $(STAMP)
	$(BIN)/customsnet db start
	$(BIN)/customsnet demo

# benchmarks clear the database they write to: give them a throwaway server (NEO4J_URI etc.);
# bench_runtime.py times starting servers itself, so it runs outside
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_runtime.py
	$(BIN)/customsnet db scratch -- $(MAKE) --no-print-directory bench-scripts

bench-scripts:
	@set -e; for script in benchmarks/*.py; do \
	  case "$$script" in \
	    */bench_runtime.py) continue;; \
	    */bench_load.py) echo "== $$script --clear"; $(BIN)/python "$$script" --clear;; \
	    *) echo "== $$script"; $(BIN)/python "$$script";; \
	  esac; \
	done

db-start: $(STAMP)
	$(BIN)/customsnet db start

db-stop: $(STAMP)
	$(BIN)/customsnet db stop

clean-venv:
	rm -rf $(VENV)
