"""End-to-end load benchmark: uvicorn + wrk, bare app vs Starlette's CORSMiddleware vs corskit.

One documented command (installs wrk if missing)::

    scripts/bench-load.sh                 # 4 cases x 3 servers x 5 repeats x 3 s: about 4 minutes
    scripts/bench-load.sh --quick         # 1 repeat of 1 s: a smoke test, not a measurement

Method (written up in ``docs/benchmarks.md``): three uvicorn servers (one worker each,
``--loop uvloop --http httptools --no-access-log``) are pinned to CPU 0 with ``taskset``;
``wrk -t1 -c32`` is pinned to CPU 1; everything on 127.0.0.1. Every response is checked
once before timing. Each case runs a warm-up per server, then the repeats, alternating the
order of the three servers. Reported per case and server: requests/s (median of the
repeats, with min-max), the ratio to the bare app (median of the per-repeat ratios, so
that a slow spell of the machine hits both sides of each ratio), and the server's CPU time
per request from ``/proc/PID/stat`` (less sensitive to foreign load than requests/s).

It refuses to report (exit status 3, saying why) when the machine was busy: before the
run (idle servers, ``/proc/stat``) and during every timed run, where CPU time used by
processes other than the server under test and wrk is measured as ``/proc/stat`` busy
time minus theirs; and when CPU 0 changed speed (a fixed loop timed before and after
each run: on a virtual machine the host can slow a CPU without a trace in /proc/stat).
``--force`` prints the numbers anyway, marked UNRELIABLE.

Target: corskit keeps at least 0.95 of the bare app's requests/s in every case.
Exit status: 0 all targets met, 1 a target missed, 2 a set-up error, 3 refused (busy).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from loadapps import ORIGIN  # noqa: E402

EVIL = "https://evil.example"
VARIANTS: tuple[str, ...] = ("bare", "starlette", "corskit")
FLOOR = ("noop", "min_wrapper")  # reference middlewares (--floor), see loadapps.py
CLK_TCK = os.sysconf("SC_CLK_TCK")
SERVER_CPU, CLIENT_CPU = "0", "1"


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    headers: dict[str, str]
    # variant -> (status, {header: value or None for "absent"})
    expect: dict[str, tuple[int, dict[str, str | None]]]


def cases() -> list[Case]:
    plain = (200, {"access-control-allow-origin": None})
    granted = (
        200,
        {"access-control-allow-origin": ORIGIN, "access-control-allow-credentials": "true"},
    )
    return [
        Case(
            "GET, allowed Origin",
            "GET",
            {"Origin": ORIGIN},
            {"bare": plain, "starlette": granted, "corskit": granted},
        ),
        Case(
            "preflight",
            "OPTIONS",
            {
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "content-type,x-custom",
            },
            {
                "bare": plain,
                "starlette": (200, {"access-control-allow-origin": ORIGIN}),
                "corskit": (
                    204,
                    {
                        "access-control-allow-origin": ORIGIN,
                        "access-control-allow-methods": "PUT",
                        "access-control-allow-headers": "content-type,x-custom",
                    },
                ),
            },
        ),
        Case(
            "GET, no Origin",
            "GET",
            {},
            {
                "bare": plain,
                "starlette": (200, {"access-control-allow-origin": None, "vary": "Origin"}),
                "corskit": (200, {"access-control-allow-origin": None, "vary": "Origin"}),
            },
        ),
        Case(
            "GET, disallowed Origin",
            "GET",
            {"Origin": EVIL},
            {
                "bare": plain,
                "starlette": (200, {"access-control-allow-origin": None}),
                "corskit": (
                    200,
                    {"access-control-allow-origin": None, "access-control-allow-credentials": None},
                ),
            },
        ),
    ]


# --- machine state --------------------------------------------------------------------------


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:9]]
    idle = parts[3] + parts[4]
    total = sum(parts)
    return total - idle, total


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of *pid* (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def speed_probe() -> float:
    """Seconds a fixed pure-Python loop takes on CPU 0 (best of 3).

    On a virtual machine the host can slow a CPU down without any trace in /proc/stat
    (another guest on the sibling hyper-thread, frequency changes); comparing the probe
    before and after a run catches that.
    """
    old = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {int(SERVER_CPU)})
    try:
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            x = 0
            for i in range(100_000):
                x += i
            best = min(best, time.perf_counter() - t0)
        return best
    finally:
        os.sched_setaffinity(0, old)


def busy_percent(seconds: float) -> float:
    b0, t0 = cpu_ticks()
    time.sleep(seconds)
    b1, t1 = cpu_ticks()
    return 100.0 * (b1 - b0) / max(t1 - t0, 1)


# --- servers and wrk ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    variant: str
    port: int
    proc: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


def start_server(variant: str, stack: ExitStack) -> Server:
    port = free_port()
    cmd = [
        "taskset",
        "-c",
        SERVER_CPU,
        sys.executable,
        "-m",
        "uvicorn",
        f"loadapps:{variant}",
        "--app-dir",
        str(HERE),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--lifespan",
        "off",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stack.callback(stop, proc)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise SystemExit(f"error: uvicorn for {variant} exited: {err.strip()[-500:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return Server(variant, port, proc)
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"error: uvicorn for {variant} did not start within 20 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def check(server: Server, case: Case) -> None:
    """One request with the standard library; the status and headers must be as expected."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request(case.method, "/", headers=case.headers)
        resp = conn.getresponse()
        resp.read()
        status, headers = resp.status, {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()
    want_status, want = case.expect.get(server.variant, (200, {}))
    problems = [f"status {status} != {want_status}"] if status != want_status else []
    for name, value in want.items():
        got = headers.get(name)
        if value is None and got is not None:
            problems.append(f"{name} present ({got!r})")
        elif value is not None and (got is None or value not in got):
            problems.append(f"{name} = {got!r}, want {value!r}")
    if problems:
        raise SystemExit(f"error: {server.variant} / {case.name}: " + "; ".join(problems))


def lua_script(case: Case, directory: str) -> str:
    lines = [f'wrk.method = "{case.method}"']
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in case.headers.items()]
    path = os.path.join(directory, re.sub(r"\W+", "_", case.name) + ".lua")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


