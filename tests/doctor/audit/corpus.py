"""Deliberately misconfigured (and correct) servers for ``corskit audit``.

Every server is a small API at "api.example.com" whose front-end is ``https://app.example.com``
(:data:`FRONTEND`), with its CORS written the way real projects get it wrong: Starlette's
``["*"]`` with credentials, django-cors-headers / flask-cors regexes applied with ``re.match``,
hand-written reflection, ``"null"`` in the list, ``startswith``/``endswith``/``in`` checks,
unescaped dots, ``*.github.io``-style trust, plain-http origins, dynamic
``Access-Control-Allow-Origin`` without ``Vary``, preflight handlers that echo everything,
two layers adding headers, and Private Network Access for everyone.

Each :class:`Server` names the classes the audit must find (exactly those, with those
severities).  Module attributes named after the servers (dashes → underscores) hold the apps,
so ``tests.doctor.audit.corpus:starlette_star_credentials`` is an in-process target.  The Django
servers (django-cors-headers) need their own process: see :mod:`tests.doctor.audit.django_site`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request, Response
from flask import Flask
from flask_cors import CORS
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware as StarletteCORS
from starlette.responses import JSONResponse
from starlette.routing import Route

import corskit

FRONTEND = "https://app.example.com"
USER = {"user": "alice", "email": "alice@example.com", "balance": 1234}


@dataclass(frozen=True)
class Server:
    """One corpus server: how it is built and what the audit must report."""

    name: str
    story: str
    build: Callable[[], Any]
    #: class id -> severity the audit must report (exactly these classes).
    expected: dict[str, str]
    #: ``--origin`` to pass (None: rely on discovery).
    origin: str | None = FRONTEND
    kind: str = "asgi"
    correct: bool = False
    tags: tuple[str, ...] = field(default=())

    @property
    def attr(self) -> str:
        return self.name.replace("-", "_")


# ------------------------------------------------------------------------------------------
# app skeletons


async def _me(request: Any) -> JSONResponse:
    return JSONResponse(USER)


def _starlette(**cors: Any) -> Starlette:
    """A Starlette app with Starlette's own CORSMiddleware."""
    return Starlette(
        routes=[Route("/", _me), Route("/api/me", _me)],
        middleware=[Middleware(StarletteCORS, **cors)],
    )


def _fastapi() -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/")
    @app.get("/api/me")
    def me() -> dict[str, Any]:
        return USER

    return app


def _flask(**cors: Any) -> Flask:
    app = Flask(__name__)

    @app.get("/")
    @app.get("/api/me")
    def me() -> dict[str, Any]:
        return USER

    CORS(app, **cors)
    return app


def _handwritten(
    allowed: Callable[[str], bool],
    *,
    credentials: bool = True,
    vary: bool = True,
    preflight: bool = True,
) -> FastAPI:
    """The CORS middleware people paste into FastAPI apps: check the Origin with *allowed*,
    echo it, and answer preflights for allowed origins."""
    app = _fastapi()

    @app.middleware("http")
    async def cors(request: Request, call_next: Any) -> Response:
        origin = request.headers.get("origin")
        ok = origin is not None and allowed(origin)
        if (
            preflight
            and request.method == "OPTIONS"
            and "access-control-request-method" in request.headers
        ):
            response: Response = Response(status_code=204 if ok else 403)
            if ok:
                response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, DELETE"
                response.headers["Access-Control-Allow-Headers"] = "content-type, authorization"
        else:
            response = await call_next(request)
        if ok:
            response.headers["Access-Control-Allow-Origin"] = origin or ""
            if credentials:
                response.headers["Access-Control-Allow-Credentials"] = "true"
        if vary:
            response.headers.append("Vary", "Origin")
        return response

    return app


# ------------------------------------------------------------------------------------------
# misconfigured servers


def starlette_star_credentials() -> Any:
    # The FastAPI tutorial's allow_origins=["*"] plus allow_credentials=True "to make cookies
    # work": Starlette then echoes every Origin.
    return _starlette(
        allow_origins=["*"], allow_credentials=True, allow_methods=["*"], allow_headers=["*"]
    )


def fastapi_regex_dotstar() -> Any:
    # "a regex like .* equals * with none of the warning signs"
    app = _fastapi()
    app.add_middleware(StarletteCORS, allow_origin_regex=".*", allow_credentials=True)
    return app


