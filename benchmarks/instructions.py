"""Instructions per ASGI call, counted by valgrind's callgrind: a deterministic companion
to ``benchmarks/inprocess.py`` for machines too busy to time on.

Run it from the repository root under callgrind (``scripts/bench-instructions.sh`` does)::

    valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=/tmp/cg.%p \\
        .venv/bin/python benchmarks/instructions.py

The same cases, variants and checks as ``benchmarks/inprocess.py`` (imported from it).
For each case and variant, the scopes are built first (fresh header bytes per call, as a
server builds them), then callgrind's counters are switched on only around the loop of
calls, through its client requests (``valgrind/callgrind.h``, compiled into a tiny helper
library at start). The count per call is the middleware plus the hello-world app: the
``bare`` row is the app alone, so ``variant - bare`` is what the middleware costs.
Counts are the same from run to run of the same code, whatever else the machine runs.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import inprocess

_HELPER = r"""
#include <valgrind/callgrind.h>
void cg_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_TOGGLE_COLLECT; }
void cg_stop(const char *name) { CALLGRIND_TOGGLE_COLLECT; CALLGRIND_DUMP_STATS_AT(name); }
"""


def helper() -> ctypes.CDLL:
    """The client-request helper, compiled into a temporary shared library."""
    tmp = tempfile.mkdtemp(prefix="corskit-cg-")
    src, lib = os.path.join(tmp, "cg.c"), os.path.join(tmp, "cg.so")
    with open(src, "w") as f:
        f.write(_HELPER)
    subprocess.run(["cc", "-O1", "-shared", "-fPIC", "-o", lib, src], check=True)
    return ctypes.CDLL(lib)


def count(
    cg: ctypes.CDLL, app: Callable[..., Any], case: inprocess.Case, n: int, label: str
) -> None:
    scopes = [inprocess.fresh_copy(case.scope) for _ in range(n)]

    async def batch() -> None:
        for s in scopes:
            await app(s, inprocess.receive, inprocess.discard)

    coro = batch()
    cg.cg_start()
    try:
        coro.send(None)
    except StopIteration:
        pass
    cg.cg_stop(label.encode())


def read(prefix: str) -> dict[tuple[str, str], float]:
    """(case, variant) -> instructions per call, from callgrind's dumps named *prefix*.N."""
    out: dict[tuple[str, str], float] = {}
    folder, base = os.path.split(prefix)
    for name in sorted(os.listdir(folder or ".")):
        if not name.startswith(base + "."):
            continue
        label, total = "", 0
        with open(os.path.join(folder, name)) as f:
            for line in f:
                if line.startswith("desc: Trigger: Client Request: "):
                    label = line.split(": ", 3)[-1].strip()
                elif line.startswith(("summary:", "totals:")):
                    total = int(line.split()[1])
        parts = label.split("|")
        if len(parts) == 3:
            out[(parts[0], parts[1])] = total / int(parts[2])
    return out


def report(prefix: str) -> None:
    counts = read(prefix)
    variants = list(dict.fromkeys(v for _, v in counts))
    head = f"{'case':<44}" + "".join(f"{v:>16}" for v in variants) + f"{'corskit-bare':>14}"
    print(head)
    print("-" * len(head))
    for case in dict.fromkeys(c for c, _ in counts):
        cells = "".join(
            f"{counts[(case, v)]:>16,.0f}" if (case, v) in counts else f"{'':>16}" for v in variants
        )
        mw = counts.get((case, "corskit"), 0) - counts.get((case, "bare"), 0)
        print(f"{case:<44}{cells}{mw:>14,.0f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("-n", type=int, default=2000, help="calls per case and variant")
    ap.add_argument("--only", metavar="TEXT", help="only the cases whose name contains TEXT")
    ap.add_argument("--variants", default="bare,starlette,corskit,corskit-dynamic")
    ap.add_argument("--report", metavar="PREFIX", help="print the table from callgrind's dumps")
    args = ap.parse_args(argv)
    if args.report:
        report(args.report)
        return 0
    import gc

    cg = helper()
    gc.disable()  # as timeit and benchmarks/inprocess.py do
    for case in inprocess.cases():
        if args.only and args.only not in case.name:
            continue
        for variant in args.variants.split(","):
            if variant == "corskit-dynamic" and (case.many or case.hostile):
                continue
            app = inprocess.build(variant, case.many)
            inprocess.verify(case, variant, app)
            count(cg, app, case, 64, "warm")  # caches filled, code paths specialised
            n = max(50, args.n // 20) if case.hostile else args.n  # Starlette: ms per call
            count(cg, app, case, n, f"{case.name}|{variant}|{n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
