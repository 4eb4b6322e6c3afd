"""The suite's own HTTP server: the behaviour of the web-platform-tests' CORS handlers,
reimplemented on a raw socket so that every byte of a response (a NUL in a header value, a
status code 699, two ``Access-Control-Allow-Origin`` lines) is sent exactly as a case asks.

One server listens on two plain ports and one TLS port of 127.0.0.1 (and of ::1 when the
machine has it, since Chromium may try ``localhost`` there first). With the two host names
that gives six origins: ``http://127.0.0.1:A`` (the page), ``http://127.0.0.1:B``,
``http://localhost:A``, ``http://localhost:B``, ``https://127.0.0.1:C`` and
``https://localhost:C``. The TLS certificate is self-signed, made for the run by ``openssl``
(clients of the suite do not verify it). Each connection carries one request and is closed
after the answer.

Handlers, by path (what each one answers is described in :mod:`.handlers`):
``/fetch/preflight``, ``/fetch/redirect``, ``/fetch/top``, ``/fetch/inspect``,
``/cors/makeheader``, ``/cors/status``, ``/cors/preflight``, ``/cors/asis``,
``/cors/expose``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from tests.doctor.browser.wpt.handlers import HANDLERS, Request, Response, Stash, not_found
from tests.doctor.browser.wpt.model import Origins

MAX_HEAD = 64 * 1024


def _parse_head(head: bytes) -> tuple[str, str, list[tuple[bytes, bytes]]]:
    lines = head.split(b"\r\n")
    method, target, _version = lines[0].decode("latin-1").split(" ", 2)
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        if b":" in line:
            name, _, value = line.partition(b":")
            headers.append((name.strip(), value.strip(b" \t")))
    return method, target, headers


def _serialize(response: Response) -> bytes:
    if response.raw is not None:
        return response.raw
    reason = response.reason.encode("latin-1")
    out = [b"HTTP/1.1 " + str(response.status).encode() + b" " + reason]
    out.extend(name + b": " + value for name, value in response.headers)
    bodyless = response.status in (204, 304) or 100 <= response.status < 200
    has_length = any(name.lower() == b"content-length" for name, _ in response.headers)
    if not bodyless and not has_length:
        out.append(b"Content-Length: " + str(len(response.body)).encode())
    out.append(b"Connection: close")
    head = b"\r\n".join(out) + b"\r\n\r\n"
    return head if bodyless or response.head_only else head + response.body


def _tls_context() -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for localhost and 127.0.0.1."""
    with tempfile.TemporaryDirectory(prefix="corskit-wpt-tls-") as tmp:
        key, cert = Path(tmp) / "key.pem", Path(tmp) / "cert.pem"
        names = "subjectAltName=DNS:localhost,IP:127.0.0.1"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-addext",
                names,
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
    return context


class WPTServer:
    """The server, run on its own event loop in a background thread."""

    def __init__(self) -> None:
        self.stash = Stash()
        self._loop = asyncio.new_event_loop()
        self._servers: list[asyncio.base_events.Server] = []
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.ports: tuple[int, int, int] = (0, 0, 0)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            method, target, headers = _parse_head(head[:MAX_HEAD][:-4])
            request = Request(method, target, headers, b"")
            length = int(request.header(b"content-length") or b"0")
            if length:
                request = Request(method, target, headers, await reader.readexactly(length))
            path = target.split("?", 1)[0]
            handler = HANDLERS.get(path, not_found)
            writer.write(_serialize(handler(request, self.stash)))
            await writer.drain()
        except (
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            OSError,
            ValueError,
        ):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _listen(self, tls: ssl.SSLContext | None = None) -> int:
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=tls)
        self._servers.append(server)
        bound = int(server.sockets[0].getsockname()[1])
        if socket.has_ipv6:
            with contextlib.suppress(OSError):
                self._servers.append(
                    await asyncio.start_server(self._handle, "::1", bound, ssl=tls)
                )
        return bound

    def _port(self, tls: ssl.SSLContext | None = None) -> int:
        return asyncio.run_coroutine_threadsafe(self._listen(tls), self._loop).result(10)

    def start(self) -> Origins:
        """Listen on two free plain ports and one TLS port; return the six origins."""
        self._thread.start()
        first, second, secure = self._port(), self._port(), self._port(_tls_context())
        self.ports = (first, second, secure)
        return Origins(
            a=f"http://127.0.0.1:{first}",
            b=f"http://127.0.0.1:{second}",
            ra=f"http://localhost:{first}",
            rb=f"http://localhost:{second}",
            sa=f"https://127.0.0.1:{secure}",
            sra=f"https://localhost:{secure}",
        )

    def stop(self) -> None:
        """Close every listening socket and stop the loop."""

        async def close_all() -> None:
            for server in self._servers:
                server.close()
            for server in self._servers:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(server.wait_closed(), 2)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(close_all(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


@contextlib.contextmanager
def wpt_server() -> Iterator[tuple[WPTServer, Origins]]:
    """Run the server for the duration of the block."""
    server = WPTServer()
    origins = server.start()
    try:
        yield server, origins
    finally:
        server.stop()
