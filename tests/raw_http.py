"""A loopback HTTP server that answers with exact bytes: for tests of how a client reads
responses no framework would write (NUL, VT or FF in a header, LF-only lines, obs-fold,
conflicting Content-Length, an empty reply...)."""

from __future__ import annotations

import re
import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Reset:
    """Write *before*, then reset the connection (TCP RST) instead of closing it."""

    before: bytes = b""


#: (method, request-target) -> the bytes to write back, None to close without a byte, or a
#: :class:`Reset`
Answer = Callable[[str, str], "bytes | Reset | None"]

_LENGTH = re.compile(rb"\r?\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)


def _read_request(conn: socket.socket) -> tuple[str, str] | None:
    """(method, target) of one request, its body read too (closing a socket with unread
    bytes would reset the connection before the client reads the answer)."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            return None
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    found = _LENGTH.search(head)
    want = int(found.group(1)) if found else 0
    while len(body) < want:
        piece = conn.recv(65536)
        if not piece:
            break
        body += piece
    method, target = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")[:2]
    return method, target


def _handle(conn: socket.socket, answer: Answer, tls: ssl.SSLContext | None) -> None:
    with conn:
        try:
            conn.settimeout(5)
            if tls is not None:
                conn = tls.wrap_socket(conn, server_side=True)
            request = _read_request(conn)
            if request is None:
                return
            reply = answer(*request)
            if isinstance(reply, Reset):
                conn.sendall(reply.before)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if reply:
                conn.sendall(reply)
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(0.5)
            while conn.recv(65536):  # let the client close first: no reset
                pass
        except OSError:
            pass


@contextmanager
def serve_connections(handle: Callable[[socket.socket], None]) -> Iterator[int]:
    """Accept connections on 127.0.0.1 (a free port) until the block ends, each handed to
    *handle* on its own thread; yields the port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        listener.close()


@contextmanager
def serve_raw(answer: Answer, *, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """Serve on 127.0.0.1 (a free port) until the block ends; yields ``http://127.0.0.1:PORT``
    (``https://`` with a server-side *tls* context).  Each connection carries one request:
    *answer* gives the reply, written as is, and the server then closes the connection."""
    with serve_connections(lambda conn: _handle(conn, answer, tls)) as port:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"
