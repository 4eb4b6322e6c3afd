#!/bin/sh
# valgrind memcheck over corskit's optional C loops (src/corskit/_speedups.c).
#
#   scripts/memcheck.sh          # 3,000 rounds of mixed input shapes, about a minute
#   scripts/memcheck.sh 500      # fewer rounds
#
# Fails when memcheck reports an error whose stack passes through _speedups. (CPython
# itself draws a few "uninitialised value" reports at start-up, from seeding with
# os.urandom; they are not corskit's and are not counted.)
set -eu
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
command -v valgrind >/dev/null 2>&1 || { echo "memcheck: valgrind not found (Debian package valgrind)" >&2; exit 2; }
.venv/bin/python -c "import corskit._speedups" 2>/dev/null || { echo "memcheck: corskit._speedups was not built" >&2; exit 2; }
LOG=$(mktemp /tmp/corskit-memcheck.XXXXXX)
PYTHONMALLOC=malloc valgrind --num-callers=40 --errors-for-leak-kinds=none \
    .venv/bin/python tests/fuzz/speedups_memcheck.py "${1:-3000}" >"$LOG" 2>&1 || true
grep -q "speedups_memcheck:" "$LOG" || { echo "memcheck: the driver did not finish; see $LOG" >&2; exit 1; }
# One record per error: the lines between blank separators; count those naming _speedups.
ours=$(sed "s/^==[0-9]*== \{0,1\}//" "$LOG" | awk 'BEGIN{RS=""} /_speedups/ && /(Invalid|uninitialised|Mismatched|overlap|free)/ {n++} END{print n+0}')
total=$(grep -o 'ERROR SUMMARY: [0-9]*' "$LOG" | grep -o '[0-9]*$')
echo "memcheck: $(grep -o 'speedups_memcheck: .*' "$LOG"); errors through _speedups: $ours (all errors: $total); log $LOG"
[ "$ours" -eq 0 ]
