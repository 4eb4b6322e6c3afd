#!/usr/bin/env bash
# The whole test suite: formatting and lint (ruff), types (mypy --strict over src/ and tests/),
# and pytest under coverage (unit, integration against real servers, real headless Chromium)
# with the coverage floor of pyproject.toml. Sets up everything it needs.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh || exit 2
# Chromium for the browser tests (Debian's package; idempotent; explains itself when it can't).
if [ -f scripts/ensure-browser.sh ]; then
  bash scripts/ensure-browser.sh || echo "test: browser set-up failed; browser tests will say why" >&2
fi
status=0
echo "== ruff check"
.venv/bin/ruff check src tests benchmarks examples scripts || status=1
echo "== ruff format --check"
.venv/bin/ruff format --check src tests benchmarks examples scripts || status=1
echo "== mypy --strict"
.venv/bin/mypy || status=1
echo "== pytest (with coverage)"
rm -rf .coverage && mkdir -p .coverage
.venv/bin/coverage run -m pytest -q -p no:cacheprovider "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "test: pytest collected no tests" >&2
  rc=1
fi
[ "$rc" -ne 0 ] && status=$rc
echo "== coverage"
.venv/bin/coverage combine -q && .venv/bin/coverage report || status=1
if [ "$status" -eq 0 ]; then echo "test: all checks passed"; else echo "test: FAILED (exit $status)" >&2; fi
exit $status
