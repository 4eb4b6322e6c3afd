"""A preflight refused for its method and several headers gets every cause and one fix that
keeps what the configuration already allows; the printed fix, applied literally to the
app's settings, makes the same simulated request pass (``corskit check`` and
:mod:`corskit.testing`, on real FastAPI and Starlette apps in-process)."""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware as StarletteCORS
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route

import corskit
from corskit.cli import main
from corskit.testing import assert_cors_allowed, check_cors

PAGE = "http://localhost:5173"
HEADERS = {"X-Token": "t", "Authorization": "Bearer t"}
BROKEN: dict[str, Any] = {"allow_origins": [PAGE], "allow_methods": ["GET", "POST"]}
_KEYWORD = re.compile(r"\b([a-z_]+)=(\[[^\]]*\]|True|False)")


def fastapi_app(middleware: Any, settings: dict[str, Any]) -> FastAPI:
    app = FastAPI()

    @app.put("/items")
    async def put() -> dict[str, bool]:
        return {"ok": True}

    app.add_middleware(middleware, **settings)
    return app


def starlette_app(middleware: Any, settings: dict[str, Any]) -> Starlette:
    async def put(request: Any) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[Route("/items", put, methods=["PUT"])],
        middleware=[Middleware(middleware, **settings)],
    )


def applied(fix: str, settings: dict[str, Any]) -> dict[str, Any]:
    """*settings* with every ``keyword=value`` of the printed *fix* applied literally."""
    changes = {m.group(1): ast.literal_eval(m.group(2)) for m in _KEYWORD.finditer(fix)}
    assert changes, fix
    return {**settings, **changes}


@contextlib.contextmanager
def as_module(app: Any) -> Iterator[str]:
    module = types.ModuleType("allcauses_target")
    module.app = app  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    try:
        yield f"{module.__name__}:app"
    finally:
        del sys.modules[module.__name__]


def check(app: Any) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    with as_module(app) as target, contextlib.redirect_stdout(out):
        args = ["check", target, "--origin", PAGE, "--path", "/items", "-X", "PUT"]
        for name, value in HEADERS.items():
            args += ["-H", f"{name}: {value}"]
        status = main([*args, "--json"])
    return status, json.loads(out.getvalue())


BUILDERS = [fastapi_app, starlette_app]
MIDDLEWARE = [StarletteCORS, corskit.CORSMiddleware]


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("middleware", MIDDLEWARE)
def test_check_names_every_cause_and_its_fix_passes(build: Any, middleware: Any) -> None:
    status, report = check(build(middleware, BROKEN))
    assert status != 0 and report["verdict"] == "blocked", report
    fix, cause = report["fix_text"], report["cause"]
    assert report["fix"]["verified"] is True, report["fix"]
    for name in ("PUT", "x-token", "authorization"):
        assert name in cause and name in fix, (cause, fix)
    fixed = applied(fix, BROKEN)
    assert "POST" in fixed["allow_methods"] and "PUT" in fixed["allow_methods"], fix
    status, report = check(build(middleware, fixed))
    assert status == 0 and report["verdict"] == "allowed", report


@pytest.mark.parametrize("middleware", MIDDLEWARE)
def test_testing_helper_gives_one_fix_for_method_and_headers(middleware: Any) -> None:
    app = fastapi_app(middleware, BROKEN)
    result = check_cors(app, origin=PAGE, method="PUT", path="/items", headers=HEADERS)
    assert not result.allowed
    fix = result.diagnosis.fix or ""
    assert "allow_methods=" in fix and "allow_headers=" in fix, fix
    fixed = applied(fix, BROKEN)
    assert fixed["allow_methods"] == ["GET", "POST", "PUT"], fix
    assert {h.lower() for h in fixed["allow_headers"]} >= {"x-token", "authorization"}, fix
    assert_cors_allowed(
        fastapi_app(middleware, fixed), origin=PAGE, method="PUT", path="/items", headers=HEADERS
    )


