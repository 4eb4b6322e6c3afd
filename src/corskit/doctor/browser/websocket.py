"""A small WebSocket client (RFC 6455, https://www.rfc-editor.org/rfc/rfc6455) for loopback
browser control: text messages only, client frames masked, bounded in size and time.

It exists so that driving Firefox over WebDriver BiDi needs no third-party package: the doctor
keeps its runtime dependencies to the ones the user asked for. Only ``ws://`` URLs on a
loopback host are accepted.
"""

from __future__ import annotations

import base64
import hashlib
import os
import select
import socket
import struct
from urllib.parse import urlsplit

from corskit.origins import is_loopback_host

__all__ = ["MAX_MESSAGE", "WebSocket", "WebSocketError", "accept_key", "encode_frame"]

#: The RFC 6455 GUID appended to the key (section 1.3, "Opening Handshake").
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#: The largest message accepted (a BiDi reply with a page's result is far smaller).
MAX_MESSAGE = 16 * 1024 * 1024

_TEXT, _BINARY, _CONTINUATION, _CLOSE, _PING, _PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA


class WebSocketError(RuntimeError):
    """The connection failed, was closed, or the peer broke the protocol (one line)."""


def accept_key(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` value a server must answer for *key* (RFC 6455, 4.2.2)."""
    digest = hashlib.sha1((key + _GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def encode_frame(opcode: int, payload: bytes, mask: bytes | None = None) -> bytes:
    """One final client frame (RFC 6455, 5.2): FIN set, masked with *mask* (4 random bytes by
    default), with the 7-, 16- or 64-bit payload length."""
    mask = os.urandom(4) if mask is None else mask
    length = len(payload)
    head = bytes([0x80 | opcode])
    if length < 126:
        head += bytes([0x80 | length])
    elif length < 1 << 16:
        head += bytes([0x80 | 126]) + struct.pack("!H", length)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", length)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + masked


class WebSocket:
    """A client connection to a ``ws://`` URL on a loopback host.

    :meth:`send_text` sends one message; :meth:`receive_text` returns the next text message
    (answering pings, joining fragments) or raises :class:`WebSocketError` on close, timeout
    or a protocol error.
    """

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme != "ws" or not is_loopback_host(host):
            raise WebSocketError(f"only ws:// URLs on a loopback host are supported: {url!r}")
        port = parts.port or 80
        try:
            self._sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as exc:
            raise WebSocketError(f"cannot connect to {url}: {exc}") from None
        self._buffer = b""
        self.closed = False
        try:
            self._handshake(parts.netloc, parts.path or "/")
        except (OSError, WebSocketError):
            self.close()
            raise

    def _handshake(self, netloc: str, path: str) -> None:
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {netloc}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self._sock.sendall(request.encode("ascii"))
        while b"\r\n\r\n" not in self._buffer:
            if len(self._buffer) > 65536:
                raise WebSocketError("the handshake response is too large")
            self._fill()
        head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if len(lines[0].split()) < 2 or lines[0].split()[1] != "101":
            raise WebSocketError(f"the server refused the upgrade: {lines[0][:200]!r}")
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if fields.get("sec-websocket-accept") != accept_key(key):
            raise WebSocketError("the server answered a wrong Sec-WebSocket-Accept")

    def _fill(self) -> None:
        try:
            chunk = self._sock.recv(65536)
        except TimeoutError:
            raise WebSocketError("timed out waiting for the browser") from None
        except OSError as exc:
            raise WebSocketError(f"connection lost: {exc}") from None
        if not chunk:
            self.closed = True
            raise WebSocketError("the browser closed the connection")
        self._buffer += chunk

    def _take(self, count: int) -> bytes:
        while len(self._buffer) < count:
            self._fill()
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        return data

    def _frame(self) -> tuple[bool, int, bytes]:
        first, second = self._take(2)
        if second & 0x80:
            raise WebSocketError("the server sent a masked frame")
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._take(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._take(8))
        if length > MAX_MESSAGE:
            raise WebSocketError(f"a frame of {length} bytes exceeds the limit")
        return bool(first & 0x80), first & 0x0F, self._take(length)

    def readable(self, seconds: float) -> bool:
        """Whether data is waiting (buffered or on the socket), waiting up to *seconds*."""
        if self._buffer:
            return True
        ready, _, _ = select.select([self._sock], [], [], max(0.0, seconds))
        return bool(ready)

    def settimeout(self, seconds: float) -> None:
        """Time allowed for each read from now on."""
        self._sock.settimeout(seconds)

    def send_text(self, text: str) -> None:
        """Send *text* as one masked text frame."""
        if self.closed:
            raise WebSocketError("the connection is closed")
        try:
            self._sock.sendall(encode_frame(_TEXT, text.encode("utf-8")))
        except OSError as exc:
            raise WebSocketError(f"connection lost: {exc}") from None

    def receive_text(self) -> str:
        """The next text message (fragments joined, pings answered, binary skipped)."""
        parts: list[bytes] = []
        size = 0
        kind = _TEXT
        while True:
            fin, opcode, payload = self._frame()
            if opcode == _PING:
                self._sock.sendall(encode_frame(_PONG, payload))
                continue
            if opcode == _PONG:
                continue
            if opcode == _CLOSE:
                self.closed = True
                raise WebSocketError("the browser closed the connection")
            if opcode not in (_TEXT, _BINARY, _CONTINUATION):
                raise WebSocketError(f"unknown frame opcode {opcode}")
            if opcode != _CONTINUATION:
                kind = opcode
            parts.append(payload)
            size += len(payload)
            if size > MAX_MESSAGE:
                raise WebSocketError("a message exceeds the limit")
            if fin:
                if kind == _BINARY:
                    parts, size = [], 0
                    continue
                return b"".join(parts).decode("utf-8", errors="replace")

    def close(self) -> None:
        """Send a close frame (best effort) and close the socket."""
        if not self.closed:
            self.closed = True
            try:
                self._sock.sendall(encode_frame(_CLOSE, struct.pack("!H", 1000)))
            except OSError:
                pass
        self._sock.close()
