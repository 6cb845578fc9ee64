# Two entry points for a fresh machine: `make run` (the labs) and `make test` (the suite).
# Both bootstrap uv (with pip when it is missing) and the locked environment in .venv.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV := .venv
export UV_PYTHON_DOWNLOADS ?= never
# R packages the cross-checks need besides those of the R package (and glmnet).
CROSSCHECK_R_PACKAGES := dplyr forcats lubridate tidyr pROC
# Real data for development and CI lies beside the checkout; users set their own.
ifneq ($(wildcard ../shared/data),)
export NNLABS_DATA_DIR ?= $(abspath ../shared/data)
endif

.PHONY: run test lint pytest sync uv bench bench-quick clean r-deps r-check crosscheck

run: sync
	$(VENV)/bin/nnlabs run all --out outputs

test: sync lint crosscheck pytest r-check

uv:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv

sync: uv
	$(UV) sync --locked

lint: sync
	$(UV) lock --check
	$(VENV)/bin/ruff check python tests bench crosscheck
	$(VENV)/bin/ruff format --check python tests bench crosscheck

pytest: sync
	$(VENV)/bin/python -m pytest -q

# The benchmarks (bench/, BENCHMARKS.md): the JAX backend and R's glmnet join the
# environment; `make test` syncs back to the locked default set.
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

# The notes' own R code against nnlabs (crosscheck/README.md); R's packages from Debian.
crosscheck: sync
	bash environments/r-setup.sh $(CROSSCHECK_R_PACKAGES)
	$(VENV)/bin/python crosscheck/compare.py

r-check: sync r-deps
	bash environments/r-check.sh


clean:
	rm -rf outputs .nnlabs_cache bench/_work nnlabs.Rcheck nnlabs_*.tar.gz .pytest_cache .ruff_cache
