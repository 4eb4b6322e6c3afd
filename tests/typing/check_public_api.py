"""The documented ways to install corskit, which must pass ``mypy --strict``.

Type-checked, never run (the functions are not called): ``mypy`` checks this file in the
test command (``pyproject.toml``, ``[tool.mypy] files``) and ``test_typing.py`` checks it
again next to ``misspelt_keywords.py``, which must fail.
"""

from __future__ import annotations

from wsgiref.simple_server import make_server

from fastapi import APIRouter, FastAPI
from flask import Blueprint, Flask
from litestar import Litestar, get
from litestar.middleware import DefineMiddleware
from starlette.applications import Starlette
from starlette.middleware import Middleware
from typing_extensions import assert_type

import corskit
from corskit import CORSMiddleware, CORSPolicy, OriginFunction, WSGICORSMiddleware, outermost
from corskit.django import DjangoOptions
from corskit.flask import CORS
from corskit.options import PolicyOptions

ORIGINS = ["https://app.example.com"]


def fastapi_add_middleware() -> FastAPI:
    app = FastAPI()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=ORIGINS,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        allow_credentials=True,
        allow_origin_regex=r"https://[a-z]+\.example\.com",
        allow_private_network=False,
        expose_headers=["X-Total-Count"],
        max_age=600,
        debug=True,
        check_websocket_origin=True,
        preflight_status=204,
        routes={"/public": CORSPolicy(allow_origins=["*"])},
    )
    app.add_middleware(CORSMiddleware, ORIGINS, ["GET"])  # Starlette's positional order
    return app


def starlette_middleware_list() -> Starlette:
    return Starlette(
        middleware=[Middleware(CORSMiddleware, allow_origins=ORIGINS, allow_credentials=True)]
    )


def starlette_add_middleware_with_policy() -> Starlette:
    app = Starlette()
    app.add_middleware(CORSMiddleware, policy=CORSPolicy(allow_origins=ORIGINS))
    return app


def outermost_keeps_the_app_type() -> None:
    app = outermost(FastAPI(), allow_origins=ORIGINS, allow_credentials=True)
    assert_type(app, FastAPI)
    starlette = corskit.outermost(
        Starlette(), allow_origins=ORIGINS, dangerously_allow_null_origin=False
    )
    assert_type(starlette, Starlette)


def per_route_and_dynamic() -> FastAPI:
    app = FastAPI()
    corskit.include_router(app, APIRouter(prefix="/public"), CORSPolicy(allow_origins=["*"]))
    routes: dict[str, CORSPolicy] = corskit.routes_of(app)
    check = OriginFunction(lambda origin: origin.endswith(".example.com"), ttl=60)
    return outermost(app, allow_origin_func=check, routes=routes)


@get("/")
async def index() -> str:
    return "hello"


def litestar_define_middleware() -> Litestar:
    cors = DefineMiddleware(CORSMiddleware, allow_origins=ORIGINS, allow_methods=["GET", "POST"])
    return Litestar(route_handlers=[index], middleware=[cors])


def asgi_wrap() -> CORSMiddleware:
    # Any ASGI application, typed as its framework types it (here Litestar's typed dicts).
    return CORSMiddleware(Litestar(route_handlers=[index]), allow_origins=ORIGINS)


def wsgi_wrap() -> None:
    app = Flask(__name__)
    wrapped = WSGICORSMiddleware(app.wsgi_app, allow_origins=ORIGINS, allow_credentials=True)
    server = make_server("127.0.0.1", 0, wrapped)  # the standard library's WSGI server accepts it
    server.server_close()


def flask_extension() -> Flask:
    app = Flask(__name__)
    cors = CORS(allow_origins=ORIGINS, allow_credentials=True)
    cors.init_app(app, max_age=300)
    public = Blueprint("public", __name__)
    CORS(public, allow_origins=["*"])
    return app


def settings_dicts() -> tuple[DjangoOptions, PolicyOptions]:
    django: DjangoOptions = {
        "allow_origins": ORIGINS,
        "allow_credentials": True,
        "urls_regex": r"^/api/",
    }
    flask_config: PolicyOptions = {"allow_origins": ORIGINS, "max_age": 300}
    return django, flask_config
