#!/usr/bin/env bash
# Sets up (if needed) and runs the whole test suite, browser tests included, then ruff.
# Installs Debian's chromium when it is missing (the browser tests drive /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-test.txt
if [ ! -x /usr/bin/chromium ]; then
  sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium >/dev/null
fi
.venv/bin/python -m ruff check .
# pytest exits 5 when it collected no test; set -e turns that into a failure too.
exec .venv/bin/python -m pytest "$@"
