"""Real apps whose download route sends ``Content-Disposition`` without exposing it: a page
calling ``fetch()`` gets the file but cannot read its name (``response.headers.get()``
returns null). One app per CORS layer, each exposing ``X-Request-Id`` already."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware as StarletteCORS
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

import corskit

FRONT = "http://localhost:5173"
DOWNLOAD_HEADERS = {
    "Content-Disposition": 'attachment; filename="report.csv"',
    "X-Request-Id": "r-1",
    "Content-Type": "text/csv",
}


async def _download(request: Request) -> PlainTextResponse:
    return PlainTextResponse("a,b\n1,2\n", headers=DOWNLOAD_HEADERS)


def _routes() -> list[Route]:
    return [Route("/download", _download)]


def corskit_app(**extra: Any) -> Starlette:
    settings: dict[str, Any] = {"allow_origins": [FRONT], "expose_headers": ["X-Request-Id"]}
    settings.update(extra)
    return Starlette(routes=_routes(), middleware=[Middleware(corskit.CORSMiddleware, **settings)])


def starlette_app(**extra: Any) -> Starlette:
    settings: dict[str, Any] = {"allow_origins": [FRONT], "expose_headers": ["X-Request-Id"]}
    settings.update(extra)
    return Starlette(routes=_routes(), middleware=[Middleware(StarletteCORS, **settings)])


def flask_cors_app() -> Flask:
    from flask_cors import CORS

    app = Flask(__name__)

    @app.get("/download")
    def download() -> Response:
        return Response("a,b\n1,2\n", headers=DOWNLOAD_HEADERS)

    CORS(app, origins=[FRONT], expose_headers=["X-Request-Id"])
    return app


corskit_download = corskit_app()
starlette_download = starlette_app()
# corskit refuses "*" with credentials at start-up; Starlette sends it
wildcard_download = starlette_app(allow_credentials=True, expose_headers=["*"])
exposed_download = corskit_app(expose_headers=["X-Request-Id", "Content-Disposition"])
