"""In-process cost of one ASGI call: a bare app, Starlette's CORSMiddleware, corskit's.

Run it from the repository root (one command, see ``scripts/bench-inprocess.sh``)::

    .venv/bin/python benchmarks/inprocess.py            # about 30-60 s
    .venv/bin/python benchmarks/inprocess.py --quick    # a few seconds, for a smoke test

Method
------
Each ASGI call is driven without an event loop: the middleware's coroutine is started
with ``coro.send(None)`` and must finish at once (the app and ``send`` never suspend), so
the number is the Python work of the middleware plus a hello-world app, nothing else.
Before timing, every case is run once with a recording ``send`` and its status and
headers are checked, so a variant that takes a shortcut (or is misconfigured) fails
loudly instead of looking fast.

The three variants are timed *interleaved*: each repeat times one batch of every
variant, in a rotating order, so a burst of foreign load hits all three alike. The
table shows the median of the repeats' per-call time with the spread (interquartile
range), and the ratios of the medians. The machine's load is printed before and after.

Targets: corskit at most 0.25x Starlette's time in every case; the hostile
``Access-Control-Request-Headers`` cases within 3x of a normal preflight. Target (dynamic origins):
the same policy with the origin answered by a cached ``allow_origin_func`` (variant
``corskit-dynamic``, timed on the plain cases) within 1.5x of the static list.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ORIGIN = b"https://app.example.com"
EVIL = b"https://evil.example"
SETTINGS: dict[str, Any] = {
    "allow_origins": [ORIGIN.decode()],
    "allow_methods": ["GET", "POST", "PUT"],
    "allow_headers": ["Content-Type", "X-Custom"],
    "allow_credentials": True,
}
MANY = [f"https://app{i}.example.com" for i in range(1000)]
# corskit: 1,000 exact origins plus both pattern forms. Starlette has no patterns; the
# equivalent is a regex, which Starlette tries *before* its list scan.
MANY_CORSKIT: dict[str, Any] = {
    **SETTINGS,
    "allow_origins": [*MANY, "https://*.example.org", "http://localhost:*"],
}
MANY_STARLETTE: dict[str, Any] = {
    **SETTINGS,
    "allow_origins": MANY,
    "allow_origin_regex": r"https://([a-z0-9-]+\.)+example\.org|http://localhost(:[0-9]+)?",
}
LAST = MANY[-1].encode()
HOSTILE_100K = (b"x-custom, " * 10240)[: 100 * 1024]  # 100 KB, 10,240 commas
HOSTILE_COMMAS = b"," * 10000

Headers = list[tuple[bytes, bytes]]


def scope(method: str, headers: Headers) -> dict[str, Any]:
    """A minimal HTTP scope, as uvicorn builds it."""
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
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"user-agent", b"bench"),
            (b"accept", b"*/*"),
            *headers,
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Hello world: fresh message dicts per call, as every real framework sends."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", b"12"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"hello, world"})


async def receive() -> dict[str, Any]:  # never called by these apps
    return {"type": "http.request", "body": b"", "more_body": False}


async def discard(message: Any) -> None:
    return None


@dataclass
class Expect:
    """What one variant must answer: status, and header values (None = must be absent)."""

    status: int
    headers: dict[bytes, bytes | None] = field(default_factory=dict)
    vary_has: tuple[bytes, ...] = ()


@dataclass
class Case:
    name: str
    scope: dict[str, Any]
    expect: dict[str, Expect]  # variant -> expectation
    many: bool = False  # use the 1,000-origin configuration
    hostile: bool = False


def cases() -> list[Case]:
    get_ok = Expect(
        200,
        {b"access-control-allow-origin": ORIGIN, b"access-control-allow-credentials": b"true"},
        (b"origin",),
    )
    bare200 = Expect(200, {b"access-control-allow-origin": None})
    pf = [
        (b"origin", ORIGIN),
        (b"access-control-request-method", b"PUT"),
        (b"access-control-request-headers", b"content-type,x-custom"),
    ]
    refused = {
        "bare": bare200,
        "starlette": Expect(400, {b"access-control-allow-origin": ORIGIN}),
        "corskit": Expect(
            403, {b"access-control-allow-origin": None, b"access-control-allow-methods": None}
        ),
    }
    return [
        Case(
            "GET, allowed Origin",
            scope("GET", [(b"origin", ORIGIN)]),
            {"bare": bare200, "starlette": get_ok, "corskit": get_ok},
        ),
        Case(
            "preflight",
            scope("OPTIONS", pf),
            {
                "bare": bare200,
                "starlette": Expect(200, {b"access-control-allow-origin": ORIGIN}, (b"origin",)),
                "corskit": Expect(
                    204,
                    {
                        b"access-control-allow-origin": ORIGIN,
                        b"access-control-allow-methods": b"PUT",
                        b"access-control-allow-headers": b"content-type,x-custom",
                    },
                    (b"origin", b"access-control-request-method"),
                ),
            },
        ),
        Case(
            "GET, no Origin",
            scope("GET", []),
            {
                "bare": bare200,
                "starlette": Expect(200, {b"access-control-allow-origin": None}, (b"origin",)),
                "corskit": Expect(200, {b"access-control-allow-origin": None}, (b"origin",)),
            },
        ),
        Case(
            "GET, disallowed Origin",
            scope("GET", [(b"origin", EVIL)]),
            {
                "bare": bare200,
                "starlette": Expect(200, {b"access-control-allow-origin": None}, (b"origin",)),
                "corskit": Expect(
                    200,
                    {
                        b"access-control-allow-origin": None,
                        b"access-control-allow-credentials": None,
                    },
                    (b"origin",),
                ),
            },
        ),
        Case(
            "GET, 1,000 origins + patterns, last matches",
            scope("GET", [(b"origin", LAST)]),
            {
                "bare": bare200,
                "starlette": Expect(200, {b"access-control-allow-origin": LAST}, (b"origin",)),
                "corskit": Expect(200, {b"access-control-allow-origin": LAST}, (b"origin",)),
            },
            many=True,
        ),
        Case(
            "preflight, hostile ACRH 100 KB",
            scope("OPTIONS", [pf[0], pf[1], (b"access-control-request-headers", HOSTILE_100K)]),
            refused,
            hostile=True,
        ),
        Case(
            "preflight, hostile ACRH 10,000 commas",
            scope("OPTIONS", [pf[0], pf[1], (b"access-control-request-headers", HOSTILE_COMMAS)]),
            refused,
            hostile=True,
        ),
    ]


class NoopMiddleware:
    """Reference (--floor): the cheapest possible ASGI middleware, it only passes through."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


