"""Apps for the in-process lifespan tests: FastAPI apps whose routes need state set up in a
lifespan, one whose start-up fails, and plain ASGI apps without lifespan support."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from starlette.middleware.cors import CORSMiddleware

#: What happened, in order, across lifespan and requests (the tests read it).
EVENTS: list[str] = []


@asynccontextmanager
async def _open_pool(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    EVENTS.append("startup")
    app.state.pool = ["connection"]
    yield {"db": "ready"}
    EVENTS.append("shutdown")
    del app.state.pool


with_state = FastAPI(lifespan=_open_pool)
with_state.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:5173"],
    allow_methods=["GET", "POST"],
    allow_headers=["content-type"],
)


@with_state.get("/groups/")
async def groups(request: Request) -> dict[str, Any]:
    # Fails with AttributeError / KeyError when the lifespan did not run.
    EVENTS.append("request")
    return {"pool": len(request.app.state.pool), "db": request.state.db}


@asynccontextmanager
async def _broken_start(app: FastAPI) -> AsyncIterator[None]:
    raise ConnectionRefusedError("database at 127.0.0.1:5432 refused the connection")
    yield  # pragma: no cover


failing = FastAPI(lifespan=_broken_start)
failing.add_middleware(CORSMiddleware, allow_origins=["http://localhost:5173"])


@failing.get("/groups/")
async def failing_groups() -> dict[str, str]:  # pragma: no cover - never reached
    return {}


async def _answer(send: Any) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"access-control-allow-origin", b"*"), (b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": b"ok"})


async def raises_on_lifespan(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Supports HTTP only, as many hand-written apps do."""
    if scope["type"] != "http":
        raise RuntimeError(f"unsupported scope {scope['type']}")
    await _answer(send)


async def ignores_scope_type(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers every scope as HTTP: on a lifespan scope it sends an HTTP message."""
    await _answer(send)


async def never_answers_lifespan(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Waits for ever on a lifespan scope without answering."""
    if scope["type"] == "lifespan":
        import asyncio

        await asyncio.Event().wait()
    await _answer(send)


async def echo_host(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Sends back, in ``x-seen-host``, the Host header it received."""
    if scope["type"] != "http":
        raise RuntimeError("http only")
    host = dict(scope["headers"]).get(b"host", b"")
    await send({"type": "http.response.start", "status": 200, "headers": [(b"x-seen-host", host)]})
    await send({"type": "http.response.body", "body": b""})


async def slash_redirect(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Redirects ``/groups`` to ``/groups/`` with an absolute URL built from the Host header,
    as Starlette's ``redirect_slashes`` does, for every method (the preflight too)."""
    if scope["type"] != "http":
        raise RuntimeError("http only")
    host = dict(scope["headers"]).get(b"host", b"").decode()
    if scope["path"] == "/groups":
        location = f"{scope['scheme']}://{host}/groups/".encode()
        await send(
            {"type": "http.response.start", "status": 307, "headers": [(b"location", location)]}
        )
        await send({"type": "http.response.body", "body": b""})
        return
    await _answer(send)


async def shutdown_fails(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Starts up, answers requests, and fails its shut-down."""
    if scope["type"] == "lifespan":
        await receive()
        scope["state"]["ready"] = True
        await send({"type": "lifespan.startup.complete"})
        await receive()
        await send({"type": "lifespan.shutdown.failed", "message": "OSError: pool close failed"})
        return
    assert scope["state"] == {"ready": True}
    await _answer(send)
