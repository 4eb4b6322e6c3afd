#!/bin/sh
# Coverage-guided fuzzing of corskit's engine and ASGI middleware with atheris (libFuzzer),
# for a bounded time. Crashing inputs are saved in tests/fuzz/corpus/, which the test
# suite replays (tests/fuzz/test_corpus_replay.py).
#
#   scripts/fuzz.sh              # 300 s
#   scripts/fuzz.sh 60           # 60 s (or FUZZ_SECONDS=60)
#   FUZZ_WORKDIR=.fuzz-work scripts/fuzz.sh   # keep the coverage corpus between runs
#
# Prints how many inputs were tried; exits non-zero when the fuzzer found a crash.
set -eu
cd "$(dirname "$0")/.."
SECS=${1:-${FUZZ_SECONDS:-300}}
PY=.venv/bin/python
[ -x "$PY" ] || { echo "fuzz: no .venv; run scripts/bootstrap.sh (or python3 -m venv .venv && .venv/bin/pip install -e '.[dev]')" >&2; exit 2; }
if ! "$PY" -c "import atheris" 2>/dev/null; then
    echo "fuzz: installing atheris into .venv" >&2
    "$PY" -m pip install -q atheris || { echo "fuzz: atheris failed to build/install on this platform" >&2; exit 2; }
fi
CORPUS=tests/fuzz/corpus
mkdir -p "$CORPUS"
WORK=${FUZZ_WORKDIR:-$(mktemp -d /tmp/corskit-fuzz.XXXXXX)}
mkdir -p "$WORK"
LOG=$(mktemp /tmp/corskit-fuzz-log.XXXXXX)
echo "fuzz: ${SECS} s; working corpus $WORK; log $LOG" >&2
set +e
"$PY" tests/fuzz/atheris_target.py -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$CORPUS/" "$WORK" "$CORPUS" >"$LOG" 2>&1
rc=$?
set -e
grep -E "^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added)" "$LOG" || true
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG" | tail -1)
echo "fuzz: inputs tried: ${runs:-unknown}; exit status $rc"
if [ "$rc" -ne 0 ]; then
    grep -E "Test unit written|Error|Traceback|AssertionError" "$LOG" | head -20 >&2 || true
    echo "fuzz: crash input(s) saved in $CORPUS/ (replayed by tests/fuzz/test_corpus_replay.py)" >&2
fi
exit "$rc"
