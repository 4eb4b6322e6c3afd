"""Apps in which the doctor must name the real culprit: the user's own middleware by its name,
a mounted application adding a second CORS header, the source of a redirect, an invalid
corskit configuration, patterns in a literal origin list (each built fresh per test)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware as StarletteCORS
from flask import Flask, jsonify
from flask import request as flask_request
from flask_cors import CORS
from litestar import Litestar
from litestar.config.cors import CORSConfig
from starlette.middleware.base import BaseHTTPMiddleware

import corskit

from .app_parts import data_app, litestar_data, require_token

FRONT = "https://app.example.com"
REGEX = r"https://.*\.example\.org"
ASGI = Any


def _api(cors: Any = StarletteCORS) -> FastAPI:
    app = data_app("PUT")

    app.add_middleware(cors, allow_origins=[FRONT], allow_methods=["GET", "PUT"])
    return app


def function_middleware() -> FastAPI:
    app = _api()
    app.middleware("http")(require_token)
    return app


class TokenGate(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: Any) -> Response:
        return await require_token(request, call_next)


def base_http_middleware() -> FastAPI:
    app = _api()
    app.add_middleware(TokenGate)
    return app


class PureGate:
    """A pure ASGI middleware refusing requests without Authorization."""

    def __init__(self, app: ASGI) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not any(k == b"authorization" for k, _ in scope["headers"]):
            await send({"type": "http.response.start", "status": 401, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)


def pure_asgi_middleware() -> FastAPI:
    app = _api()
    app.add_middleware(PureGate)
    return app


def pure_asgi_wrapper() -> PureGate:
    inner = data_app("PUT")

    return PureGate(corskit.CORSMiddleware(inner, allow_origins=[FRONT], allow_methods=["PUT"]))


def flask_before_request() -> Flask:
    app = Flask("before_request")

    @app.put("/data")
    def data() -> Any:
        return jsonify(n=1)

    @app.before_request
    def check_api_key() -> Any:
        if "authorization" not in flask_request.headers:
            return ("no key", 401)
        return None

    CORS(app, origins=[FRONT], methods=["GET", "PUT"])
    return app


class SocketLike:
    """Answers CORS itself, like python-socketio's ASGIApp(cors_allowed_origins=...)."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = [
            (b"access-control-allow-origin", FRONT.encode()),
            (b"content-type", b"text/plain"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})


class AppendCORS:
    """Hand-written CORS that appends its header to every response."""

    def __init__(self, app: ASGI) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def send_with_cors(message: Any) -> None:
            if message["type"] == "http.response.start":
                allow = (b"access-control-allow-origin", FRONT.encode())
                message["headers"] = [*message.get("headers", []), allow]
            await send(message)

        await self.app(scope, receive, send_with_cors)


def mounted_socket_app() -> FastAPI:
    app = data_app()

    app.mount("/ws", SocketLike())
    app.add_middleware(AppendCORS)
    return app


def starlette_slash_redirect() -> FastAPI:
    """A hand-written CORS layer that never answers preflights, and a route with a slash."""
    app = data_app("PUT", "/data/")

    @app.middleware("http")
    async def add_cors_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers["Access-Control-Allow-Origin"] = FRONT
        response.headers["Access-Control-Allow-Methods"] = "GET, PUT"
        return response

    return app


def werkzeug_slash_redirect() -> Flask:
    app = Flask("strict_slashes")

    @app.put("/api/items/")
    def items() -> Any:
        return jsonify(n=1)

    CORS(app, origins=[FRONT], methods=["GET", "PUT"])
    return app


def invalid_corskit() -> FastAPI:
    app = data_app()

    app.add_middleware(
        corskit.CORSMiddleware, allow_origins=[FRONT + "/", "*"], allow_credentials=True
    )
    return app


def starlette_regex_in_list() -> FastAPI:
    app = data_app()

    app.add_middleware(StarletteCORS, allow_origins=[FRONT, REGEX])
    return app


def litestar_regex_in_list() -> Litestar:
    return Litestar([litestar_data], cors_config=CORSConfig(allow_origins=[FRONT, REGEX]))


def starlette_glob_in_list() -> FastAPI:
    app = data_app()

    app.add_middleware(StarletteCORS, allow_origins=[FRONT, "https://*.example.org"])
    return app


def flask_cors_carried_over() -> Flask:
    """Starlette's name for flask-cors' supports_credentials (flask-cors ignores it)."""
    app = Flask(__name__)

    @app.get("/api/me")
    def me() -> Any:
        return jsonify(n=1)

    CORS(app, origins=[FRONT], allow_credentials=True)  # type: ignore[call-arg]
    return app
