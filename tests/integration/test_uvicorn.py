"""FastAPI and Starlette apps behind corskit, served by a real uvicorn on 127.0.0.1, driven by httpx."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

import corskit
from corskit.options import PolicyOptions
from tests.servers import serve_asgi

from .apps import BIG, EVIL, ORIGIN, RequireToken, fastapi_app, starlette_app

FRAMEWORKS: dict[str, Callable[[], Any]] = {"fastapi": fastapi_app, "starlette": starlette_app}
CORS: PolicyOptions = {
    "allow_origins": [ORIGIN],
    "allow_credentials": True,
    "allow_methods": ["PUT"],
    "allow_headers": ["Authorization", "X-Token"],
}


@contextmanager
def served(app: Any, **options: Any) -> Iterator[httpx.Client]:
    # log_level=critical: the unhandled-exception tests would print tracebacks otherwise.
    # No keep-alive: uvicorn closes a connection after an unhandled exception, and a request
    # reusing it would race with that close.
    no_reuse = httpx.Limits(max_keepalive_connections=0)
    with (
        serve_asgi(app, log_level="critical", **options) as url,
        httpx.Client(base_url=url, timeout=10, limits=no_reuse) as client,
    ):
        yield client


def vary_names(response: httpx.Response) -> list[str]:
    return [
        x.strip().lower()
        for v in response.headers.get_list("vary")
        for x in v.split(",")
        if x.strip()
    ]


def preflight(
    client: httpx.Client,
    path: str,
    method: str = "PUT",
    headers: str | None = None,
    origin: str = ORIGIN,
) -> httpx.Response:
    h = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        h["Access-Control-Request-Headers"] = headers
    return client.options(path, headers=h)


# --- unhandled exceptions: the 500 carries CORS headers when corskit wraps the app ---------


def _outermost(app: Any) -> Any:
    return corskit.outermost(app, **CORS)


def _wrapped(app: Any) -> Any:
    return corskit.CORSMiddleware(app, **CORS)


def _added(app: Any) -> Any:
    app.add_middleware(corskit.CORSMiddleware, **CORS)
    return app


@pytest.mark.parametrize("framework", sorted(FRAMEWORKS))
@pytest.mark.parametrize(
    "install", [_outermost, _wrapped], ids=["outermost", "app=CORSMiddleware(app)"]
)
def test_unhandled_exception_500_carries_cors_headers_when_wrapped(
    framework: str, install: Any
) -> None:
    with served(install(FRAMEWORKS[framework]())) as client:
        r = client.get("/boom", headers={"Origin": ORIGIN})
        assert r.status_code == 500
        assert r.headers["access-control-allow-origin"] == ORIGIN
        assert r.headers["access-control-allow-credentials"] == "true"
        assert vary_names(r) == ["origin"]
        # a disallowed origin's 500 stays unreadable
        r = client.get("/boom", headers={"Origin": EVIL})
        assert r.status_code == 500 and "access-control-allow-origin" not in r.headers
        # handled errors and ordinary responses, for comparison
        r = client.get("/teapot", headers={"Origin": ORIGIN})
        assert r.status_code == 418 and r.headers["access-control-allow-origin"] == ORIGIN
        assert (
            client.get("/ok", headers={"Origin": ORIGIN}).headers["access-control-allow-origin"]
            == ORIGIN
        )


@pytest.mark.parametrize("framework", sorted(FRAMEWORKS))
@pytest.mark.parametrize("middleware", ["corskit", "starlette"])
def test_add_middleware_500_has_no_cors_headers(framework: str, middleware: str) -> None:
    """The documented contrast: ServerErrorMiddleware sits outside add_middleware's layers."""
    from starlette.middleware.cors import CORSMiddleware as StarletteCORSMiddleware

    app = FRAMEWORKS[framework]()
    cls = corskit.CORSMiddleware if middleware == "corskit" else StarletteCORSMiddleware
    app.add_middleware(cls, **CORS)
    with served(app) as client:
        r = client.get("/boom", headers={"Origin": ORIGIN})
        assert r.status_code == 500
        assert "access-control-allow-origin" not in r.headers
        r = client.get("/teapot", headers={"Origin": ORIGIN})  # handled inside: has them
        assert r.status_code == 418 and r.headers["access-control-allow-origin"] == ORIGIN


