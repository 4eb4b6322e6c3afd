"""One small real app per symptom users report (FastAPI, Starlette, Flask, plain ASGI),
and the expected verdict / Chromium message / symptom / fix for each.

Each :class:`Case` is run in-process (``open_transport``-style) and against a real uvicorn (or
wsgiref) server by URL in ``test_symptoms.py``.  ``{base}`` in the expected message is the
target's base URL (``http://testserver`` in-process, ``http://127.0.0.1:PORT`` by URL) and
``{alt}`` the second origin used by redirect cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware as StarletteCORS
from flask import Flask, Response, request
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from corskit import CORSMiddleware

APP = "https://app.example.com"
DEV = "http://localhost:5173"


def _api() -> FastAPI:
    app = FastAPI()

    @app.get("/data")
    async def data() -> dict[str, int]:
        return {"n": 1}

    @app.post("/data")
    async def post_data() -> dict[str, int]:
        return {"n": 2}

    @app.put("/data")
    async def put_data() -> dict[str, int]:
        return {"n": 3}

    @app.patch("/data")
    async def patch_data() -> dict[str, int]:
        return {"n": 4}

    @app.get("/login")
    async def login() -> JSONResponse:
        resp = JSONResponse({"ok": True})
        resp.headers.append("set-cookie", "sid=s3cr3t; Path=/; HttpOnly; SameSite=Lax")
        return resp

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("database is down")

    return app


# -- origin not allowed / middleware missing ---------------------------------------------


def origin_not_allowed() -> Any:
    app = _api()
    app.add_middleware(CORSMiddleware, allow_origins=[APP])
    return app


def no_cors_middleware() -> Any:
    return _api()


# -- wildcard + credentials ---------------------------------------------------------------


def wildcard_with_credentials() -> Any:
    app = _api()
    app.add_middleware(StarletteCORS, allow_origins=["*"])  # credentials not allowed -> ACAO: *
    return app


# -- preflight answered by a route / by auth middleware outside CORS -----------------------


class AuthMiddleware:
    """Token check registered *after* CORS with add_middleware, so it runs first."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            if b"authorization" not in headers:
                await PlainTextResponse("unauthorized", status_code=401)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def auth_outside_cors() -> Any:
    app = _api()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[APP],
        allow_methods=["GET", "PUT"],
        allow_headers=["authorization"],
    )
    app.add_middleware(AuthMiddleware)  # added last = outermost: sees the preflight first
    return app


def flask_auth_on_options() -> Any:
    """Flask app adding CORS headers by hand in after_request, but requiring a token on every
    request, OPTIONS included."""
    app = Flask("auth_on_options")

    @app.before_request
    def need_token() -> Any:
        if "Authorization" not in request.headers:
            return Response("unauthorized", status=401)
        return None

    @app.after_request
    def cors(resp: Response) -> Response:
        resp.headers["Access-Control-Allow-Origin"] = APP
        resp.headers["Access-Control-Allow-Methods"] = "GET, PUT"
        resp.headers["Access-Control-Allow-Headers"] = "authorization"
        return resp

    @app.route("/data", methods=["GET", "PUT"])
    def data() -> Any:
        return {"n": 1}

    return app


# -- methods --------------------------------------------------------------------------------


def fastapi_default_methods() -> Any:
    app = _api()
    app.add_middleware(StarletteCORS, allow_origins=[DEV])  # allow_methods defaults to GET only
    return app


def corskit_put_missing() -> Any:
    app = _api()
    app.add_middleware(
        CORSMiddleware, allow_origins=[DEV], allow_methods=["GET", "POST"], debug=True
    )
    return app


async def _manual_preflight_app(
    scope: Any, receive: Any, send: Any, *, methods: bytes, headers: bytes
) -> None:
    origin = dict(scope["headers"]).get(b"origin", b"")
    if scope["method"] == "OPTIONS":
        out = [
            (b"access-control-allow-origin", origin),
            (b"access-control-allow-methods", methods),
            (b"access-control-allow-headers", headers),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": out})
        await send({"type": "http.response.body", "body": b""})
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"access-control-allow-origin", origin),
                (b"content-type", b"application/json"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b'{"n": 1}'})


