"""The stdlib WebSocket client and the BiDi connection, against a small real server on
127.0.0.1 (no browser needed), and the Firefox profile's network settings."""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from corskit.doctor.browser import BrowserUnavailable
from corskit.doctor.browser.bidi import BiDiConnection, BiDiError
from corskit.doctor.browser.firefox_profile import PREFS, find_firefox, user_js
from corskit.doctor.browser.websocket import (
    MAX_MESSAGE,
    WebSocket,
    WebSocketError,
    accept_key,
    encode_frame,
)


def test_accept_key_is_rfc_6455s_example() -> None:
    # RFC 6455, section 1.3
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_masked_hello_is_rfc_6455s_example() -> None:
    # RFC 6455, section 5.7: a single-frame masked text message "Hello"
    frame = encode_frame(0x1, b"Hello", mask=bytes.fromhex("37fa213d"))
    assert frame == bytes.fromhex("818537fa213d7f9f4d5158")


@pytest.mark.parametrize(("size", "header"), [(125, 2), (126, 4), (65535, 4), (65536, 10)])
def test_frame_lengths(size: int, header: int) -> None:
    frame = encode_frame(0x1, b"a" * size, mask=b"\0\0\0\0")
    assert len(frame) == header + 4 + size
    assert frame[1] & 0x80  # client frames are masked


def test_only_loopback_ws_urls_are_accepted() -> None:
    for url in ("ws://example.com/session", "wss://127.0.0.1:1/", "http://127.0.0.1:1/"):
        with pytest.raises(WebSocketError, match="only ws:// URLs on a loopback host"):
            WebSocket(url)


def _server_frame(opcode: int, payload: bytes, fin: bool = True) -> bytes:
    head = bytes([(0x80 if fin else 0) | opcode])
    if len(payload) < 126:
        return head + bytes([len(payload)]) + payload
    return head + bytes([126]) + struct.pack("!H", len(payload)) + payload


def _read_client_frame(conn: socket.socket) -> tuple[int, bytes]:
    def take(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

    first, second = take(2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", take(2))
    elif length == 127:
        (length,) = struct.unpack("!Q", take(8))
    mask = take(4)
    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(take(length)))
    return first & 0x0F, payload


Script = Callable[[socket.socket], None]


@pytest.fixture
def ws_server() -> Iterator[Callable[..., str]]:
    """Start a one-connection server on 127.0.0.1 running a script after the handshake."""
    sockets: list[socket.socket] = []
    threads: list[threading.Thread] = []

    def start(script: Script, *, accept: str | None = None, status: str = "101") -> str:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        sockets.append(listener)

        def serve() -> None:
            conn, _ = listener.accept()
            with conn:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += conn.recv(4096)
                key = re.search(rb"Sec-WebSocket-Key: (\S+)", request)
                assert key is not None
                answer = accept if accept is not None else accept_key(key.group(1).decode())
                conn.sendall(
                    f"HTTP/1.1 {status} Switching Protocols\r\nUpgrade: websocket\r\n"
                    f"Connection: Upgrade\r\nSec-WebSocket-Accept: {answer}\r\n\r\n".encode()
                )
                try:
                    script(conn)
                except (ConnectionError, OSError):
                    pass

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        threads.append(thread)
        return f"ws://127.0.0.1:{listener.getsockname()[1]}/session"

    yield start
    for listener in sockets:
        listener.close()
    for thread in threads:
        thread.join(5)


def test_fragments_pings_and_binary(ws_server: Callable[..., str]) -> None:
    pongs: list[bytes] = []

    def script(conn: socket.socket) -> None:
        conn.sendall(_server_frame(0x2, b"\x00\x01"))  # binary: skipped
        conn.sendall(_server_frame(0x9, b"are you there"))  # ping: answered
        pongs.append(_read_client_frame(conn)[1])
        conn.sendall(_server_frame(0x1, b"hel", fin=False) + _server_frame(0x0, b"lo"))
        _, payload = _read_client_frame(conn)
        conn.sendall(_server_frame(0x1, b"echo " + payload))
        conn.sendall(_server_frame(0x8, struct.pack("!H", 1000)))

    ws = WebSocket(ws_server(script), timeout=5)
    assert ws.receive_text() == "hello"
    assert pongs == [b"are you there"]
    ws.send_text("h\u00e9")
    assert ws.receive_text() == "echo h\u00e9"
    with pytest.raises(WebSocketError, match="closed"):
        ws.receive_text()
    ws.close()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"accept": "wrong"}, "wrong Sec-WebSocket-Accept"),
        ({"status": "200"}, "refused the upgrade"),
    ],
)
def test_bad_handshakes(ws_server: Callable[..., str], kwargs: Any, message: str) -> None:
    with pytest.raises(WebSocketError, match=message):
        WebSocket(ws_server(lambda conn: None, **kwargs), timeout=5)


