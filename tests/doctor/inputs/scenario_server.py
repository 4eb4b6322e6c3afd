"""A hand-written CORS server for the input tests: one behaviour per path ``/s/<case>``, each a
common misconfiguration (or a correct answer), so real Chromium can be driven into every kind of
failure and the recordings (HAR, console, DevTools copies) compared with the doctor.

``FRONT`` is replaced by the page's origin when the app is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FRONT = "{front}"


@dataclass(frozen=True)
class Case:
    name: str
    call: str  # JavaScript; API is the API's base URL, C the case's URL
    preflight: list[tuple[str, str]] | None = None  # headers of the OPTIONS answer
    preflight_status: int = 204
    actual: list[tuple[str, str]] | None = None  # CORS headers of the response
    status: int = 200


ECHO = [("Access-Control-Allow-Origin", FRONT), ("Vary", "Origin")]
CRED = [*ECHO, ("Access-Control-Allow-Credentials", "true")]


def _pf(
    methods: str, headers: str = "", extra: list[tuple[str, str]] | None = None
) -> list[tuple[str, str]]:
    out = [*ECHO, ("Access-Control-Allow-Methods", methods)]
    if headers:
        out.append(("Access-Control-Allow-Headers", headers))
    return out + (extra or [])


JSON_POST = "fetch(C, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'})"

CASES: list[Case] = [
    Case("simple-get-allowed", "fetch(C)", actual=ECHO),
    Case("simple-get-no-cors", "fetch(C)", actual=[]),
    Case(
        "simple-get-other-origin",
        "fetch(C)",
        actual=[("Access-Control-Allow-Origin", "https://admin.example.com")],
    ),
    Case(
        "simple-get-trailing-slash",
        "fetch(C)",
        actual=[("Access-Control-Allow-Origin", FRONT + "/")],
    ),
    Case("duplicate-acao", "fetch(C)", actual=[*ECHO, ("Access-Control-Allow-Origin", "*")]),
    Case("invalid-acao", "fetch(C)", actual=[("Access-Control-Allow-Origin", "localhost")]),
    Case(
        "wildcard-with-credentials",
        "fetch(C, {credentials: 'include'})",
        actual=[("Access-Control-Allow-Origin", "*")],
    ),
    Case("credentials-without-acac", "fetch(C, {credentials: 'include'})", actual=ECHO),
    Case("credentials-allowed", "fetch(C, {credentials: 'include'})", actual=CRED),
    Case("server-error-no-cors", "fetch(C)", actual=[], status=500),
    Case("post-json-allowed", JSON_POST, preflight=_pf("GET, POST", "content-type"), actual=ECHO),
    Case(
        "put-method-not-allowed",
        "fetch(C, {method: 'PUT'})",
        preflight=_pf("GET, POST"),
        actual=ECHO,
    ),
    Case(
        "custom-header-not-allowed",
        "fetch(C, {headers: {'X-Custom': '1'}})",
        preflight=_pf("GET", "content-type"),
        actual=ECHO,
    ),
    Case("preflight-401", JSON_POST, preflight=[], preflight_status=401, actual=ECHO),
    Case(
        "preflight-405-with-cors",
        JSON_POST,
        preflight=_pf("GET, POST", "content-type"),
        preflight_status=405,
        actual=ECHO,
    ),
    Case(
        "preflight-redirect",
        JSON_POST,
        preflight=[*ECHO, ("Location", "/s/post-json-allowed")],
        preflight_status=307,
        actual=ECHO,
    ),
    Case(
        "acam-unparsable", "fetch(C, {method: 'DELETE'})", preflight=_pf("GET DELETE"), actual=ECHO
    ),
    Case(
        "lowercase-patch", "fetch(C, {method: 'patch'})", preflight=_pf("GET, PATCH"), actual=ECHO
    ),
    Case(
        "authorization-wildcard",
        "fetch(C, {headers: {'Authorization': 'Bearer t0ken-s3cret'}})",
        preflight=_pf("GET", "*"),
        actual=ECHO,
    ),
    Case(
        "redirect-then-allowed",
        "fetch(C)",
        actual=[*ECHO, ("Location", "/s/simple-get-allowed")],
        status=302,
    ),
    Case(
        "xhr-no-cors",
        "new Promise((ok, ko) => { const x = new XMLHttpRequest(); x.open('GET', C);"
        " x.onload = () => ok({status: x.status}); x.onerror = () => ko('XHR error'); x.send(); })",
        actual=[],
    ),
    Case("text-post-allowed", "fetch(C, {method: 'POST', body: 'hello'})", actual=ECHO),
    Case(
        "preflight-missing-acac",
        "fetch(C, {method: 'PUT', credentials: 'include'})",
        preflight=_pf("PUT"),
        actual=CRED,
    ),
]

BY_NAME = {c.name: c for c in CASES}


def _headers(items: list[tuple[str, str]], front: str) -> list[tuple[bytes, bytes]]:
    return [(n.lower().encode(), v.replace(FRONT, front).encode("latin-1")) for n, v in items]


def build_app(front: str) -> Any:
    """The ASGI app (behaviour per path ``/s/<case>``); *front* is the page's origin."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        name = scope["path"].rsplit("/", 1)[-1]
        case = BY_NAME.get(name)
        is_preflight = scope["method"] == "OPTIONS" and any(
            k == b"access-control-request-method" for k, _ in scope["headers"]
        )
        if case is None:
            status, headers = 404, []
        elif is_preflight:
            status, headers = case.preflight_status, case.preflight or []
        else:
            status, headers = case.status, case.actual or []
        no_body = status in (204, 304) or scope["method"] == "HEAD"
        body = b"" if no_body else f"{scope['method']} {name}".encode()
        raw = [
            *_headers(headers, front),
            (b"content-type", b"text/plain"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    return app
