#!/usr/bin/env bash
# What the R package (rpkg/) needs to build and pass `R CMD check`: R, the R packages
# reticulate, testthat, knitr, rmarkdown and jsonlite, and pandoc for the vignettes; and
# glmnet, which tests/test_glmnet_r.py compares nnlabs' Lasso with.
# On Debian/Ubuntu the missing ones are installed with apt (as root, or with sudo);
# elsewhere, or without the rights, this says what to install and fails.
set -euo pipefail

# Extra packages may be named as arguments (the cross-checks add dplyr, forcats,
# lubridate, tidyr and pROC); Debian's names are r-cran-<name in lower case>. --journeys adds
# what `make r-journeys` needs to build the vendored reticulate >= 1.41 from source
# (../shared/vendor) into its own private library: a compiler and its R dependencies.
JOURNEY_DEBS=(r-base-dev r-cran-rcpp r-cran-rcpptoml r-cran-here r-cran-png r-cran-rappdirs
  r-cran-withr r-cran-jsonlite r-cran-matrix r-cran-rlang)
journeys=false
if [[ "${1:-}" == "--journeys" ]]; then
  journeys=true
  shift
fi
R_PACKAGES=(reticulate testthat knitr rmarkdown jsonlite glmnet "$@")
MIN_RETICULATE="1.28"

missing=()
if ${journeys}; then
  for deb in "${JOURNEY_DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "${deb}" 2>/dev/null | grep -q "install ok installed" || missing+=("${deb}")
  done
fi
if ! command -v Rscript >/dev/null 2>&1; then
  missing+=(r-base-core)
  for pkg in "${R_PACKAGES[@]}"; do missing+=("r-cran-${pkg,,}"); done
else
  for pkg in "${R_PACKAGES[@]}"; do
    if ! Rscript --vanilla -e "quit(status = !requireNamespace('${pkg}', quietly = TRUE))" >/dev/null 2>&1; then
      missing+=("r-cran-${pkg,,}")
    fi
  done
fi
command -v pandoc >/dev/null 2>&1 || missing+=(pandoc)

if ((${#missing[@]} > 0)); then
  echo "R side: missing ${missing[*]}"
  status=0
  bash "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" "${missing[@]}" || status=$?
  if ((status == 3)); then
    quoted="$(printf '"%s", ' "${R_PACKAGES[@]}")"
    cat >&2 <<MSG
This is not a Debian/Ubuntu system with apt. Install by hand:
  R (>= 4.1) from https://cloud.r-project.org, pandoc (https://pandoc.org),
  and in R: install.packages(c(${quoted%, }))
  (renv::restore() in the repository installs the R package's own dependencies at the
  versions in renv.lock).
MSG
    exit 1
  elif ((status != 0)); then
    exit 1
  fi
fi

# Debian's r-cran-reticulate may be older than the package needs on an old release.
Rscript --vanilla -e "v <- packageVersion('reticulate'); if (v < '${MIN_RETICULATE}') {
  message('reticulate ', v, ' is older than ${MIN_RETICULATE}; install a newer one (install.packages(\"reticulate\"))'); quit(status = 1) }"
echo "R side ready: $(Rscript --vanilla -e 'cat(R.version.string, "| reticulate", format(packageVersion("reticulate")))')"
