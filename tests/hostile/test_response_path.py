"""What corskit does to the app's responses, against hostile requests and unusual apps.

- the WSGI 500 path logs the client's path and method escaped (no forged log lines);
- the app's ``http.response.start`` message and header list are never written to (an
  app may reuse one module-level message for every response);
- CORS and ``Vary`` header names set by the app are matched case-insensitively, so
  corskit never adds a second one (a browser refuses a response with two
  ``Access-Control-Allow-Origin`` headers: https://fetch.spec.whatwg.org/#cors-check).

The ASGI cases run under real uvicorn with each implementation of the adapter's loops
(C and Python); the WSGI cases under a real WSGI server and in process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from corskit import CORSMiddleware, CORSPolicy, WSGICORSMiddleware, asgi
from tests.servers import serve_asgi, serve_wsgi

from ..features.helpers import APP, EVIL, Reply, get
from ..speedups import IMPLEMENTATIONS, implementation

FORGED = "/x%0d%0a2026-01-01%20CRITICAL%20forged%0aline%1b[31mred%1b[0m%00"


def _fails(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    raise RuntimeError("the application failed")


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [rec.getMessage() for rec in caplog.records if rec.name == "corskit"]


def _one_printable_line(message: str) -> bool:
    return all(0x20 <= ord(ch) < 0x7F for ch in message)


# --- the WSGI 500 path logs the request escaped -------------------------------------------


def test_wsgi_500_log_escapes_the_path_on_a_real_server(caplog: pytest.LogCaptureFixture) -> None:
    """The server decodes %0d%0a and %1b into PATH_INFO: the log line stays one line."""
    caplog.set_level(logging.ERROR, logger="corskit")
    with serve_wsgi(WSGICORSMiddleware(_fails, allow_origins=[APP])) as base:
        reply = get(base, FORGED, APP)
    assert (reply.status, reply.acao) == (500, APP)
    (message,) = [m for m in _messages(caplog) if "unhandled exception" in m]
    assert _one_printable_line(message), repr(message)
    assert "/x\\x0d\\x0a2026-01-01 CRITICAL forged\\x0aline\\x1b[31mred" in message


def test_wsgi_500_log_escapes_path_and_method_in_process(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="corskit")
    middleware = WSGICORSMiddleware(_fails, allow_origins=[APP])
    started: list[str] = []
    environ = {
        "REQUEST_METHOD": "GET\r\nX: y",
        "PATH_INFO": "/a\r\nINFO fake entry\x1b]0;title\x07\u2028" + "z" * 5000,
        "HTTP_ORIGIN": APP,
    }

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started.append(status)
        return lambda data: None  # PEP 3333's write(); never called here

    body = middleware(environ, start_response)
    assert (started, list(body)) == (["500 Internal Server Error"], [b"Internal Server Error\n"])
    (message,) = [m for m in _messages(caplog) if "unhandled exception" in m]
    assert _one_printable_line(message), repr(message)
    assert "GET\\x0d\\x0aX: y /a\\x0d\\x0aINFO fake entry\\x1b]0;title\\x07\\u2028" in message
    assert len(message) < 600  # the path is cut, not logged whole


# --- the app's response message is never written to ---------------------------------------

PUBLIC = CORSPolicy(allow_origins=["*"])
APP_HEADERS = [
    [(b"content-type", b"text/plain")],  # corskit's fast path (C or Python)
    [(b"content-type", b"text/plain"), (b"vary", b"Accept-Encoding")],  # the merge path
]


@pytest.fixture(params=IMPLEMENTATIONS)
def loops(request: pytest.FixtureRequest) -> Iterator[str]:
    with implementation(request.param):
        yield request.param


async def _never_called(scope: Any, receive: Any, send: Any) -> None:
    """An ASGI app for a middleware whose send filter alone is tested."""


def _one(reply: Reply, name: str) -> list[str]:
    return [v for n, v in reply.headers if n == name]


@pytest.mark.parametrize("app_headers", APP_HEADERS)
def test_an_app_reusing_one_start_message_gets_no_stale_cors_headers(
    loops: str, app_headers: list[Any]
) -> None:
    """A '*' given on a public route never leaks onto a credentialed route through the
    app's own (module-level, reused) ``http.response.start`` dict."""
    start = {"type": "http.response.start", "status": 200, "headers": app_headers}
    body = {"type": "http.response.body", "body": b"ok"}
    snapshot = repr(start)
    headers_list = start["headers"]

    async def reusing_app(scope: Any, receive: Any, send: Any) -> None:
        await send(start)
        await send(body)

    middleware = CORSMiddleware(
        reusing_app, allow_origins=[APP], allow_credentials=True, routes={"/public": PUBLIC}
    )
    with serve_asgi(middleware) as base:
        public = get(base, "/public/data", EVIL)
        refused = get(base, "/api/me", EVIL)
        granted = get(base, "/api/me", APP)
        public_again = get(base, "/public/data", APP)
    assert _one(public, "access-control-allow-origin") == ["*"]
    assert refused.cors() == {}, refused.headers  # no '*' left over from the public route
    assert _one(granted, "access-control-allow-origin") == [APP]
    assert _one(granted, "access-control-allow-credentials") == ["true"]
    assert _one(public_again, "access-control-allow-origin") == ["*"]
    assert _one(public_again, "access-control-allow-credentials") == []
    assert (repr(start), start["headers"] is headers_list) == (snapshot, True)
    assert repr(body) == repr({"type": "http.response.body", "body": b"ok"})


