#!/bin/sh
# In-process benchmark (issue 2 acceptance): time per ASGI call for a bare app, Starlette's
# CORSMiddleware and corskit's, on seven cases, interleaved, medians of repeats.
#
#   scripts/bench-inprocess.sh                 # about a minute; prints the table
#   scripts/bench-inprocess.sh --quick         # a few seconds, a smoke test
#   scripts/bench-inprocess.sh --chart         # also keep the JSON and redraw docs/benchmarks.png
#
# Other options are those of benchmarks/inprocess.py (--help).
set -eu
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if ! .venv/bin/python -c "import corskit, starlette" 2>/dev/null; then
    .venv/bin/pip install -q -e ".[dev]"
fi
chart=0
for a in "$@"; do [ "$a" = "--chart" ] && chart=1; done
if [ "$chart" = 1 ]; then
    mkdir -p benchmarks/results
    args=""
    for a in "$@"; do [ "$a" != "--chart" ] && args="$args $a"; done
    # shellcheck disable=SC2086
    .venv/bin/python benchmarks/inprocess.py $args --json benchmarks/results/inprocess.json || status=$?
    .venv/bin/python benchmarks/chart.py
    exit "${status:-0}"
fi
exec .venv/bin/python benchmarks/inprocess.py "$@"
