"""Property tests: the whole ASGI middleware against arbitrary bytes in every header.

For any request (any method, path, header names and byte values, repeated headers) and
any well-formed app response, no exception escapes and the response is well-formed:
one ``http.response.start`` first, a valid status, header names that are tokens, values
without CR, LF or NUL, at most one ``Access-Control-Allow-Origin`` (``*`` or the request's
only ``Origin``), credentials never with ``*``; and every ``corskit`` log line is one
printable line.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corskit import CORSConfigWarning, CORSMiddleware

from ..speedups import run_both
from .reference import TCHAR

CONFIGS: list[dict[str, Any]] = [
    {
        "allow_origins": ["https://app.example.com"],
        "allow_methods": ["GET", "POST", "PUT"],
        "allow_headers": ["Content-Type", "X-Custom"],
        "allow_credentials": True,
    },
    {"allow_origins": ["*"]},
    {
        "allow_origins": ["*"],
        "allow_headers": ["*"],
        "allow_methods": ["*"],
        "expose_headers": ["X-Total"],
    },
    {
        "allow_origins": ["https://app.example.com", "https://*.example.org", "http://localhost:*"],
        "allow_headers": ["*", "authorization"],
        "allow_credentials": True,
        "expose_headers": ["x-a", "x-b"],
        "allow_private_network": True,
    },
    {"allow_origin_regex": r"https://[a-z0-9]+\.example\.net", "allow_methods": ["*"]},
    {"allow_origin_regex": r"https://[^/]+\.example\.net", "allow_headers": ["*"]},  # a loose regex
    {"allow_origins": ["https://app.example.com"], "preflight_status": 200, "max_age": None},
    {
        "allow_origins": ["null", "https://app.example.com"],
        "dangerously_allow_null_origin": True,
        "max_age": -1,
    },
    {"allow_origins": ["https://*.example.org:*"], "allow_methods": ["PATCH"]},
]
DEBUG = st.booleans()

INTERESTING_NAMES = [
    b"origin",
    b"access-control-request-method",
    b"access-control-request-headers",
    b"access-control-request-private-network",
    b"host",
    b"cookie",
    b"Origin",
    b"vary",
]
INTERESTING_VALUES = [
    b"https://app.example.com",
    b"https://a.example.org",
    b"https://a b.example.org",
    b"https://a\x00.example.org",
    b"https://x.example.net",
    b"https://x.example.net\x00",
    b"https://\x00\r.example.net",
    b"https://a b.example.net",
    b"null",
    b"http://localhost:3000",
    b"PUT",
    b"GET",
    b"PATCH",
    b"patch",
    b"content-type, x-custom",
    b"authorization",
    b"*",
    b"true",
    b"",
    b" ",
    b"\r\n",
    b"x\r\nset-cookie: a=b",
    b"\xff\xfe\x00",
    b"," * 50,
    b"a" * 600,
    b"\x00" * 8,
    "é".encode(),
]
# Origins close to the configured ones, with arbitrary bytes where the host's first labels go.
NEAR_ORIGIN = st.builds(
    lambda scheme, junk, base, port: scheme + junk + base + port,
    st.sampled_from([b"https://", b"http://", b"HTTPS://", b""]),
    st.one_of(
        st.sampled_from([b"", b"a.", b"app", b"x."]), st.binary(max_size=6).map(lambda b: b + b".")
    ),
    st.sampled_from(
        [b"app.example.com", b"example.org", b"example.net", b"localhost", b"example.com"]
    ),
    st.sampled_from([b"", b":3000", b":443", b":*", b":0x1", b"/"]),
)
ORIGIN = st.one_of(NEAR_ORIGIN, st.sampled_from(INTERESTING_VALUES), st.binary(max_size=40))
NAME = st.one_of(st.sampled_from(INTERESTING_NAMES), st.binary(min_size=1, max_size=12))
VALUE = st.one_of(st.sampled_from(INTERESTING_VALUES), st.binary(max_size=64))
HEADER = st.tuples(NAME, VALUE)
METHOD = st.one_of(
    st.sampled_from(["GET", "POST", "OPTIONS", "PUT", "options", "HEAD"]), st.text(max_size=8)
)
PATH = st.one_of(st.sampled_from(["/", "/api/data", "/a/../b", "/%2e%2e/x"]), st.text(max_size=20))

RESPONSE_NAMES = [
    b"content-type",
    b"content-length",
    b"vary",
    b"Vary",
    b"access-control-allow-origin",
    b"Access-Control-Allow-Credentials",
    b"access-control-expose-headers",
    b"x-app",
    b"set-cookie",
]
RESPONSE_VALUES = [
    b"text/plain",
    b"2",
    b"Accept-Encoding",
    b"origin",
    b"*",
    b"https://other.example",
    b"true",
    b"",
    b"Origin, Cookie",
    b"accept-encoding,  origin",
]
# The app's own CORS headers are its business when corskit grants nothing; keep them
# well-formed (one of each, no "*" with credentials) so any fault found is corskit's.
RESPONSE_HEADERS = st.lists(
    st.tuples(st.sampled_from(RESPONSE_NAMES), st.sampled_from(RESPONSE_VALUES)),
    max_size=5,
    unique_by=lambda h: h[0].lower() if h[0].lower().startswith(b"access-control-") else h,
).filter(
    lambda hs: (
        not (
            any(n.lower() == b"access-control-allow-origin" and v == b"*" for n, v in hs)
            and any(n.lower() == b"access-control-allow-credentials" for n, _ in hs)
        )
    )
)

FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextmanager
def corskit_log() -> Iterator[_Records]:
    logger = logging.getLogger("corskit")
    handler = _Records()
    old = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)


_MIDDLEWARE: dict[tuple[int, bool], CORSMiddleware] = {}


def middleware(index: int, debug: bool, app: Any) -> CORSMiddleware:
    key = (index, debug)
    mw = _MIDDLEWARE.get(key)
    if mw is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CORSConfigWarning)
            mw = _MIDDLEWARE[key] = CORSMiddleware(_Echo(), debug=debug, **CONFIGS[index])
    assert isinstance(mw.app, _Echo)
    mw.app.response_headers = app
    return mw


class _Echo:
    """The app: answers 200 with the headers the test chose."""

    def __init__(self) -> None:
        self.response_headers: list[tuple[bytes, bytes]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": list(self.response_headers)}
        )
        await send({"type": "http.response.body", "body": b"ok"})


def run(mw: CORSMiddleware, scope: dict[str, Any]) -> list[dict[str, Any]]:
    """Run *scope* with the C and with the Python loops of the adapter: same messages."""
    return run_both(lambda s: _run(mw, s), scope)


def _run(mw: CORSMiddleware, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def call() -> None:  # the middleware returns an awaitable, not always a coroutine
        await mw(scope, receive, send)

    asyncio.run(call())
    return sent


def check_response(
    sent: list[dict[str, Any]], origins: list[bytes], app_cors: bool = False
) -> None:
    assert sent and sent[0]["type"] == "http.response.start", sent
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert len(starts) == 1
    status = starts[0]["status"]
    assert isinstance(status, int) and 100 <= status <= 599
    assert sent[-1]["type"] == "http.response.body" and not sent[-1].get("more_body", False)
    headers = [(bytes(n), bytes(v)) for n, v in starts[0].get("headers") or []]
    for name, value in headers:
        assert name and all(chr(c) in TCHAR for c in name), name
        assert b"\r" not in value and b"\n" not in value and b"\x00" not in value, (name, value)
    acao = [v for n, v in headers if n.lower() == b"access-control-allow-origin"]
    acac = [v for n, v in headers if n.lower() == b"access-control-allow-credentials"]
    assert len(acao) <= 1, headers
    if acao and len(origins) == 1 and not app_cors:
        assert acao[0] in (b"*", origins[0]), (acao, origins)
    if acac and acao:
        assert acao[0] != b"*"


def check_log(lines: list[str]) -> None:
    for line in lines:
        assert all(0x20 <= ord(c) < 0x7F for c in line), repr(line)


@FUZZ
@given(
    st.integers(0, len(CONFIGS) - 1),
    DEBUG,
    METHOD,
    PATH,
    st.lists(HEADER, max_size=8),
    RESPONSE_HEADERS,
)
def test_any_request_gets_a_well_formed_answer(
    index: int,
    debug: bool,
    method: str,
    path: str,
    headers: list[tuple[bytes, bytes]],
    response: list[tuple[bytes, bytes]],
) -> None:
    mw = middleware(index, debug, response)
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode("utf-8", "replace"),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
    }
    with corskit_log() as log:
        sent = run(mw, scope)
    origins = [v for n, v in headers if n == b"origin"]
    app_cors = any(n.lower().startswith(b"access-control-") for n, _ in response)
    check_response(sent, origins, app_cors)
    check_log(log.lines)
    if len(origins) > 1 and not app_cors:  # never from a browser: refused
        assert not any(n.lower() == b"access-control-allow-origin" for n, _ in sent[0]["headers"])


@FUZZ
@given(
    st.integers(0, len(CONFIGS) - 1),
    ORIGIN,
    VALUE,
    st.lists(VALUE, max_size=3),
    st.one_of(st.none(), VALUE),
)
def test_any_preflight_gets_a_well_formed_answer(
    index: int, origin: bytes, method: bytes, acrh: list[bytes], pna: bytes | None
) -> None:
    """Preflights with arbitrary bytes in each CORS request header."""
    mw = middleware(index, False, [])
    headers = [(b"origin", origin), (b"access-control-request-method", method)]
    headers += [(b"access-control-request-headers", line) for line in acrh]
    if pna is not None:
        headers.append((b"access-control-request-private-network", pna))
    scope = {"type": "http", "method": "OPTIONS", "path": "/", "headers": headers}
    with corskit_log() as log:
        sent = run(mw, scope)
    check_response(sent, [origin])
    check_log(log.lines)
    start = sent[0]
    assert start["status"] in (200, 204, 403)
    names = [n for n, _ in start["headers"]]
    if start["status"] == 403:
        assert not any(n.startswith(b"access-control-") for n in names)
    else:
        assert b"access-control-allow-origin" in names


@FUZZ
@given(
    st.integers(0, len(CONFIGS) - 1), ORIGIN, st.sampled_from(["GET", "POST", "OPTIONS", "DELETE"])
)
# Found by this test: a pattern or a loose regex matched these and echoed them verbatim.
@example(3, b"https://a\x00.example.org", "GET")
@example(3, b"https://a b.example.org", "GET")
@example(5, b"https://\x00\r.example.net", "GET")
@example(5, b"https://a,b.example.net", "GET")
def test_any_origin_on_an_actual_request_gets_a_well_formed_answer(
    index: int, origin: bytes, method: str
) -> None:
    """One Origin header with arbitrary bytes: echoed only when it is safe to echo."""
    mw = middleware(index, False, [(b"content-type", b"text/plain")])
    scope = {
        "type": "http",
        "method": method,
        "path": "/",
        "headers": [(b"host", b"h"), (b"origin", origin)],
    }
    with corskit_log() as log:
        sent = run(mw, scope)
    check_response(sent, [origin])
    check_log(log.lines)
