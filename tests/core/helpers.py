"""Small helpers for the core tests: build policies, call the ASGI middleware in memory."""

from __future__ import annotations

import asyncio
import warnings
from dataclasses import dataclass, field
from typing import Any

from corskit import CORSConfigError, CORSConfigWarning, CORSMiddleware, CORSPolicy, Problem

from ..speedups import run_both


def problems_of(**settings: Any) -> tuple[Problem, ...]:
    """Every problem (errors, else warnings) that ``CORSPolicy(**settings)`` reports."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CORSConfigWarning)
        try:
            policy = CORSPolicy(**settings)
        except CORSConfigError as exc:
            return exc.problems
    return policy.warnings


def codes_of(**settings: Any) -> list[str]:
    """The problem codes of ``CORSPolicy(**settings)``."""
    return [p.code for p in problems_of(**settings)]


def policy(**settings: Any) -> CORSPolicy:
    """A policy built with configuration warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CORSConfigWarning)
        return CORSPolicy(**settings)


@dataclass
class Result:
    """What an in-memory ASGI call produced."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    app_called: bool
    messages: list[dict[str, Any]] = field(default_factory=list)

    def get_all(self, name: str) -> list[str]:
        key = name.lower().encode()
        return [v.decode("latin-1") for n, v in self.headers if n.lower() == key]

    def get(self, name: str) -> str | None:
        values = self.get_all(name)
        return ", ".join(values) if values else None

    def cors_names(self) -> list[str]:
        return [n.decode() for n, _ in self.headers if n.lower().startswith(b"access-control-")]

    def vary_names(self) -> list[str]:
        """Every field name listed in every Vary header, lower-cased, in order."""
        return [x.strip().lower() for v in self.get_all("vary") for x in v.split(",") if x.strip()]


def make_app(
    status: int = 200, headers: list[tuple[bytes, bytes]] | None = None, body: bytes = b"app"
) -> Any:
    """A minimal ASGI HTTP app that records that it ran (``app.calls``)."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        app.calls.append(scope)  # type: ignore[attr-defined]
        await send(
            {"type": "http.response.start", "status": status, "headers": list(headers or [])}
        )
        await send({"type": "http.response.body", "body": body})

    app.calls = []  # type: ignore[attr-defined]
    return app


def call(
    middleware: CORSMiddleware,
    method: str = "GET",
    headers: list[tuple[str, str]] | list[tuple[bytes, bytes]] | None = None,
    path: str = "/",
) -> Result:
    """Run one HTTP request through *middleware* (in memory, no server)."""
    raw = [
        (
            n.lower().encode("latin-1") if isinstance(n, str) else n,
            v.encode("latin-1") if isinstance(v, str) else v,
        )
        for n, v in (headers or [])
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    # Once with each implementation of the adapter's loops (C and Python): same answer.
    return run_both(lambda s: _run(middleware, s), scope, key=_key)


def _key(result: Result) -> tuple[Any, ...]:
    return result.status, result.headers, result.body, result.app_called


def _run(middleware: CORSMiddleware, scope: dict[str, Any]) -> Result:
    messages: list[dict[str, Any]] = []
    inner = middleware.app
    calls_before = len(getattr(inner, "calls", []))

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    async def main() -> None:
        await middleware(scope, receive, send)

    asyncio.run(main())
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    called = len(getattr(inner, "calls", [])) > calls_before
    return Result(start["status"], list(start.get("headers", [])), body, called, messages)


def cors(
    app: Any = None, *, debug: bool = False, check_websocket_origin: bool = False, **settings: Any
) -> CORSMiddleware:
    """``CORSMiddleware`` around *app* (default: :func:`make_app`), warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CORSConfigWarning)
        return CORSMiddleware(
            app if app is not None else make_app(),
            debug=debug,
            check_websocket_origin=check_websocket_origin,
            **settings,
        )


def preflight_headers(
    origin: str = "https://app.example.com", method: str = "PUT", request_headers: str | None = None
) -> list[tuple[str, str]]:
    """The headers of a browser's CORS preflight."""
    out = [("origin", origin), ("access-control-request-method", method)]
    if request_headers is not None:
        out.append(("access-control-request-headers", request_headers))
    return out
