"""Machinery of the differential suite: the servers, the browser batch, the expectations.

Two uvicorn servers (``A`` and ``B``, both on 127.0.0.1) serve the same dispatcher: paths
``/c/<name>/...`` go to a corskit ``CORSMiddleware`` configuration and ``/b/<name>/...`` to a
hand-written server. Every request is recorded (method, Origin, ACRM/ACRH, Cookie, status and
the CORS response headers) together with the scenario id carried in the ``case`` query
parameter, so the tests can also check what reached the server.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.doctor.browser import broken
from tests.doctor.browser.scenarios import CORSKIT_SERVERS, Scenario
from tests.servers import free_port, send_response, serve_asgi

SAFELISTED_METHODS = ("GET", "HEAD", "POST")


@dataclass
class Hit:
    """One request as the server saw it."""

    server: str
    case: str
    method: str
    path: str
    origin: str | None
    acrm: str | None
    acrh: str | None
    cookie: str | None
    status: int = 0
    response_headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.response_headers if k == name]
        return ", ".join(values) if values else None


class Recorder:
    """Thread-safe log of :class:`Hit` objects."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.hits: list[Hit] = []

    def add(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def clear(self) -> None:
        with self._lock:
            self.hits.clear()

    def for_case(self, case: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.case == case]


async def _inner_app(scope: Any, receive: Any, send: Any) -> None:
    """The application behind corskit's middleware: echoes method and path."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            break
    body = f"{scope['method']} {scope['path']} ok".encode()
    await send_response(send, body, b"text/plain; charset=utf-8")


def corskit_apps() -> dict[str, Any]:
    """``CORSMiddleware`` instances by configuration name."""
    import warnings

    from corskit import CORSMiddleware

    apps: dict[str, Any] = {}
    for server in CORSKIT_SERVERS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            apps[server.name] = CORSMiddleware(_inner_app, **server.options)
    return apps


def build_dispatcher(
    label: str, bases: dict[str, str], recorder: Recorder, corskit: dict[str, Any]
) -> Any:
    """The ASGI app served by one test server (*label* ``A`` or ``B``)."""
    broken_apps = {name: broken.build(spec, bases) for name, spec in broken.SPECS.items()}

    async def not_found(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {"type": "http.response.start", "status": 404, "headers": [(b"content-length", b"0")]}
        )
        await send({"type": "http.response.body", "body": b""})

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        parts = scope["path"].split("/")
        target: Any = not_found
        if len(parts) > 2 and parts[1] == "c":
            target = corskit.get(parts[2], not_found)
        elif len(parts) > 2 and parts[1] == "b":
            target = broken_apps.get(parts[2], not_found)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = scope.get("query_string", b"").decode("latin-1")
        case = ""
        for item in query.split("&"):
            if item.startswith("case="):
                case = item[5:]
        hit = Hit(
            server=label,
            case=case,
            method=scope["method"],
            path=scope["path"],
            origin=headers.get("origin"),
            acrm=headers.get("access-control-request-method"),
            acrh=headers.get("access-control-request-headers"),
            cookie=headers.get("cookie"),
        )

        async def recording_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                hit.status = int(message["status"])
                hit.response_headers = [
                    (k.decode("latin-1").lower(), v.decode("latin-1"))
                    for k, v in message.get("headers", [])
                ]
            await send(message)

        try:
            await target(scope, receive, recording_send)
        finally:
            recorder.add(hit)

    return app


@dataclass
class Servers:
    """The two running servers."""

    a: str
    b: str
    recorder: Recorder
    apps: dict[str, Any]


@contextlib.contextmanager
def running_servers() -> Iterator[Servers]:
    """Start servers A and B (uvicorn on 127.0.0.1) with the dispatcher."""
    recorder = Recorder()
    apps = corskit_apps()
    port_a, port_b = free_port(), free_port()
    while port_b == port_a:
        port_b = free_port()
    base_a, base_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    app_a = build_dispatcher("A", {"self": base_a, "other": base_b}, recorder, apps)
    app_b = build_dispatcher("B", {"self": base_b, "other": base_a}, recorder, apps)
    with serve_asgi(app_a, port=port_a) as a, serve_asgi(app_b, port=port_b) as b:
        yield Servers(a, b, recorder, apps)


def scenario_url(servers: Servers, scenario: Scenario) -> str:
    """The unique URL of *scenario* (the case id defeats the preflight cache)."""
    return f"{servers.a}{scenario.path}?case={scenario.id}"


# -- what the browser puts on the wire (Fetch §1.1-1.3), for the policy expectation ---------

_SAFE_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")


def unsafe_header_names(headers: tuple[tuple[str, str], ...]) -> list[str]:
    """CORS-unsafe request-header names, lower-cased and sorted (Fetch: CORS-unsafe request-header names)."""
    names = set()
    for name, value in headers:
        low = name.lower()
        if low in ("accept", "accept-language", "content-language"):
            continue
        if low == "content-type" and value.split(";")[0].strip().lower() in _SAFE_CONTENT_TYPES:
            continue
        names.add(low)
    return sorted(names)


def normalize_method(method: str) -> str:
    """Fetch: normalize a method (PATCH is deliberately not normalised)."""
    upper = method.upper()
    return upper if upper in ("DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT") else method


def policy_allows(apps: dict[str, Any], scenario: Scenario) -> tuple[bool, str]:
    """Does the corskit policy of *scenario* allow its request? ``(allowed, reason)``.

    Uses the policy's own engine for origin, method and headers, and the policy's
    ``allow_credentials`` for ``credentials: 'include'``.
    """
    policy = apps[scenario.server].policy
    engine = policy.engine
    req = scenario.request
    origin = scenario.origin.encode()
    method = normalize_method(req.method)
    unsafe = unsafe_header_names(req.headers)
    if method not in SAFELISTED_METHODS or unsafe:
        decision = engine.preflight(
            origin, method.encode(), [",".join(unsafe).encode()] if unsafe else [], None
        )
        if not decision.allowed:
            return False, decision.reason
    decision = engine.actual(origin)
    if not decision.allowed:
        return False, decision.reason
    if req.credentials == "include" and not policy.allow_credentials:
        return False, "credentials-not-allowed"
    return True, decision.reason


def wait_for_hits(recorder: Recorder, case: str, count: int, timeout: float = 1.0) -> list[Hit]:
    """The hits of *case*, waiting (bounded) until at least *count* are in."""
    deadline = time.monotonic() + timeout
    hits = recorder.for_case(case)
    while len(hits) < count and time.monotonic() < deadline:
        time.sleep(0.01)
        hits = recorder.for_case(case)
    return hits
