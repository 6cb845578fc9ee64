# Two entry points for a fresh machine: `make run` (the labs) and `make test` (the suite).
# Both bootstrap uv (with pip when it is missing) and the locked environment in .venv.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV := .venv
export UV_PYTHON_DOWNLOADS ?= never
# Real data for development and CI lies beside the checkout; users set their own.
ifneq ($(wildcard ../shared/data),)
export NNLABS_DATA_DIR ?= $(abspath ../shared/data)
endif

.PHONY: run test lint pytest sync uv bench bench-quick clean r-deps r-check

run: sync
	$(VENV)/bin/nnlabs run all --out outputs

test: sync lint pytest r-check

uv:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv

# The tests also run on the JAX backend (tests/test_determinism.py), so the targets of
# `make test` sync the jax extra as well; `make run` keeps the default set. The variable
# is target-specific, so it reaches `sync` when that runs as their prerequisite.
SYNC_EXTRAS ?=
test lint pytest r-check: SYNC_EXTRAS = --extra jax

sync: uv
	$(UV) sync --locked $(SYNC_EXTRAS)

lint: sync
	$(UV) lock --check
	$(VENV)/bin/ruff check python tests bench
	$(VENV)/bin/ruff format --check python tests bench

pytest: sync
	$(VENV)/bin/python -m pytest -q

# The benchmarks (bench/, BENCHMARKS.md): the JAX backend and R's glmnet join the
# environment; `make run` syncs back to the locked default set.
bench: uv
	$(UV) sync --locked --extra jax
	bash environments/r-setup.sh glmnet
	$(VENV)/bin/python -m bench.run

bench-quick: uv
	$(UV) sync --locked --extra jax
	bash environments/r-setup.sh glmnet
	$(VENV)/bin/python -m bench.run --quick

r-deps:
	bash environments/r-setup.sh

r-check: sync r-deps
	bash environments/r-check.sh


clean:
	rm -rf outputs .nnlabs_cache bench/_work nnlabs.Rcheck nnlabs_*.tar.gz .pytest_cache .ruff_cache