def handwritten_reflect_credentials() -> Any:
    # Copied from a Stack Overflow answer: echo the Origin so "CORS works everywhere".
    return _handwritten(lambda origin: True, vary=False, preflight=False)


def handwritten_reflect_intranet() -> Any:
    # An internal dashboard API: no cookies, so reflection "can't hurt" (it can: intranet data).
    return _handwritten(lambda origin: True, credentials=False)


def flask_cors_default_credentials() -> Any:
    # flask-cors' default origins="*" with supports_credentials=True reflects every origin.
    return _flask(supports_credentials=True)


def starlette_null_allowed() -> Any:
    # "null" added after a bug report from someone opening the app from file://.
    return _starlette(allow_origins=[FRONTEND, "null"], allow_credentials=True)


def handwritten_null_file() -> Any:
    # The Electron/file:// build of the front-end sends Origin: null, so it was allowlisted.
    return _handwritten(lambda origin: origin in ("null", FRONTEND), credentials=False)


def flask_cors_regex_no_dollar() -> Any:
    # flask-cors applies regexes with re.match: anchored at the start only.
    return _flask(origins=[r"https://app\.example\.com"], supports_credentials=True)


def flask_cors_subdomain_regex() -> Any:
    # The flask-cors docs-style subdomain regex, with re.match: no end anchor.
    return _flask(origins=[r"https://.*\.example\.com"], supports_credentials=True)


def flask_cors_glob() -> Any:
    # A glob written for flask-cors, which reads it as a regex: "*" repeats "/", "." is any
    # character, so it matches https://aexample.com and not https://app.example.com.
    return _flask(origins=["https://*.example.com"], supports_credentials=True)


def handwritten_startswith() -> Any:
    return _handwritten(lambda origin: origin.startswith(FRONTEND))


def handwritten_endswith() -> Any:
    return _handwritten(lambda origin: origin.endswith("example.com"))


def handwritten_contains() -> Any:
    return _handwritten(lambda origin: "example.com" in origin)


def starlette_string_origins() -> Any:
    # A settings value read from the environment and passed as a str, not a list: Starlette's
    # `origin in self.allow_origins` becomes a substring test.
    return _starlette(allow_origins=FRONTEND, allow_credentials=True)


def starlette_unescaped_dot() -> Any:
    return _starlette(allow_origin_regex=r"https://app.example.com", allow_credentials=True)


def starlette_dotstar_subdomains() -> Any:
    # The pattern Starlette's docs warn about (see Starlette's CORSMiddleware documentation): .* and unescaped dots.
    return _starlette(allow_origin_regex=r"https://.*.example.com", allow_credentials=True)


_HOST = re.compile(r"^https?://([a-z0-9.-]+)")


def handwritten_host_parser() -> Any:
    # Extract the host with a regex, then compare it: the regex stops at "_" and friends
    # (and "https?" lets the plain-http twin in too: a second, genuine finding).
    def allowed(origin: str) -> bool:
        m = _HOST.match(origin)
        return m is not None and m.group(1) == "app.example.com"

    return _handwritten(allowed)


def starlette_subdomain_regex() -> Any:
    # Trusts every subdomain on purpose (informational: one XSS'd subdomain reads the API).
    return _starlette(
        allow_origin_regex=r"https://[a-z0-9-]+\.example\.com", allow_credentials=True
    )


def starlette_github_pages() -> Any:
    # The docs site lives on GitHub Pages, so "*.github.io" was trusted: that is everyone's.
    return _starlette(
        allow_origins=[FRONTEND],
        allow_origin_regex=r"https://[\w-]+\.github\.io",
        allow_credentials=True,
    )


def handwritten_playgrounds() -> Any:
    # Live demos on CodePen and JSFiddle call the API with the visitor's session.
    trusted = {FRONTEND, "https://codepen.io", "https://jsfiddle.net"}
    return _handwritten(lambda origin: origin in trusted)


def starlette_http_trusted() -> Any:
    # Both schemes listed "in case someone types http://".
    return _starlette(allow_origins=[FRONTEND, "http://app.example.com"], allow_credentials=True)


def handwritten_no_vary() -> Any:
    # A correct allowlist (production + a dev server) but no Vary: Origin behind a CDN.
    trusted = {FRONTEND, "http://localhost:3000"}
    return _handwritten(lambda origin: origin in trusted, vary=False)


