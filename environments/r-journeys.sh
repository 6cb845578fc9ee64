#!/usr/bin/env bash
# `make r-journeys`: the tarball `make rpkg` wrote (dist/nnlabs_<version>.tar.gz) used as an
# R user outside the repository would use it, each journey with a fresh HOME, a fresh
# working folder outside the repository and a temporary R library:
#
#   (a) reticulate < 1.41 (Debian's r-cran-reticulate): install the tarball, run
#       install_nnlabs() (uv is installed with pip when missing), run it again (it must
#       do nothing), then hitters_lab(epochs = 2, split = "r");
#   (b) reticulate >= 1.41 (the vendored build in ../shared/vendor, installed into a
#       private library kept in build/r-journeys/ for this test only): the same call
#       with no set-up; reticulate makes the environment with uv from what the package
#       declared with py_require() (the bundled wheel and the pins).
#
# Each prints the linear-regression and Lasso MAE (the notes' 254.7 and 253.1 with
# split = "r"), what
# nnlabs_doctor() says chose Python, and its wall time; TensorFlow's start-up noise on
# stderr fails the journey. UV_PYTHON_DOWNLOADS=never: uv uses a Python of this machine.
# uv reaches the package index for the pinned packages (never for nnlabs); its cache
# (UV_CACHE_DIR, by default the developer's) makes a second run fast.
# NNLABS_KEEP_JOURNEYS=1 keeps the journeys' folders and logs.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(sed -n 's/^Version:[[:space:]]*//p' "${repo}/rpkg/DESCRIPTION")"
tarball="${repo}/dist/nnlabs_${version}.tar.gz"
# reticulate >= 1.41 for journey (b): NNLABS_RETICULATE_TARBALL, else the vendored build.
vendored="${NNLABS_RETICULATE_TARBALL:-$(ls "${repo}"/../shared/vendor/reticulate_*.tar.gz 2>/dev/null | tail -n 1 || true)}"
if [[ ! -f "${tarball}" ]]; then
  echo "r-journeys: ${tarball} not found; run 'make rpkg' first" >&2
  exit 1
fi

# uv as the developer has it: for its cache folder, and for journey (b) (below).
if python3 -c "import uv" >/dev/null 2>&1; then
  uv_bin="$(python3 -c 'import uv; print(uv.find_uv_bin())')"
else
  uv_bin="$(command -v uv || true)"
fi
if [[ -z "${uv_bin}" ]]; then
  echo "r-journeys: uv not found (make sync installs it)" >&2
  exit 1
fi
export UV_CACHE_DIR="${UV_CACHE_DIR:-$("${uv_bin}" cache dir)}"
export UV_PYTHON_DOWNLOADS=never

work="$(mktemp -d "${TMPDIR:-/tmp}/nnlabs-journeys.XXXXXX")"
keep_on_failure() {
  local status=$?
  if [[ ${status} -eq 0 && -z "${NNLABS_KEEP_JOURNEYS:-}" ]]; then
    rm -rf "${work}"
  elif [[ ${status} -eq 0 ]]; then
    echo "r-journeys: the journeys' folders and logs are in ${work}"
  else
    echo "r-journeys: failed; the journeys' folders and logs are in ${work}" >&2
  fi
}
trap keep_on_failure EXIT

# Run R code as a user with a fresh HOME and no nnlabs or Python settings.
#   journey NAME PATH R_LIBS R-CODE
journey() {
  local name="$1" path="$2" libs="$3" code="$4"
  local home="${work}/${name}/home" cwd="${work}/${name}/home/analysis"
  mkdir -p "${cwd}"
  printf '%s\n' "${code}" >"${work}/${name}/journey.R"
  local start=${SECONDS} status=0
  (
    cd "${cwd}"
    env -u NNLABS_PYTHON -u RETICULATE_PYTHON -u RETICULATE_PYTHON_ENV -u VIRTUAL_ENV \
      -u PYTHONPATH -u PYTHONHOME -u CONDA_PREFIX -u PYENV_VERSION -u NNLABS_CACHE_DIR \
      -u NNLABS_DATA_DIR -u NNLABS_UV -u NNLABS_EXTRAS -u R_LIBS_USER -u R_USER_DATA_DIR \
      -u R_USER_CACHE_DIR -u R_USER_CONFIG_DIR -u XDG_DATA_HOME -u XDG_CACHE_HOME \
      -u XDG_CONFIG_HOME -u UV_PYTHON -u UV_PYTHON_PREFERENCE -u RETICULATE_UV -u PYENV_ROOT \
      HOME="${home}" PATH="${path}" R_LIBS="${libs}" R_LIBS_SITE=/usr/lib/R/site-library \
      Rscript --vanilla "${work}/${name}/journey.R"
  ) >"${work}/${name}/stdout" 2>"${work}/${name}/stderr" || status=$?
  local took=$((SECONDS - start))
  sed "s/^/r-journeys: (${name}) /" "${work}/${name}/stdout"
  if [[ ${status} -ne 0 ]]; then
    echo "r-journeys: (${name}) failed with exit status ${status}; its stderr:" >&2
    tail -n 40 "${work}/${name}/stderr" >&2
    return 1
  fi
  local noise='absl::InitializeLog|NodeDef mentions|cudart_stub|cuda_platform|cpu_feature_guard|oneDNN|retracing'
  if grep -Eq "${noise}" "${work}/${name}/stderr"; then
    echo "r-journeys: (${name}) TensorFlow's start-up noise reached stderr:" >&2
    grep -E "${noise}" "${work}/${name}/stderr" >&2
    return 1
  fi
  echo "r-journeys: (${name}) passed in ${took} s"
}

