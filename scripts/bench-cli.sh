#!/bin/sh
# CLI start-up and doctor speed with hyperfine (Debian package,
# installed if missing): interpreter start-up, `import corskit`, `corskit --help`, and
# `corskit check` of the quick-start FastAPI app in-process, end to end (import FastAPI
# and the app, simulate the browser's preflight and request, print the verdict).
#
#   scripts/bench-cli.sh                       # about 30 s (RUNS=5 for fewer runs)
#   scripts/bench-cli.sh --export-json docs/cli.json
#
# Extra arguments go to hyperfine.
set -eu
cd "$(dirname "$0")/.."
if ! command -v hyperfine >/dev/null 2>&1; then
    echo "bench-cli: installing hyperfine (Debian package)" >&2
    if [ "$(id -u)" = 0 ]; then apt-get install -y hyperfine >/dev/null || { apt-get update >/dev/null && apt-get install -y hyperfine >/dev/null; }
    else sudo apt-get install -y hyperfine >/dev/null || { sudo apt-get update >/dev/null && sudo apt-get install -y hyperfine >/dev/null; }
    fi
fi
[ -x .venv/bin/corskit ] || { echo "bench-cli: no .venv/bin/corskit; run scripts/bootstrap.sh first" >&2; exit 2; }
CHECK='--origin http://localhost:5173 --path /items --method POST -H "Content-Type: application/json" -H "Authorization: Bearer t0ken"'
# `corskit check` exits 1 when the browser would block the request (the broken app).
exec hyperfine -N --warmup 3 --runs "${RUNS:-20}" -i "$@" \
    -n 'python -c pass' '.venv/bin/python -c pass' \
    -n 'import corskit' '.venv/bin/python -c "import corskit"' \
    -n 'corskit --help' '.venv/bin/corskit --help' \
    -n 'corskit check (blocked)' ".venv/bin/corskit check examples.quickstart:broken $CHECK" \
    -n 'corskit check (allowed)' ".venv/bin/corskit check examples.quickstart:fixed $CHECK"
