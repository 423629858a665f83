#!/usr/bin/env bash
# ruff and mypy as CI runs them (configuration in pyproject.toml).
#   bash scripts/lint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || PY=$(command -v python3.11 || command -v python3)
"$PY" -m ruff check slo tests benchmarks scripts
"$PY" -m mypy