# The lab call both journeys make, and what they print.
read -r -d '' LAB_CALL <<'R' || true
fit <- hitters_lab(epochs = 2, split = "r")
table <- lab_table(fit)
mae <- table$MAE[table$Model == "Linear Regression"]
cat(sprintf("LM MAE %.1f (split = \"r\"; the notes' 254.7)\n", mae))
if (abs(mae - 254.7) > 0.05) stop("the linear-regression MAE must be 254.7; got ", mae)
lasso <- table$MAE[table$Model == "Lasso"]
cat(sprintf("Lasso MAE %.1f (split = \"r\", R's folds; the notes' 253.1)\n", lasso))
if (abs(lasso - 253.1) > 0.05) stop("the Lasso MAE must be 253.1; got ", lasso)
doctor <- nnlabs_doctor()
cat("Python chosen by:", doctor$source, "\n")
cat("Python:", doctor$python, "\n")
R

system_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# (a) Debian's reticulate, install_nnlabs(). uv is not on this PATH: install_nnlabs()
# installs it with pip (Debian's python3 -m pip install --target ...).
echo "r-journeys: (a) reticulate < 1.41: R CMD INSTALL ${tarball##*/}, install_nnlabs(), hitters_lab()"
mkdir -p "${work}/a/lib"
R CMD INSTALL --no-test-load -l "${work}/a/lib" "${tarball}" >"${work}/a-install.log" 2>&1 ||
  { tail -n 20 "${work}/a-install.log" >&2; exit 1; }
journey a "${system_path}" "${work}/a/lib" "$(cat <<R
library(nnlabs)
cat("reticulate", format(packageVersion("reticulate")), "\n")
if (packageVersion("reticulate") >= "1.41") stop("journey (a) needs reticulate < 1.41")
started <- proc.time()[["elapsed"]]
install_nnlabs()
cat(sprintf("install_nnlabs() took %.0f s\n", proc.time()[["elapsed"]] - started))
started <- proc.time()[["elapsed"]]
again <- capture.output(install_nnlabs(), type = "message")
if (!any(grepl("nothing to do", again))) stop("the second install_nnlabs() did something: ", paste(again, collapse = "\n"))
cat(sprintf("second install_nnlabs() did nothing, in %.1f s\n", proc.time()[["elapsed"]] - started))
${LAB_CALL}
if (!grepl("install_nnlabs()", doctor\$source, fixed = TRUE)) stop("Python was not the install_nnlabs() environment")
R
)"

# (b) reticulate >= 1.41 with no set-up. Where uv is not on the PATH, reticulate
# downloads it from astral.sh, which this machine cannot reach: put uv on the PATH.
if [[ -z "${vendored}" ]]; then
  echo "r-journeys: (b) needs a reticulate >= 1.41 source tarball: ../shared/vendor/reticulate_*.tar.gz, or NNLABS_RETICULATE_TARBALL=path; none found" >&2
  exit 1
fi
reticulate_lib="${repo}/build/r-journeys/$(basename "${vendored}" .tar.gz)"
stamp="$(sha256sum "${vendored}" | cut -c1-16)"
if [[ "$(cat "${reticulate_lib}/.stamp" 2>/dev/null || true)" != "${stamp}" ]]; then
  echo "r-journeys: (b) installing ${vendored##*/} into ${reticulate_lib} (this test's own library)"
  rm -rf "${reticulate_lib}.partial"
  mkdir -p "${reticulate_lib}.partial"
  R_LIBS_SITE=/usr/lib/R/site-library R CMD INSTALL -l "${reticulate_lib}.partial" "${vendored}" \
    >"${work}/b-reticulate.log" 2>&1 || { tail -n 20 "${work}/b-reticulate.log" >&2; exit 1; }
  echo "${stamp}" >"${reticulate_lib}.partial/.stamp"
  rm -rf "${reticulate_lib}"
  mv "${reticulate_lib}.partial" "${reticulate_lib}"
fi
mkdir -p "${work}/b/lib" "${work}/b/bin"
ln -s "${uv_bin}" "${work}/b/bin/uv"
echo "r-journeys: (b) reticulate >= 1.41: R CMD INSTALL ${tarball##*/}, hitters_lab() with no set-up"
R_LIBS="${work}/b/lib:${reticulate_lib}" R_LIBS_SITE=/usr/lib/R/site-library \
  R CMD INSTALL --no-test-load -l "${work}/b/lib" "${tarball}" >"${work}/b-install.log" 2>&1 ||
  { tail -n 20 "${work}/b-install.log" >&2; exit 1; }
journey b "${work}/b/bin:${system_path}" "${work}/b/lib:${reticulate_lib}" "$(cat <<R
library(nnlabs)
cat("reticulate", format(packageVersion("reticulate")), "\n")
if (packageVersion("reticulate") < "1.41") stop("journey (b) needs reticulate >= 1.41")
${LAB_CALL}
if (!grepl("py_require", doctor\$source, fixed = TRUE)) stop("Python was not the py_require() environment")
R
)"
echo "r-journeys: both journeys passed"
