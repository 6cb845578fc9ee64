#!/usr/bin/env bash
# Debian's chromium, which tests/test_report.py loads each lab's report in (headless).
# Installed with apt when missing (as root, or with sudo); elsewhere this says what to
# install and fails.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
echo "browser: chromium missing"
if [[ -r /etc/debian_version ]] && command -v apt-get >/dev/null 2>&1; then
  if [[ ${EUID} -eq 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "Install it as root: apt-get install --no-install-recommends chromium" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Wait for another apt run (a shared machine) rather than fail on its lock.
  "${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
  "${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium
else
  echo "Not a Debian/Ubuntu system with apt: install Chromium so that 'chromium' is on PATH." >&2
  exit 1
fi
command -v chromium >/dev/null
