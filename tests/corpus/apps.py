"""The corpus' applications: one small API per framework, built from a CORS configuration in
the library's own setting names and a few shape switches (``Shape``).

Every app serves ``/api/items`` (GET, POST, PUT, PATCH, DELETE) with a JSON body. The shape
says what else the reported app did: an authentication layer that refuses requests without
``Authorization`` (outside CORS, or skipping ``OPTIONS``), a handler that crashes, the route
declared with a trailing slash, or CORS installed with ``corskit.outermost``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

import corskit

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
ITEMS = {"items": ["a", "b"]}


@dataclass(frozen=True)
class Shape:
    """What the app does besides CORS. ``auth``: ``""`` (none), ``"outside"`` (a middleware or
    ``before_request`` hook that runs before CORS and refuses every request without
    ``Authorization``), ``"skip-options"`` (the same, letting ``OPTIONS`` through) or
    ``"inside"`` (CORS runs first); ``crash``: the handler raises; ``slash``: the route is
    ``/api/items/``; ``outermost``: CORS is installed with ``corskit.outermost``;
    ``written_in``: a module whose ``create_app()`` writes the CORS call out as the report did
    (the doctor reads the source of that call); ``proxy``: the value a reverse proxy in front
    of the app adds as ``Access-Control-Allow-Origin`` to every response (nginx's
    ``add_header ... always``), or ``""`` for no proxy."""

    auth: str = ""
    crash: bool = False
    slash: bool = False
    outermost: bool = False
    written_in: str = ""
    proxy: str = ""


def _route(shape: Shape) -> str:
    return "/api/items/" if shape.slash else "/api/items"


class DatabaseDown(RuntimeError):
    """What the crashing handler raises."""


# ---------------------------------------------------------------- ASGI: FastAPI, Starlette


def _asgi_auth(app: FastAPI, shape: Shape) -> None:
    from starlette.requests import Request
    from starlette.responses import Response

    @app.middleware("http")
    async def require_token(request: Request, call_next: Any) -> Response:
        skip = shape.auth == "skip-options" and request.method == "OPTIONS"
        if not skip and "authorization" not in request.headers:
            return Response("missing token", status_code=401)
        response: Response = await call_next(request)
        return response


def fastapi_app(library: str, config: dict[str, Any], shape: Shape) -> Any:
    """FastAPI with Starlette's ``CORSMiddleware`` (*library* ``starlette``) or corskit's."""
    from fastapi.middleware.cors import CORSMiddleware as StarletteCORS

    app = FastAPI()

    @app.api_route(_route(shape), methods=METHODS)
    async def items() -> dict[str, list[str]]:
        if shape.crash:
            raise DatabaseDown("the database is down")
        return ITEMS

    if shape.outermost:
        if shape.auth:
            _asgi_auth(app, shape)
        return corskit.outermost(app, **config)
    if shape.auth == "inside":
        _asgi_auth(app, shape)
    cls = StarletteCORS if library == "starlette" else corskit.CORSMiddleware
    app.add_middleware(cls, **config)
    if shape.auth in ("outside", "skip-options"):
        _asgi_auth(app, shape)
    return app


def starlette_app(library: str, config: dict[str, Any], shape: Shape) -> Any:
    """A plain Starlette application with the middleware in ``middleware=[...]``."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware as StarletteCORS
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def items(request: Request) -> JSONResponse:
        if shape.crash:
            raise DatabaseDown("the database is down")
        return JSONResponse(ITEMS)

    routes = [Route(_route(shape), items, methods=METHODS)]
    if shape.outermost:
        return corskit.outermost(Starlette(routes=routes), **config)
    cls = StarletteCORS if library == "starlette" else corskit.CORSMiddleware
    return Starlette(routes=routes, middleware=[Middleware(cls, **config)])


def litestar_app(library: str, config: dict[str, Any], shape: Shape) -> Any:
    """Litestar with ``cors_config=CORSConfig(...)``."""
    from litestar import Litestar, route
    from litestar.config.cors import CORSConfig
    from litestar.enums import HttpMethod

    @route(_route(shape), http_method=[HttpMethod(m) for m in METHODS])
    async def items() -> dict[str, list[str]]:
        if shape.crash:
            raise DatabaseDown("the database is down")
        return ITEMS

    return Litestar([items], cors_config=CORSConfig(**config))


# ---------------------------------------------------------------- WSGI: Flask