async def lowercase_patch_server(scope: Any, receive: Any, send: Any) -> None:
    """A hand-written server that allows PATCH (upper case), as most do."""
    if scope["type"] != "http":
        return
    await _manual_preflight_app(
        scope, receive, send, methods=b"GET, POST, PATCH", headers=b"content-type"
    )


# -- headers --------------------------------------------------------------------------------


def custom_header_missing() -> Any:
    app = _api()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[DEV],
        allow_methods=["GET", "POST"],
        allow_headers=["content-type"],
        debug=True,
    )
    return app


def authorization_with_wildcard_corskit() -> Any:
    app = _api()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[APP],
        allow_methods=["GET", "PUT"],
        allow_headers=["*"],
        debug=True,
    )
    return app


async def literal_star_headers(scope: Any, receive: Any, send: Any) -> None:
    """Answers preflights with a literal `Access-Control-Allow-Headers: *`."""
    if scope["type"] != "http":
        return
    await _manual_preflight_app(scope, receive, send, methods=b"GET, PUT", headers=b"*")


# -- credentials and cookies ------------------------------------------------------------------


def credentials_not_allowed() -> Any:
    app = _api()
    app.add_middleware(CORSMiddleware, allow_origins=[APP])
    return app


def cookie_samesite_lax() -> Any:
    app = _api()
    app.add_middleware(CORSMiddleware, allow_origins=[APP], allow_credentials=True)
    return app


# -- origin spelling -----------------------------------------------------------------------------


def trailing_slash_origin() -> Any:
    app = _api()
    app.add_middleware(StarletteCORS, allow_origins=["http://localhost:5173/"])
    return app


def wrong_case_origin() -> Any:
    app = _api()
    app.add_middleware(StarletteCORS, allow_origins=["https://App.Example.com"])
    return app


def localhost_vs_loopback() -> Any:
    app = Starlette(routes=[Route("/data", lambda r: JSONResponse({"n": 1}))])
    return CORSMiddleware(app, allow_origins=["http://127.0.0.1:5173"])


# -- proxy + app ----------------------------------------------------------------------------------


