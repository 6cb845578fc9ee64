#!/usr/bin/env bash
# `make rpkg`: the installable R source package, dist/nnlabs_<version>.tar.gz. It carries
# the Python package: environments/bundle_python.py first writes the nnlabs wheel and the
# requirements pinned by uv.lock into rpkg/inst/python (generated, git-ignored). The
# vignettes are built against the repository's .venv. The tarball is written beside its
# place and renamed, so dist/ never holds half a file.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${repo}/.venv/bin/python"
if [[ ! -x "${python}" ]]; then
  echo "rpkg: ${python} not found; run 'make sync' first" >&2
  exit 1
fi

"${python}" "${repo}/environments/bundle_python.py" --out "${repo}/rpkg/inst/python"

work="$(mktemp -d "${TMPDIR:-/tmp}/nnlabs-rbuild.XXXXXX")"
keep_on_failure() {
  local status=$?
  if [[ ${status} -eq 0 ]]; then
    rm -rf "${work}"
  else
    echo "rpkg: failed; the build folder is ${work}" >&2
  fi
}
trap keep_on_failure EXIT

# Outside the repository the package cannot find .venv by looking upward: point it there.
# Networks trained by the vignettes go to a cache that lives as long as this build.
export NNLABS_PYTHON="${python}"
export NNLABS_CACHE_DIR="${work}/cache"
cd "${work}"
echo "rpkg: R CMD build (runs the vignettes)"
R CMD build --no-manual "${repo}/rpkg"
tarball="$(ls nnlabs_*.tar.gz)"
mkdir -p "${repo}/dist"
cp "${tarball}" "${repo}/dist/.${tarball}.partial"
mv -f "${repo}/dist/.${tarball}.partial" "${repo}/dist/${tarball}"
echo "rpkg: wrote dist/${tarball} ($(du -h "${repo}/dist/${tarball}" | cut -f1)) in ${SECONDS} s"
