"""Pieces the doctor's test applications share: a FastAPI app with one JSON route, a token
gate as a function middleware, a Litestar route, and the ``check_cors`` call that must fail."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, Response
from litestar import get

from corskit.testing import CORSCheck, check_cors


def data_app(method: str = "GET", path: str = "/data") -> FastAPI:
    """A FastAPI app whose one route, *method* *path*, answers ``{"n": 1}``."""
    app = FastAPI()

    @app.api_route(path, methods=[method])
    async def data() -> dict[str, int]:
        return {"n": 1}

    return app


async def require_token(request: Request, call_next: Any) -> Response:
    """Refuse (401) a request without ``Authorization``, a preflight included."""
    if "authorization" not in request.headers:
        return Response(status_code=401)
    response: Response = await call_next(request)
    return response


@get("/data")
async def litestar_data() -> dict[str, int]:
    return {"n": 1}


def blocked(app: Any, path: str, *, origin: str, **kw: Any) -> CORSCheck:
    """``check_cors`` of *app* from *origin*, which must say blocked."""
    result = check_cors(app, path=path, origin=origin, **kw)
    assert not result.allowed, result.explain()
    return result