class AddACAOProxy:
    """Stands for nginx's `add_header Access-Control-Allow-Origin *` in front of the app."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def send_with_header(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [
                    *message.get("headers", []),
                    (b"access-control-allow-origin", b"*"),
                ]
            await send(message)

        await self.app(scope, receive, send_with_header)


def duplicate_acao() -> Any:
    app = _api()
    app.add_middleware(CORSMiddleware, allow_origins=[DEV])
    return AddACAOProxy(app)


# -- max age, LNA, redirects, errors ----------------------------------------------------------------


def max_age_above_caps() -> Any:
    app = _api()
    app.add_middleware(
        CORSMiddleware, allow_origins=[APP], allow_methods=["GET", "PUT"], max_age=86400
    )
    return app


def public_cors_api() -> Any:
    app = _api()
    app.add_middleware(CORSMiddleware, allow_origins=["*"])
    return app


async def redirecting_server(scope: Any, receive: Any, send: Any) -> None:
    """Redirects /start to the same path on another origin; the target allows only APP."""
    if scope["type"] != "http":
        return
    headers = dict(scope["headers"])
    host = headers.get(b"host", b"").decode()
    if scope["path"] == "/start":
        if host.startswith("127.0.0.1"):
            other = "http://localhost:" + host.split(":", 1)[1]
        else:
            other = "http://other.testserver"
        out = [
            (b"location", f"{other}/data".encode()),
            (b"access-control-allow-origin", headers.get(b"origin", b"")),
        ]
        await send({"type": "http.response.start", "status": 302, "headers": out})
        await send({"type": "http.response.body", "body": b""})
        return
    out = [(b"access-control-allow-origin", APP.encode()), (b"content-type", b"text/plain")]
    await send({"type": "http.response.start", "status": 200, "headers": out})
    await send({"type": "http.response.body", "body": b"data"})


async def redirecting_preflight(scope: Any, receive: Any, send: Any) -> None:
    """Like a proxy that redirects everything to a trailing-slash URL, OPTIONS included."""
    if scope["type"] != "http":
        return
    if not scope["path"].endswith("/"):
        out = [(b"location", (scope["path"] + "/").encode())]
        await send({"type": "http.response.start", "status": 307, "headers": out})
        await send({"type": "http.response.body", "body": b""})
        return
    await _manual_preflight_app(scope, receive, send, methods=b"GET, PUT", headers=b"content-type")


def server_error() -> Any:
    app = _api()
    app.add_middleware(StarletteCORS, allow_origins=[APP])
    return app


def flask_no_cors() -> Any:
    app = Flask("no_cors")

    @app.route("/data", methods=["GET", "POST", "PUT"])
    def data() -> Any:
        return {"n": 1}

    return app


@dataclass
class Case:
    """One symptom: the app, the request, and what the doctor must say."""

    id: str
    factory: Callable[[], Any]
    origin: str
    verdict: str
    cors_error: str | None
    message: str | None
    symptom: str
    fix: list[str]
    method: str = "GET"
    headers: list[tuple[str, str]] = field(default_factory=list)
    credentials: str = "same-origin"
    path: str = "/data"
    url_symptom: str | None = None  # by URL (no settings known), when it differs
    url_fix: list[str] | None = None
    wsgi: bool = False
    lna: bool = False  # expect Local Network Access: in-process the target is declared loopback
    finding: str | None = None  # a symptom expected among the findings (allowed requests)


def _msg(
    origin: str, detail: str, url: str = "{base}/data", redirected_from: str | None = None
) -> str:
    red = f"(redirected from '{redirected_from}') " if redirected_from else ""
    return f"Access to fetch at '{url}' {red}from origin '{origin}' has been blocked by CORS policy: {detail}"


NO_ACAO = "No 'Access-Control-Allow-Origin' header is present on the requested resource."
PRE = "Response to preflight request doesn't pass access control check: "

CASES = [
    Case(
        "origin-not-allowed",
        origin_not_allowed,
        "https://evil.example",
        "blocked",
        "MissingAllowOriginHeader",
        _msg("https://evil.example", NO_ACAO),
        "origin-not-allowed",
        ['allow_origins=["https://app.example.com", "https://evil.example"]'],
        url_fix=["allow_origins"],
    ),
    Case(
        "middleware-missing",
        no_cors_middleware,
        APP,
        "blocked",
        "MissingAllowOriginHeader",
        _msg(APP, NO_ACAO),
        "cors-middleware-missing",
        ["add_middleware(CORSMiddleware", 'allow_origins=["https://app.example.com"]'],
        url_symptom="origin-not-allowed",
        url_fix=["allow_origins"],
    ),
    Case(
        "middleware-missing-flask",
        flask_no_cors,
        APP,
        "blocked",
        "MissingAllowOriginHeader",
        _msg(APP, NO_ACAO),
        "cors-middleware-missing",
        ['CORS(app, origins=["https://app.example.com"])'],
        url_symptom="origin-not-allowed",
        url_fix=["allow_origins"],
        wsgi=True,
    ),
    Case(
        "wildcard-with-credentials",
        wildcard_with_credentials,
        APP,
        "blocked",
        "WildcardOriginNotAllowed",
        _msg(
            APP,
            "The value of the 'Access-Control-Allow-Origin' header in the response must not be the"
            " wildcard '*' when the request's credentials mode is 'include'.",
        ),
        "wildcard-with-credentials",
        ['allow_origins=["https://app.example.com"], allow_credentials=True'],
        credentials="include",
        url_fix=["allow_origins", "allow_credentials=True"],
    ),
    Case(
        "preflight-405-by-route",
        no_cors_middleware,
        APP,
        "blocked",
        "PreflightMissingAllowOriginHeader",
        _msg(APP, PRE + NO_ACAO),
        "cors-middleware-missing",
        ["add_middleware(CORSMiddleware", 'allow_methods=["GET", "PUT"]'],
        method="PUT",
        url_symptom="preflight-rejected",
        url_fix=["CORSMiddleware", "outermost"],
    ),
    Case(
        "preflight-401-auth-outside-cors",
        auth_outside_cors,
        APP,
        "blocked",
        "PreflightMissingAllowOriginHeader",
        _msg(APP, PRE + NO_ACAO),
        "preflight-rejected",
        ["AuthMiddleware", "outermost"],
        method="PUT",
        headers=[("Authorization", "Bearer t0ken")],
        url_fix=["outermost"],
    ),
    Case(
        "preflight-401-flask-auth",
        flask_auth_on_options,
        APP,
        "blocked",
        "PreflightInvalidStatus",
        _msg(APP, PRE + "It does not have HTTP ok status."),
        "preflight-rejected",
        ["OPTIONS"],
        method="PUT",
        headers=[("Authorization", "Bearer t0ken")],
        wsgi=True,
    ),
    Case(
        "post-missing-fastapi-default",
        fastapi_default_methods,
        DEV,
        "blocked",
        "PreflightInvalidStatus",
        _msg(DEV, PRE + "It does not have HTTP ok status."),
        "method-not-allowed",
        ['allow_methods=["GET", "POST"]', "default is GET only"],
        method="POST",
        headers=[("Content-Type", "application/json")],
        url_fix=["allow_methods", "POST"],
    ),
    Case(
        "put-missing-corskit",
        corskit_put_missing,
        DEV,
        "blocked",
        "PreflightMissingAllowOriginHeader",
        _msg(DEV, PRE + NO_ACAO),
        "method-not-allowed",
        ['allow_methods=["GET", "POST", "PUT"]'],
        method="PUT",
        url_fix=["allow_methods", "PUT"],
    ),
    Case(
        "lowercase-patch",
        lambda: lowercase_patch_server,
        APP,
        "blocked",
        "MethodDisallowedByPreflightResponse",
        _msg(
            APP,
            "Method patch is not allowed by Access-Control-Allow-Methods in preflight response.",
        ),
        "lowercase-method",
        ["method: 'PATCH'"],
        method="patch",
    ),
    Case(
        "custom-header-missing",
        custom_header_missing,
        DEV,
        "blocked",
        "PreflightMissingAllowOriginHeader",
        _msg(DEV, PRE + NO_ACAO),
        "header-not-allowed",
        ['allow_headers=["content-type", "x-api-key"]'],
        method="POST",
        headers=[("Content-Type", "application/json"), ("X-API-Key", "k")],
        url_fix=['allow_headers=["x-api-key"]'],
    ),
    Case(
        "authorization-with-star-corskit",
        authorization_with_wildcard_corskit,
        APP,
        "blocked",
        "PreflightMissingAllowOriginHeader",
        _msg(APP, PRE + NO_ACAO),
        "authorization-wildcard",
        ['allow_headers=["*", "authorization"]'],
        headers=[("Authorization", "Bearer t0ken")],
        url_fix=["authorization"],
    ),
    Case(
        "authorization-with-literal-star",
        lambda: literal_star_headers,
        APP,
        "allowed",
        None,
        None,
        "authorization-wildcard",
        ["authorization"],
        headers=[("Authorization", "Bearer t0ken")],
        finding="authorization-wildcard",
    ),
    Case(
        "credentials-not-allowed",
        credentials_not_allowed,
        APP,
        "blocked",
        "InvalidAllowCredentials",
        _msg(
            APP,
            "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which"
            " must be 'true' when the request's credentials mode is 'include'.",
        ),
        "credentials-not-allowed",
        ["allow_credentials=True"],
        credentials="include",
    ),
    Case(
        "cookie-samesite-lax",
        cookie_samesite_lax,
        APP,
        "allowed",
        None,
        None,
        "cookie-not-sent",
        ["SameSite=None; Secure"],
        credentials="include",
        path="/login",
        finding="cookie-not-sent",
    ),
    Case(
        "cookie-without-include",
        cookie_samesite_lax,
        APP,
        "allowed",
        None,
        None,
        "cookie-not-sent",
        ["credentials: 'include'"],
        path="/login",
        finding="cookie-not-sent",
    ),
    Case(
        "origin-trailing-slash",
        trailing_slash_origin,
        DEV,
        "blocked",
        "MissingAllowOriginHeader",
        _msg(DEV, NO_ACAO),
        "origin-typo",
        ['allow_origins=["http://localhost:5173"]', "trailing slash"],
        url_symptom="origin-not-allowed",
        url_fix=["allow_origins"],
    ),
    Case(
        "origin-wrong-case",
        wrong_case_origin,
        APP,
        "blocked",
        "MissingAllowOriginHeader",
        _msg(APP, NO_ACAO),
        "origin-typo",
        ['allow_origins=["https://app.example.com"]', "upper-case"],
        url_symptom="origin-not-allowed",
        url_fix=["allow_origins"],
    ),
    Case(
        "localhost-vs-127",
        localhost_vs_loopback,
        DEV,
        "blocked",
        "MissingAllowOriginHeader",
        _msg(DEV, NO_ACAO),
        "localhost-vs-127",
        ['allow_origins=["http://127.0.0.1:5173", "http://localhost:5173"]'],
        url_symptom="origin-not-allowed",
        url_fix=["allow_origins"],
    ),
    Case(
        "duplicate-acao-proxy",
        duplicate_acao,
        DEV,
        "blocked",
        "MultipleAllowOriginValues",
        _msg(
            DEV,
            "The 'Access-Control-Allow-Origin' header contains multiple values"
            " 'http://localhost:5173, *', but only one is allowed. Have the server send the header"
            " with a valid value.",
        ),
        "duplicate-acao",
        ["proxy", "one place"],
    ),
    Case(
        "max-age-above-cap",
        max_age_above_caps,
        APP,
        "allowed",
        None,
        None,
        "max-age-capped",
        ["max_age=600"],
        method="PUT",
        finding="max-age-capped",
    ),
    Case(
        "local-network-access",
        public_cors_api,
        APP,
        "blocked",
        "LocalNetworkAccessPermissionDenied",
        _msg(APP, "Permission was denied for this request to access the `loopback` address space."),
        "local-network-access",
        ["permission"],
        lna=True,
    ),
    Case(
        "local-network-insecure-page",
        public_cors_api,
        "http://app.example.com",
        "blocked",
        "InsecureLocalNetwork",
        _msg(
            "http://app.example.com",
            "The request client is not a secure context and the resource is in more-private address"
            " space `loopback`.",
        ),
        "local-network-access",
        ["https"],
        lna=True,
    ),
    Case(
        "redirect-null-origin",
        lambda: redirecting_server,
        APP,
        "blocked",
        "AllowOriginMismatch",
        "Access to fetch at '{alt}/data' (redirected from '{base}/start') from origin"
        " 'https://app.example.com' has been"
        " blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value"
        " 'https://app.example.com' that is not equal to the supplied origin. Have the server send"
        " the header with a valid value.",
        "redirect-null-origin",
        ["{alt}/data"],
        path="/start",
    ),
    Case(
        "preflight-redirect",
        lambda: redirecting_preflight,
        APP,
        "blocked",
        "PreflightDisallowedRedirect",
        _msg(APP, PRE + "Redirect is not allowed for a preflight request."),
        "preflight-redirect",
        ["{base}/data/"],
        method="PUT",
    ),
    Case(
        "server-error-without-cors",
        server_error,
        APP,
        "blocked",
        "MissingAllowOriginHeader",
        _msg(APP, NO_ACAO, url="{base}/boom"),
        "server-error-without-cors",
        ["outermost"],
        path="/boom",
    ),
]
