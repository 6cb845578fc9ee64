#!/usr/bin/env bash
# Install the Debian packages named as arguments with apt, as root or with sudo, waiting
# for another apt run on a shared machine rather than failing on its lock. Exit 3 when
# this is not a Debian/Ubuntu system with apt (the caller says what to install by hand),
# 1 when apt is there but neither root nor sudo is.
set -euo pipefail

if [[ ! -r /etc/debian_version ]] || ! command -v apt-get >/dev/null 2>&1; then
  exit 3
fi
if [[ ${EUID} -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "Install them as root: apt-get install --no-install-recommends $*" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
"${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@"
