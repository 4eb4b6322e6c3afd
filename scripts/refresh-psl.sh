#!/usr/bin/env bash
# Refresh src/corskit/public_suffix_list.dat, the Public Suffix List corskit ships
# (https://publicsuffix.org/list/) for its public-suffix checks
# (public-suffix-wildcard-with-credentials).
#
# The list is taken from the newest `publicsuffixlist` wheel on the package index (that
# package bundles the official public_suffix_list.dat, refreshed with every release), so
# the refresh needs nothing but pip. Run it before a release, review the diff, commit:
#
#     bash scripts/refresh-psl.sh
#     git diff --stat src/corskit/public_suffix_list.dat
#
# It prints the list's VERSION line (its publication date); corskit.public_suffix.list_version()
# reports the same at run time. Shipped list: VERSION 2026-10-22_08-36-41_UTC (from
# publicsuffixlist 1.1.2.20261023, refreshed 2026-12-02).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$PYTHON" -m pip download --disable-pip-version-check -q --no-deps --only-binary=:all: -d "$work" publicsuffixlist
wheel="$(ls "$work"/publicsuffixlist-*.whl)"
"$PYTHON" - "$wheel" src/corskit/public_suffix_list.dat <<'PY'
import sys
import zipfile

wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as archive:
    data = archive.read("publicsuffixlist/public_suffix_list.dat")
text = data.decode("utf-8")
if "===BEGIN ICANN DOMAINS===" not in text or "===BEGIN PRIVATE DOMAINS===" not in text:
    sys.exit(f"refresh-psl: {wheel} does not hold the full list")
with open(target, "wb") as f:
    f.write(data)
version = next((line for line in text.splitlines() if line.startswith("// VERSION:")), "// VERSION: unknown")
print(f"refresh-psl: {target} <- {wheel.rsplit('/', 1)[-1]} ({version[3:]})")
PY
