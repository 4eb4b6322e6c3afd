"""What each handler of the suite's server answers: the behaviour of the web-platform-tests'
resource handlers (fetch/api/resources/preflight.py, redirect.py, inspect-headers.py, the
``pipe=header(...)`` responses of top.txt; cors/resources/cors-makeheader.py, status.py,
preflight.py, cors-headers.asis, expose-headers.py), written anew for this suite.

Query values are percent-decoded to bytes (Latin-1), so a case can put any byte into a
response header. A *stash* keeps what a preflight saw, per ``token``, for the actual request
that follows it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode


@dataclass(frozen=True)
class Request:
    """One request as received: method, request target, header lines, body."""

    method: str
    target: str
    headers: list[tuple[bytes, bytes]]
    body: bytes

    @property
    def query(self) -> list[tuple[bytes, bytes]]:
        """The query's pairs, percent-decoded to bytes (``+`` is a space)."""
        _, _, query = self.target.partition("?")
        pairs = parse_qsl(query, keep_blank_values=True, encoding="latin-1")
        return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in pairs]

    def get(self, name: bytes, default: bytes | None = None) -> bytes | None:
        """The first query value of *name*."""
        for key, value in self.query:
            if key == name:
                return value
        return default

    def has(self, name: bytes) -> bool:
        """Whether the query has *name* (with or without a value)."""
        return any(key == name for key, _ in self.query)

    def header(self, name: bytes) -> bytes | None:
        """The request header *name* (case-insensitive), several lines joined by ``, ``."""
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return b", ".join(values) if values else None


@dataclass
class Response:
    """An answer: status line, header lines and body, or the *raw* bytes to send."""

    status: int = 200
    reason: str = "OK"
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    raw: bytes | None = None
    head_only: bool = False

    def set(self, name: bytes, value: bytes) -> None:
        """Replace every line of *name* with one."""
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))


