"""Floods and misbehaving origin functions, in-process: memory and time stay bounded.

Each flood is bounded in count and asserts the process's resident memory grows by less
than 64 MB; no request outlives its origin function's timeout by more than 100 ms. The
failures they guard against: a cache keyed on huge header values, a thread-pool queue
that grows per request behind a hung function, ``asyncio.wait_for`` waiting for a
function that is slow to stop, a thread and an event loop per policy, and exceptions
that are not ``Exception`` escaping into the server.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from corskit import CORSMiddleware, CORSPolicy, OriginFunction
from corskit.wsgi import CORSMiddleware as WSGIMiddleware

MB = 1024 * 1024
RSS_LIMIT = 64 * MB
LATE = 0.1  # seconds a request may outlive its origin function's timeout
ACAO = b"access-control-allow-origin"

pytestmark = pytest.mark.skipif(
    not os.path.exists("/proc/self/statm"), reason="reads /proc (Linux)"
)


def rss() -> int:
    gc.collect()
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture(autouse=True)
def quiet() -> Iterator[None]:
    """Floods log a warning per failed check: keep them out of pytest's log capture."""
    logger = logging.getLogger("corskit")
    old = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(old)


async def ok(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": b"ok"})


async def ask(
    app: Any, origin: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> dict[bytes, bytes]:
    """One GET through the ASGI app in-process: the response's headers."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), (b"origin", origin), *(extra or [])],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    assert sent and sent[0]["type"] == "http.response.start", "the request was left unanswered"
    return dict(sent[0]["headers"])


def wsgi_ask(app: Any, origin: str) -> dict[str, str]:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_ORIGIN": origin, "wsgi.input": None}
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started.append(headers)
        return lambda data: None

    b"".join(app(environ, start_response))
    return {n.lower(): v for n, v in started[0]}


def wsgi_ok(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


async def timed(app: Any, origin: bytes) -> tuple[float, dict[bytes, bytes]]:
    start = time.monotonic()
    headers = await ask(app, origin)
    return time.monotonic() - start, headers


# -- memory: cache keys built from request headers ----------------------------------------


def test_flood_of_huge_declared_header_values_does_not_grow_the_cache() -> None:
    # 300 requests, each with its own 1 MB X-Forwarded-Host: before, every value became a
    # cache key (+300 MB). Values that long are never keyed now; the function still answers.
    check = OriginFunction(
        lambda origin, headers: True, headers=["X-Forwarded-Host"], threads=0, ttl=3600
    )
    app = CORSMiddleware(ok, policy=CORSPolicy(allow_origin_func=check))

    async def flood() -> None:
        for i in range(300):
            value = str(i).encode() + b"x" * MB
            headers = await ask(app, b"https://tenant.example", [(b"x-forwarded-host", value)])
            assert headers[ACAO] == b"https://tenant.example"

    before = rss()
    asyncio.run(flood())
    grown = rss() - before
    print(f"RSS growth: {grown / MB:.1f} MB")
    assert grown < RSS_LIMIT, f"RSS grew by {grown / MB:.0f} MB"
    assert check._cache.size_in_bytes <= check.max_bytes


def test_the_origin_function_cache_is_bounded_in_bytes() -> None:
    check = OriginFunction(
        lambda origin, headers: True, headers=["X-Tenant"], threads=0, max_bytes=64 * 1024
    )
    for i in range(2000):
        check.check_sync(b"https://a.example", {b"x-tenant": b"%d" % i + b"t" * 1000}.get)
    assert check._cache.size_in_bytes <= 64 * 1024
    assert 0 < len(check._cache) < 64


def test_bounded_cache_evicts_oldest_first_and_never_stores_oversized_keys() -> None:
    from corskit.bounded import BoundedCache

    cache: BoundedCache[bytes, int] = BoundedCache(max_entries=100, max_bytes=10_000)
    for i in range(1000):
        cache.remember(b"k%d" % i, i)
        assert len(cache) <= 100 and cache.size_in_bytes <= 10_000
    assert b"k999" in cache and b"k0" not in cache
    assert cache.remember(b"x" * 20_000, 1) == 1 and b"x" * 20_000 not in cache


# -- memory and time: a hung sync function --------------------------------------------------


def test_flood_behind_a_hung_sync_function_is_refused_fast_and_bounded() -> None:
    # A function that never returns, one pool thread: before, every request left a
    # cancelled job in the pool's unbounded queue (100,000 requests: +260 MB in uvicorn).
    release = threading.Event()
    check = OriginFunction(lambda origin: release.wait(), threads=1, timeout=0.005, error_ttl=0)
    app = CORSMiddleware(ok, policy=CORSPolicy(allow_origin_func=check))

    async def flood() -> None:
        for batch in range(50):
            answers = await asyncio.gather(
                *(ask(app, b"https://o%d-%d.example" % (batch, i)) for i in range(2000))
            )
            assert all(ACAO not in headers for headers in answers)

    try:
        before = rss()
        asyncio.run(flood())
        grown = rss() - before
        print(f"RSS growth: {grown / MB:.1f} MB")
        assert grown < RSS_LIMIT, f"RSS grew by {grown / MB:.0f} MB"
        pool = check._pool()
        assert pool._queued <= pool._max_queued
    finally:
        release.set()


# -- time: an async function slow to stop after cancellation ------------------------------


async def stubborn(origin: str) -> bool:
    try:
        await asyncio.sleep(30)
    finally:
        await asyncio.sleep(1.0)  # slow to stop: ignores the cancellation for a second
    return True


def test_async_function_slow_to_stop_does_not_hold_the_request_asgi() -> None:
    timeout = 0.2
    check = OriginFunction(stubborn, timeout=timeout, error_ttl=0)
    app = CORSMiddleware(ok, policy=CORSPolicy(allow_origin_func=check))

    async def run() -> list[tuple[float, dict[bytes, bytes]]]:
        return await asyncio.gather(*(timed(app, b"https://s%d.example" % i) for i in range(20)))

    results = asyncio.run(run())
    slowest = max(elapsed for elapsed, _ in results)
    print(f"slowest request: {slowest:.3f}s (timeout {timeout}s)")
    assert all(ACAO not in headers for _, headers in results)
    assert slowest < timeout + LATE, f"a request took {slowest:.3f}s with a {timeout}s timeout"


def test_async_function_slow_to_stop_does_not_hold_the_request_wsgi() -> None:
    timeout = 0.2
    check = OriginFunction(stubborn, timeout=timeout, error_ttl=0)
    app = WSGIMiddleware(wsgi_ok, policy=CORSPolicy(allow_origin_func=check))
    for i in range(3):
        start = time.monotonic()
        headers = wsgi_ask(app, f"https://w{i}.example")
        elapsed = time.monotonic() - start
        assert "access-control-allow-origin" not in headers
        assert elapsed < timeout + LATE, f"a request took {elapsed:.3f}s with a {timeout}s timeout"


def test_hung_sync_function_bounds_the_request() -> None:
    timeout = 0.2
    release = threading.Event()
    check = OriginFunction(lambda origin: release.wait(), threads=2, timeout=timeout, error_ttl=0)
    app = CORSMiddleware(ok, policy=CORSPolicy(allow_origin_func=check))

    async def run() -> list[tuple[float, dict[bytes, bytes]]]:
        return await asyncio.gather(*(timed(app, b"https://h%d.example" % i) for i in range(20)))

    try:
        results = asyncio.run(run())
    finally:
        release.set()
    slowest = max(elapsed for elapsed, _ in results)
    print(f"slowest request: {slowest:.3f}s (timeout {timeout}s)")
    assert slowest < timeout + LATE, f"a request took {slowest:.3f}s with a {timeout}s timeout"


# -- reconfiguring: no thread, no file descriptor per policy --------------------------------


async def async_allows_tenant(origin: str) -> bool:
    return origin == "https://tenant.example"


def sync_allows_tenant(origin: str) -> bool:
    return origin == "https://tenant.example"


@pytest.mark.parametrize("func", [async_allows_tenant, sync_allows_tenant], ids=["async", "sync"])
def test_reconfigure_with_a_bare_function_and_credentials_leaks_nothing(func: Any) -> None:
    # Before, each new policy's start-up probe started its own thread (and, for an async
    # function, its own event loop: three file descriptors) that never ended.
    app = CORSMiddleware(ok, allow_origin_func=func, allow_credentials=True)
    threads, fds = threading.active_count(), open_fds()
    for _ in range(200):
        app.reconfigure(allow_origin_func=func, allow_credentials=True)
    assert threading.active_count() - threads < 10
    assert open_fds() - fds < 10
    headers = asyncio.run(ask(app, b"https://tenant.example"))
    assert headers[ACAO] == b"https://tenant.example"


# -- exceptions that are not Exceptions -------------------------------------------------


async def raises_cancelled(origin: str) -> bool:
    raise asyncio.CancelledError


def raises_system_exit(origin: str) -> bool:
    raise SystemExit(3)


async def async_raises_system_exit(origin: str) -> bool:
    raise SystemExit(3)


@pytest.mark.parametrize(
    ("func", "threads"),
    [
        (raises_cancelled, 4),
        (raises_system_exit, 4),
        (raises_system_exit, 0),
        (async_raises_system_exit, 4),
    ],
    ids=["async-cancelled", "sync-exit-in-pool", "sync-exit-inline", "async-exit"],
)
def test_base_exceptions_from_the_function_refuse_and_keep_serving(func: Any, threads: int) -> None:
    check = OriginFunction(func, threads=threads, error_ttl=0)
    app = CORSMiddleware(ok, policy=CORSPolicy(allow_origin_func=check))

    async def run() -> list[dict[bytes, bytes]]:
        first = await asyncio.wait_for(ask(app, b"https://b.example"), 5)
        second = await asyncio.wait_for(ask(app, b"https://c.example"), 5)
        return [first, second]

    try:
        answers = asyncio.run(run())
    except (SystemExit, asyncio.CancelledError) as exc:
        pytest.fail(f"{type(exc).__name__} escaped into the server")
    assert all(ACAO not in headers for headers in answers)


def test_base_exceptions_from_the_function_refuse_under_wsgi() -> None:
    for func in (raises_system_exit, async_raises_system_exit, raises_cancelled):
        app = WSGIMiddleware(
            wsgi_ok, policy=CORSPolicy(allow_origin_func=OriginFunction(func, error_ttl=0))
        )
        try:
            headers = wsgi_ask(app, "https://b.example")
        except (SystemExit, asyncio.CancelledError) as exc:
            pytest.fail(f"{type(exc).__name__} escaped into the server")
        assert "access-control-allow-origin" not in headers
