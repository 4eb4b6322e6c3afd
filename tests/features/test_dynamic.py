"""Dynamic origins: sync and async origin functions, request-aware
functions and Vary, the cache (TTL, size bound, single flight), timeouts and failures,
and the start-up probe; through a real uvicorn server."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from corskit import CORSConfigError, CORSConfigWarning, CORSMiddleware, CORSPolicy, OriginFunction
from tests.servers import serve_asgi

from .helpers import APP, EVIL, get, preflight, text_app

TENANTS = {f"https://tenant{i}.example.com" for i in range(10)}


class Switch:
    """One uvicorn server for the module; each test plugs its own middleware in."""

    def __init__(self) -> None:
        self.app: Any = text_app("unset")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def switch() -> Iterator[tuple[Switch, str]]:
    sw = Switch()
    with serve_asgi(sw) as base:
        yield sw, base


def plug(switch: tuple[Switch, str], **settings: Any) -> tuple[CORSMiddleware, str]:
    sw, base = switch
    mw = CORSMiddleware(text_app("ok"), **settings)
    sw.app = mw
    return mw, base


class Counter:
    """An async tenant lookup that counts its calls."""

    def __init__(self, delay: float = 0.0, allowed: set[str] | None = None) -> None:
        self.calls: list[str] = []
        self.delay = delay
        self.allowed = TENANTS if allowed is None else allowed

    async def __call__(self, origin: str) -> bool:
        self.calls.append(origin)
        if self.delay:
            await asyncio.sleep(self.delay)
        return origin in self.allowed


def test_async_function_allows_and_refuses(switch: tuple[Switch, str]) -> None:
    lookup = Counter()
    _, base = plug(
        switch,
        allow_origins=[APP],
        allow_origin_func=lookup,
        allow_credentials=True,
        allow_methods=["GET", "PUT"],
        expose_headers=["X-Total"],
    )
    tenant = "https://tenant3.example.com"
    r = get(base, "/x", tenant)
    assert r.cors() == {
        "access-control-allow-origin": tenant,
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": "x-total",
    }
    assert r.get("vary") == "Origin"
    assert get(base, "/x", APP).acao == APP  # the static list answers without the function
    assert APP not in lookup.calls
    assert get(base, "/x", EVIL).cors() == {}
    p = preflight(base, "/x", tenant, method="PUT")
    assert (p.status, p.acao, p.get("access-control-allow-methods")) == (204, tenant, "PUT")
    assert preflight(base, "/x", EVIL, method="PUT").status == 403
    assert (
        preflight(base, "/x", tenant, method="DELETE").status == 403
    )  # the method check still applies
    # tenant3 and evil were each asked once (plus the start-up probe's two origins)
    asked = [o for o in lookup.calls if "corskit-probe" not in o]
    assert sorted(asked) == sorted([tenant, EVIL])
    assert len(lookup.calls) == 4


def test_sync_function(switch: tuple[Switch, str]) -> None:
    seen: list[str] = []

    def allowed(origin: str) -> bool:
        seen.append(origin)
        return origin.endswith(".tenant.example")

    _, base = plug(switch, allow_origin_func=allowed)
    assert get(base, "/", "https://a.tenant.example").acao == "https://a.tenant.example"
    assert get(base, "/", "https://a.tenant.example.evil").acao is None
    assert seen == [
        "https://a.tenant.example",
        "https://a.tenant.example.evil",
    ]  # no probe without credentials


def test_200_concurrent_requests_share_calls(switch: tuple[Switch, str]) -> None:
    lookup = Counter(delay=0.05)
    _, base = plug(switch, allow_origin_func=OriginFunction(lookup, ttl=60), allow_credentials=True)
    lookup.calls.clear()
    origins = [f"https://tenant{i % 20}.example.com" for i in range(200)]  # 10 allowed, 10 not

    async def run() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=20) as client:
            return await asyncio.gather(
                *[client.get("/data", headers={"Origin": o}) for o in origins]
            )

    started = time.monotonic()
    responses = asyncio.run(run())
    elapsed = time.monotonic() - started
    for origin, response in zip(origins, responses, strict=True):
        assert response.status_code == 200
        expected = origin if origin in TENANTS else None
        assert response.headers.get("access-control-allow-origin") == expected
        assert (response.headers.get("access-control-allow-credentials") == "true") == (
            expected is not None
        )
    # single flight: each distinct origin asked at most once, whatever the concurrency
    assert len(lookup.calls) == len(set(lookup.calls)) <= 20
    assert elapsed < 15


def test_slow_async_function_times_out_and_refuses(
    switch: tuple[Switch, str], caplog: pytest.LogCaptureFixture
) -> None:
    lookup = Counter(delay=5.0)
    _, base = plug(
        switch, allow_origins=[APP], allow_origin_func=OriginFunction(lookup, timeout=0.2)
    )
    caplog.set_level(logging.WARNING, logger="corskit")
    started = time.monotonic()
    r = get(base, "/", "https://tenant1.example.com")
    assert time.monotonic() - started < 2
    assert (r.status, r.cors()) == (200, {})
    p = preflight(base, "/", "https://tenant2.example.com", method="GET")
    assert p.status == 403
    assert get(base, "/", APP).acao == APP  # static origins are unaffected
    reasons = [rec.getMessage() for rec in caplog.records if rec.name == "corskit"]
    assert any("reason=origin-check-timeout" in m and "tenant1" in m for m in reasons), reasons


def test_failing_function_refuses_logs_and_backs_off(
    switch: tuple[Switch, str], caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    async def broken(origin: str) -> bool:
        calls.append(origin)
        raise ConnectionError("database is down\nFAKE LOG LINE")

    _, base = plug(switch, allow_origin_func=OriginFunction(broken, error_ttl=30))
    caplog.set_level(logging.WARNING, logger="corskit")
    for _ in range(3):
        r = get(base, "/", "https://tenant1.example.com")
        assert (r.status, r.cors()) == (200, {})
    assert calls == ["https://tenant1.example.com"]  # the failure is cached for error_ttl
    messages = [
        rec.getMessage() for rec in caplog.records if "origin-check-error" in rec.getMessage()
    ]
    assert len(messages) == 1 and "ConnectionError" in messages[0]
    assert "\n" not in messages[0]  # escaped: no forged log lines


def test_slow_sync_function_does_not_block_the_event_loop(switch: tuple[Switch, str]) -> None:
    release = threading.Event()

    def slow(origin: str) -> bool:
        release.wait(3)
        return True

    _, base = plug(switch, allow_origins=[APP], allow_origin_func=OriginFunction(slow, timeout=1.0))
    results: dict[str, Any] = {}

    def slow_request() -> None:
        results["slow"] = get(base, "/", "https://tenant1.example.com")

    thread = threading.Thread(target=slow_request)
    thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    assert get(base, "/", APP).acao == APP  # answered while the sync function is still running
    assert time.monotonic() - started < 0.5
    thread.join(5)
    release.set()
    assert results["slow"].cors() == {}  # timed out after 1 s: refused


def test_a_function_that_never_returns_does_not_hang_shutdown() -> None:
    import subprocess
    import sys

    from .helpers import ROOT

    code = (
        "import threading\n"
        "from corskit import OriginFunction\n"
        "def stuck(origin): threading.Event().wait()\n"
        "check = OriginFunction(stuck, timeout=0.2, threads=1)\n"
        "print(check.check_sync(b'https://a.example', {}.get), check.check_sync(b'https://b.example', {}.get))\n"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip() == "(False, 'origin-check-timeout') (False, 'origin-check-timeout')"
    )
    assert time.monotonic() - started < 10


def test_request_aware_function_and_vary(switch: tuple[Switch, str]) -> None:
    asked: list[tuple[str, dict[str, str]]] = []

    def per_host(origin: str, headers: dict[str, str]) -> bool:
        asked.append((origin, headers))
        return (
            headers.get("x-forwarded-host") == "acme.api.example"
            and origin == "https://acme.example"
        )

    check = OriginFunction(per_host, headers=["X-Forwarded-Host"])
    _, base = plug(switch, allow_origins=[APP], allow_origin_func=check, allow_methods=["PUT"])
    r = get(base, "/", "https://acme.example", X_Forwarded_Host="acme.api.example", X_Other="1")
    assert r.acao == "https://acme.example"
    assert r.get("vary") == "Origin, X-Forwarded-Host"
    assert (
        get(base, "/", "https://acme.example", X_Forwarded_Host="globex.api.example").acao is None
    )
    assert get(base, "/", "https://acme.example").get("vary") == "Origin, X-Forwarded-Host"
    # every response of the policy varies on the header, static answers and refusals too
    assert get(base, "/", APP).get("vary") == "Origin, X-Forwarded-Host"
    assert get(base, "/").get("vary") == "Origin, X-Forwarded-Host"
    p = preflight(base, "/", APP, method="PUT")
    assert (
        p.get("vary")
        == "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, X-Forwarded-Host"
    )
    # only the declared header reaches the function; the cache is per (origin, header value)
    assert asked[0] == ("https://acme.example", {"x-forwarded-host": "acme.api.example"})
    assert len(asked) == 3
    get(base, "/", "https://acme.example", X_Forwarded_Host="acme.api.example")
    assert len(asked) == 3


def test_ttl_and_invalidate(switch: tuple[Switch, str]) -> None:
    allowed: set[str] = {"https://tenant1.example.com"}

    def lookup(origin: str) -> bool:
        return origin in allowed

    check = OriginFunction(lookup, ttl=0.3, negative_ttl=0.3)
    _, base = plug(switch, allow_origin_func=check)
    t1, t2 = "https://tenant1.example.com", "https://tenant2.example.com"
    assert get(base, "/", t1).acao == t1 and get(base, "/", t2).acao is None
    allowed.clear()
    allowed.add(t2)
    assert get(base, "/", t1).acao == t1  # still cached
    check.invalidate(t2)
    assert get(base, "/", t2).acao == t2  # forgotten at once
    time.sleep(0.35)
    assert get(base, "/", t1).acao is None  # expired
    check.invalidate()
    assert check._cache == {}


def test_cache_is_bounded() -> None:
    check = OriginFunction(lambda origin: origin.endswith("7.example"), max_entries=16, threads=0)
    no_headers: dict[bytes, bytes] = {}
    for i in range(500):
        check.check_sync(f"https://o{i}.example".encode(), no_headers.get)
        assert len(check._cache) <= 16
    assert check.check_sync(b"https://o7.example", no_headers.get) == (True, "actual-allowed")


def test_only_well_formed_origins_reach_the_function(switch: tuple[Switch, str]) -> None:
    seen: list[str] = []

    def record(origin: str) -> bool:
        seen.append(origin)
        return True

    _, base = plug(switch, allow_origin_func=record)
    for origin in [
        "null",
        "https://x.example/path",
        "HTTPS://X.EXAMPLE",
        "https://x.example:443/",
        "file://",
        "https://" + "a" * 600 + ".example",
        "https://x.example, https://y.example",
        "*",
        "",
    ]:
        assert get(base, "/", origin).acao is None, origin
    assert seen == []
    assert get(base, "/", "chrome-extension://abcdefgh").acao == "chrome-extension://abcdefgh"
    assert seen == ["chrome-extension://abcdefgh"]


def test_null_reaches_the_function_only_when_opted_in(switch: tuple[Switch, str]) -> None:
    seen: list[str] = []

    def only_null(origin: str) -> bool:
        seen.append(origin)
        return origin == "null"

    _, base = plug(switch, allow_origin_func=only_null, dangerously_allow_null_origin=True)
    assert get(base, "/", "null").acao == "null"
    assert seen == ["null"]
    with pytest.raises(CORSConfigError) as caught:  # with credentials the probe asks about null too
        CORSPolicy(
            allow_origin_func=only_null, allow_credentials=True, dangerously_allow_null_origin=True
        )
    assert caught.value.codes == ("origin-func-allows-everything",)
    CORSPolicy(allow_origin_func=only_null, allow_credentials=True)  # never asked about null: fine


# --- start-up validation -------------------------------------------------------------------


async def reflect_everything(origin: str) -> bool:
    return True


def test_probe_refuses_a_function_that_allows_everything_with_credentials() -> None:
    for func in (
        reflect_everything,
        lambda origin: origin.startswith("https://"),
        lambda origin: "." in origin,
    ):
        with pytest.raises(CORSConfigError) as caught:
            CORSMiddleware(text_app("x"), allow_origin_func=func, allow_credentials=True)
        assert caught.value.codes == ("origin-func-allows-everything",)
        assert ".invalid" in str(caught.value)
    CORSPolicy(allow_origin_func=reflect_everything)  # without credentials: like "*", accepted


def test_probe_failure_is_a_warning_and_bad_settings_are_errors() -> None:
    def broken(origin: str) -> bool:
        raise RuntimeError("no database yet")

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        policy = CORSPolicy(allow_origin_func=broken, allow_credentials=True)
    assert [w.code for w in policy.warnings] == ["origin-func-probe-failed"]
    assert any(issubclass(w.category, CORSConfigWarning) for w in seen)
    with pytest.raises(CORSConfigError) as caught:
        OriginFunction(broken, headers="X-Tenant", ttl=-1, timeout=0, max_entries="many")  # type: ignore[arg-type]
    assert caught.value.codes == ("origin-func-invalid",) * 4
    with pytest.raises(CORSConfigError) as caught:
        CORSPolicy(allow_origin_func="https://app.example.com")  # type: ignore[arg-type]
    assert caught.value.codes == ("origin-func-invalid",)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        unreachable = CORSPolicy(allow_origins=["*"], allow_origin_func=broken)
    assert [w.code for w in unreachable.warnings] == ["origin-func-unreachable"]


def test_policy_settings_round_trip_keeps_the_function_and_its_cache() -> None:
    check = OriginFunction(lambda origin: origin in TENANTS)
    policy = CORSPolicy(allow_origin_func=check, allow_credentials=True)
    assert policy.allow_origin_func is check
    again = CORSPolicy(**policy.settings())
    assert again == policy and again.allow_origin_func is check
    assert "OriginFunction(" in repr(policy)
    assert CORSPolicy(allow_origin_func=check.func) == CORSPolicy(allow_origin_func=check.func)
    assert CORSPolicy(allow_origin_func=check.func) != CORSPolicy(
        allow_origin_func=OriginFunction(check.func, ttl=5)
    )


def test_websocket_origin_check_uses_the_function() -> None:
    async def ws_app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})

    mw = CORSMiddleware(
        ws_app,
        allow_origin_func=lambda origin: origin == "https://tenant1.example.com",
        check_websocket_origin=True,
    )

    async def handshake(origin: str) -> str:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "websocket.connect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "websocket", "path": "/ws", "headers": [(b"origin", origin.encode())]}
        await mw(scope, receive, send)
        return str(sent[0]["type"])

    assert asyncio.run(handshake("https://tenant1.example.com")) == "websocket.accept"
    assert asyncio.run(handshake(EVIL)) == "websocket.close"
