#!/usr/bin/env bash
# Create ./.venv and install corskit with its development extras. Idempotent: does
# nothing when pyproject.toml has not changed since the last successful install.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "bootstrap: $PYTHON not found; install Python 3.10 or newer" >&2
  exit 2
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  echo "bootstrap: corskit needs Python 3.10 or newer ($("$PYTHON" --version))" >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv" >&2
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.corskit-installed"
# pyproject.toml, setup.py and the C source: a changed _speedups.c is compiled again.
want="$(cat pyproject.toml setup.py src/corskit/_speedups.c | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "bootstrap: installing corskit and its development tools into .venv (a minute or two the first time)" >&2
  # A C module built for an earlier source (or another ABI tag) would shadow the new one.
  rm -f src/corskit/_speedups.*.so
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v '^WARNING: Location' >&2 || true
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]" 2>&1 | grep -v '^WARNING: Location' >&2 || true
  .venv/bin/python -c 'import corskit, pytest, uvicorn, httpx' || { echo "bootstrap: install failed" >&2; exit 2; }
  echo "$want" > "$stamp"
fi
