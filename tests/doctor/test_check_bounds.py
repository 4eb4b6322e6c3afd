"""``corskit check`` against hostile loopback servers: bounded in time and in output.

A server may answer slowly on purpose (one byte every half second keeps every socket read
short of a per-read timeout) or with thousands of headers; ``--timeout`` bounds the whole
check and the printed report stays small whatever the server sends.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tests.raw_http import serve_connections

from .test_cli import corskit

#: Seconds allowed beyond --timeout: process start-up and imports on a loaded machine.
MARGIN = 6.0


@contextmanager
def _raw_server(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    """A loopback TCP server that reads one request and lets *answer* write the reply."""

    def handle(conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(5)
                conn.recv(65536)
                answer(conn)
            except OSError:
                pass

    with serve_connections(handle) as port:
        yield f"http://127.0.0.1:{port}/"


def _drip_headers(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    for _ in range(120):  # 60 s of one header byte every 0.5 s
        conn.sendall(b"x")
        time.sleep(0.5)


def _drip_body(conn: socket.socket) -> None:
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 1000\r\n\r\n"
    )
    for _ in range(120):
        conn.sendall(b"x")
        time.sleep(0.5)


def _many_cookies(conn: socket.socket) -> None:
    cookie = b"Set-Cookie: s%d=1\r\n"  # within h11's 64 KiB header limit
    head = b"".join(cookie % i for i in range(1500))
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: http://localhost:5173\r\n"
        b"Access-Control-Allow-Credentials: true\r\n" + head + b"Content-Length: 0\r\n\r\n"
    )


def _timed_check(url: str, *extra: str) -> tuple[float, str]:
    start = time.monotonic()
    result = corskit("check", url, "--origin", "http://localhost:5173", "--timeout", "2", *extra)
    return time.monotonic() - start, result.stdout + result.stderr


def test_timeout_bounds_a_server_dripping_its_headers() -> None:
    with _raw_server(_drip_headers) as url:
        elapsed, output = _timed_check(url)
    assert elapsed < 2 + MARGIN, (elapsed, output)
    assert "timed out" in output


def test_timeout_bounds_a_server_dripping_its_body() -> None:
    with _raw_server(_drip_body) as url:
        elapsed, output = _timed_check(url)
    assert elapsed < 2 + MARGIN, (elapsed, output)


def test_output_stays_bounded_with_1500_set_cookie_headers() -> None:
    with _raw_server(_many_cookies) as url:
        _, plain = _timed_check(url, "--credentials", "include")
        _, verbose = _timed_check(url, "--credentials", "include", "-v")
        _, as_json = _timed_check(url, "--credentials", "include", "--json")
    for output in (plain, verbose, as_json):
        assert len(output.encode()) < 64_000, len(output.encode())
    assert "more" in verbose  # what was left out is said, not silently dropped
