"""Deliberately broken (and a few correct) hand-written CORS servers, as raw ASGI apps.

Each server is described by a :class:`Spec`: what it answers to a preflight and to the actual
request, header by header, so the differential suite can reproduce the misconfigurations people
really ship (hand-written CORS headers copied from answers online) and see
what Chromium and the doctor's simulation make of them.

Header values that depend on the request use these markers:

* ``"{origin}"``: the request's ``Origin`` value (reflection);
* ``"{acrm}"`` / ``"{acrh}"``: the preflight's requested method / headers (echo).

Redirects point at the other test server (``"cross"``), at this server (``"same"``), or at the
other server with ``user:pass@`` in the location (``"cross-creds"``); the query string is kept,
so the case id travels along.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# (name, value) pairs; a value may contain the markers described above.
Headers = tuple[tuple[str, str], ...]

REFLECT_ALL: Headers = (
    ("access-control-allow-origin", "{origin}"),
    ("access-control-allow-credentials", "true"),
)
PREFLIGHT_REFLECT_ALL: Headers = (
    *REFLECT_ALL,
    ("access-control-allow-methods", "{acrm}"),
    ("access-control-allow-headers", "{acrh}"),
)


@dataclass(frozen=True)
class Redirect:
    """Answer with *status* and a Location on *target* (``same``, ``cross``, ``cross-creds``)
    whose path is *path*; ``headers`` go on the redirect response itself."""

    status: int
    target: str
    path: str
    headers: Headers = REFLECT_ALL


@dataclass(frozen=True)
class Spec:
    """How a hand-written server answers.

    ``preflight``: headers of the OPTIONS answer (``None`` = no special handling: the server
    answers OPTIONS like any other method, with ``actual`` headers and ``actual_status``... as
    many naive servers do, see ``preflight_status``). ``preflight_redirect`` /
    ``actual_redirect``: answer with a redirect instead.
    """

    description: str
    preflight: Headers | None = PREFLIGHT_REFLECT_ALL
    preflight_status: int = 204
    actual: Headers = REFLECT_ALL
    actual_status: int = 200
    preflight_redirect: Redirect | None = None
    actual_redirect: Redirect | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)


def _fill(template: str, request_headers: dict[str, str]) -> str:
    return (
        template.replace("{origin}", request_headers.get("origin", ""))
        .replace("{acrm}", request_headers.get("access-control-request-method", ""))
        .replace("{acrh}", request_headers.get("access-control-request-headers", ""))
    )


def build(spec: Spec, bases: dict[str, str]) -> ASGIApp:
    """An ASGI app for *spec*. *bases* maps ``"self"`` and ``"other"`` to the two servers'
    base URLs (filled in once the servers have ports)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        # drain the body
        while True:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name = raw_name.decode("latin-1").lower()
            value = raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        is_preflight = scope["method"] == "OPTIONS" and "access-control-request-method" in headers
        redirect = spec.preflight_redirect if is_preflight else spec.actual_redirect
        status: int
        out: list[tuple[str, str]] = []
        body = b""
        if redirect is not None:
            status = redirect.status
            base = bases["self"] if redirect.target == "same" else bases["other"]
            if redirect.target == "cross-creds":
                base = base.replace("http://", "http://user:pass@", 1)
            query = scope.get("query_string", b"").decode("latin-1")
            location = base + redirect.path + (f"?{query}" if query else "")
            out.append(("location", location))
            out.extend((n, _fill(v, headers)) for n, v in redirect.headers)
        elif is_preflight and spec.preflight is not None:
            status = spec.preflight_status
            out.extend((n, _fill(v, headers)) for n, v in spec.preflight)
        else:
            status = spec.actual_status
            out.extend((n, _fill(v, headers)) for n, v in spec.actual)
            out.append(("content-type", "text/plain; charset=utf-8"))
            body = f"{scope['method']} {scope['path']} ok".encode()
        out.append(("content-length", str(len(body))))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(n.encode("latin-1"), v.encode("latin-1")) for n, v in out],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def _pf(
    *extra: tuple[str, str], base: Headers = PREFLIGHT_REFLECT_ALL, drop: tuple[str, ...] = ()
) -> Headers:
    """The permissive preflight headers with some replaced (same name) or dropped."""
    names = {n for n, _ in extra} | set(drop)
    return tuple((n, v) for n, v in base if n not in names) + tuple(extra)