@dataclass
class Run:
    rps: float
    requests: int
    non2xx: int
    errors: int
    p50_ms: float
    p99_ms: float
    server_us_per_req: float
    foreign_cores: float  # CPU used by other processes during the run, in cores
    speed_drift: float = 1.0  # speed probe after / before the run (1.0: unchanged)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _latency(out: str, pct: str) -> float:
    m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    return float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")


def wrk(server: Server, lua: str, seconds: int, connections: int) -> Run:
    probe0 = speed_probe()
    busy0, _ = cpu_ticks()
    server0 = process_cpu(server.proc.pid)
    child0 = children_cpu()
    start = time.monotonic()
    cmd = [
        "taskset",
        "-c",
        CLIENT_CPU,
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "2s",
        "-s",
        lua,
        server.url,
    ]
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=seconds + 30, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise SystemExit(f"error: wrk did not finish: {exc}") from None
    wall = time.monotonic() - start
    busy1, _ = cpu_ticks()
    server_cpu = process_cpu(server.proc.pid) - server0
    wrk_cpu = children_cpu() - child0
    out = done.stdout
    if done.returncode != 0 or "Requests/sec" not in out:
        raise SystemExit(
            f"error: wrk failed ({done.returncode}): {(done.stderr or out).strip()[-400:]}"
        )
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx_m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    err_m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    foreign = (busy1 - busy0) / CLK_TCK - server_cpu - wrk_cpu
    drift = speed_probe() / probe0
    return Run(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        requests=requests,
        non2xx=int(non2xx_m.group(1)) if non2xx_m else 0,
        errors=sum(int(x) for x in err_m.groups()) if err_m else 0,
        p50_ms=_latency(out, "50"),
        p99_ms=_latency(out, "99"),
        server_us_per_req=1e6 * server_cpu / max(requests, 1),
        foreign_cores=max(foreign, 0.0) / wall,
        speed_drift=drift,
    )


# --- main -------------------------------------------------------------------------------------


@dataclass
class Result:
    case: str
    runs: dict[str, list[Run]] = field(default_factory=dict)


