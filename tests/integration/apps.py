"""FastAPI and Starlette applications for the integration tests (served by real uvicorn).

No ``from __future__ import annotations`` here: FastAPI reads the endpoints' annotations
at run time, and the framework classes are imported inside the factories.
"""

from typing import Any

ORIGIN = "https://app.example.com"
EVIL = "https://evil.example"
BIG = "corskit " * 200  # large enough for GZipMiddleware


def fastapi_app() -> Any:
    """A FastAPI app whose routes cover the cases the tests need."""
    from fastapi import FastAPI, HTTPException, WebSocket
    from fastapi.responses import PlainTextResponse

    app = FastAPI()

    @app.get("/ok")
    def ok() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("unhandled")

    @app.get("/teapot")
    def teapot() -> None:
        raise HTTPException(status_code=418, detail="teapot")

    @app.put("/items")
    def put_item() -> dict[str, str]:
        return {"stored": "yes"}

    @app.get("/vary")
    def vary() -> PlainTextResponse:
        return PlainTextResponse(BIG, headers={"Vary": "Accept-Language"})

    @app.get("/vary-origin")
    def vary_origin() -> PlainTextResponse:
        return PlainTextResponse("own vary", headers={"Vary": "Origin"})

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hello")
        await websocket.close()

    return app


def starlette_app(middleware: list[Any] | None = None) -> Any:
    """The same routes as :func:`fastapi_app`, in plain Starlette."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    def ok(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    def boom(request: Request) -> None:
        raise RuntimeError("unhandled")

    def teapot(request: Request) -> None:
        raise HTTPException(status_code=418, detail="teapot")

    def put_item(request: Request) -> JSONResponse:
        return JSONResponse({"stored": "yes"})

    def vary(request: Request) -> PlainTextResponse:
        return PlainTextResponse(BIG, headers={"Vary": "Accept-Language"})

    def vary_origin(request: Request) -> PlainTextResponse:
        return PlainTextResponse("own vary", headers={"Vary": "Origin"})

    return Starlette(
        routes=[
            Route("/ok", ok),
            Route("/boom", boom),
            Route("/teapot", teapot),
            Route("/items", put_item, methods=["PUT"]),
            Route("/vary", vary),
            Route("/vary-origin", vary_origin),
        ],
        middleware=middleware,
    )


class RequireToken:
    """Pure ASGI authentication middleware: 401 unless ``Authorization: Bearer secret``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and (b"authorization", b"Bearer secret") not in scope["headers"]:
            from starlette.responses import JSONResponse

            await JSONResponse({"detail": "unauthenticated"}, status_code=401)(scope, receive, send)
            return
        await self.app(scope, receive, send)
