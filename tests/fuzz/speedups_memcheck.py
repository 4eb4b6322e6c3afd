"""Drive corskit's C loops (``corskit._speedups``) over many input shapes, for valgrind.

Run through ``scripts/memcheck.sh``, which fails when memcheck reports an error whose stack
passes through ``_speedups``. Shapes: header lists of 2-tuples, 2-lists and malformed pairs
with bytes, bytearray, str and None names; messages of every kind, non-dicts included;
filters collected in between.
"""

from __future__ import annotations

import gc
import random
import sys
from typing import Any

from corskit import _loops

TAILS: list[tuple[tuple[bytes, bytes], ...]] = [
    (),
    ((b"vary", b"Origin"),),
    ((b"access-control-allow-origin", b"https://app.example"), (b"vary", b"Origin")),
]
NAMES: list[Any] = [
    b"origin",
    b"vary",
    b"Vary",
    b"content-type",
    b"x",
    b"access-control-request-method",
    b"access-control-request-headers",
    b"access-control-request-private-network",
    bytearray(b"vary"),
    "vary",
    None,
]


def send(message: Any) -> Any:
    return message


def pair(rnd: random.Random) -> Any:
    return rnd.choice([(rnd.choice(NAMES), b"v"), [rnd.choice(NAMES), b"v"], (b"origin",)])


def main(rounds: int) -> None:
    loops = _loops.c_loops()  # here, not at import: the suite imports this file without it
    if loops is None:
        raise SystemExit("speedups_memcheck: corskit._speedups was not built")
    find_origin, send_filter, preflight_fields = loops
    rnd = random.Random(1)
    for i in range(rounds):
        raw = [pair(rnd) for _ in range(rnd.randint(0, 5))]
        for headers in (
            raw,
            [(b"origin", b"x")],
            [(b"origin", b"x"), (b"origin", b"y")],
            None,
            tuple(raw),
        ):
            for loop in (find_origin, preflight_fields):
                try:
                    loop(headers)
                except Exception:
                    pass
        app_list = [pair(rnd) for _ in range(rnd.randint(0, 5))]
        f = send_filter(send, rnd.choice(TAILS))
        message: Any
        for message in (
            {"type": "http.response.start", "headers": app_list},
            {"type": "http.response.body"},
            {"headers": app_list},
            {"type": "http.response.start"},
            {"type": 7},
            "not a message",
        ):
            try:
                f(message)
            except Exception:
                pass
        if i % 500 == 0:
            gc.collect()
    print(f"speedups_memcheck: {rounds} rounds")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
