#!/bin/sh
# End-to-end load benchmark: uvicorn pinned to CPU 0, wrk pinned to CPU 1,
# bare app vs Starlette's CORSMiddleware vs corskit. Needs a quiet 2-CPU (or larger) Linux
# machine; it refuses to report (exit 3) when other processes use the CPUs.
#
#   scripts/bench-load.sh                               # the measurement, about 4 minutes
#   scripts/bench-load.sh --quick --force               # smoke test, seconds
#   scripts/bench-load.sh --json docs/load.json         # keep the numbers for benchmarks/chart.py
#
# Options are those of benchmarks/load.py (--help).
set -eu
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null 2>&1; then
    echo "bench-load: installing wrk (Debian package)" >&2
    if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
    else sudo apt-get install -y wrk >/dev/null || { sudo apt-get update >/dev/null && sudo apt-get install -y wrk >/dev/null; }
    fi
fi
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if ! .venv/bin/python -c "import corskit, starlette, uvicorn, uvloop, httptools" 2>/dev/null; then
    .venv/bin/pip install -q -e ".[dev]"
fi
exec .venv/bin/python benchmarks/load.py "$@"
