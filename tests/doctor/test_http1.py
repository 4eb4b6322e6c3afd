"""The sans-IO response reader (corskit.doctor.http1): Chromium's leniency and its refusals,
byte by byte, and a bounded property test that random bytes only ever raise its own error."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corskit.doctor.http1 import (
    MAX_HEADER_BYTES,
    NEED_DATA,
    Data,
    EndOfMessage,
    ResponseError,
    ResponseHead,
    ResponseParser,
    parse_head,
    split_values,
)


def read(raw: bytes, *, pieces: int = 1, **options: Any) -> tuple[ResponseHead, bytes, str | None]:
    """(head, body, body error) of *raw* fed in *pieces* parts, then closed."""
    parser = ResponseParser(**options)
    step = max(1, -(-len(raw) // pieces))
    chunks = [raw[i : i + step] for i in range(0, len(raw), step)] + [b""]
    head: ResponseHead | None = None
    body = b""
    for chunk in chunks:
        parser.receive_data(chunk)
        while True:
            try:
                event = parser.next_event()
            except ResponseError as exc:
                if not exc.in_body:
                    raise
                assert head is not None
                return head, body, exc.net_error
            if event is NEED_DATA:
                break
            if isinstance(event, ResponseHead):
                head = event
            elif isinstance(event, Data):
                body += event.data
            else:
                assert isinstance(event, EndOfMessage) and head is not None
                return head, body, None
    raise AssertionError("no end of message after the connection closed")


def refused(raw: bytes, **options: Any) -> str:
    with pytest.raises(ResponseError) as info:
        read(raw, **options)
    return info.value.net_error


@pytest.mark.parametrize("pieces", [1, 3, 50])
def test_values_keep_vt_and_ff_and_lose_spaces_and_tabs_around(pieces: int) -> None:
    raw = b"HTTP/1.1 200 OK\r\nA: \t*\x0b \r\nB:\x0cx\t\r\nContent-Length: 2\r\n\r\nhi"
    head, body, _ = read(raw, pieces=pieces)
    assert head.get_all(b"a") == [b"*\x0b"] and head.get_all(b"B") == [b"\x0cx"]
    assert body == b"hi"


def test_lf_only_obs_fold_and_skipped_lines() -> None:
    raw = (
        b"HTTP/1.1 200\nX: a\n  b\n\tc\nno colon\nBad Name: 1\n: empty\n x\n"
        b"Name : spaced\nContent-Length: 1\n\nzz"
    )
    head, body, _ = read(raw)
    assert head.status == 200 and head.reason == b""
    assert head.headers == ((b"X", b"a b c"), (b"Name", b"spaced"), (b"Content-Length", b"1"))
    assert body == b"z"


@pytest.mark.parametrize(
    ("line", "version", "status", "reason"),
    [
        (b"HTTP/1.1 404 Not Found", (1, 1), 404, b"Not Found"),
        (b"http/1.0 201  Made  ", (1, 0), 201, b"Made"),
        (b"HTTP/1.1", (1, 1), 200, b"OK"),
        (b"HTTP/1.1 abc", (1, 1), 200, b""),
        (b"HTTP/1.5 200 OK", (1, 1), 200, b"OK"),
        (b"HTTP/2.0 200 OK", (2, 0), 200, b"OK"),
        (b"HTTP/x 200 OK", (1, 0), 200, b"OK"),
        (b"HTTP/1.1 99999999999999999999 Big", (1, 1), 2**31 - 1, b"Big"),
    ],
)
def test_status_lines(line: bytes, version: tuple[int, int], status: int, reason: bytes) -> None:
    head = parse_head(line + b"\r\nX: 1\r\n\r\n")
    assert (head.version, head.status, head.reason) == (version, status, reason)


def test_junk_before_the_status_line_and_a_bare_cr() -> None:
    head, _, _ = read(b"\r\n\r\nHTTP/1.1 200 OK\r\nA: *\rB: 2\r\nContent-Length: 0\r\n\r\n")
    assert head.headers == ((b"A", b"*"), (b"B", b"2"), (b"Content-Length", b"0"))


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"HTTP/1.1 200 OK\r\nA: *\0\r\n\r\n", "net::ERR_INVALID_HTTP_RESPONSE"),
        (b"HTTP/1.1 200 OK\0\r\n\r\n", "net::ERR_INVALID_HTTP_RESPONSE"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\ncontent-length: 2\r\n\r\nx",
         "net::ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nx",
         "net::ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH"),
        (b"HTTP/1.1 302 Found\r\nLocation: /a\r\nLocation: /b\r\n\r\n",
         "net::ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION"),
        (b"HTTP/1.1 200 OK\r\nContent-Disposition: a\r\nContent-Disposition: b\r\n\r\n",
         "net::ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_DISPOSITION"),
        (b"", "net::ERR_EMPTY_RESPONSE"),
        (b"hello world", "net::ERR_INVALID_HTTP_RESPONSE"),
        (b"HTTP/1.1 100 Continue\r\n\r\n", "net::ERR_EMPTY_RESPONSE"),
        (b"HTTP/1.1 100 Continue\r\n\r\nnot a status line", "net::ERR_INVALID_HTTP_RESPONSE"),
    ],
)  # fmt: skip
def test_refusals(raw: bytes, error: str) -> None:
    assert refused(raw) == error


def test_conflicts_that_are_not_conflicts() -> None:
    same = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nhi"
    assert read(same)[1] == b"hi"
    chunked = (
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 9\r\n"
        b"Transfer-Encoding: gzip, Chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
    )
    assert read(chunked)[1] == b"hi"


def test_headers_too_big_at_256_kib() -> None:
    pad = b"X: " + b"p" * 1000 + b"\r\n"
    fits = b"HTTP/1.1 200 OK\r\n" + pad * 200 + b"Content-Length: 0\r\n\r\n"
    assert read(fits, pieces=7)[0].status == 200
    big = b"HTTP/1.1 200 OK\r\n" + pad * (MAX_HEADER_BYTES // len(pad) + 1) + b"\r\n"
    assert refused(big) == "net::ERR_RESPONSE_HEADERS_TOO_BIG"


def test_truncated_headers_are_read_over_http_and_refused_over_tls() -> None:
    raw = b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *"
    head, body, _ = read(raw)
    assert head.get_all(b"access-control-allow-origin") == [b"*"] and body == b""
    assert refused(raw, secure=True) == "net::ERR_RESPONSE_HEADERS_TRUNCATED"
    assert refused(b"HTTP", secure=True) == "net::ERR_RESPONSE_HEADERS_TRUNCATED"


def test_http_0_9_only_on_the_default_port_or_as_icy() -> None:
    head, body, _ = read(b"hello world", default_port=True)
    assert (head.version, head.status, body) == ((0, 9), 200, b"hello world")
    assert read(b"ICY 200 OK\r\n\r\nmusic")[1] == b"ICY 200 OK\r\n\r\nmusic"
    assert refused(b"ICY 200 OK\r\n\r\nmusic", plain_http=False) == (
        "net::ERR_INVALID_HTTP_RESPONSE"
    )
    assert refused(b"hi", default_port=True, method="PUT") == "net::ERR_METHOD_NOT_SUPPORTED"


def test_interim_responses_are_skipped() -> None:
    raw = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early\nLink: x\n\nHTTP/1.0 201 OK\r\n\r\nbody"
    head, body, _ = read(raw, pieces=9)
    assert (head.version, head.status, body) == ((1, 0), 201, b"body")


@pytest.mark.parametrize(
    ("framing", "body"),
    [
        (b"Content-Length: 3\r\n\r\nabcdef", b"abc"),
        (b"\r\nclosed", b"closed"),
        (b"Content-Length: -1\r\n\r\nall", b"all"),
        (b"Content-Length: +3\r\n\r\nall of it", b"all of it"),
        (b"Transfer-Encoding: chunked\r\n\r\n3 ;x\r\nabc\n1\r\nd\r\n0\r\nT: 1\r\n\r\nzz", b"abcd"),
    ],
)
def test_body_framing(framing: bytes, body: bytes) -> None:
    for pieces in (1, 5, 40):
        assert read(b"HTTP/1.1 200 OK\r\n" + framing, pieces=pieces)[1:] == (body, None)


@pytest.mark.parametrize("status", [b"204", b"304", b"205"])
def test_no_body(status: bytes) -> None:
    assert read(b"HTTP/1.1 " + status + b" X\r\nContent-Length: 4\r\n\r\nbody")[1] == b""
    assert read(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody", method="HEAD")[1] == b""


@pytest.mark.parametrize(
    ("framing", "error"),
    [
        (b"Content-Length: 9\r\n\r\nshort", "net::ERR_CONTENT_LENGTH_MISMATCH"),
        (b"Transfer-Encoding: chunked\r\n\r\n5\r\nab", "net::ERR_INCOMPLETE_CHUNKED_ENCODING"),
        (b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", "net::ERR_INVALID_CHUNKED_ENCODING"),
        (b"Transfer-Encoding: chunked\r\n\r\n\r\n", "net::ERR_INVALID_CHUNKED_ENCODING"),
        (b"Transfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", "net::ERR_INVALID_CHUNKED_ENCODING"),
        (b"Transfer-Encoding: chunked\r\n\r\n" + b"1" * 17000, "net::ERR_INVALID_CHUNKED_ENCODING"),
    ],
)
def test_body_errors_come_after_the_head(framing: bytes, error: str) -> None:
    head, _, problem = read(b"HTTP/1.1 200 OK\r\n" + framing)
    assert head.status == 200 and problem == error


def test_chunked_only_from_http_1_1() -> None:
    raw = b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
    assert read(raw)[1] == b"2\r\nhi\r\n0\r\n\r\n"


def test_split_values_as_chromium_stores_them() -> None:
    assert split_values(b"X", b'a, "b,c" ,,d') == [b"a", b'"b,c"', b"", b"d"]
    assert split_values(b"X", b'"a\\",b", c') == [b'"a\\",b"', b"c"]
    assert split_values(b"Location", b"/a, /b") == [b"/a, /b"]


# -- property test: random bytes never raise anything but ResponseError

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PIECES = st.sampled_from(
    [
        b"HTTP/1.1 200 OK", b"HTTP/1.0 ", b"http/", b"HTTP/1.1 100 Continue", b"\r\n", b"\n",
        b"\r", b" ", b"\t", b":", b",", b'"', b"\0", b"\x0b", b"\x0c", b"\xff",
        b"Content-Length: ", b"Transfer-Encoding: chunked", b"Location: ", b"0", b"1", b"ff",
        b";", b"ICY", b"x",
    ]
)  # fmt: skip
RESPONSES = st.lists(st.one_of(PIECES, st.binary(max_size=8)), max_size=40).map(b"".join)


@FUZZ
@given(
    raw=RESPONSES,
    pieces=st.integers(1, 6),
    secure=st.booleans(),
    default_port=st.booleans(),
    method=st.sampled_from(["GET", "HEAD", "PUT"]),
)
def test_random_bytes_only_raise_response_error(
    raw: bytes, pieces: int, secure: bool, default_port: bool, method: str
) -> None:
    try:
        head, _, _ = read(
            raw, pieces=pieces, secure=secure, default_port=default_port, method=method
        )
    except ResponseError as exc:
        assert exc.net_error.startswith("net::ERR_") and not exc.in_body
    else:
        assert head.status >= 0
        for name, value in head.headers:
            assert name and not set(b"\0\r\n") & set(name + value)
