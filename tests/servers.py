"""Real servers on 127.0.0.1 for integration tests.

``serve_asgi(app)`` runs *app* under uvicorn in a background thread on a free loopback
port and yields its base URL; ``serve_wsgi(app)`` does the same with the standard
library's ``wsgiref`` server (threaded). Both stop by themselves when the block ends.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


async def send_response(send: Any, body: bytes, content_type: bytes, status: int = 200) -> None:
    """Answer an ASGI HTTP request with *body*, its ``Content-Type`` and ``Content-Length``."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve_asgi(app: Any, *, port: int | None = None, **uvicorn_options: Any) -> Iterator[str]:
    import uvicorn

    port = port or free_port()
    # A long keep-alive: with uvicorn's 5 s, a pooled client connection idle through a slow
    # moment of a shared host is closed just as the client reuses it (httpx.ReadError).
    options: dict[str, Any] = {
        "log_level": "warning",
        "access_log": False,
        "lifespan": "off",
        "timeout_keep_alive": 120,
    }
    options.update(uvicorn_options)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_wsgi(app: Any, *, port: int | None = None) -> Iterator[str]:
    port = port or free_port()
    server = make_server(
        "127.0.0.1", port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
