# Two entry points for a fresh machine: `make run` (the labs) and `make test` (the suite).
# Both bootstrap uv (with pip when it is missing) and the locked environment in .venv.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV := .venv
export UV_PYTHON_DOWNLOADS ?= never
# Bytecode at install time: uv does not write .pyc files by default, and where Python may
# not write them either (PYTHONDONTWRITEBYTECODE, read-only site-packages) every process
# recompiles TensorFlow and Keras from source (9.4 s of a 34 s `nnlabs run hitters` under
# cProfile on the development machine, where PYTHONDONTWRITEBYTECODE is set).
export UV_COMPILE_BYTECODE ?= 1
# R packages the cross-checks need besides those of the R package (and glmnet).
CROSSCHECK_R_PACKAGES := dplyr forcats lubridate tidyr pROC
# Real data for development and CI lies beside the checkout; users set their own.
ifneq ($(wildcard ../shared/data),)
export NNLABS_DATA_DIR ?= $(abspath ../shared/data)
endif

.PHONY: run test lint pytest sync uv bench bench-quick clean r-deps rpkg r-check r-journeys crosscheck

run: sync
	$(VENV)/bin/nnlabs run all --out outputs
	@echo "Lab reports (self-contained HTML; open one in a browser):"
	@for f in outputs/*_report.html; do [ -e "$$f" ] && echo "  $(CURDIR)/$$f"; done; true

test: sync lint crosscheck pytest r-check r-journeys

uv:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv

# The tests also run on the JAX backend (tests/test_determinism.py) and on a Dask cluster
# (tests/test_parallel.py), so the targets of `make test` sync those extras as well;
# `make run` keeps the default set. The variable
# is target-specific, so it reaches `sync` when that runs as their prerequisite.
SYNC_EXTRAS ?=
test lint crosscheck pytest r-check: SYNC_EXTRAS = --extra jax --extra dask

sync: uv
	$(UV) sync --locked $(SYNC_EXTRAS)

lint: sync
	$(UV) lock --check
	$(VENV)/bin/ruff check python tests bench environments crosscheck notebooks
	$(VENV)/bin/ruff format --check python tests bench environments crosscheck notebooks

# Two workers (pytest-xdist): much of the suite waits on child processes and the browser.
PYTEST_WORKERS ?= 2
pytest: sync
	bash environments/browser-setup.sh
	$(VENV)/bin/python -m pytest -q -n $(PYTEST_WORKERS)

# The benchmarks (bench/, BENCHMARKS.md): the locked `bench` group (JAX, PyTorch) and
# R's glmnet join the environment; `make run` syncs back to the locked default set.
bench: uv
	$(UV) sync --locked --group bench
	bash environments/r-setup.sh glmnet
	$(VENV)/bin/python -m bench.run

bench-quick: uv
	$(UV) sync --locked --group bench
	bash environments/r-setup.sh glmnet
	$(VENV)/bin/python -m bench.run --quick

r-deps:
	bash environments/r-setup.sh

# The notes' own R code against nnlabs (crosscheck/README.md); R's packages from Debian.
crosscheck: sync
	bash environments/r-setup.sh $(CROSSCHECK_R_PACKAGES)
	$(VENV)/bin/python crosscheck/compare.py

# The installable R source package, dist/nnlabs_<version>.tar.gz, carrying the Python
# package (wheel and uv.lock pins, in rpkg/inst/python).
rpkg: sync r-deps
	UV="$(UV)" bash environments/r-build.sh

r-check: rpkg
	bash environments/r-check.sh

# The tarball installed outside the repository with a fresh HOME: Debian's reticulate
# with install_nnlabs(), and reticulate >= 1.41 (../shared/vendor) with no set-up.
r-journeys: rpkg
	bash environments/r-setup.sh --journeys
	bash environments/r-journeys.sh


clean:
	rm -rf outputs .nnlabs_cache bench/_work nnlabs.Rcheck nnlabs_*.tar.gz .pytest_cache .ruff_cache dist rpkg/inst/python build/r-journeys