class Stash:
    """Values kept between requests, by token (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[bytes, dict[str, bytes]] = {}

    def put(self, token: bytes, value: dict[str, bytes]) -> None:
        with self._lock:
            self._data[token] = value

    def take(self, token: bytes) -> dict[str, bytes] | None:
        with self._lock:
            return self._data.pop(token, None)


Handler = Callable[[Request, Stash], Response]


def _finish(request: Request, response: Response) -> Response:
    response.head_only = request.method == "HEAD"
    return response


# -- fetch/api/resources -------------------------------------------------------------------


def _preflight_allow_origin(request: Request) -> list[tuple[bytes, bytes]]:
    origin = request.get(b"origin")
    if origin is None:
        return [(b"Access-Control-Allow-Origin", b"*")]
    return [(b"Access-Control-Allow-Origin", o) for o in origin.split(b", ")]


def fetch_preflight(request: Request, stash: Stash) -> Response:
    """A CORS resource whose preflight answer is set by the query (``origin`` (a ``, ``
    list), ``credentials``, ``allow_methods``, ``allow_headers``, ``max_age``,
    ``preflight_status``); the actual response tells, in exposed ``x-*`` headers, whether a
    preflight came first and which headers it asked for."""
    response = Response(headers=[(b"Content-Type", b"text/plain")])
    response.headers += _preflight_allow_origin(request)
    if request.has(b"credentials"):
        response.headers.append((b"Access-Control-Allow-Credentials", b"true"))
    token = request.get(b"token")
    if request.method == "OPTIONS":
        return _fetch_preflight_options(request, stash, response, token)
    seen = (stash.take(token) if token else None) or {"preflight": b"0"}
    if token:
        stash.put(token, seen)
    same_ua = seen.get("ua") == (request.header(b"user-agent") or b"")
    if request.has(b"checkUserAgentHeaderInPreflight") and not same_ua:
        return Response(
            400, "Bad Request", response.headers, b"the preflight had another User-Agent"
        )
    exposed = (
        b"x-did-preflight, x-control-request-headers, x-referrer, x-preflight-referrer, x-origin"
    )
    response.headers.append((b"Access-Control-Expose-Headers", exposed))
    response.headers.append((b"x-did-preflight", seen["preflight"]))
    if "acrh" in seen:
        response.headers.append((b"x-control-request-headers", seen["acrh"]))
    response.headers.append((b"x-origin", request.header(b"origin") or b""))
    return _finish(request, response)


def _fetch_preflight_options(
    request: Request, stash: Stash, response: Response, token: bytes | None
) -> Response:
    if request.header(b"access-control-request-method") is None:
        return Response(400, "Bad Request", response.headers, b"no ACRM in the preflight")
    if request.header(b"accept") != b"*/*":
        return Response(400, "Bad Request", response.headers, b"no Accept: */* in the preflight")
    for param, name in (
        (b"max_age", b"Access-Control-Max-Age"),
        (b"allow_headers", b"Access-Control-Allow-Headers"),
        (b"allow_methods", b"Access-Control-Allow-Methods"),
    ):
        value = request.get(param)
        if value is not None:
            response.headers.append((name, value))
    seen = {"preflight": b"1", "ua": request.header(b"user-agent") or b""}
    acrh = request.header(b"access-control-request-headers")
    if request.has(b"control_request_headers") and acrh is not None:
        seen["acrh"] = acrh
    if token:
        stash.put(token, seen)
    status = int(request.get(b"preflight_status") or b"200")
    response.status, response.reason = status, "OK"
    return response


def fetch_redirect(request: Request, stash: Stash) -> Response:
    """A redirect (``redirect_status``, default 302) to ``location``, which keeps the query's
    parameters unless ``simple`` is given; it echoes the request's ``Origin`` with credentials
    allowed (``*`` without an Origin); a preflight gets 200 unless ``redirect_preflight``."""
    origin = request.header(b"origin")
    response = Response(
        302, "Found", [(b"Content-Type", b"text/plain"), (b"Cache-Control", b"no-cache")]
    )
    if origin is not None:
        response.headers.append((b"Access-Control-Allow-Origin", origin))
        response.headers.append((b"Access-Control-Allow-Credentials", b"true"))
    else:
        response.headers.append((b"Access-Control-Allow-Origin", b"*"))
    if request.method == "OPTIONS":
        allow = request.get(b"allow_headers")
        if allow is not None:
            response.headers.append((b"Access-Control-Allow-Headers", allow))
        if not request.has(b"redirect_preflight"):
            response.status, response.reason = 200, "OK"
            return response
    # the redirect count is kept per token, or per case when the test gives none
    token = request.get(b"token") or request.get(b"wpt") or b""
    count = int((stash.take(b"redirect:" + token) or {}).get("count", b"0")) + 1
    stash.put(b"redirect:" + token, {"count": str(count).encode()})
    response.status = int(request.get(b"redirect_status") or b"302")
    location = request.get(b"location")
    if location is not None:
        response.headers.append((b"Location", _redirect_location(request, location, count)))
    return _finish(request, response)


def _redirect_location(request: Request, location: bytes, count: int) -> bytes:
    url = location.decode("latin-1")
    scheme = url.split(":", 1)[0].lower() if ":" in url.split("/", 1)[0] else ""
    if request.has(b"simple") or scheme not in ("", "http", "https"):
        return location
    params: dict[str, str] = {}
    for key, value in request.query:
        params.setdefault(key.decode("latin-1"), value.decode("latin-1"))
    url += ("&" if "?" in url else "?") + urlencode(params) + f"&count={count}"
    return url.encode("latin-1")


def fetch_top(request: Request, stash: Stash) -> Response:
    """The text ``top`` with the headers the query asks for: each ``h=Name:Value`` replaces
    that header, each ``ha=Name:Value`` adds a line."""
    response = Response(headers=[(b"Content-Type", b"text/plain")], body=b"top")
    for key, value in request.query:
        name, _, val = value.partition(b":")
        if key == b"h":
            response.set(name, val)
        elif key == b"ha":
            response.headers.append((name, val))
    return _finish(request, response)


def fetch_inspect(request: Request, stash: Stash) -> Response:
    """Echoes the request headers listed in ``headers`` (``|``-separated) as ``x-request-*``;
    with ``cors`` it also allows the request's origin with credentials and exposes them."""
    response = Response()
    checked = (request.get(b"headers") or b"").split(b"|")
    for name in checked:
        value = request.header(name)
        if name and value is not None:
            response.headers.append((b"x-request-" + name, value))
    if request.has(b"cors"):
        response.headers.append((b"Access-Control-Allow-Origin", request.header(b"origin") or b"*"))
        response.headers.append((b"Access-Control-Allow-Credentials", b"true"))
        response.headers.append((b"Access-Control-Allow-Methods", b"GET, POST, HEAD"))
        exposed = b", ".join(b"x-request-" + name for name in checked)
        response.headers.append((b"Access-Control-Expose-Headers", exposed))
        allow = request.get(b"allow_headers")
        names = b", ".join(k for k, _ in request.headers)
        response.headers.append((b"Access-Control-Allow-Headers", allow or names))
    response.headers.append((b"Content-Type", b"text/plain"))
    return _finish(request, response)


