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
from typing import Any

import pytest

from corskit import WSGICORSMiddleware
from tests.servers import serve_wsgi

from ..features.helpers import APP, get

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
    body = middleware(environ, lambda status, headers, exc_info=None: started.append(status))
    assert (started, list(body)) == (["500 Internal Server Error"], [b"Internal Server Error\n"])
    (message,) = [m for m in _messages(caplog) if "unhandled exception" in m]
    assert _one_printable_line(message), repr(message)
    assert "GET\\x0d\\x0aX: y /a\\x0d\\x0aINFO fake entry\\x1b]0;title\\x07\\u2028" in message
    assert len(message) < 600  # the path is cut, not logged whole
