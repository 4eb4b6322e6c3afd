#!/usr/bin/env bash
# The whole test suite: lint (ruff), types (mypy --strict), and pytest (unit, integration
# against real uvicorn servers, and real headless Chromium). Sets up everything it needs.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh || exit 2
# Chromium for the browser tests (Debian's package; idempotent; explains itself when it can't).
if [ -f scripts/ensure-browser.sh ]; then
  bash scripts/ensure-browser.sh || echo "test: browser set-up failed; browser tests will say why" >&2
fi
status=0
echo "== ruff"
.venv/bin/ruff check src tests benchmarks examples || status=1
echo "== mypy --strict"
.venv/bin/mypy || status=1
echo "== pytest"
.venv/bin/pytest -q -p no:cacheprovider "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "test: pytest collected no tests" >&2
  rc=1
fi
[ "$rc" -ne 0 ] && status=$rc
if [ "$status" -eq 0 ]; then echo "test: all checks passed"; else echo "test: FAILED (exit $status)" >&2; fi
exit $status