def handwritten_one_origin_no_vary() -> Any:
    # One trusted origin, echoed to it alone, never a Vary: Origin: the response without
    # Origin (no CORS headers) and the one for the trusted origin share a cache key.
    return _handwritten(lambda origin: origin == FRONTEND, vary=False)


def handwritten_preflight_catchall() -> Any:
    # Actual responses check an allowlist, but a catch-all OPTIONS route, added to "fix CORS
    # errors", echoes Origin, method and headers with credentials for everyone.
    app = _handwritten(lambda origin: origin == FRONTEND, preflight=False)

    @app.options("/{rest:path}")
    async def preflight(request: Request, rest: str) -> Response:
        h = request.headers
        return Response(
            status_code=204,
            headers={
                "Access-Control-Allow-Origin": h.get("origin", "*"),
                "Access-Control-Allow-Methods": h.get("access-control-request-method", "GET"),
                "Access-Control-Allow-Headers": h.get("access-control-request-headers", ""),
                "Access-Control-Allow-Credentials": "true",
            },
        )

    return app


def starlette_headers_star() -> Any:
    # allow_headers=["*"] with credentials: every requested header is echoed, Authorization too.
    return _starlette(
        allow_origins=[FRONTEND],
        allow_credentials=True,
        allow_methods=["GET", "POST"],
        allow_headers=["*"],
    )


def proxy_duplicate_acao() -> Any:
    # nginx `add_header Access-Control-Allow-Origin https://app.example.com always;` in front
    # of an app that already sends it: two headers, which browsers reject.
    inner = _starlette(allow_origins=[FRONTEND], allow_credentials=True)

    async def proxy(scope: Any, receive: Any, send: Any) -> None:
        async def send_wrapper(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"access-control-allow-origin", FRONTEND.encode()),
                ]
            await send(message)

        await inner(scope, receive, send_wrapper)

    return proxy


