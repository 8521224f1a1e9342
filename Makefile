# Slim Workbench. The two commands most people need:
#   make app    serve the web app on http://127.0.0.1:5006/app
#   make test   run every test (library, workbench, notebooks, headless-browser UI)

SHELL := /bin/bash
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 5006
ORIGIN ?=
PROCS ?= 1
# The editable install is redone only when pyproject.toml changes (or .venv is new).
STAMP := $(VENV)/.slim-workbench-installed

.PHONY: setup system-packages app test conformance lint format clean

setup: system-packages $(STAMP)

system-packages:
	@VENV=$(VENV) bash scripts/setup.sh system

$(STAMP): pyproject.toml | system-packages
	@VENV=$(VENV) bash scripts/setup.sh python
	@touch $@

# PASSWORD (from `make app PASSWORD=...` or the environment) reaches scripts/serve.sh through
# the environment only, so it is never echoed or put on a command line.
app: setup
	@VENV='$(VENV)' HOST='$(HOST)' PORT='$(PORT)' ORIGIN='$(ORIGIN)' PROCS='$(PROCS)' bash scripts/serve.sh

test: setup
	$(VENV)/bin/python -m pytest

# TF-Slim's own test files against slimlib, alone (make test runs them too).
conformance: setup
	$(VENV)/bin/python -m pytest -m tf_slim_conformance tests/tf_slim_conformance

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf test-artifacts .pytest_cache .ruff_cache