def test_headers_only_keeps_the_headers_already_allowed() -> None:
    settings = {**BROKEN, "allow_methods": ["PUT"], "allow_headers": ["X-Request-Id"]}
    app = fastapi_app(StarletteCORS, settings)
    result = check_cors(app, origin=PAGE, method="PUT", path="/items", headers=HEADERS)
    fix = result.diagnosis.fix or ""
    fixed = applied(fix, settings)
    assert "X-Request-Id" in fixed["allow_headers"], fix
    assert_cors_allowed(
        fastapi_app(StarletteCORS, fixed),
        origin=PAGE,
        method="PUT",
        path="/items",
        headers=HEADERS,
    )


def test_url_target_keeps_the_methods_the_preflight_allowed() -> None:
    from tests.servers import serve_asgi

    with serve_asgi(starlette_app(StarletteCORS, BROKEN)) as base:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = main(["check", f"{base}/items", "--origin", PAGE, "-X", "PUT", "--json"])
    report = json.loads(out.getvalue())
    assert status != 0 and report["symptom"] == "method-not-allowed", report
    assert 'allow_methods=["GET", "POST", "PUT"]' in report["fix_text"], report["fix"]
    assert report["fix"]["changes"] == [
        {"setting": "allow_methods", "value": ["GET", "POST", "PUT"]}
    ]
    assert report["fix"]["verified"] is None
    assert report["fix"]["not_verified_reason"] == (
        "the doctor cannot change a remote server's configuration"
    )


@pytest.mark.parametrize("middleware", MIDDLEWARE)
def test_origin_method_headers_and_credentials_in_one_fix(middleware: Any) -> None:
    settings = {"allow_origins": ["https://other.example"], "allow_methods": ["GET", "POST"]}
    request: dict[str, Any] = {
        "origin": PAGE,
        "method": "PUT",
        "path": "/items",
        "headers": HEADERS,
        "credentials": "include",
    }
    result = check_cors(fastapi_app(middleware, settings), **request)
    assert not result.allowed and result.diagnosis.symptom == "origin-not-allowed"
    fix = result.diagnosis.fix or ""
    fixed = applied(fix, settings)
    assert fixed["allow_origins"] == ["https://other.example", PAGE], fix
    assert fixed["allow_methods"] == ["GET", "POST", "PUT"], fix
    assert fixed["allow_credentials"] is True, fix
    assert_cors_allowed(fastapi_app(middleware, fixed), **request)


def test_flask_cors_fix_in_its_own_words_keeps_what_it_allows() -> None:
    from flask import Flask
    from flask_cors import CORS

    def flask_app(settings: dict[str, Any]) -> Flask:
        app = Flask("allcauses")

        @app.route("/items", methods=["PUT"])
        def items() -> str:
            return "ok"

        CORS(app, **settings)
        return app

    settings = {"origins": [PAGE], "methods": ["GET", "POST"], "allow_headers": ["X-Request-Id"]}
    request: dict[str, Any] = {
        "origin": PAGE,
        "method": "PUT",
        "path": "/items",
        "headers": HEADERS,
    }
    fix = check_cors(flask_app(settings), **request).diagnosis.fix or ""
    assert fix.startswith("allow all of them at once: CORS(app, ..., methods="), fix
    fixed = applied(fix, settings)
    assert fixed["methods"] == ["GET", "POST", "PUT"], fix
    assert fixed["allow_headers"][0] == "X-Request-Id", fix
    assert_cors_allowed(flask_app(fixed), **request)


def test_litestar_listed_origin_refused_for_method_and_headers() -> None:
    from litestar import Litestar, put
    from litestar.config.cors import CORSConfig

    @put("/items")
    async def items() -> str:
        return "ok"

    def litestar_app(settings: dict[str, Any]) -> Litestar:
        return Litestar([items], cors_config=CORSConfig(**settings))

    settings = {**BROKEN, "allow_headers": ["X-Request-Id"]}
    request: dict[str, Any] = {
        "origin": PAGE,
        "method": "PUT",
        "path": "/items",
        "headers": HEADERS,
    }
    diagnosis = check_cors(litestar_app(settings), **request).diagnosis
    assert diagnosis.symptom == "method-not-allowed", diagnosis.cause
    fix = diagnosis.fix or ""
    assert "CORSConfig(" in fix, fix
    fixed = applied(fix, settings)
    assert fixed["allow_methods"] == ["GET", "POST", "PUT"], fix
    assert fixed["allow_headers"][0].lower() == "x-request-id", fix
    assert_cors_allowed(litestar_app(fixed), **request)