# -- cors/resources --------------------------------------------------------------------------


def cors_makeheader(request: Request, stash: Stash) -> Response:
    """Sets ACAO from ``origin`` (the request's Origin when absent, none for ``none``), a
    second ACAO line from ``origin2``, ACAH/ACAC/ACAM from ``headers``/``credentials``/
    ``methods``; ``code`` (``preflight`` for an OPTIONS) and ``location`` set the status; the
    body is the request's headers as JSON."""
    response = Response()
    origin = request.get(b"origin", request.header(b"origin") or b"none")
    if origin != b"none" and origin is not None:
        response.set(b"Access-Control-Allow-Origin", origin)
    origin2 = request.get(b"origin2")
    if origin2 is not None:
        response.headers.append((b"Access-Control-Allow-Origin", origin2))
    for param, name in (
        (b"headers", b"Access-Control-Allow-Headers"),
        (b"credentials", b"Access-Control-Allow-Credentials"),
        (b"methods", b"Access-Control-Allow-Methods"),
    ):
        value = request.get(param)
        if value is not None:
            response.set(name, value)
    code_raw = request.get(b"code")
    code = int(code_raw) if code_raw else None
    if request.method == "OPTIONS" and request.has(b"preflight"):
        code = int(request.get(b"preflight") or b"200")
    location = request.get(b"location")
    if location is not None:
        code = code or 302
        if 300 <= code < 400:
            response.set(b"Location", location)
    seen = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers}
    seen["get_value"] = (request.get(b"get_value") or b"").decode("latin-1")
    response.body = json.dumps(seen).encode()
    if code:
        response.status, response.reason = code, "StatusText"
    return _finish(request, response)


def cors_status(request: Request, stash: Stash) -> Response:
    """Allows the request's origin and exposes ``X-Request-Method``; answers with ``code``
    and reason ``text`` (``preflight`` for an OPTIONS), ``type`` and ``content``."""
    response = Response()
    response.set(b"Access-Control-Allow-Origin", request.header(b"origin") or b"")
    response.set(b"Access-Control-Expose-Headers", b"X-Request-Method")
    if request.method == "OPTIONS":
        response.set(b"Access-Control-Allow-Methods", b"GET, CHICKEN, HEAD, POST, PUT")
    allow = request.get(b"headers")
    if allow is not None:
        response.set(b"Access-Control-Allow-Headers", allow)
    response.set(b"X-Request-Method", request.method.encode("latin-1"))
    acrm = request.header(b"access-control-request-method") or b""
    response.set(b"X-A-C-Request-Method", acrm)
    try:
        code = int(request.get(b"code") or b"200")
    except ValueError:
        code = 200
    if request.method == "OPTIONS" and request.has(b"preflight"):
        code = int(request.get(b"preflight") or b"200")
    response.status = code
    response.reason = (request.get(b"text") or b"OMG").decode("latin-1")
    content_type = request.get(b"type")
    if content_type is not None:
        response.set(b"Content-Type", content_type)
    response.body = request.get(b"content") or b""
    return _finish(request, response)