def test_custom_500_handler_carries_cors_headers_with_outermost() -> None:
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

    app: FastAPI = fastapi_app()

    @app.exception_handler(Exception)
    async def on_error(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": "custom"}, status_code=500)

    with served(corskit.outermost(app, **CORS)) as client:
        r = client.get("/boom", headers={"Origin": ORIGIN})
        assert r.status_code == 500 and r.json() == {"detail": "custom"}
        assert r.headers["access-control-allow-origin"] == ORIGIN


# --- authentication middleware ----------------------------------------------------------


def _fastapi_with_function_auth() -> Any:
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

    app: FastAPI = fastapi_app()

    @app.middleware("http")
    async def require_token(request: Request, call_next: Any) -> Any:
        if request.headers.get("authorization") != "Bearer secret":
            return JSONResponse({"detail": "unauthenticated"}, status_code=401)
        return await call_next(request)

    return app


def _fastapi_with_asgi_auth() -> Any:
    app = fastapi_app()
    app.add_middleware(RequireToken)
    return app


def _starlette_with_asgi_auth() -> Any:
    from starlette.middleware import Middleware

    return starlette_app([Middleware(RequireToken)])


AUTH_APPS = {
    "fastapi-http-middleware": _fastapi_with_function_auth,
    "fastapi-asgi-middleware": _fastapi_with_asgi_auth,
    "starlette-asgi-middleware": _starlette_with_asgi_auth,
}


@pytest.mark.parametrize("build", sorted(AUTH_APPS))
def test_auth_middleware_does_not_break_the_preflight_with_outermost(build: str) -> None:
    with served(corskit.outermost(AUTH_APPS[build](), **CORS)) as client:
        r = preflight(client, "/items", "PUT", "authorization,x-token")
        assert r.status_code == 204
        assert r.headers["access-control-allow-origin"] == ORIGIN
        assert r.headers["access-control-allow-methods"] == "PUT"
        assert r.headers["access-control-allow-headers"] == "authorization,x-token"
        assert r.headers["access-control-allow-credentials"] == "true"
        # the 401 itself is readable by the page, so it can send the user to log in
        r = client.put("/items", headers={"Origin": ORIGIN})
        assert r.status_code == 401 and r.json() == {"detail": "unauthenticated"}
        assert r.headers["access-control-allow-origin"] == ORIGIN
        r = client.put("/items", headers={"Origin": ORIGIN, "Authorization": "Bearer secret"})
        assert r.status_code == 200 and r.json() == {"stored": "yes"}
        assert r.headers["access-control-allow-origin"] == ORIGIN


def test_auth_added_after_cors_breaks_the_preflight() -> None:
    """The documented contrast: add_middleware puts the auth layer outside CORS."""
    app = fastapi_app()
    app.add_middleware(corskit.CORSMiddleware, **CORS)
    app.add_middleware(RequireToken)  # added last = outermost
    with served(app) as client:
        r = preflight(client, "/items", "PUT", "authorization")
        assert r.status_code == 401
        assert "access-control-allow-origin" not in r.headers


# --- Vary ---------------------------------------------------------------------------------


@pytest.mark.parametrize("framework", sorted(FRAMEWORKS))
def test_vary_is_merged_with_the_apps_vary(framework: str) -> None:
    with served(corskit.outermost(FRAMEWORKS[framework](), **CORS)) as client:
        for headers in ({"Origin": ORIGIN}, {"Origin": EVIL}, {}):
            r = client.get("/vary", headers={**headers, "Accept-Encoding": "identity"})
            assert vary_names(r) == ["accept-language", "origin"], headers
            r = client.get("/vary-origin", headers=headers)
            assert vary_names(r) == ["origin"], headers
        r = client.get("/vary", headers={"Origin": ORIGIN, "Accept-Encoding": "identity"})
        assert r.headers["access-control-allow-origin"] == ORIGIN and r.text == BIG


def _gzip_inside(framework: str) -> Any:
    from starlette.middleware.gzip import GZipMiddleware

    app = FRAMEWORKS[framework]()
    app.add_middleware(GZipMiddleware, minimum_size=100)
    return corskit.outermost(app, **CORS)


def _gzip_outside(framework: str) -> Any:
    from starlette.middleware.gzip import GZipMiddleware

    return GZipMiddleware(corskit.CORSMiddleware(FRAMEWORKS[framework](), **CORS), minimum_size=100)


def _gzip_added_after(framework: str) -> Any:
    from starlette.middleware.gzip import GZipMiddleware

    app = FRAMEWORKS[framework]()
    app.add_middleware(corskit.CORSMiddleware, **CORS)
    app.add_middleware(GZipMiddleware, minimum_size=100)
    return app


@pytest.mark.parametrize("framework", sorted(FRAMEWORKS))
@pytest.mark.parametrize(
    "build",
    [_gzip_inside, _gzip_outside, _gzip_added_after],
    ids=["gzip-inside-corskit", "gzip-outside-corskit", "gzip-added-after-corskit"],
)
def test_vary_with_gzip(framework: str, build: Any) -> None:
    with served(build(framework)) as client:
        for origin, readable in ((ORIGIN, True), (EVIL, False), (None, False)):
            headers = {"Accept-Encoding": "gzip"} | ({"Origin": origin} if origin else {})
            r = client.get("/vary", headers=headers)
            assert r.status_code == 200 and r.text == BIG  # httpx decompresses
            assert r.headers["content-encoding"] == "gzip"
            names = vary_names(r)
            assert sorted(names) == ["accept-encoding", "accept-language", "origin"], names
            assert ("access-control-allow-origin" in r.headers) is readable
            r = client.get("/vary-origin", headers=headers)
            assert sorted(vary_names(r)) == ["origin"] or sorted(vary_names(r)) == [
                "accept-encoding",
                "origin",
            ]
            assert vary_names(r).count("origin") == 1


# --- add_middleware keyword usage, side by side with Starlette's own ----------------------


STARLETTE_KEYWORDS = {
    "allow_origins": [ORIGIN, "https://other.example.com"],
    "allow_methods": ["GET", "POST", "PUT", "DELETE"],
    "allow_headers": ["X-Token", "Content-Type"],
    "allow_credentials": True,
    "allow_origin_regex": r"https://[a-z]+\.example\.org",
    "allow_private_network": False,
    "expose_headers": ["X-Total"],
    "max_age": 600,
}


def _install(app: Any, cls: Any, style: str) -> Any:
    if style == "add_middleware":
        app.add_middleware(cls, **STARLETTE_KEYWORDS)
        return app
    if style == "add_middleware-positional":
        app.add_middleware(cls, *STARLETTE_KEYWORDS.values())
        return app
    from starlette.middleware import Middleware

    app.user_middleware.insert(0, Middleware(cls, **STARLETTE_KEYWORDS))
    return app


@pytest.fixture(scope="module")
def both_servers() -> Iterator[dict[str, dict[str, httpx.Client]]]:
    """Each framework and installation style, with Starlette's and corskit's middleware."""
    from starlette.middleware.cors import CORSMiddleware as StarletteCORSMiddleware

    clients: dict[str, dict[str, httpx.Client]] = {}
    stack: list[Any] = []
    try:
        for framework in sorted(FRAMEWORKS):
            for style in ("add_middleware", "add_middleware-positional", "Middleware"):
                pair = {}
                for name, cls in (
                    ("starlette", StarletteCORSMiddleware),
                    ("corskit", corskit.CORSMiddleware),
                ):
                    cm = served(_install(FRAMEWORKS[framework](), cls, style))
                    pair[name] = cm.__enter__()
                    stack.append(cm)
                clients[f"{framework}/{style}"] = pair
        yield clients
    finally:
        for cm in reversed(stack):
            cm.__exit__(None, None, None)


@pytest.mark.parametrize(
    "setup",
    [
        f"{f}/{s}"
        for f in sorted(FRAMEWORKS)
        for s in ("add_middleware", "add_middleware-positional", "Middleware")
    ],
)
def test_add_middleware_works_like_starlettes(
    both_servers: dict[str, dict[str, httpx.Client]], setup: str
) -> None:
    theirs, ours = both_servers[setup]["starlette"], both_servers[setup]["corskit"]
    cors_names = ("access-control-allow-origin", "access-control-allow-credentials")
    for origin in (ORIGIN, "https://other.example.com", "https://abc.example.org", EVIL):
        a, b = (
            theirs.get("/ok", headers={"Origin": origin}),
            ours.get("/ok", headers={"Origin": origin}),
        )
        assert (a.status_code, a.json()) == (b.status_code, b.json())
        assert vary_names(a) == vary_names(b) == ["origin"]
        allowed = origin != EVIL
        for name in cors_names:
            if allowed:
                assert a.headers.get(name) == b.headers.get(name), (origin, name)
            else:
                assert name not in b.headers
        if allowed:
            assert (
                a.headers["access-control-expose-headers"].lower()
                == b.headers["access-control-expose-headers"]
            )
    a, b = theirs.get("/ok"), ours.get("/ok")
    assert vary_names(a) == vary_names(b) == ["origin"]
    for method, headers in (("PUT", "x-token"), ("DELETE", "content-type,x-token"), ("POST", None)):
        a, b = (
            preflight(theirs, "/items", method, headers),
            preflight(ours, "/items", method, headers),
        )
        assert a.status_code == 200 and b.status_code == 204
        for name in (*cors_names, "access-control-max-age"):
            assert a.headers.get(name) == b.headers.get(name), name
        assert method in a.headers["access-control-allow-methods"]
        assert b.headers["access-control-allow-methods"] == method
    # refused by both, with their own statuses (400 vs 403)
    a, b = preflight(theirs, "/items", "PATCH"), preflight(ours, "/items", "PATCH")
    assert (a.status_code, b.status_code) == (400, 403)
    a, b = (
        preflight(theirs, "/items", "PUT", origin=EVIL),
        preflight(ours, "/items", "PUT", origin=EVIL),
    )
    assert (a.status_code, b.status_code) == (400, 403)
    assert (
        "access-control-allow-origin" not in a.headers
        and "access-control-allow-origin" not in b.headers
    )


def test_fastapi_import_path_can_be_swapped() -> None:
    import fastapi.middleware.cors as fastapi_cors
    import starlette.middleware.cors as starlette_cors

    assert fastapi_cors.CORSMiddleware is starlette_cors.CORSMiddleware
    import inspect

    ours = inspect.signature(corskit.CORSMiddleware)
    theirs = inspect.signature(starlette_cors.CORSMiddleware)
    for name, parameter in theirs.parameters.items():
        if name == "app":
            continue
        # every Starlette keyword is accepted (through **settings) with the same default
        assert name in inspect.signature(corskit.CORSPolicy).parameters
        assert inspect.signature(corskit.CORSPolicy).parameters[name].default == parameter.default
    assert "app" in ours.parameters


# --- WebSocket Origin check over a real connection ----------------------------------------


def test_websocket_origin_check_over_uvicorn() -> None:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    app = corskit.outermost(fastapi_app(), allow_origins=[ORIGIN], check_websocket_origin=True)
    with serve_asgi(app, log_level="critical") as url:
        ws_url = url.replace("http://", "ws://") + "/ws"
        with connect(ws_url, additional_headers={"Origin": ORIGIN}, open_timeout=5) as ws:
            assert ws.recv(timeout=5) == "hello"
        with pytest.raises(InvalidStatus) as caught:
            connect(ws_url, additional_headers={"Origin": EVIL}, open_timeout=5)
        assert caught.value.response.status_code == 403


# --- a broken configuration under add_middleware ----------------------------------------------


@pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnhandledThreadExceptionWarning"
)  # uvicorn's sys.exit(3)
def test_broken_configuration_stops_uvicorn_with_lifespan_on() -> None:
    app = fastapi_app()
    app.add_middleware(corskit.CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    with pytest.raises(RuntimeError, match="did not start"), served(app, lifespan="on"):
        pass  # pragma: no cover


def test_broken_configuration_with_lifespan_auto_fails_every_request() -> None:
    """Why docs/migration.md recommends building the CORSPolicy at import time."""
    app = fastapi_app()
    app.add_middleware(corskit.CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    with served(app, lifespan="auto") as client:
        assert client.get("/ok").status_code == 500
    with pytest.raises(corskit.CORSConfigError):
        corskit.CORSPolicy(allow_origins=["*"], allow_credentials=True)