def flask_app(library: str, config: dict[str, Any], shape: Shape) -> Any:
    """Flask with flask-cors' ``CORS(app, ...)`` or corskit's ``corskit.flask.CORS``."""
    from flask import Flask, Response, jsonify, request

    if shape.written_in:
        import importlib

        return importlib.import_module(shape.written_in).create_app()

    app = Flask(f"corpus_{library}")

    if shape.auth in ("outside", "skip-options"):

        @app.before_request
        def require_token() -> Any:
            if shape.auth == "skip-options" and request.method == "OPTIONS":
                return None
            if "Authorization" not in request.headers:
                return Response("missing token", status=401)
            return None

    @app.route(_route(shape), methods=[*METHODS, "QUERY"])
    def items() -> Any:
        if shape.crash:
            raise DatabaseDown("the database is down")
        return jsonify(ITEMS)

    if library == "flask-cors":
        from flask_cors import CORS

        CORS(app, **config)
    else:
        from corskit.flask import CORS as CorskitCORS

        CorskitCORS(app, **config)
    return app


# ---------------------------------------------------------------- WSGI: Django

_DJANGO_LOCK = threading.RLock()


@contextlib.contextmanager
def django_settings(config: dict[str, Any], shape: Shape) -> Iterator[None]:
    """One case's Django project: its settings (*config*: ``MIDDLEWARE`` and the ``CORS_*`` or
    ``CORSKIT`` settings, with the corpus' URLs) in force for the whole process, as
    ``DJANGO_SETTINGS_MODULE`` puts them for a deployed project; one project at a time. Inside,
    Django's own ``override_settings`` nests as in any Django test (the doctor's verification
    overrides the settings it changes this way)."""
    from tests.doctor.layers.test_models import django_settings as settings_for_test

    urls = "tests.corpus.django_slash_urls" if shape.slash else "tests.corpus.django_urls"
    with _DJANGO_LOCK, settings_for_test(ROOT_URLCONF=urls, APPEND_SLASH=True, **config):
        yield


def django_app(library: str, config: dict[str, Any], shape: Shape) -> Any:
    """Django with django-cors-headers (``CORS_*`` settings) or ``corskit.django``
    (``CORSKIT``): the project's WSGI handler, ``get_wsgi_application()`` as its ``wsgi.py``
    has it, built under the project's settings (the middleware chain reads them once). Like a
    deployed handler it reads the settings in force when it is called: call it, and look at
    it, inside :func:`django_settings` of the same configuration."""
    from django.core.wsgi import get_wsgi_application  # type: ignore[import-untyped]

    with django_settings(config, shape):
        return get_wsgi_application()


class OwnSettings:
    """Several Django projects served from one process, as if each ran in its own: every
    request to the project's handler runs under that project's settings. Only the
    browser-facing server needs this; the doctor is given the bare handler."""

    def __init__(self, app: Any, config: dict[str, Any], shape: Shape) -> None:
        self.app, self.config, self.shape = app, config, shape

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with django_settings(self.config, self.shape):
            return list(self.app(environ, start_response))


FACTORIES: dict[str, Callable[[str, dict[str, Any], Shape], Any]] = {
    "fastapi": fastapi_app,
    "starlette": starlette_app,
    "litestar": litestar_app,
    "flask": flask_app,
    "django": django_app,
}


class WsgiProxy:
    """A reverse proxy's header rule in front of a WSGI app: every response gets one more
    ``Access-Control-Allow-Origin`` (as nginx's ``add_header`` does beside the app's own)."""

    def __init__(self, app: Any, value: str) -> None:
        self.app = app
        self.value = value

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            return start_response(
                status, [*headers, ("Access-Control-Allow-Origin", self.value)], *exc
            )

        return self.app(environ, start)


class AsgiProxy:
    """The same rule in front of an ASGI app."""

    def __init__(self, app: Any, value: str) -> None:
        self.app = app
        self.value = value

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"access-control-allow-origin", self.value.encode("latin-1"))]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, sending)


def build(framework: str, library: str, config: dict[str, Any], shape: Shape) -> Any:
    """The app of *framework* with *library* configured by *config* (the library's names),
    behind the proxy *shape* names, if any."""
    app = FACTORIES[framework](library, dict(config), shape)
    if not shape.proxy:
        return app
    proxy = WsgiProxy if framework in ("flask", "django") else AsgiProxy
    return proxy(app, shape.proxy)


def served(framework: str, library: str, config: dict[str, Any], shape: Shape) -> Any:
    """The app as :func:`build` makes it, to be served beside the other cases' apps from one
    process (a Django project keeps its own settings for each of its requests)."""
    app = build(framework, library, config, shape)
    return OwnSettings(app, dict(config), shape) if framework == "django" else app
