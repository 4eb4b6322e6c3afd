#!/bin/sh
# In-process benchmark (targets in docs/benchmarks.md): time per ASGI call for a bare app, Starlette's
# CORSMiddleware and corskit's, on seven cases, interleaved, medians of repeats.
#
#   scripts/bench-inprocess.sh                 # about a minute; prints the table
#   scripts/bench-inprocess.sh --quick         # a few seconds, a smoke test
#   scripts/bench-inprocess.sh --chart         # also keep the JSON and redraw docs/benchmarks.png
#
# Other options are those of benchmarks/inprocess.py (--help). CORSKIT_NO_EXTENSIONS=1 times
# corskit's pure-Python loops instead of its C ones.
set -eu
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh  # .venv with corskit (its C loops compiled) and Starlette
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
