"""Real applications, one per CORS layer the doctor models (each built fresh per test)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware as StarletteCORS
from flask import Blueprint, Flask, jsonify
from flask_cors import CORS as FlaskCORS
from flask_cors import cross_origin
from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.middleware.base import DefineMiddleware
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Route

import corskit
from corskit.flask import CORS as CorskitFlaskCORS

from ..app_parts import data_app, litestar_data, require_token

FRONT = "https://app.example.com"


def fastapi_starlette() -> FastAPI:
    app = data_app()

    app.add_middleware(
        StarletteCORS,
        allow_origins=[FRONT],
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
    )
    return app


def fastapi_auth_outside() -> FastAPI:
    """Starlette's CORSMiddleware, then a function middleware added after it (so outside it)."""
    app = fastapi_starlette()

    app.middleware("http")(require_token)
    return app


def starlette_built() -> Starlette:
    async def data(request: Any) -> JSONResponse:
        return JSONResponse({"n": 1})

    return Starlette(
        routes=[Route("/data", data)],
        middleware=[Middleware(StarletteCORS, allow_origins=["*"], expose_headers=["X-Total"])],
    )


def fastapi_handwritten() -> FastAPI:
    app = data_app()

    @app.middleware("http")
    async def add_cors_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers["Access-Control-Allow-Origin"] = FRONT
        return response

    return app


def fastapi_corskit() -> FastAPI:
    app = data_app()

    app.add_middleware(corskit.CORSMiddleware, allow_origins=[FRONT], allow_methods=["GET", "PUT"])
    return app


def fastapi_outermost() -> FastAPI:
    app = data_app()

    return corskit.outermost(app, allow_origins=[FRONT], allow_credentials=True)


def _flask_routes(app: Flask) -> Flask:
    @app.get("/api/data")
    def data() -> Any:
        return jsonify(n=1)

    @app.get("/other")
    def other() -> Any:
        return jsonify(n=2)

    return app


def flask_cors_app() -> Flask:
    app = _flask_routes(Flask(__name__))
    FlaskCORS(
        app,
        origins=[FRONT, r"https://.*\.example\.org"],
        methods=["GET", "POST"],
        allow_headers=["Content-Type"],
    )
    return app


def flask_cors_resources() -> Flask:
    app = _flask_routes(Flask(__name__))
    FlaskCORS(app, resources={r"/api/*": {"origins": [FRONT]}})
    return app


def flask_cors_glob() -> Flask:
    """flask-cors reads ``https://*.example.com`` as a regular expression."""
    app = _flask_routes(Flask(__name__))
    FlaskCORS(app, origins=["https://*.example.com"])
    return app


def flask_cross_origin() -> Flask:
    app = Flask(__name__)

    @app.get("/download")
    @cross_origin(origins=[FRONT], expose_headers=["Content-Disposition"])
    def download() -> Any:
        return jsonify(n=1)

    return app


def flask_after_request() -> Flask:
    app = _flask_routes(Flask(__name__))

    @app.after_request
    def allow_front_end(response: Any) -> Any:
        response.headers["Access-Control-Allow-Origin"] = FRONT
        return response

    return app


def corskit_flask() -> Flask:
    app = _flask_routes(Flask(__name__))
    public = Blueprint("public", __name__, url_prefix="/public")

    @public.get("/info")
    def info() -> Any:
        return jsonify(n=3)

    CorskitFlaskCORS(app, allow_origins=[FRONT], allow_credentials=True)
    CorskitFlaskCORS(public, allow_origins=["*"])
    app.register_blueprint(public)
    return app


def litestar_config() -> Litestar:
    return Litestar(
        [litestar_data], cors_config=CORSConfig(allow_origins=[FRONT], allow_methods=["GET"])
    )


def litestar_corskit() -> Litestar:
    return Litestar(
        [litestar_data],
        middleware=[
            DefineMiddleware(corskit.CORSMiddleware, allow_origins=[FRONT], allow_credentials=True)
        ],
    )
