# Two commands for a newcomer: `make demo` and `make test`. Both install what they need (`make setup`).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
NODE_BIN := $(CURDIR)/node_modules/.bin
# The CDK CLI and jsii both use the pinned Node 22 from node_modules (no end-of-life banner).
export PATH := $(NODE_BIN):$(BIN):$(PATH)
export JSII_NODE := $(NODE_BIN)/node
export CDK_DISABLE_CLI_TELEMETRY := true

.PHONY: setup demo test lint synth bench clean

setup: $(VENV)/.installed $(VENV)/.bytecode node_modules/.installed ## install pinned Python deps (.venv) and CDK CLI + Node 22

# requirements.lock pins every package (requirements*.txt and what they pull in): pip installs exactly those, with
# --no-deps, and resolves nothing.
$(VENV)/.installed: requirements.txt requirements-dev.txt requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# The package is installed editable, so its bytecode lives beside its sources; with PYTHONDONTWRITEBYTECODE set (as
# on these machines) Python would compile every module from source at every synth. Compiled here instead, again
# whenever a source changes.
PY_SOURCES := $(shell find platform_constructs ds_templates -name '*.py') app.py
$(VENV)/.bytecode: $(VENV)/.installed $(PY_SOURCES)
	$(BIN)/python -m compileall -q -j 0 platform_constructs ds_templates app.py
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --no-update-notifier --prefer-offline --loglevel=error
	touch $@

demo: setup ## synthesize the example app with every compliance check, then deploy it locally
	$(BIN)/python -m platform_constructs.cli.demo

test: setup ## the whole test suite
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: setup ## ruff + mypy --strict
	$(BIN)/ruff check .
	$(BIN)/mypy platform_constructs app.py ds_templates tests scripts bench

synth: setup
	npx cdk synth --quiet

bench: setup ## benchmarks (prints numbers, writes bench/results)
	$(BIN)/python bench/run.py

clean:
	rm -rf cdk.out .pytest_cache .mypy_cache .ruff_cache dist build
