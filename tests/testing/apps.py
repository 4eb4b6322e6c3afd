"""Small real apps for the tests of :mod:`corskit.testing`: FastAPI, Starlette and Flask, each
with a correct CORS set-up, plus two broken ones (no middleware; a method left out)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware as StarletteCORS
from flask import Flask, jsonify
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Route

from corskit import CORSMiddleware, WSGICORSMiddleware

FRONT = "https://app.example.com"
OTHER = "https://evil.example"


def fastapi_app() -> FastAPI:
    app = FastAPI()

    @app.get("/items")
    async def items() -> JSONResponse:
        return JSONResponse({"items": []}, headers={"X-Total-Count": "0"})

    @app.post("/items")
    async def add() -> dict[str, bool]:
        return {"ok": True}

    @app.delete("/items")
    async def remove() -> dict[str, bool]:
        return {"ok": True}

    app.add_middleware(
        CORSMiddleware,
        allow_origins=[FRONT],
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        allow_credentials=True,
        expose_headers=["X-Total-Count"],
    )
    return app


def fastapi_starlette_cors_app() -> FastAPI:
    """FastAPI with Starlette's own CORSMiddleware (the FastAPI tutorial's set-up)."""
    app = FastAPI()

    @app.get("/items")
    async def items() -> dict[str, list[str]]:
        return {"items": []}

    app.add_middleware(StarletteCORS, allow_origins=[FRONT])
    return app


def starlette_app() -> Starlette:
    async def items(request: Any) -> JSONResponse:
        return JSONResponse({"items": []})

    return Starlette(
        routes=[Route("/items", items, methods=["GET", "PUT"])],
        middleware=[Middleware(CORSMiddleware, allow_origins=[FRONT], allow_methods=["GET"])],
    )


def fastapi_without_cors() -> FastAPI:
    app = FastAPI()

    @app.get("/items")
    async def items() -> dict[str, list[str]]:
        return {"items": []}

    return app


def flask_app() -> Flask:
    app = Flask("testing_flask")

    @app.route("/items", methods=["GET", "POST", "PUT"])
    def items() -> Any:
        return jsonify(items=[])

    app.wsgi_app = WSGICORSMiddleware(  # type: ignore[method-assign]
        app.wsgi_app,
        allow_origins=[FRONT],
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Authorization"],
        allow_credentials=True,
    )
    return app


def flask_without_cors() -> Flask:
    app = Flask("testing_flask_plain")

    @app.get("/items")
    def items() -> Any:
        return jsonify(items=[])

    return app