def test_the_server_gets_a_new_message_and_the_app_keeps_its_own(loops: str) -> None:
    middleware = CORSMiddleware(_never_called, allow_origins=[APP])
    tail = middleware.policy.engine.actual(APP.encode()).tail
    for headers in APP_HEADERS:
        sent: list[Any] = []
        app_list = list(headers)
        message = {
            "type": "http.response.start",
            "status": 200,
            "headers": app_list,
            "trailers": False,
        }
        # The adapter's own name, which the ``loops`` fixture switches (C or Python).
        asgi._send_filter(sent.append, tail)(message)  # type: ignore[attr-defined, arg-type]
        assert message == {
            "type": "http.response.start",
            "status": 200,
            "headers": headers,
            "trailers": False,
        }
        assert message["headers"] is app_list
        (out,) = sent
        assert out is not message and out["headers"] is not app_list
        assert (out["status"], out["trailers"]) == (200, False)
        assert _header(out["headers"], b"access-control-allow-origin") == [APP.encode()]


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> list[bytes]:
    return [v for n, v in headers if n.lower() == name]


# --- CORS and Vary names from the app, in any case -------------------------------------------

SPELLINGS = [
    (b"Access-control-allow-origin", b"vAry"),
    (b"access-control-allow-ORIGIN", b"VaRy"),
    (b"ACCESS-CONTROL-ALLOW-ORIGIN", b"VARY"),
    (b"Access-Control-Allow-Origin", b"Vary"),
]


@pytest.mark.parametrize(("acao", "vary"), SPELLINGS)
def test_mixed_case_cors_and_vary_names_from_an_asgi_app_are_not_duplicated(
    loops: str, acao: bytes, vary: bytes
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = [
            (b"content-type", b"text/plain"),
            (acao, b"https://stale.example"),
            (vary, b"Accept-Encoding"),
        ]
        credentials = (
            acao.replace(b"Origin", b"Credentials")
            .replace(b"ORIGIN", b"CREDENTIALS")
            .replace(b"origin", b"credentials"),
            b"false",
        )
        await send(
            {"type": "http.response.start", "status": 200, "headers": [*headers, credentials]}
        )
        await send({"type": "http.response.body", "body": b"ok"})

    middleware = CORSMiddleware(app, allow_origins=[APP], allow_credentials=True)
    with serve_asgi(middleware) as base:
        reply = get(base, "/", APP)
    assert _one(reply, "access-control-allow-origin") == [APP], reply.headers
    assert _one(reply, "access-control-allow-credentials") == ["true"], reply.headers
    assert _one(reply, "vary") == ["Accept-Encoding, Origin"], reply.headers


@pytest.mark.parametrize(("acao", "vary"), SPELLINGS)
def test_mixed_case_names_from_a_wsgi_app_are_not_duplicated(acao: bytes, vary: bytes) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/plain"),
                (acao.decode(), "https://stale.example"),
                (vary.decode(), "Accept-Encoding"),
            ],
        )
        return [b"ok"]

    with serve_wsgi(WSGICORSMiddleware(app, allow_origins=[APP])) as base:
        reply = get(base, "/", APP)
    assert _one(reply, "access-control-allow-origin") == [APP], reply.headers
    assert _one(reply, "vary") == ["Accept-Encoding, Origin"], reply.headers
