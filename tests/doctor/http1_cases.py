"""Byte-exact responses that frameworks never write, shared by the doctor's tests
(tests/doctor/test_http_transport.py) and the same cases in real Chromium
(tests/doctor/browser/test_http1_browser.py).

Each case is fetched from a page at :data:`PAGE`; ``expected`` is what Chromium 156 did with it
(verdict and console line, ``{url}`` standing for the request URL), observed by the browser
test, which checks the doctor against Chromium itself whenever Chromium is available.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.raw_http import Reset

PAGE = "http://localhost:5173"
ORIGIN = PAGE.encode()


@dataclass(frozen=True)
class Case:
    """One request and the exact bytes that answer it."""

    actual: bytes | Reset | None
    expected: tuple[str, str | None]
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    preflight: bytes | None = None


def reply(*lines: bytes, body: bytes = b"ok", end: bytes = b"\r\n") -> bytes:
    """A response from its status and header lines (joined with *end*) and *body*."""
    return end.join(lines) + end + end + body


def blocked(detail: str) -> tuple[str, str]:
    return (
        "blocked",
        f"Access to fetch at '{{url}}' from origin '{PAGE}' has been blocked by CORS policy: "
        + detail,
    )


def failed(net_error: str) -> tuple[str, str]:
    return ("blocked", f"Failed to load resource: {net_error}")


def console_line(outcome: Any) -> str | None:
    """The console line the doctor predicts for *outcome*: its CORS or network-error message,
    or, for an allowed response whose body failed, the line its ``body-failed`` warning
    quotes."""
    if outcome.chromium_message is not None:
        return str(outcome.chromium_message)
    for note in outcome.warnings:
        if note.code == "body-failed":
            quoted = str(note.text).split("resource: ", 1)[1].rstrip("'")
            return f"Failed to load resource: {quoted}"
    return None


ALLOWED: tuple[str, None] = ("allowed", None)
NO_ACAO = "No 'Access-Control-Allow-Origin' header is present on the requested resource."
LEN2 = b"Content-Length: 2"
ACAO_STAR = b"Access-Control-Allow-Origin: *"
ACAO_PAGE = b"Access-Control-Allow-Origin: " + ORIGIN


def _acao(problem: str) -> tuple[str, str]:
    """Chromium prints control characters in a value as ``\\uXXXX``."""
    return blocked(
        f"The 'Access-Control-Allow-Origin' header {problem}."
        " Have the server send the header with a valid value."
    )


UNPARSABLE_ACAH = blocked(
    "Cannot parse Access-Control-Allow-Headers response header field in preflight response."
)


def _preflight(*extra: bytes) -> bytes:
    return reply(
        b"HTTP/1.1 204 No Content",
        ACAO_PAGE,
        b"Access-Control-Allow-Methods: PUT",
        *extra,
        body=b"",
    )


PUT_XA = {"method": "PUT", "headers": (("X-A", "1"),)}

CASES: dict[str, Case] = {
    # values with VT or FF: kept by the reader, judged by the CORS check
    "acao-vt": Case(
        reply(b"HTTP/1.1 200 OK", ACAO_PAGE + b"\x0b", LEN2),
        _acao(
            "has a value 'http://localhost:5173\\u000B' that is not equal to the supplied origin"
        ),
    ),
    "acao-ff": Case(
        reply(b"HTTP/1.1 200 OK", ACAO_STAR + b"\x0c", LEN2),
        _acao("contains the invalid value '*\\u000C'"),
    ),
    "acao-leading-vt": Case(
        reply(b"HTTP/1.1 200 OK", b"Access-Control-Allow-Origin: \x0b*", LEN2),
        _acao("contains the invalid value '\\u000B*'"),
    ),
    "acao-tab-around": Case(
        reply(b"HTTP/1.1 200 OK", b"Access-Control-Allow-Origin:\t* \t", LEN2), ALLOWED
    ),
    "acah-vt": Case(
        reply(b"HTTP/1.1 200 OK", ACAO_PAGE, LEN2),
        UNPARSABLE_ACAH,
        preflight=_preflight(b"Access-Control-Allow-Headers: x-a\x0b"),
        **PUT_XA,  # type: ignore[arg-type]
    ),
    "acah-ff-item": Case(
        reply(b"HTTP/1.1 200 OK", ACAO_PAGE, LEN2),
        UNPARSABLE_ACAH,
        preflight=_preflight(b"Access-Control-Allow-Headers: x-b, \x0cx-a"),
        **PUT_XA,  # type: ignore[arg-type]
    ),
    "aceh-vt": Case(
        reply(
            b"HTTP/1.1 200 OK",
            ACAO_STAR,
            b"Access-Control-Expose-Headers: x-a\x0b, x-b",
            b"X-A: 1",
            b"X-B: 2",
            LEN2,
        ),
        ALLOWED,
    ),
    "aceh-ff-and-tabs": Case(
        reply(
            b"HTTP/1.1 200 OK",
            ACAO_STAR,
            b"Access-Control-Expose-Headers:\tx-a ,\tx-b\t",
            b"Access-Control-Expose-Headers: x-c\x0c",
            b"X-A: 1",
            b"X-B: 2",
            b"X-C: 3",
            LEN2,
        ),
        ALLOWED,
    ),
    # what the reader accepts
    "lf-only": Case(reply(b"HTTP/1.1 200 OK", ACAO_STAR, LEN2, end=b"\n"), ALLOWED),
    "obs-fold-other": Case(
        reply(b"HTTP/1.1 200 OK", b"X-Long: a", b" b", ACAO_STAR, LEN2), ALLOWED
    ),
    "obs-fold-acao": Case(
        reply(
            b"HTTP/1.1 200 OK", b"Access-Control-Allow-Origin: http://localhost", b"\t:5173", LEN2
        ),
        _acao("contains multiple values 'http://localhost :5173', but only one is allowed"),
    ),
    "no-reason": Case(reply(b"HTTP/1.1 200", ACAO_STAR, LEN2), ALLOWED),
    "no-status-code": Case(reply(b"HTTP/1.1", ACAO_STAR, LEN2), ALLOWED),
    "http-1.0-close": Case(reply(b"HTTP/1.0 200 OK", ACAO_STAR, body=b"closed"), ALLOWED),
    "junk-before-status": Case(b"\r\n\r\n" + reply(b"HTTP/1.1 200 OK", ACAO_STAR, LEN2), ALLOWED),
    "lines-skipped": Case(
        reply(b"HTTP/1.1 200 OK", b"no colon here", b"Bad Name: x", b": empty", ACAO_STAR, LEN2),
        ALLOWED,
    ),
    "bare-cr-splits": Case(reply(b"HTTP/1.1 200 OK", ACAO_STAR + b"\rX-Y: z", LEN2), ALLOWED),
    "interim-100": Case(
        reply(b"HTTP/1.1 100 Continue", body=b"") + reply(b"HTTP/1.1 200 OK", ACAO_STAR, LEN2),
        ALLOWED,
    ),
    "same-content-length-twice": Case(reply(b"HTTP/1.1 200 OK", ACAO_STAR, LEN2, LEN2), ALLOWED),
    "chunked": Case(
        reply(
            b"HTTP/1.1 200 OK",
            ACAO_STAR,
            b"Transfer-Encoding: chunked",
            body=b"2;ext=1\r\nok\r\n0\r\nTrailer: x\r\n\r\n",
        ),
        ALLOWED,
    ),
    "truncated-headers": Case(b"HTTP/1.1 200 OK\r\n" + ACAO_STAR, ALLOWED),
    "no-acao-lf-only": Case(reply(b"HTTP/1.1 200 OK", LEN2, end=b"\n"), blocked(NO_ACAO)),
    # a body that fails after good headers: fetch() resolves, Chromium logs the error
    "body-short-of-content-length": Case(
        reply(b"HTTP/1.1 200 OK", ACAO_STAR, b"Content-Length: 10", body=b"abc"),
        ("allowed", "Failed to load resource: net::ERR_CONTENT_LENGTH_MISMATCH"),
    ),
    "body-bad-chunk-size": Case(
        reply(b"HTTP/1.1 200 OK", ACAO_STAR, b"Transfer-Encoding: chunked", body=b"zz\r\n"),
        ("allowed", "Failed to load resource: net::ERR_INVALID_CHUNKED_ENCODING"),
    ),
    "body-chunks-cut": Case(
        reply(b"HTTP/1.1 200 OK", ACAO_STAR, b"Transfer-Encoding: chunked", body=b"5\r\nab"),
        ("allowed", "Failed to load resource: net::ERR_INCOMPLETE_CHUNKED_ENCODING"),
    ),
    # status lines Chromium reads leniently
    "status-not-a-number": Case(reply(b"HTTP/1.1 abc", ACAO_STAR, LEN2), ALLOWED),
    "status-1000": Case(reply(b"HTTP/1.1 1000 Huge", ACAO_STAR, LEN2), ALLOWED),
    "status-line-http-0.9": Case(reply(b"HTTP/0.9 200 OK", ACAO_STAR, LEN2), ALLOWED),
    "name-then-space": Case(
        reply(b"HTTP/1.1 200 OK", b"Access-Control-Allow-Origin : *", LEN2), ALLOWED
    ),
    "acao-obs-text": Case(
        reply(b"HTTP/1.1 200 OK", ACAO_STAR + b"\xff", LEN2),
        _acao("contains the invalid value '*\\u00FF'"),
    ),
    "icy-reply": Case(b"ICY 200 OK\r\n\r\nmusic", blocked(NO_ACAO)),
    # what Chromium refuses, with its network error
    "nul-in-acao": Case(
        reply(b"HTTP/1.1 200 OK", ACAO_STAR + b"\0", LEN2),
        failed("net::ERR_INVALID_HTTP_RESPONSE"),
    ),
    "nul-in-other-header": Case(
        reply(b"HTTP/1.1 200 OK", ACAO_STAR, b"X-A: a\0b", LEN2),
        failed("net::ERR_INVALID_HTTP_RESPONSE"),
    ),
    "multiple-content-length": Case(
        reply(b"HTTP/1.1 200 OK", ACAO_STAR, LEN2, b"Content-Length: 3", body=b"okk"),
        failed("net::ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH"),
    ),
    "content-length-list": Case(
        reply(b"HTTP/1.1 200 OK", ACAO_STAR, b"Content-Length: 2, 3"),
        failed("net::ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH"),
    ),
    "headers-too-big": Case(
        reply(b"HTTP/1.1 200 OK", ACAO_STAR, *[b"X-Pad: " + b"p" * 1000] * 300, LEN2),
        failed("net::ERR_RESPONSE_HEADERS_TOO_BIG"),
    ),
    "two-locations": Case(
        reply(b"HTTP/1.1 302 Found", ACAO_STAR, b"Location: /a", b"Location: /b", LEN2),
        failed("net::ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION"),
    ),
    "empty-reply": Case(None, failed("net::ERR_EMPTY_RESPONSE")),
    "reset-before-reply": Case(Reset(), failed("net::ERR_CONNECTION_RESET")),
    "reset-in-headers": Case(
        Reset(b"HTTP/1.1 200 OK\r\n" + ACAO_STAR), failed("net::ERR_CONNECTION_RESET")
    ),
    "switching-protocols": Case(
        reply(b"HTTP/1.1 101 Switching Protocols", ACAO_STAR, LEN2),
        failed("net::ERR_INVALID_HTTP_RESPONSE"),
    ),
    "http-0.9-reply": Case(b"hello, no status line here", failed("net::ERR_INVALID_HTTP_RESPONSE")),
    "nul-in-preflight": Case(
        reply(b"HTTP/1.1 200 OK", ACAO_PAGE, LEN2),
        failed("net::ERR_INVALID_HTTP_RESPONSE"),
        preflight=_preflight(b"Access-Control-Allow-Headers: x-a\0"),
        **PUT_XA,  # type: ignore[arg-type]
    ),
}