def versions() -> dict[str, str]:
    import starlette
    import uvicorn

    import corskit

    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next(
                (line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), ""
            )
    except OSError:
        pass
    return {
        "python": platform.python_version(),
        "corskit": corskit.__version__,
        "starlette": starlette.__version__,
        "uvicorn": uvicorn.__version__,
        "wrk": (wrk_version.stdout or wrk_version.stderr).split(" [")[0].strip(),
        "cpu": model,
        "cpus": str(os.cpu_count()),
        "kernel": platform.release(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="uvicorn + wrk: bare app vs Starlette CORSMiddleware vs corskit"
    )
    ap.add_argument("--duration", type=int, default=3, help="seconds per timed run (default 3)")
    ap.add_argument(
        "--repeats", type=int, default=5, help="timed runs per case and server (default 5)"
    )
    ap.add_argument(
        "--warmup", type=int, default=1, help="warm-up seconds per case and server (default 1)"
    )
    ap.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    ap.add_argument(
        "--max-busy",
        type=float,
        default=10.0,
        help="refuse when the idle machine is busier than this %% before the run (default 10)",
    )
    ap.add_argument(
        "--max-foreign",
        type=float,
        default=0.15,
        help="refuse when other processes used more than this many cores during a run (default 0.15)",
    )
    ap.add_argument(
        "--max-drift",
        type=float,
        default=0.15,
        help="refuse when CPU 0's speed changed by more than this fraction during a run (default 0.15)",
    )
    ap.add_argument(
        "--floor",
        action="store_true",
        help="also serve two reference middlewares (a pass-through, a minimal header adder)",
    )
    ap.add_argument(
        "--force", action="store_true", help="report even when the machine was busy (UNRELIABLE)"
    )
    ap.add_argument(
        "--quick", action="store_true", help="1 repeat of 1 s, no warm-up: a smoke test"
    )
    ap.add_argument("--only", metavar="TEXT", help="run only the cases whose name contains TEXT")
    ap.add_argument(
        "--json", metavar="PATH", help="also write the results as JSON (for benchmarks/chart.py)"
    )
    args = ap.parse_args(argv)
    if args.quick:
        args.duration, args.repeats, args.warmup = 1, 1, 0
    if args.duration < 1 or args.repeats < 1 or args.warmup < 0:
        ap.error("--duration and --repeats must be at least 1, --warmup at least 0")

    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            print(f"error: {tool} not found (scripts/bench-load.sh installs wrk)", file=sys.stderr)
            return 2
    if (os.cpu_count() or 1) < 2:
        print("error: needs 2 CPUs (server on CPU 0, wrk on CPU 1)", file=sys.stderr)
        return 2

    variants = VARIANTS + (FLOOR if args.floor else ())
    info = versions()
    print(" ".join(f"{k} {v}" for k, v in info.items()))
    todo = [c for c in cases() if not args.only or args.only in c.name]
    runs_total = len(todo) * len(variants) * (args.repeats * args.duration + args.warmup)
    print(
        f"{len(todo)} cases x {len(variants)} servers x {args.repeats} runs of {args.duration:g} s "
        f"(+{args.warmup:g} s warm-up): about {runs_total / 60:.1f} min"
    )

    refusals: list[str] = []
    results: list[Result] = []
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        servers = {v: start_server(v, stack) for v in variants}
        for case in todo:
            for v in variants:
                check(servers[v], case)
        time.sleep(0.5)
        before = busy_percent(2.0)
        probes = [speed_probe() for _ in range(5)]
        spread = max(probes) / min(probes)
        print(
            f"machine busy before the run (servers idle): {before:.1f}%  loadavg {os.getloadavg()[0]:.2f}  "
            f"CPU {SERVER_CPU} speed probe {min(probes) * 1000:.1f} ms (spread {spread:.2f}x)"
        )
        if before > args.max_busy:
            refusals.append(
                f"the machine was {before:.1f}% busy before the run (limit {args.max_busy:g}%)"
            )
        if spread - 1 > args.max_drift:
            refusals.append(
                f"CPU {SERVER_CPU}'s speed varied {spread:.2f}x while idle (limit {1 + args.max_drift:g}x)"
            )
            if not args.force:
                return refuse(refusals)
        for case in todo:
            lua = lua_script(case, tmp)
            result = Result(case.name, {v: [] for v in variants})
            for v in variants:
                if args.warmup > 0:
                    wrk(servers[v], lua, args.warmup, args.connections)
            for r in range(args.repeats):
                order = variants[r % len(variants) :] + variants[: r % len(variants)]
                for v in order:
                    run = wrk(servers[v], lua, args.duration, args.connections)
                    result.runs[v].append(run)
                    if run.foreign_cores > args.max_foreign:
                        refusals.append(
                            f"{case.name} / {v} run {r + 1}: other processes used {run.foreign_cores:.2f} cores "
                            f"(limit {args.max_foreign:g})"
                        )
                    if abs(run.speed_drift - 1) > args.max_drift:
                        refusals.append(
                            f"{case.name} / {v} run {r + 1}: CPU {SERVER_CPU} ran {run.speed_drift:.2f}x as long on a "
                            f"fixed loop after the run as before (limit ±{args.max_drift:g}): the host is sharing it"
                        )
                    if run.errors or (
                        run.non2xx and not (v == "corskit" and case.method == "OPTIONS")
                    ):
                        refusals.append(
                            f"{case.name} / {v}: {run.errors} socket errors, {run.non2xx} non-2xx"
                        )
                    if refusals and not args.force:
                        return refuse(refusals)
            results.append(result)
    ok = report(results, args)
    if refusals:
        print("\nUNRELIABLE (--force): " + "; ".join(refusals))
    if args.json:
        payload = {
            "meta": {
                **info,
                "busy_before": before,
                "duration": args.duration,
                "repeats": args.repeats,
                "connections": args.connections,
                "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                "unreliable": refusals,
            },
            "results": [
                {
                    "case": r.case,
                    **{v: [run.__dict__ for run in runs] for v, runs in r.runs.items()},
                }
                for r in results
            ],
        }
        with open(args.json, "w") as f:
            json.dump(payload, f, indent=2)
        print(f"wrote {args.json}")
    if refusals:
        return 3
    return 0 if ok else 1


def refuse(reasons: list[str]) -> int:
    print(
        "\nREFUSED: the machine was busy, so the numbers would not mean anything:", file=sys.stderr
    )
    for reason in reasons:
        print(f"  - {reason}", file=sys.stderr)
    print(
        "Run it again on a quiet machine (or pass --force to see unreliable numbers).",
        file=sys.stderr,
    )
    return 3


def report(results: list[Result], args: argparse.Namespace) -> bool:
    ok = True
    print(
        "\n/bare: median of the per-repeat ratios (the three servers of a repeat ran back to back)"
    )
    print(
        f"{'case':<24} {'server':<10} {'req/s median':>12} {'[min-max]':>17} {'/bare':>6} {'[min-max]':>13} "
        f"{'CPU µs/req':>10} {'p50 ms':>7} {'p99 ms':>7}"
    )
    for r in results:
        bare_runs = r.runs["bare"]
        for v in r.runs:
            runs = r.runs[v]
            rps = [run.rps for run in runs]
            med = statistics.median(rps)
            paired = [run.rps / b.rps for run, b in zip(runs, bare_runs, strict=True)]
            cpu = statistics.median(run.server_us_per_req for run in runs)
            print(
                f"{r.case:<24} {v:<10} {med:>12.0f} {f'[{min(rps):.0f}-{max(rps):.0f}]':>17} "
                f"{statistics.median(paired):>6.3f} {f'[{min(paired):.2f}-{max(paired):.2f}]':>13} "
                f"{cpu:>10.1f} {statistics.median(run.p50_ms for run in runs):>7.2f} "
                f"{statistics.median(run.p99_ms for run in runs):>7.2f}"
            )
        ratio = paired_ratio(r, "corskit")
        verdict = "PASS" if ratio >= 0.95 else "FAIL"
        ok &= ratio >= 0.95
        print(f"{'':<24} target corskit/bare >= 0.95: {ratio:.3f} -> {verdict}")
    return ok


def paired_ratio(result: Result, variant: str) -> float:
    """Median over the repeats of requests/s of *variant* / the bare app's in that repeat."""
    return statistics.median(
        run.rps / bare.rps
        for run, bare in zip(result.runs[variant], result.runs["bare"], strict=True)
    )


if __name__ == "__main__":
    sys.exit(main())