def _act(*extra: tuple[str, str], drop: tuple[str, ...] = ()) -> Headers:
    names = {n for n, _ in extra} | set(drop)
    return tuple((n, v) for n, v in REFLECT_ALL if n not in names) + tuple(extra)


ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"
ACAM = "access-control-allow-methods"
ACAH = "access-control-allow-headers"

#: The broken (and control) servers, by name. Paths under ``/b/<name>/``.
SPECS: dict[str, Spec] = {
    "reflect-everything": Spec(
        "reflects Origin, ACAC true, echoes ACRM/ACRH (permissive control)", tags=("control",)
    ),
    "wildcard-with-credentials": Spec(
        "ACAO * together with ACAC true",
        preflight=_pf((ACAO, "*"), (ACAM, "GET, POST, PUT, PATCH, DELETE"), (ACAH, "*")),
        actual=_act((ACAO, "*")),
    ),
    "wildcard-no-credentials": Spec(
        "ACAO * and ACAM/ACAH * (no ACAC): fine unless credentials are included",
        preflight=((ACAO, "*"), (ACAM, "*"), (ACAH, "*")),
        actual=((ACAO, "*"),),
    ),
    "duplicate-acao": Spec(
        "two ACAO headers (app and proxy both add one)",
        preflight=(*PREFLIGHT_REFLECT_ALL, (ACAO, "{origin}")),
        actual=(*REFLECT_ALL, (ACAO, "{origin}")),
    ),
    "duplicate-acao-star": Spec(
        "two `ACAO: *` headers ('*, *')",
        preflight=((ACAO, "*"), (ACAO, "*"), (ACAM, "*"), (ACAH, "*")),
        actual=((ACAO, "*"), (ACAO, "*")),
    ),
    "acao-trailing-slash": Spec(
        "ACAO is the origin with a trailing slash",
        preflight=_pf((ACAO, "{origin}/")),
        actual=_act((ACAO, "{origin}/")),
    ),
    "acao-no-scheme": Spec(
        "ACAO without a scheme (app.example.com)",
        preflight=_pf((ACAO, "app.example.com")),
        actual=_act((ACAO, "app.example.com")),
    ),
    "acao-space-list": Spec(
        "ACAO lists two origins separated by a space",
        preflight=_pf((ACAO, "https://app.example.com https://other.example")),
        actual=_act((ACAO, "https://app.example.com https://other.example")),
    ),
    "acao-null": Spec(
        "ACAO null",
        preflight=_pf((ACAO, "null")),
        actual=_act((ACAO, "null")),
    ),
    "acao-uppercase": Spec(
        "ACAO with an upper-case host",
        preflight=_pf((ACAO, "https://APP.example.com")),
        actual=_act((ACAO, "https://APP.example.com")),
    ),
    "acac-capital-true": Spec(
        "ACAC `True` instead of `true`",
        preflight=_pf((ACAC, "True")),
        actual=_act((ACAC, "True")),
    ),
    "acac-missing": Spec(
        "reflects the origin but never sends ACAC",
        preflight=_pf(drop=(ACAC,)),
        actual=_act(drop=(ACAC,)),
    ),
    "acam-space-separated": Spec(
        "ACAM `GET POST PUT PATCH DELETE` (spaces, not commas)",
        preflight=_pf((ACAM, "GET POST PUT PATCH DELETE")),
    ),
    "acam-lowercase": Spec(
        "ACAM `get, post, put, patch, delete` (lower case)",
        preflight=_pf((ACAM, "get, post, put, patch, delete")),
    ),
    "acam-star": Spec(
        "ACAM `*` with reflected origin and ACAC true",
        preflight=_pf((ACAM, "*")),
    ),
    "acah-star": Spec(
        "ACAH `*` (does not cover Authorization)",
        preflight=_pf((ACAH, "*"), drop=(ACAC,)),
        actual=_act(drop=(ACAC,)),
    ),
    "acah-space-separated": Spec(
        "ACAH `x-custom content-type authorization` (spaces)",
        preflight=_pf((ACAH, "x-custom content-type authorization")),
    ),
    "acah-fixed-list": Spec(
        "ACAH lists only Content-Type and X-Custom",
        preflight=_pf((ACAH, "Content-Type, X-Custom")),
    ),
    "preflight-401-with-cors": Spec(
        "preflight answered 401 (auth required on OPTIONS), CORS headers present",
        preflight_status=401,
    ),
    "preflight-401-bare": Spec(
        "preflight answered 401 without any CORS header",
        preflight=(),
        preflight_status=401,
    ),
    "preflight-404-bare": Spec(
        "no OPTIONS route: 404 without CORS headers",
        preflight=(),
        preflight_status=404,
    ),
    "preflight-500-with-cors": Spec(
        "preflight crashes into a 500 that still carries CORS headers",
        preflight_status=500,
    ),
    "preflight-redirect": Spec(
        "OPTIONS answered with 307 to the same path on the other server",
        preflight_redirect=Redirect(
            307, "cross", "/b/reflect-everything/data", PREFLIGHT_REFLECT_ALL
        ),
    ),
    "actual-500-no-cors": Spec(
        "the handler fails: 500 without CORS headers (Starlette's ServerErrorMiddleware case)",
        actual=(),
        actual_status=500,
    ),
    "actual-404-with-cors": Spec(
        "404 with CORS headers (readable error)",
        actual_status=404,
    ),
    "redirect-same-origin": Spec(
        "302 to another path on the same server, both hops with CORS headers",
        actual_redirect=Redirect(302, "same", "/b/reflect-everything/moved"),
    ),
    "redirect-same-origin-307": Spec(
        "307 to another path on the same server (method and body kept)",
        actual_redirect=Redirect(307, "same", "/b/reflect-everything/moved"),
    ),
    "redirect-cross-origin-reflect": Spec(
        "307 to the other server, which reflects Origin (now `null`)",
        actual_redirect=Redirect(307, "cross", "/b/reflect-everything/moved"),
    ),
    "redirect-cross-origin-star": Spec(
        "302 to the other server, which answers ACAO *",
        actual_redirect=Redirect(302, "cross", "/b/wildcard-no-credentials/moved"),
    ),
    "redirect-cross-origin-fixed": Spec(
        "307 to the other server, which allows only https://app.example.com",
        actual_redirect=Redirect(307, "cross", "/b/acao-fixed-app/moved"),
    ),
    "redirect-no-cors": Spec(
        "302 whose redirect response has no CORS headers",
        actual_redirect=Redirect(302, "same", "/b/reflect-everything/moved", ()),
    ),
    "redirect-credentials-in-location": Spec(
        "307 to http://user:pass@other-server/...",
        actual_redirect=Redirect(307, "cross-creds", "/b/reflect-everything/moved"),
    ),
    "redirect-303": Spec(
        "303 See Other to the same server (POST becomes GET)",
        actual_redirect=Redirect(303, "same", "/b/reflect-everything/moved"),
    ),
    "acao-fixed-app": Spec(
        "ACAO always https://app.example.com (static), ACAC true",
        preflight=_pf((ACAO, "https://app.example.com")),
        actual=_act((ACAO, "https://app.example.com")),
    ),
}
