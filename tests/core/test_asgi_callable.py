"""``CORSMiddleware.__call__`` returns the awaitable the server awaits instead of being a
coroutine function of its own; servers and frameworks must still see an ASGI 3 app.

Each check is the one a real server or framework makes (uvicorn's interface detection,
Hypercorn's ``inspect`` test, asgiref's ``asyncio`` test, Starlette's ``is_async_callable``,
corskit's own doctor), on the interpreter running the tests.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

from corskit import CORSMiddleware
from corskit.doctor.transports import detect_app_kind


async def app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await send({"type": "lifespan.startup.complete"})
        return
    if scope.get("path") == "/boom":
        raise RuntimeError("boom")
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def middleware() -> CORSMiddleware:
    return CORSMiddleware(app, allow_origins=["https://app.example"])


def test_inspect_and_asyncio_see_a_coroutine_function() -> None:
    mw = middleware()
    assert inspect.iscoroutinefunction(mw.__call__)  # Hypercorn's test
    assert asyncio.iscoroutinefunction(mw.__call__)  # uvicorn (< 3.14), asgiref


def test_uvicorn_detects_asgi3() -> None:
    from uvicorn.config import Config

    config = Config(app=middleware(), interface="auto")
    config.load()
    assert config.interface == "asgi3"


def test_starlette_sees_an_async_callable() -> None:
    from starlette._utils import is_async_callable

    assert is_async_callable(middleware())


def test_the_doctor_sees_an_asgi_app() -> None:
    assert detect_app_kind(middleware()) == "asgi"


def test_calls_still_take_the_fast_path() -> None:
    """``mw(...)`` returns the app's own coroutine: no coroutine of corskit's in between."""
    mw = middleware()
    lifespan = mw({"type": "lifespan"}, None, None)  # type: ignore[arg-type]
    assert inspect.iscoroutine(lifespan) and lifespan.cr_code is app.__code__
    lifespan.close()
    request = mw({"type": "http", "method": "GET", "path": "/", "headers": []}, None, None)  # type: ignore[arg-type]
    assert inspect.iscoroutine(request) and request.cr_code is app.__code__
    request.close()


def test_exceptions_of_the_app_reach_the_awaiting_server() -> None:
    mw = middleware()

    async def send(message: Any) -> None:
        return None

    async def main() -> None:
        await mw(
            {
                "type": "http",
                "method": "GET",
                "path": "/boom",
                "headers": [(b"origin", b"https://app.example")],
            },
            None,  # type: ignore[arg-type]
            send,
        )

    with pytest.raises(RuntimeError, match="boom"):
        asyncio.run(main())