def handwritten_sloppy_values() -> Any:
    # str(True) for credentials and the origin copied from the address bar (trailing slash).
    app = _fastapi()

    @app.middleware("http")
    async def cors(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers["Access-Control-Allow-Origin"] = FRONTEND + "/"
        response.headers["Access-Control-Allow-Credentials"] = str(True)
        return response

    return app


def handwritten_space_lists() -> Any:
    # Preflight lists separated by spaces, as in some blog posts: browsers reject them.
    app = _fastapi()

    @app.middleware("http")
    async def cors(request: Request, call_next: Any) -> Response:
        origin = request.headers.get("origin")
        ok = origin == FRONTEND
        if request.method == "OPTIONS" and ok:
            response: Response = Response(status_code=204)
            response.headers["Access-Control-Allow-Methods"] = "GET POST PUT"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type Authorization"
        else:
            response = await call_next(request)
        if ok:
            response.headers["Access-Control-Allow-Origin"] = FRONTEND
            response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Vary"] = "Origin"
        return response

    return app


def starlette_pna_everyone() -> Any:
    # A device on the LAN (printer, NAS, router UI) that turned on PNA to make its own web
    # UI work, together with allow_origins=["*"]: every public site may reach it.
    return _starlette(allow_origins=["*"], allow_methods=["*"], allow_private_network=True)


def handwritten_star_credentials() -> Any:
    # ACAO: * and ACAC: true together: browsers refuse it (broken rather than exploitable).
    app = _fastapi()

    @app.middleware("http")
    async def cors(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Credentials"] = "true"
        return response

    return app


def handwritten_dev_regex() -> Any:
    # Only a dev origin is trusted, via a regex applied with re.match: no end anchor.
    # (No --origin: the audit must discover http://localhost:3000 by itself.)
    pattern = re.compile(r"http://localhost(:\d+)?")
    return _handwritten(lambda origin: pattern.match(origin) is not None)


# ------------------------------------------------------------------------------------------
# correct servers


def corskit_strict() -> Any:
    return corskit.CORSMiddleware(_fastapi(), allow_origins=[FRONTEND])


def corskit_permissive() -> Any:
    # The most permissive policy corskit accepts without a dangerously_* flag.
    return corskit.CORSMiddleware(
        _fastapi(),
        allow_origins=[FRONTEND, "https://*.example.com", "http://localhost:*"],
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*", "authorization"],
        expose_headers=["x-request-id"],
        allow_private_network=True,
        max_age=7200,
    )


def corskit_public() -> Any:
    return corskit.CORSMiddleware(_fastapi(), allow_origins=["*"], allow_methods=["GET", "POST"])


def corskit_outermost() -> Any:
    return corskit.outermost(
        _fastapi(),
        allow_origins=[FRONTEND, "https://admin.example.com"],
        allow_credentials=True,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["content-type", "authorization"],
    )


def starlette_exact_credentials() -> Any:
    return _starlette(
        allow_origins=[FRONTEND],
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT"],
        allow_headers=["content-type", "authorization"],
    )


def starlette_public() -> Any:
    return _starlette(allow_origins=["*"])


def flask_cors_exact() -> Any:
    # flask-cors' default allow_headers="*" echoes every requested header: info only.  With a
    # single origin flask-cors leaves out Vary: Origin although it answers other origins
    # without Access-Control-Allow-Origin: a shared cache can serve that answer to the
    # trusted origin.
    return _flask(origins=[FRONTEND], supports_credentials=True)


def handwritten_correct() -> Any:
    trusted = frozenset({FRONTEND, "https://admin.example.com"})
    return _handwritten(lambda origin: origin in trusted)


SERVERS: list[Server] = [
    Server(
        "starlette-star-credentials",
        "Starlette allow_origins=['*'] + allow_credentials=True",
        starlette_star_credentials,
        {"origin-reflection": "high"},
    ),
    Server(
        "fastapi-regex-dotstar",
        "FastAPI allow_origin_regex='.*' + credentials",
        fastapi_regex_dotstar,
        {"origin-reflection": "high"},
    ),
    Server(
        "handwritten-reflect-credentials",
        "hand-written Origin echo + credentials, no Vary",
        handwritten_reflect_credentials,
        {"origin-reflection": "high", "missing-vary": "medium"},
    ),
    Server(
        "handwritten-reflect-intranet",
        "hand-written Origin echo without credentials",
        handwritten_reflect_intranet,
        {"origin-reflection": "medium"},
    ),
    Server(
        "flask-cors-default-credentials",
        "flask-cors default origins='*' + supports_credentials",
        flask_cors_default_credentials,
        {"origin-reflection": "high"},
        kind="wsgi",
    ),
    Server(
        "starlette-null-allowed",
        "Starlette allow_origins=[..., 'null'] + credentials",
        starlette_null_allowed,
        {"null-origin": "high"},
    ),
    Server(
        "handwritten-null-file",
        "hand-written allowlist containing 'null' (file:// build)",
        handwritten_null_file,
        {"null-origin": "medium"},
    ),
    Server(
        "flask-cors-regex-no-dollar",
        r"flask-cors origins=[r'https://app\.example\.com'] (re.match)",
        flask_cors_regex_no_dollar,
        {"prefix-match": "high", "preflight-reflection": "info"},
        kind="wsgi",
    ),
    Server(
        "flask-cors-subdomain-regex",
        r"flask-cors origins=[r'https://.*\.example\.com'] (re.match)",
        flask_cors_subdomain_regex,
        {"substring-match": "high", "preflight-reflection": "info"},
        kind="wsgi",
    ),
    Server(
        "flask-cors-glob",
        "flask-cors origins=['https://*.example.com'] read as a regex",
        flask_cors_glob,
        {"unescaped-dot": "high"},
        kind="wsgi",
    ),
    Server(
        "handwritten-startswith",
        "origin.startswith('https://app.example.com')",
        handwritten_startswith,
        {"prefix-match": "high"},
    ),
    Server(
        "handwritten-endswith",
        "origin.endswith('example.com')",
        handwritten_endswith,
        {"suffix-match": "high"},
    ),
    Server(
        "handwritten-contains",
        "'example.com' in origin",
        handwritten_contains,
        {"substring-match": "high"},
    ),
    Server(
        "starlette-string-origins",
        "Starlette allow_origins='https://app.example.com' (a str)",
        starlette_string_origins,
        {"substring-match": "high"},
    ),
    Server(
        "starlette-unescaped-dot",
        "Starlette allow_origin_regex='https://app.example.com'",
        starlette_unescaped_dot,
        {"unescaped-dot": "high"},
    ),
    Server(
        "starlette-dotstar-subdomains",
        "Starlette allow_origin_regex='https://.*.example.com'",
        starlette_dotstar_subdomains,
        {"suffix-match": "high", "unescaped-dot": "low"},
    ),
    Server(
        "handwritten-host-parser",
        "host extracted with ^https?://([a-z0-9.-]+)",
        handwritten_host_parser,
        {"special-characters": "high", "http-origin-trusted": "medium"},
    ),
    Server(
        "starlette-subdomain-regex",
        r"Starlette allow_origin_regex='https://[a-z0-9-]+\.example\.com'",
        starlette_subdomain_regex,
        {"any-subdomain": "info"},
    ),
    Server(
        "starlette-github-pages",
        r"Starlette allow_origin_regex='https://[\w-]+\.github\.io'",
        starlette_github_pages,
        {"third-party-origin": "high"},
    ),
    Server(
        "handwritten-playgrounds",
        "codepen.io and jsfiddle.net in the allowlist",
        handwritten_playgrounds,
        {"third-party-origin": "high"},
    ),
    Server(
        "starlette-http-trusted",
        "Starlette allow_origins with the http:// twin",
        starlette_http_trusted,
        {"http-origin-trusted": "medium"},
    ),
    Server(
        "handwritten-no-vary",
        "exact allowlist of two origins, no Vary: Origin",
        handwritten_no_vary,
        {"missing-vary": "medium"},
    ),
    Server(
        "handwritten-one-origin-no-vary",
        "one trusted origin echoed, nothing for others, no Vary: Origin",
        handwritten_one_origin_no_vary,
        {"missing-vary": "medium"},
    ),
    Server(
        "handwritten-preflight-catchall",
        "catch-all OPTIONS route echoing everything + credentials",
        handwritten_preflight_catchall,
        {"preflight-reflection": "medium"},
    ),
    Server(
        "starlette-headers-star",
        "Starlette allow_headers=['*'] + credentials",
        starlette_headers_star,
        {"preflight-reflection": "info"},
    ),
    Server(
        "proxy-duplicate-acao",
        "proxy add_header + app both send Access-Control-Allow-Origin",
        proxy_duplicate_acao,
        {"malformed-headers": "low"},
    ),
    Server(
        "handwritten-sloppy-values",
        "ACAC: True and an origin with a trailing slash",
        handwritten_sloppy_values,
        {"malformed-headers": "low"},
    ),
    Server(
        "handwritten-space-lists",
        "space-separated Allow-Methods / Allow-Headers",
        handwritten_space_lists,
        {"malformed-headers": "low"},
    ),
    Server(
        "starlette-pna-everyone",
        "Starlette allow_origins=['*'] + allow_private_network=True",
        starlette_pna_everyone,
        {"private-network": "medium", "wildcard-origin": "info"},
    ),
    Server(
        "handwritten-star-credentials",
        "ACAO: * together with ACAC: true",
        handwritten_star_credentials,
        {"wildcard-origin": "low"},
    ),
    Server(
        "handwritten-dev-regex",
        r"re.match(r'http://localhost(:\d+)?', origin), discovered",
        handwritten_dev_regex,
        {"prefix-match": "high"},
        origin=None,
    ),
    # correct servers: nothing of severity low or above
    Server(
        "corskit-strict", "corskit, one exact origin, defaults", corskit_strict, {}, correct=True
    ),
    Server(
        "corskit-permissive",
        "corskit's most permissive valid policy",
        corskit_permissive,
        {"any-subdomain": "info", "private-network": "info", "preflight-reflection": "info"},
        correct=True,
    ),
    Server(
        "corskit-public",
        "corskit public API allow_origins=['*']",
        corskit_public,
        {"wildcard-origin": "info"},
        correct=True,
    ),
    Server(
        "corskit-outermost",
        "corskit.outermost on FastAPI, two origins + credentials",
        corskit_outermost,
        {},
        correct=True,
    ),
    Server(
        "starlette-exact-credentials",
        "Starlette exact origin + credentials",
        starlette_exact_credentials,
        {},
        correct=True,
    ),
    Server(
        "starlette-public",
        "Starlette public API allow_origins=['*']",
        starlette_public,
        {"wildcard-origin": "info"},
        correct=True,
    ),
    Server(
        "flask-cors-exact",
        "flask-cors exact origin + credentials (no Vary: Origin with one origin)",
        flask_cors_exact,
        {"preflight-reflection": "info", "missing-vary": "medium"},
        kind="wsgi",
    ),
    Server(
        "handwritten-correct",
        "hand-written set allowlist + Vary + credentials",
        handwritten_correct,
        {},
        correct=True,
    ),
]

BY_NAME = {s.name: s for s in SERVERS}

for _server in SERVERS:
    globals()[_server.attr] = _server.build()