class MinimalHeaderMiddleware:
    """Reference (--floor): the least any middleware that adds a response header must do.

    It reads ``Origin`` (one pass over the request headers) and wraps ``send`` to append a
    constant ``Vary: Origin`` to whatever the app sent, without checking the app's headers:
    not correct CORS, only the floor under any correct implementation of this shape.
    """

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        origin = None
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value
        _ = origin  # found (corskit would now decide); the floor decides nothing

        def send_with_header(message: Any, send: Any = send) -> Any:
            if message["type"] == "http.response.start":
                message["headers"] = [*(message.get("headers") or ()), (b"vary", b"Origin")]
            return send(message)

        await self.app(scope, receive, send_with_header)


def speedups_state() -> str:
    """Whether corskit's ASGI adapter runs its C loops (CORSKIT_NO_EXTENSIONS=1: Python)."""
    from corskit import asgi

    return "C speedups" if asgi.SPEEDUPS else "pure Python"


def build(variant: str, many: bool) -> Callable[..., Any]:
    """The ASGI app for one variant."""
    if variant == "bare":
        return bare_app
    if variant == "noop":
        return NoopMiddleware(bare_app)
    if variant == "min-wrapper":
        return MinimalHeaderMiddleware(bare_app)
    if variant == "starlette":
        from starlette.middleware.cors import CORSMiddleware as StarletteCORS

        return StarletteCORS(bare_app, **(MANY_STARLETTE if many else SETTINGS))
    from corskit import CORSMiddleware

    if variant == "corskit-dynamic":
        # Issue 6: the same policy with the origin answered by a cached allow_origin_func.
        allowed = frozenset(SETTINGS["allow_origins"])

        async def is_allowed(origin: str) -> bool:
            return origin in allowed

        from corskit import OriginFunction

        # Answers cached for an hour: every timed call is a cache hit, which never suspends
        # (verify() fills the cache first, on a real event loop).
        check = OriginFunction(is_allowed, ttl=3600)
        return CORSMiddleware(
            bare_app, **{**SETTINGS, "allow_origins": [], "allow_origin_func": check}
        )
    return CORSMiddleware(bare_app, **(MANY_CORSKIT if many else SETTINGS))