def cors_preflight(request: Request, stash: Stash) -> Response:
    """Allows any origin and ``x-print``; a preflight gets the requested method back; the body
    is the request's ``x-print`` header or ``NO``."""
    response = Response(headers=[(b"Content-Type", b"text/plain")])
    if request.method == "OPTIONS":
        acrm = request.header(b"access-control-request-method")
        if acrm is None:
            return Response(400, "Bad Request", body=b"no ACRM in the preflight")
        response.headers.append((b"Access-Control-Allow-Methods", acrm))
        max_age = request.get(b"max_age")
        if max_age is not None:
            response.headers.append((b"Access-Control-Max-Age", max_age))
    response.headers.append((b"Access-Control-Allow-Origin", b"*"))
    response.headers.append((b"Access-Control-Allow-Headers", b"x-print"))
    response.body = request.header(b"x-print") or b"NO"
    return _finish(request, response)


_ASIS_HEADERS = (
    b"Access-Control-Allow-Origin: *",
    b"Access-Control-Expose-Headers: X-Custom-Header, X-Custom-Header-Empty, "
    b"X-Custom-Header-Comma, X-Custom-Header-Bytes",
    b"Access-Control-Expose-Headers: X-Second-Expose",
    b"Access-Control-Expose-Headers: Date",
    b"Content-Type: text/plain",
    b"Content-Length: 4",
    b"X-Custom-Header: test",
    b"X-Custom-Header: test",
    b"Set-Cookie: test1=t1;max-age=2",
    b"Set-Cookie2: test2=t2;Max-Age=2",
    b"X-Custom-Header-Empty: ",
    b"X-Custom-Header-Comma: 1",
    b"X-Custom-Header-Comma: 2",
    "X-Custom-Header-Bytes: \u2026".encode(),
    b"X-Nonexposed: unicorn",
    b"X-Second-Expose: flyingpig",
    b"Cache-Control: no-cache",
    b"Content-Language: nn",
    b"Expires: Thu, 01 Dec 1994 16:00:00 GMT",
    b"Last-Modified: Thu, 01 Dec 1994 10:00:00 GMT",
    b"Pragma: no-cache",
    b"Date: Wed, 22 Oct 2013 10:00:00 GMT",
    b"Connection: close",
)


def cors_asis(request: Request, stash: Stash) -> Response:
    """A fixed response (bytes as listed) with custom, safelisted, exposed and unexposed
    headers, repeated lines and a non-ASCII value."""
    head = b"HTTP/1.1 200 OK\r\n" + b"\r\n".join(_ASIS_HEADERS) + b"\r\n\r\n"
    return Response(raw=head + b"TEST")


def cors_expose(request: Request, stash: Stash) -> Response:
    """Status 221 with ``BB-8: hey`` and ``Content-Language: mkay``, plus the raw header
    line(s) given in ``expose``; no body (the connection is closed)."""
    head = (
        b"HTTP/1.1 221 ALL YOUR BASE BELONG TO H1\r\n"
        b"Access-Control-Allow-Origin: *\r\nConnection: close\r\n"
        b"BB-8: hey\r\nContent-Language: mkay\r\n"
    )
    return Response(raw=head + (request.get(b"expose") or b"") + b"\r\n\r\n")


def not_found(request: Request, stash: Stash) -> Response:
    """Any other path."""
    return Response(404, "Not Found", body=b"no such handler")


HANDLERS: dict[str, Handler] = {
    "/fetch/preflight": fetch_preflight,
    "/fetch/redirect": fetch_redirect,
    "/fetch/top": fetch_top,
    "/fetch/inspect": fetch_inspect,
    "/cors/makeheader": cors_makeheader,
    "/cors/status": cors_status,
    "/cors/preflight": cors_preflight,
    "/cors/asis": cors_asis,
    "/cors/expose": cors_expose,
}
