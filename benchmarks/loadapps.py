"""The three ASGI apps the load benchmark serves (``uvicorn loadapps:bare`` etc.).

- ``bare``: a pure-ASGI hello world (no framework), the baseline;
- ``starlette``: the same app behind Starlette's ``CORSMiddleware``;
- ``corskit``: the same app behind corskit's ``CORSMiddleware``, same settings.

The settings are those of the load method in ``docs/benchmarks.md`` (one allowed origin, GET/POST/
PUT, two request headers, credentials), shared with ``benchmarks/inprocess.py``.
"""

from __future__ import annotations

from typing import Any

ORIGIN = "https://app.example.com"
SETTINGS: dict[str, Any] = {
    "allow_origins": [ORIGIN],
    "allow_methods": ["GET", "POST", "PUT"],
    "allow_headers": ["Content-Type", "X-Custom"],
    "allow_credentials": True,
}

_BODY = b"hello, world"


async def bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Hello world for every HTTP request (and ignores lifespan)."""
    if scope["type"] != "http":
        return
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
    await send({"type": "http.response.body", "body": _BODY})


def _starlette() -> Any:
    from starlette.middleware.cors import CORSMiddleware

    return CORSMiddleware(bare, **SETTINGS)


def _corskit() -> Any:
    from corskit import CORSMiddleware

    return CORSMiddleware(bare, **SETTINGS)


starlette = _starlette()
corskit = _corskit()


async def noop(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Reference (``--floor``): the cheapest possible middleware around ``bare``."""
    await bare(scope, receive, send)


async def min_wrapper(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Reference (``--floor``): the least a header-adding middleware must do (see
    ``benchmarks/inprocess.py``'s MinimalHeaderMiddleware): find Origin, wrap send, append."""
    origin = None
    for name, value in scope.get("headers") or ():
        if name == b"origin":
            origin = value
    _ = origin

    def send_with_header(message: Any, send: Any = send) -> Any:
        if message["type"] == "http.response.start":
            message["headers"] = [*(message.get("headers") or ()), (b"vary", b"Origin")]
        return send(message)

    await bare(scope, receive, send_with_header)
