#!/usr/bin/env bash
# Debian's chromium, which tests/test_report.py loads each lab's report in (headless),
# installed with apt when missing (environments/apt-install.sh).
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
echo "browser: chromium missing"
status=0
bash "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" chromium || status=$?
if ((status == 3)); then
  echo "Not a Debian/Ubuntu system with apt: install Chromium so that 'chromium' is on PATH." >&2
fi
if ((status != 0)); then
  exit 1
fi
command -v chromium >/dev/null
