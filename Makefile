# Two commands set up everything: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench bench-long dashboard lint format browser clean

$(STAMP): pyproject.toml setup.py
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found: install it (pyenv install 3.12) or pass PYTHON=/path/to/python3.12"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dashboard,test]'
	touch $(STAMP)

# Debian's chromium drives the browser tests (a test tool's own browser download does not work here).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

run: $(STAMP)
	$(BIN)/sefton-finance run scenarios/*.yaml scenarios/2024-25/*.yaml --out results

# Test files spread over up to four processes (one per core; none on one core): each
# file's module fixtures are built once, in one process. The suite took 25 min on one
# of two cores here and 18 min on both.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 4 ] && n=4; [ $$n -lt 2 ] && n=0; echo $$n)

test: $(STAMP) browser
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP)
	$(BIN)/python bench/run_benchmarks.py

# The full-size nested DES Monte Carlo run (100 draws, about 26 minutes on one core).
bench-long: $(STAMP)
	$(BIN)/python bench/run_benchmarks.py --long

dashboard: $(STAMP)
	$(BIN)/sefton-finance serve

lint: $(STAMP)
	$(BIN)/ruff check sefton_finance dashboards tests bench
	$(BIN)/ruff format --check sefton_finance dashboards tests bench

format: $(STAMP)
	$(BIN)/ruff format sefton_finance dashboards tests bench
	$(BIN)/ruff check --fix sefton_finance dashboards tests bench

clean:
	rm -rf $(VENV) results test-artifacts
