#!/usr/bin/env bash
# The main job: corskit on the bundled FastAPI app (examples/quickstart.py).
#  1. the middleware's answers (a preflight, an actual request) and the start-up error an
#     insecure configuration gets;
#  2. the doctor explains why the browser blocks the broken set-up, then checks the fix.
# Creates and reuses ./.venv. Extra arguments go to both `corskit check` runs (e.g. --json).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh || exit 2
bold() { if [ -t 1 ]; then printf '\n\033[1m%s\033[0m\n' "$*"; else printf '\n%s\n' "$*"; fi; }

bold "== Part 1: the middleware"
.venv/bin/python -m examples.foundation_demo || exit 1

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
.venv/bin/corskit check examples.quickstart:broken "${request[@]}" "$@"
broken=$?
bold "== After the fix (allow_headers=[\"content-type\", \"authorization\"]):"
show_cmd examples.quickstart:fixed "${request[@]}"
.venv/bin/corskit check examples.quickstart:fixed "${request[@]}" "$@"
fixed=$?
if [ "$broken" -eq 1 ] && [ "$fixed" -eq 0 ]; then
  bold "Blocked before the fix, allowed after it. Try it on your own API: .venv/bin/corskit check http://127.0.0.1:8000/your/path --origin http://localhost:5173 --method POST -H 'Content-Type: application/json'"
  exit 0
fi
echo "demo: unexpected verdicts (broken exit $broken, fixed exit $fixed)" >&2
exit 1
