#!/usr/bin/env bash
# Run `R CMD check --no-manual` on the tarball `make rpkg` wrote (dist/nnlabs_<version>.tar.gz,
# with its vignettes and the bundled Python package) against the repository's uv
# environment (.venv), in a temporary folder so that no nnlabs.Rcheck is left in the
# repository. The tests must have Python (NNLABS_REQUIRE_PYTHON=true: a missing Python
# fails instead of skipping) and their counts are printed. Fails on any ERROR or WARNING.
# Then installs the package into the default library, so that `Rscript -e
# 'library(nnlabs)'` works.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${repo}/.venv/bin/python"
if [[ ! -x "${python}" ]]; then
  echo "r-check: ${python} not found; run 'make sync' first" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/nnlabs-rcheck.XXXXXX")"
keep_on_failure() {
  local status=$?
  if [[ ${status} -eq 0 ]]; then
    rm -rf "${work}"
  else
    echo "r-check: failed; the build and check logs are in ${work}" >&2
  fi
}
trap keep_on_failure EXIT

# The check runs in ${work}, outside the repository, so the package cannot find .venv by
# looking upward: point it there. Trained networks go to a cache that lives as long as
# this check (the vignettes are run at build and again by the check).
export NNLABS_PYTHON="${python}"
export NNLABS_CACHE_DIR="${work}/cache"
export NNLABS_REQUIRE_PYTHON=true
# ggplot2 is optional (plot() falls back to base graphics; its test is skipped). Only
# when it is missing is the check told so, since that makes it look up CRAN's index.
if ! Rscript --vanilla -e "quit(status = !requireNamespace('ggplot2', quietly = TRUE))" >/dev/null 2>&1; then
  export _R_CHECK_FORCE_SUGGESTS_=false
fi

version="$(sed -n 's/^Version:[[:space:]]*//p' "${repo}/rpkg/DESCRIPTION")"
source_tarball="${repo}/dist/nnlabs_${version}.tar.gz"
if [[ ! -f "${source_tarball}" ]]; then
  echo "r-check: ${source_tarball} not found; run 'make rpkg' first" >&2
  exit 1
fi
cd "${work}"
cp "${source_tarball}" .
tarball="$(basename "${source_tarball}")"

# --no-build-vignettes: `make rpkg` built the vignettes from these sources; the check
# still runs each vignette's R code on its own.
echo "r-check: R CMD check --no-manual --no-build-vignettes ${tarball}"
check_status=0
R CMD check --no-manual --no-build-vignettes "${tarball}" || check_status=$?
echo "r-check: checked in ${SECONDS} s (total)"
log="nnlabs.Rcheck/00check.log"
if [[ ${check_status} -ne 0 ]] || grep -Eq '^Status: .*(ERROR|WARNING)' "${log}"; then
  echo "r-check: R CMD check reported errors or warnings:" >&2
  grep -E '^\* .*\.\.\. (ERROR|WARNING)' -A 20 "${log}" >&2 || true
  for out in nnlabs.Rcheck/tests/*.Rout.fail; do
    [[ -e "${out}" ]] && tail -n 60 "${out}" >&2
  done
  exit 1
fi
grep -E '^Status:' "${log}"
# How many tests ran, as testthat's reporter summed them up.
summary="$(grep -E '^\[ FAIL [0-9]+ \| WARN [0-9]+ \| SKIP [0-9]+ \| PASS [0-9]+ \]' nnlabs.Rcheck/tests/testthat.Rout | tail -n 1 || true)"
if [[ -z "${summary}" ]]; then
  echo "r-check: no testthat summary in nnlabs.Rcheck/tests/testthat.Rout" >&2
  exit 1
fi
echo "r-check: R tests ${summary}"
grep -E '^• ' nnlabs.Rcheck/tests/testthat.Rout | sed 's/^/r-check:   skipped: /' || true

# Install into the first library R can write to (the site library as root, else the
# user library), so that library(nnlabs) works from the repository root.
lib="$(Rscript --vanilla -e 'w <- .libPaths()[file.access(.libPaths(), 2) == 0]
  if (length(w)) cat(w[[1]]) else cat(path.expand(Sys.getenv("R_LIBS_USER")))')"
mkdir -p "${lib}"
R CMD INSTALL -l "${lib}" "${tarball}" >"${work}/install.log" 2>&1 || { tail -n 20 "${work}/install.log" >&2; exit 1; }
echo "r-check: nnlabs installed into ${lib}"
