#!/usr/bin/env bash
# Install everything the tests need, then run the whole suite in parallel.
#   bash scripts/test.sh [--quick] [pytest args]
#
#   --quick   the fast subset for use while working (tests not marked slow; under a minute)
#
# Debian packages (real calendar clients, headless Chromium, tmux, OpenSSH, PDF tools) are
# installed when running as root (as CI does); otherwise it says which to install. The run
# ends with the slowest tests, so a test that grows slow is seen.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
args=()
for arg in "$@"; do
  if [ "$arg" = "--quick" ]; then quick=1; else args+=("$arg"); fi
done

packages=(khal calcurse chromium tmux openssh-server openssh-client poppler-utils)
need=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 \
      || { apt-get update -qq && apt-get install -y -qq "${need[@]}"; }
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

# -n auto: one test process per core (pytest-xdist; pyproject sets --dist loadgroup, which keeps an
# xdist_group in one process);
# --durations: the slowest tests at the end
run=(.venv/bin/python -m pytest -n auto --durations=15 --durations-min=1.0)
if [ "$quick" = 1 ]; then
  run+=(-m "not slow")
  export SLO_QUICK=1
fi
exec "${run[@]}" "${args[@]}"
