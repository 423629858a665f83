#!/usr/bin/env bash
# Install everything the tests need, then run the whole suite.
#   bash scripts/test.sh [pytest args]
# Debian packages (real calendar clients, headless Chromium, tmux) are installed
# when running as root (as CI does); otherwise it says which to install.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in khal calcurse chromium tmux; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq khal calcurse chromium tmux >/dev/null 2>&1 \
      || { apt-get update -qq && apt-get install -y -qq khal calcurse chromium tmux; }
  else
    echo "missing Debian packages: ${need[*]} (sudo apt-get install -y ${need[*]})" >&2
  fi
fi

PY=$(command -v python3.11 || command -v python3)
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'
exec .venv/bin/python -m pytest "$@"
