# rlvr-envs developer entry points. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
# CPU-only machines get the local CPU torch wheel; machines with a GPU get the registry's build.
HAS_GPU := $(shell command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1 && echo 1)
TORCH_CPU := torch==2.13.0+cpu

.PHONY: run test test-all bench docs lint typecheck install install-dev install-train clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PIP) install -q -e ".[dev,bench]"
	touch $@

$(VENV)/.installed-train: pyproject.toml $(VENV)/.installed
	@if [ -z "$(HAS_GPU)" ]; then \
		$(PIP) install -q "$(TORCH_CPU)" || $(PIP) install -q torch; \
	else \
		$(PIP) install -q torch; \
	fi
	$(PIP) install -q -e ".[train]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
install-train: $(VENV)/.installed-train

## The main job: evaluate the oracle and a random policy on every registered env.
run: install
	$(BIN)/rlvr-envs eval all --policy oracle --policy random --episodes 50 --out runs/eval.jsonl

## The default test suite (slow tests excluded); installs the dev extras first.
test: install-dev
	$(BIN)/python -m pytest -q

## Everything, slow tests included.
test-all: install-dev
	$(BIN)/python -m pytest -q -m "slow or not slow"

## Benchmarks (pytest-benchmark); each prints its side-by-side ratios.
bench: install-dev
	$(BIN)/python -m pytest benchmarks -q -s --benchmark-columns=min,median,mean,ops -o addopts=""

lint: install-dev
	$(BIN)/ruff check rlvr_envs tests benchmarks examples

typecheck: install-dev
	$(BIN)/python -m mypy rlvr_envs/core rlvr_envs/verifiers rlvr_envs/curriculum rlvr_envs/api.py rlvr_envs/vector.py rlvr_envs/mixture_env.py rlvr_envs/tasks/vqa

docs: install-dev
	$(PIP) install -q -e ".[docs]"
	$(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) site .pytest_cache .benchmarks runs