def call_recorded(app: Callable[..., Any], sc: dict[str, Any]) -> tuple[int, Headers]:
    sent: list[dict[str, Any]] = []

    async def record(message: dict[str, Any]) -> None:
        sent.append(message)

    run(app, sc, record)
    starts = [m for m in sent if m["type"] == "http.response.start"]
    if len(starts) != 1:
        raise AssertionError(f"expected one http.response.start, got {len(starts)}")
    return starts[0]["status"], [
        (bytes(n).lower(), bytes(v)) for n, v in starts[0].get("headers") or []
    ]


def run(app: Callable[..., Any], sc: dict[str, Any], send: Any) -> None:
    coro = app(sc, receive, send)
    try:
        coro.send(None)
    except StopIteration:
        return
    coro.close()
    raise AssertionError("the ASGI call suspended; the benchmark needs a non-suspending app")


def verify(case: Case, variant: str, app: Callable[..., Any]) -> None:
    """Run once and check status and headers before timing."""
    if variant == "corskit-dynamic":  # the first answer comes from the function: a real loop
        asyncio.run(app(dict(case.scope), receive, discard))
    status, headers = call_recorded(app, dict(case.scope))
    exp = case.expect.get(variant) or case.expect.get(variant.split("-")[0], Expect(200))
    problems = []
    if status != exp.status:
        problems.append(f"status {status} != {exp.status}")
    for name, want in exp.headers.items():
        got = [v for n, v in headers if n == name]
        if want is None and got:
            problems.append(f"{name.decode()} present: {got!r}")
        elif want is not None and got != [want]:
            problems.append(f"{name.decode()} = {got!r}, want [{want!r}]")
    if [n for n, _ in headers].count(b"access-control-allow-origin") > 1:
        problems.append("more than one ACAO")
    vary = b", ".join(v for n, v in headers if n == b"vary").lower()
    for item in exp.vary_has:
        if item not in vary:
            problems.append(f"Vary {vary!r} lacks {item.decode()}")
    if problems:
        raise SystemExit(f"verification failed: {case.name} / {variant}: " + "; ".join(problems))


def fresh_copy(sc: dict[str, Any]) -> dict[str, Any]:
    """A copy of *sc* whose header names and values are new bytes objects.

    ASGI servers build new bytes for every request, so their hashes are not cached yet;
    reusing one scope would hide the cost of hashing (or of anything else per-object).
    """
    return {**sc, "headers": [(n[:1] + n[1:], v[:1] + v[1:]) for n, v in sc["headers"]]}


def time_batch(app: Callable[..., Any], sc: dict[str, Any], n: int, fresh: bool = True) -> float:
    """Mean ns per call over *n* calls (gc off, as timeit does).

    With *fresh*, every call gets its own scope with new header bytes (built before the
    clock starts), as from a real server; otherwise one scope is reused.
    """
    scopes = [fresh_copy(sc) for _ in range(n)] if fresh else [sc] * n

    async def batch() -> None:
        # Awaited inside one coroutine, as a server's task awaits the app: no per-call
        # StopIteration, so the harness adds as little as possible to every variant.
        for s in scopes:
            await app(s, receive, discard)

    coro = batch()
    gc_was = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter_ns()
        try:
            coro.send(None)
        except StopIteration:
            pass
        else:
            raise AssertionError(
                "the ASGI call suspended; the benchmark needs a non-suspending app"
            )
        t1 = time.perf_counter_ns()
    finally:
        coro.close()
        if gc_was:
            gc.enable()
    return (t1 - t0) / n


def calibrate(app: Callable[..., Any], sc: dict[str, Any], target_s: float, cap: int) -> int:
    """Calls per batch so that one batch takes about *target_s* (at most *cap* calls)."""
    n = 16
    while True:
        per = time_batch(app, sc, n)
        if per * n >= target_s * 1e9 / 4 or n >= cap:
            return max(16, min(cap, int(target_s * 1e9 / max(per, 1.0))))
        n *= 4


