"""In-process cost of a cached dynamic origin (``allow_origin_func``) against a static list.

Run it from the repository root::

    .venv/bin/python benchmarks/dynamic_origins.py          # about 10-20 s
    .venv/bin/python benchmarks/dynamic_origins.py --quick  # a few seconds

Method (the same as ``benchmarks/inprocess.py``): each ASGI call is driven without an
event loop (``coro.send(None)``; a cache hit never suspends), variants are timed in
interleaved batches with a rotating order, and the table shows the median µs per call
with the interquartile range. Before timing, each variant is run once and its status and
CORS headers are checked, so a variant that does not really answer from the function's
cache fails loudly.

Variants, all with credentials and the same allowed origin:

- ``static``: ``allow_origins=[ORIGIN]`` (plus 100 other exact origins);
- ``dynamic async``: ``allow_origin_func=async def ...`` (a set lookup), answer cached;
- ``dynamic sync``: the same as a plain function, answer cached.

Target (issue 6): a cached dynamic origin costs at most 1.5x the static list (ratio of
the medians). The ratio of the best batches is printed too: on a shared, busy machine it
is the steadier number.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

ORIGIN = b"https://tenant-42.example.com"
OTHERS = [f"https://tenant-{i}.example.net" for i in range(100)]
TENANTS = {*OTHERS, ORIGIN.decode()}


def scope(method: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": "/api/data",
        "raw_path": b"/api/data",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"bench"), (b"accept", b"*/*"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"12")],
        }
    )
    await send({"type": "http.response.body", "body": b"hello, world"})


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def discard(message: Any) -> None:
    return None


async def tenant_allows_async(origin: str) -> bool:
    return origin in TENANTS


def tenant_allows_sync(origin: str) -> bool:
    return origin in TENANTS


COMMON: dict[str, Any] = {
    "allow_methods": ["GET", "POST", "PUT"],
    "allow_headers": ["Content-Type", "X-Custom"],
    "allow_credentials": True,
}


def build(variant: str) -> Callable[..., Any]:
    from corskit import CORSMiddleware

    if variant == "static":
        return CORSMiddleware(bare_app, allow_origins=[*OTHERS, ORIGIN.decode()], **COMMON)
    func = tenant_allows_async if variant == "dynamic async" else tenant_allows_sync
    return CORSMiddleware(bare_app, allow_origin_func=func, **COMMON)


CASES = {
    "GET, allowed Origin": scope("GET", [(b"origin", ORIGIN)]),
    "preflight": scope(
        "OPTIONS",
        [(b"origin", ORIGIN), (b"access-control-request-method", b"PUT"),
         (b"access-control-request-headers", b"content-type,x-custom")],
    ),
}


def warm_and_verify(app: Callable[..., Any], sc: dict[str, Any], name: str) -> None:
    """Fill the function's cache through a real event loop, then check a non-suspending call."""
    sent: list[dict[str, Any]] = []

    async def record(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(sc, receive, record))  # a cache miss may suspend (the function runs)
    sent.clear()
    coro = app(sc, receive, record)
    try:
        coro.send(None)
    except StopIteration:
        pass
    else:
        coro.close()
        raise SystemExit(f"{name}: the call suspended: the answer was not cached")
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = dict((bytes(n).lower(), bytes(v)) for n, v in start["headers"])
    want = 204 if sc["method"] == "OPTIONS" else 200
    if start["status"] != want or headers.get(b"access-control-allow-origin") != ORIGIN:
        raise SystemExit(f"verification failed: {name}: {start['status']} {headers}")
    if headers.get(b"access-control-allow-credentials") != b"true":
        raise SystemExit(f"verification failed: {name}: no credentials header")


def time_batch(app: Callable[..., Any], sc: dict[str, Any], n: int) -> float:
    gc_was = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter_ns()
        for _ in range(n):
            coro = app(sc, receive, discard)
            try:
                coro.send(None)
            except StopIteration:
                pass
        t1 = time.perf_counter_ns()
    finally:
        if gc_was:
            gc.enable()
    return (t1 - t0) / n


def calibrate(app: Callable[..., Any], sc: dict[str, Any], target_s: float) -> int:
    n = 16
    while True:
        per = time_batch(app, sc, n)
        if per * n >= target_s * 1e9 / 4 or n >= 1 << 20:
            return max(16, int(target_s * 1e9 / max(per, 1.0)))
        n *= 4


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="cached dynamic origin vs static list, in process")
    ap.add_argument("--repeats", type=int, default=41)
    ap.add_argument("--batch-ms", type=float, default=10.0)
    ap.add_argument("--quick", action="store_true", help="5 repeats of 5 ms batches")
    args = ap.parse_args(argv)
    if args.quick:
        args.repeats, args.batch_ms = 5, 5.0
    variants = ("static", "dynamic async", "dynamic sync")
    print(f"python {sys.version.split()[0]}; {args.repeats} interleaved repeats, batches of ~{args.batch_ms:g} ms; "
          "median µs/call [IQR]\n")
    print(f"{'case':<22} " + " ".join(f"{v:>24}" for v in variants)
          + f" {'async/static':>13} {'sync/static':>12} {'best-of ratios':>16}")
    worst = 0.0
    for case, sc in CASES.items():
        apps = {v: build(v) for v in variants}
        for v in variants:
            warm_and_verify(apps[v], sc, f"{case} / {v}")
        sizes = {v: calibrate(apps[v], sc, args.batch_ms / 1000) for v in variants}
        samples: dict[str, list[float]] = {v: [] for v in variants}
        for r in range(args.repeats):
            order = variants[r % 3 :] + variants[: r % 3]
            for v in order:
                samples[v].append(time_batch(apps[v], sc, sizes[v]) / 1000)
        cells = []
        med = {}
        for v in variants:
            xs = sorted(samples[v])
            q = statistics.quantiles(xs, n=4) if len(xs) >= 4 else [xs[0], statistics.median(xs), xs[-1]]
            med[v] = statistics.median(xs)
            cells.append(f"{med[v]:7.3f} [{q[0]:.3f}-{q[2]:.3f}]")
        ratio_async = med["dynamic async"] / med["static"]
        ratio_sync = med["dynamic sync"] / med["static"]
        best = {v: min(samples[v]) for v in variants}
        best_ratios = f"{best['dynamic async'] / best['static']:.2f}x/{best['dynamic sync'] / best['static']:.2f}x"
        worst = max(worst, ratio_async, ratio_sync)
        print(f"{case:<22} " + " ".join(f"{c:>24}" for c in cells)
              + f" {ratio_async:>12.3f}x {ratio_sync:>11.3f}x {best_ratios:>16}")
    ok = worst <= 1.5
    print(f"\ntarget cached dynamic origin <= 1.5x static list: worst {worst:.3f}x -> {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
