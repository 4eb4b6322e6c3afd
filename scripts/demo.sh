#!/usr/bin/env bash
# The main job: corskit on the bundled FastAPI app (examples/quickstart.py).
#  1. the middleware's answers (a preflight, an actual request) and the start-up error an
#     insecure configuration gets;
#  2. the doctor explains why the browser blocks the broken set-up, then checks the fix.
# Creates and reuses ./.venv-demo with only what the demo needs: corskit (the doctor needs
# nothing more), and FastAPI for the example app (not the development tools, which scripts/test.sh
# installs into ./.venv). Extra arguments go to both `corskit check` runs (e.g. --json).
set -uo pipefail
cd "$(dirname "$0")/.."
venv=.venv-demo
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "demo: corskit needs Python 3.10 or newer ($PYTHON)" >&2
  exit 2
fi
stamp="$venv/.corskit-demo-installed"
want="$(cat pyproject.toml setup.py src/corskit/_speedups.c | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "demo: installing corskit and FastAPI into $venv (the first run takes a little while)" >&2
  [ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv" || exit 2
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -e . fastapi 2>&1 \
    | grep -v '^WARNING: Location' >&2
  "$venv/bin/python" -c 'import corskit, fastapi' || { echo "demo: install failed" >&2; exit 2; }
  echo "$want" > "$stamp"
fi
bold() { if [ -t 1 ]; then printf '\n\033[1m%s\033[0m\n' "$*"; else printf '\n%s\n' "$*"; fi; }

bold "== Part 1: the middleware"
"$venv/bin/python" -m examples.foundation_demo || exit 1

request=(--origin http://localhost:5173 --path /items --method POST
         -H 'Content-Type: application/json' -H 'Authorization: Bearer t0ken' -d '{"name": "apple"}')
bold "== Part 2: the doctor. A React app on http://localhost:5173 POSTs JSON with a bearer token. Why is it blocked?"
show_cmd() {
  printf '$ corskit check %s' "$1"; shift
  for a in "$@"; do
    if [[ "$a" =~ ^[A-Za-z0-9_./:=@-]+$ ]]; then printf ' %s' "$a"; else printf " '%s'" "$a"; fi
  done
  echo
}
show_cmd examples.quickstart:broken "${request[@]}"
"$venv/bin/corskit" check examples.quickstart:broken "${request[@]}" "$@"
broken=$?
bold "== After the fix (allow_headers=[\"content-type\", \"authorization\"]):"
show_cmd examples.quickstart:fixed "${request[@]}"
"$venv/bin/corskit" check examples.quickstart:fixed "${request[@]}" "$@"
fixed=$?
if [ "$broken" -eq 1 ] && [ "$fixed" -eq 0 ]; then
  bold "Blocked before the fix, allowed after it. Try it on your own API: $venv/bin/corskit check http://127.0.0.1:8000/your/path --origin http://localhost:5173 --method POST -H 'Content-Type: application/json'"
  exit 0
fi
echo "demo: unexpected verdicts (broken exit $broken, fixed exit $fixed)" >&2
exit 1
