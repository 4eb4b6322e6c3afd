"""Hostile input, end to end: raw bytes on a socket to a real uvicorn server running corskit.

Raw sockets, so no client library cleans anything up. Every request gets a defined answer
(a complete HTTP response, or the server closing the connection on bytes HTTP forbids)
within a bounded time, nothing corskit adds carries CR, LF or NUL, the server keeps
serving normal requests afterwards, and every line the ``corskit`` logger writes (at
DEBUG) is one line of printable ASCII.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from corskit import CORSMiddleware
from tests.servers import serve_asgi

APP = b"https://app.example.com"
LIMIT_S = 3.0  # every answer well within this


async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"vary", b"Accept-Encoding")],
        }
    )
    await send({"type": "http.response.body", "body": b"hello"})


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def log() -> Iterator[Records]:
    logger = logging.getLogger("corskit")
    handler = Records()
    old = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)


# Both of uvicorn's HTTP parsers: they differ in what bytes they let through.
@pytest.fixture(scope="module", params=["httptools", "h11"])
def server(log: Records, request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    app = CORSMiddleware(
        hello,
        allow_origins=["https://app.example.com", "https://*.example.org", "http://localhost:*"],
        allow_methods=["GET", "PUT"],
        allow_headers=["content-type", "x-custom"],
        allow_credentials=True,
        debug=True,
    )
    with serve_asgi(app, http=request.param) as base:
        host, port = base.removeprefix("http://").split(":")
        yield host, int(port)


@pytest.fixture(scope="module")
def wildcard_server(log: Records) -> Iterator[tuple[str, int]]:
    app = CORSMiddleware(hello, allow_origins=["*"], allow_headers=["*"], allow_methods=["*"])
    with serve_asgi(app) as base:
        host, port = base.removeprefix("http://").split(":")
        yield host, int(port)


@dataclass
class Answer:
    status: int | None  # None: the server closed the connection without an answer
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    seconds: float = 0.0

    def get_all(self, name: bytes) -> list[bytes]:
        return [v for n, v in self.headers if n.lower() == name]


def raw_request(
    addr: tuple[str, int], method: bytes, headers: list[tuple[bytes, bytes]], path: bytes = b"/"
) -> Answer:
    """Send exactly these bytes (plus Host and Connection: close) and read the answer."""
    lines = [
        method + b" " + path + b" HTTP/1.1",
        b"Host: " + addr[0].encode(),
        b"Connection: close",
    ]
    lines += [n + b": " + v for n, v in headers]
    payload = b"\r\n".join(lines) + b"\r\n\r\n"
    start = time.monotonic()
    with socket.create_connection(addr, timeout=LIMIT_S) as sock:
        try:
            sock.sendall(payload)
        except OSError:
            pass  # the server may close early on garbage; read what it said
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    seconds = time.monotonic() - start
    data = b"".join(chunks)
    if not data:
        return Answer(None, seconds=seconds)
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.split(b"\r\n")
    parts = status_line.split(b" ", 2)
    assert parts[0] == b"HTTP/1.1", status_line
    headers = []
    for line in header_lines:
        name, sep, value = line.partition(b":")
        assert sep, f"malformed response header line {line!r}"
        headers.append((name.strip(), value.strip()))
    return Answer(int(parts[1]), headers, body, seconds)


def check_well_formed(answer: Answer, origin: bytes | None = None) -> None:
    assert answer.seconds < LIMIT_S, answer.seconds
    if answer.status is None:
        return
    assert 100 <= answer.status <= 599
    for name, value in answer.headers:
        assert (
            b"\x00" not in name + value and b"\r" not in name + value and b"\n" not in name + value
        )
    acao = answer.get_all(b"access-control-allow-origin")
    assert len(acao) <= 1, answer.headers
    if acao:
        assert origin is not None and acao[0] in (b"*", origin.strip()), (acao, origin)


def check_still_serving(addr: tuple[str, int], acao: bytes = APP) -> None:
    answer = raw_request(addr, b"GET", [(b"Origin", APP)])
    assert answer.status == 200 and answer.get_all(b"access-control-allow-origin") == [acao]


def check_log(log: Records) -> None:
    for line in log.lines:
        assert all(0x20 <= ord(c) < 0x7F for c in line), repr(line)


CRLF_ATTEMPTS = [
    b"https://app.example.com\r\nX-Injected: 1",  # a second header line on the wire
    b"https://a.example.org\r\n\r\nHTTP/1.1 200 OK",  # an attempt at a second response
    b"https://a\rb.example.org",  # bare CR inside a value
    b"https://a\nb.example.org",  # bare LF inside a value
    b"https://app.example.com\r\n .evil.example",  # obsolete line folding
]


@pytest.mark.parametrize("origin", CRLF_ATTEMPTS, ids=range(len(CRLF_ATTEMPTS)))
def test_crlf_attempts(server: tuple[str, int], log: Records, origin: bytes) -> None:
    # On the wire CR LF ends the header line: the server sees the part before it as the
    # Origin (and the rest as another header, or garbage it refuses).
    seen = origin.split(b"\r")[0].split(b"\n")[0]
    for method, extra in ((b"GET", []), (b"OPTIONS", [(b"Access-Control-Request-Method", b"PUT")])):
        answer = raw_request(server, method, [(b"Origin", origin), *extra])
        check_well_formed(answer, seen)
        assert not answer.get_all(b"x-injected")
        assert answer.get_all(b"access-control-allow-origin") in (
            [],
            [APP],
            [b"https://a.example.org"],
        )
    check_still_serving(server)
    check_log(log)


NASTY_VALUES = [
    b"https://a\x00.example.org",
    b"https://app.example.com\x00",
    b"\x00" * 64,
    "https://\u00e9.example.org".encode(),
    b"https://\xff\xfe.example.org",
    b"https://a\x01\x7f.example.org",
    b"https://a b.example.org",
    b"https://app.example.com, https://evil.example",
]


@pytest.mark.parametrize("value", NASTY_VALUES, ids=range(len(NASTY_VALUES)))
def test_nul_control_and_non_ascii_in_every_cors_header(
    server: tuple[str, int], log: Records, value: bytes
) -> None:
    requests = [
        (b"GET", [(b"Origin", value)]),
        (b"OPTIONS", [(b"Origin", value), (b"Access-Control-Request-Method", b"PUT")]),
        (b"OPTIONS", [(b"Origin", APP), (b"Access-Control-Request-Method", value)]),
        (
            b"OPTIONS",
            [
                (b"Origin", APP),
                (b"Access-Control-Request-Method", b"PUT"),
                (b"Access-Control-Request-Headers", value),
            ],
        ),
        (
            b"OPTIONS",
            [
                (b"Origin", APP),
                (b"Access-Control-Request-Method", b"PUT"),
                (b"Access-Control-Request-Private-Network", value),
            ],
        ),
    ]
    for method, headers in requests:
        answer = raw_request(server, method, headers)
        origins = [v for n, v in headers if n == b"Origin"]
        check_well_formed(answer, origins[0])
        if answer.status is not None and origins[0] != APP:
            assert not answer.get_all(b"access-control-allow-origin"), (value, answer.headers)
    check_still_serving(server)
    check_log(log)


@pytest.mark.parametrize("size", [4096, 16 * 1024, 64 * 1024])
def test_huge_values(
    server: tuple[str, int], wildcard_server: tuple[str, int], log: Records, size: int
) -> None:
    big_origin = b"https://" + b"a" * (size - len(b"https://.example.org")) + b".example.org"
    big_list = (b"x-custom, " * (size // 10 + 1))[:size]
    cases = [
        (server, b"GET", [(b"Origin", big_origin)]),
        (server, b"OPTIONS", [(b"Origin", big_origin), (b"Access-Control-Request-Method", b"PUT")]),
        (server, b"OPTIONS", [(b"Origin", APP), (b"Access-Control-Request-Method", b"P" * size)]),
        (
            server,
            b"OPTIONS",
            [
                (b"Origin", APP),
                (b"Access-Control-Request-Method", b"PUT"),
                (b"Access-Control-Request-Headers", big_list),
            ],
        ),
        (
            wildcard_server,
            b"OPTIONS",
            [
                (b"Origin", APP),
                (b"Access-Control-Request-Method", b"PUT"),
                (b"Access-Control-Request-Headers", big_list),
            ],
        ),
    ]
    for addr, method, headers in cases:
        answer = raw_request(addr, method, headers)
        check_well_formed(answer, headers[0][1])
        # allow_headers=["*"] accepts lists up to 4096 bytes; anything bigger is refused.
        accepted = addr == wildcard_server and size <= 4096
        if answer.status is not None and method == b"OPTIONS" and not accepted:
            # Refused: 403 from corskit, or the server's own 4xx for an oversized header.
            assert answer.status >= 400 and not answer.get_all(b"access-control-allow-origin")
        if answer.status is not None and accepted:
            assert answer.status == 204 and answer.get_all(b"access-control-allow-headers")[
                0
            ].startswith(b"x-custom,")
        if answer.status is not None and method == b"GET":
            assert not answer.get_all(b"access-control-allow-origin")
    check_still_serving(server)
    check_still_serving(wildcard_server, b"*")
    check_log(log)


@pytest.mark.parametrize("count", [1000, 5000])
def test_thousands_of_request_header_names(
    server: tuple[str, int], log: Records, count: int
) -> None:
    one_line = b",".join(b"x-h%d" % i for i in range(count))
    commas = b"," * count
    many_lines = [(b"Access-Control-Request-Headers", b"x-custom") for _ in range(count // 10)]
    base = [(b"Origin", APP), (b"Access-Control-Request-Method", b"PUT")]
    for headers in (
        [*base, (b"Access-Control-Request-Headers", one_line)],
        [*base, (b"Access-Control-Request-Headers", commas)],
        [*base, *many_lines],
    ):
        answer = raw_request(server, b"OPTIONS", headers)
        check_well_formed(answer, APP)
        assert answer.status is None or answer.status >= 400
        assert not answer.get_all(b"access-control-allow-origin")
    check_still_serving(server)
    check_log(log)


def test_a_list_split_over_a_few_lines_is_still_accepted(server: tuple[str, int]) -> None:
    answer = raw_request(
        server,
        b"OPTIONS",
        [
            (b"Origin", APP),
            (b"Access-Control-Request-Method", b"PUT"),
            (b"Access-Control-Request-Headers", b"content-type"),
            (b"Access-Control-Request-Headers", b"x-custom"),
        ],
    )
    assert answer.status == 204
    assert answer.get_all(b"access-control-allow-headers") == [b"content-type,x-custom"]


@pytest.mark.parametrize("count", [2, 100, 1000])
def test_many_origin_headers_are_refused(server: tuple[str, int], log: Records, count: int) -> None:
    origins = [(b"Origin", APP)] * count
    for method, extra in ((b"GET", []), (b"OPTIONS", [(b"Access-Control-Request-Method", b"PUT")])):
        answer = raw_request(server, method, [*origins, *extra])
        check_well_formed(answer, APP)
        assert not answer.get_all(b"access-control-allow-origin"), answer.headers
        if answer.status == 400:
            # The server's HTTP parser refused the header block before any app ran (h11's
            # size limit): a defined answer, and nothing of corskit's was involved.
            assert b"Invalid HTTP request" in answer.body, answer
        elif answer.status is not None and method == b"OPTIONS":
            assert answer.status == 403 and b"origin-duplicated" in answer.body
    mixed = raw_request(server, b"GET", [(b"Origin", b"https://evil.example"), (b"Origin", APP)])
    assert mixed.status == 200 and not mixed.get_all(b"access-control-allow-origin")
    check_still_serving(server)
    check_log(log)


def test_refusals_reach_the_log_escaped(server: tuple[str, int], log: Records) -> None:
    before = len(log.lines)
    # uvicorn decodes %0d%0a in the path into CR LF; obs-text bytes pass its parser.
    a = raw_request(
        server,
        b"OPTIONS",
        [(b"Origin", b"https://evil\xc3\xa9.example"), (b"Access-Control-Request-Method", b"PUT")],
        path=b"/a%0d%0aFAKE:%201",
    )
    b = raw_request(
        server, b"OPTIONS", [(b"Origin", APP), (b"Access-Control-Request-Method", b"DEL\xffETE")]
    )
    c = raw_request(server, b"GET", [(b"Origin", b"https://x.example\xff")], path=b"/%00")
    assert (a.status, b.status, c.status) == (403, 403, 200)
    new = log.lines[before:]
    assert len(new) == 3, new
    assert (
        "path=/a\\x0d\\x0aFAKE: 1" in new[0] and "origin=https://evil\\xc3\\xa9.example" in new[0]
    ), new[0]
    assert "method-not-allowed" in new[1] and "\\xff" in new[1], new[1]
    assert "path=/\\x00" in new[2], new[2]
    check_log(log)


def test_a_burst_of_hostile_requests_leaves_the_server_responsive(server: tuple[str, int]) -> None:
    start = time.monotonic()
    for i in range(200):
        raw_request(
            server,
            b"OPTIONS",
            [
                (b"Origin", b"https://%d.example.org" % i),
                (b"Access-Control-Request-Method", b"PUT"),
                (b"Access-Control-Request-Headers", b"," * 3000 + b"x%d" % i),
            ],
        )
    assert time.monotonic() - start < 30
    check_still_serving(server)