def test_oversized_and_masked_frames_are_refused(ws_server: Callable[..., str]) -> None:
    def script(conn: socket.socket) -> None:
        conn.sendall(bytes([0x81, 127]) + struct.pack("!Q", MAX_MESSAGE + 1))
        conn.recv(10)

    ws = WebSocket(ws_server(script), timeout=5)
    with pytest.raises(WebSocketError, match="exceeds the limit"):
        ws.receive_text()
    ws.close()

    def masked(conn: socket.socket) -> None:
        conn.sendall(bytes([0x81, 0x81]) + b"\0\0\0\0a")
        conn.recv(10)

    ws = WebSocket(ws_server(masked), timeout=5)
    with pytest.raises(WebSocketError, match="masked frame"):
        ws.receive_text()
    ws.close()


def test_bidi_matches_replies_by_id_and_dispatches_events(ws_server: Callable[..., str]) -> None:
    def script(conn: socket.socket) -> None:
        for _ in range(2):
            _, payload = _read_client_frame(conn)
            command = json.loads(payload)
            event = {"type": "event", "method": "log.entryAdded", "params": {"text": "hi"}}
            conn.sendall(_server_frame(0x1, json.dumps(event).encode()))
            if command["method"] == "fail":
                reply = {"type": "error", "id": command["id"], "error": "unknown command"}
            else:
                reply = {"type": "success", "id": command["id"], "result": {"ok": 1}}
            conn.sendall(_server_frame(0x1, b"not json"))
            conn.sendall(_server_frame(0x1, json.dumps(reply).encode()))
        _read_client_frame(conn)  # "never": no reply
        _read_client_frame(conn)  # the close frame

    bidi = BiDiConnection(ws_server(script), timeout=5)
    seen: list[tuple[str, dict[str, Any]]] = []
    bidi.listeners.append(lambda method, params: seen.append((method, params)))
    assert bidi.command("session.status", {}) == {"ok": 1}
    with pytest.raises(BiDiError, match="fail: unknown command"):
        bidi.command("fail", {})
    assert seen == [("log.entryAdded", {"text": "hi"})] * 2
    with pytest.raises(BiDiError, match="no reply within"):
        bidi.command("never", {}, timeout=0.2)
    bidi.close()


def test_bidi_connection_refused_is_one_line() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(BiDiError, match="cannot connect"):
        BiDiConnection(f"ws://127.0.0.1:{port}/session", timeout=2)


def test_firefox_profile_keeps_every_connection_on_loopback() -> None:
    text = user_js(4321)
    assert 'user_pref("network.proxy.http_port", 4321);' in text
    assert 'user_pref("network.proxy.type", 1);' in text
    hosts = set(re.findall(r"https?://([^/:\"]+)", text))
    hosts |= {str(v) for k, v in PREFS.items() if k in ("network.proxy.http", "network.proxy.ssl")}
    assert hosts == {"127.0.0.1"}
    assert "{dead_port}" not in text


def test_firefox_override_must_be_executable() -> None:
    with pytest.raises(BrowserUnavailable, match="--firefox '/nonexistent' is not an executable"):
        find_firefox("/nonexistent")