def machine_busy(interval: float = 0.5) -> float:
    """Busy % of all CPUs over *interval* seconds, from /proc/stat."""

    def snap() -> tuple[int, int]:
        with open("/proc/stat") as f:
            parts = [int(x) for x in f.readline().split()[1:]]
        idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
        return idle, sum(parts[:8])

    try:
        i0, t0 = snap()
        time.sleep(interval)
        i1, t1 = snap()
    except OSError:
        return float("nan")
    return 100.0 * (1 - (i1 - i0) / max(t1 - t0, 1))


def loadavg() -> str:
    try:
        return " ".join(os.getloadavg().__repr__().strip("()").split(", "))
    except OSError:
        return "n/a"


def quartiles(xs: list[float]) -> tuple[float, float, float]:
    if len(xs) < 4:
        return min(xs), statistics.median(xs), max(xs)
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[1], q[2]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument(
        "--repeats", type=int, default=31, help="interleaved repeats per case (default 31)"
    )
    ap.add_argument(
        "--batch-ms", type=float, default=20.0, help="target time per batch, ms (default 20)"
    )
    ap.add_argument("--quick", action="store_true", help="5 repeats of 5 ms batches (smoke test)")
    ap.add_argument(
        "--json", metavar="PATH", help="also write the results as JSON (for benchmarks/chart.py)"
    )
    ap.add_argument(
        "--floor",
        action="store_true",
        help="also time two reference middlewares: a pass-through and a minimal header adder",
    )
    ap.add_argument(
        "--reuse-scope",
        action="store_true",
        help="reuse one scope per case instead of fresh header bytes per call",
    )
    ap.add_argument("--only", metavar="TEXT", help="run only the cases whose name contains TEXT")
    args = ap.parse_args(argv)
    if args.quick:
        args.repeats, args.batch_ms = 5, 5.0

    import starlette

    import corskit

    variants: tuple[str, ...] = ("bare", "starlette", "corskit")
    if args.floor:
        variants += ("noop", "min-wrapper")
    busy_before = machine_busy()
    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), starlette {starlette.__version__}, "
        f"corskit {corskit.__version__} ({speedups_state()}), {os.cpu_count()} CPUs, {platform.machine()}"
    )
    print(f"machine before: busy {busy_before:.0f}%  loadavg {loadavg()}")
    print(
        f"{args.repeats} interleaved repeats per case, batches of ~{args.batch_ms:g} ms; "
        "median µs/call [interquartile range]; ratios: median of the per-repeat ratios\n"
    )

    results = []
    started = time.monotonic()
    prepared = []
    for case in cases():
        if args.only and args.only not in case.name:
            continue
        case_variants = variants if case.many or case.hostile else (*variants, "corskit-dynamic")
        apps = {v: build(v, case.many) for v in case_variants}
        for v in case_variants:
            verify(case, v, apps[v])
        # Fresh scopes are built before each batch: cap the batch's memory (~16 MB).
        size = sum(len(n) + len(v) + 80 for n, v in case.scope["headers"]) + 600
        cap = max(64, min(20000, 16_000_000 // size))
        sizes = {
            v: calibrate(apps[v], case.scope, args.batch_ms / 1000, cap) for v in case_variants
        }
        prepared.append((case, apps, sizes, {v: [] for v in case_variants}))
    # Repeats outermost, then cases, then the three variants back to back (rotating order):
    # a burst of foreign load or a change of CPU speed hits every case and variant alike,
    # and the ratios are taken per repeat, between batches timed next to each other.
    for r in range(args.repeats):
        for case, apps, sizes, samples in prepared:
            names = tuple(apps)
            order = names[r % len(names) :] + names[: r % len(names)]
            for v in order:
                samples[v].append(
                    time_batch(apps[v], case.scope, sizes[v], not args.reuse_scope) / 1000
                )
    for case, _apps, sizes, samples in prepared:
        row: dict[str, Any] = {"case": case.name, "hostile": case.hostile}
        for v in samples:
            q1, med, q3 = quartiles(samples[v])
            row[v] = {
                "median_us": med,
                "q1_us": q1,
                "q3_us": q3,
                "calls_per_batch": sizes[v],
                "samples_us": samples[v],
            }
        paired = [c / s for c, s in zip(samples["corskit"], samples["starlette"], strict=True)]
        row["corskit_vs_starlette"] = statistics.median(paired)
        row["corskit_vs_starlette_iqr"] = quartiles(paired)[::2]
        if "corskit-dynamic" in samples:
            row["dynamic_vs_static"] = statistics.median(
                d / c for d, c in zip(samples["corskit-dynamic"], samples["corskit"], strict=True)
            )
        row["corskit_vs_bare"] = statistics.median(
            c / b for c, b in zip(samples["corskit"], samples["bare"], strict=True)
        )
        results.append(row)
    busy_after = machine_busy()

    def cell(d: dict[str, float]) -> str:
        return f"{d['median_us']:7.3f} [{d['q1_us']:.3f}-{d['q3_us']:.3f}]"

    head = (
        f"{'case':<42} {'bare':>22} {'starlette':>22} {'corskit':>22} {'ck/starlette':>12} "
        f"{'[IQR]':>13} {'ck/bare':>8}"
    )
    print(head)
    print("-" * len(head))
    for row in results:
        lo, hi = row["corskit_vs_starlette_iqr"]
        print(
            f"{row['case']:<42} {cell(row['bare']):>22} {cell(row['starlette']):>22} {cell(row['corskit']):>22} "
            f"{row['corskit_vs_starlette']:>11.3f}x {f'[{lo:.3f}-{hi:.3f}]':>13} {row['corskit_vs_bare']:>7.2f}x"
        )
    if args.floor:
        print(
            "\nreference middlewares (--floor), µs/call and ratio to Starlette (median of per-repeat ratios):"
        )
        for row in results:
            parts = []
            for v in ("noop", "min-wrapper"):
                ratio = statistics.median(
                    x / st
                    for x, st in zip(
                        row[v]["samples_us"], row["starlette"]["samples_us"], strict=True
                    )
                )
                row[f"{v}_vs_starlette"] = ratio
                parts.append(f"{v} {cell(row[v])} {ratio:.3f}x")
            print(f"{row['case']:<42} " + "   ".join(parts))
    print(
        f"\nmachine after: busy {busy_after:.0f}%  loadavg {loadavg()}  ({time.monotonic() - started:.0f} s)"
    )

    ok = True
    worst = max(r["corskit_vs_starlette"] for r in results) if results else 0.0
    print(
        f"target corskit <= 0.25x Starlette in every case: worst {worst:.3f}x -> {'PASS' if worst <= 0.25 else 'FAIL'}"
    )
    ok &= worst <= 0.25
    for r in results:
        if "dynamic_vs_static" in r:
            ratio = r["dynamic_vs_static"]
            d = r["corskit-dynamic"]
            print(
                f"target cached allow_origin_func within 1.5x of the static list: {r['case']}: "
                f"{d['median_us']:.3f} µs, {ratio:.2f}x -> {'PASS' if ratio <= 1.5 else 'FAIL'}"
            )
            ok &= ratio <= 1.5
    pre = next((r for r in results if r["case"] == "preflight"), None)
    if pre is not None:
        for r in results:
            if r["hostile"]:
                # Paired per repeat: both batches ran within the same repeat.
                ratio = statistics.median(
                    h / p
                    for h, p in zip(
                        r["corskit"]["samples_us"], pre["corskit"]["samples_us"], strict=True
                    )
                )
                r["corskit_vs_preflight"] = ratio
                print(
                    f"target hostile within 3x of a preflight: {r['case']}: {ratio:.2f}x -> {'PASS' if ratio <= 3 else 'FAIL'}"
                )
                ok &= ratio <= 3
    if args.json:
        meta = {
            "python": platform.python_version(),
            "starlette": starlette.__version__,
            "corskit": corskit.__version__,
            "corskit_speedups": speedups_state(),
            "cpus": os.cpu_count(),
            "machine": platform.machine(),
            "busy_before": busy_before,
            "busy_after": busy_after,
            "repeats": args.repeats,
            "batch_ms": args.batch_ms,
            "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        }
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "results": results}, f, indent=2)
        print(f"wrote {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
