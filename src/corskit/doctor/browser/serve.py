"""Serving a ``package.module:app`` target on a loopback port for a real browser."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from .discovery import BrowserUnavailable


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve_target(target: str, path: str = "/") -> Iterator[tuple[str, str | None]]:
    """Yield ``(url, served_base)`` for a ``corskit check`` TARGET.

    A URL is used as it is (``served_base`` is None; *path*, when not ``/``, replaces its path).
    A ``package.module:app`` target is imported and served on a free loopback port for the
    duration (uvicorn for ASGI, the standard library's threaded WSGI server for WSGI).
    Raises :class:`BrowserUnavailable` with a one-line message when that is impossible.
    """
    import threading

    from corskit.doctor.transports import (
        TransportError,
        detect_app_kind,
        load_app,
        validate_http_url,
    )

    if not path.startswith("/"):
        path = "/" + path
    if "://" in target or target.lower().startswith(("http:", "https:")):
        try:
            validate_http_url(target)
        except TransportError as exc:
            raise BrowserUnavailable(str(exc)) from None
        url = target
        if path != "/":
            parts = urlsplit(target)
            url = f"{parts.scheme}://{parts.netloc}{path}"
        yield url, None
        return
    try:
        app = load_app(target)
        kind = detect_app_kind(app)
    except TransportError as exc:
        raise BrowserUnavailable(str(exc)) from None
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    if kind == "asgi":
        try:
            import uvicorn
        except ImportError:
            raise BrowserUnavailable(
                "serving an ASGI app for --browser needs uvicorn (pip install uvicorn)"
            ) from None
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="error", access_log=False, lifespan="auto"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="corskit-serve", daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                raise BrowserUnavailable(f"could not serve {target} with uvicorn on {base}")
            time.sleep(0.02)
        try:
            yield base + path, base
        finally:
            server.should_exit = True
            thread.join(10)
    else:
        from socketserver import ThreadingMixIn
        from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

        class _Server(ThreadingMixIn, WSGIServer):
            daemon_threads = True

        class _Quiet(WSGIRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

        wsgi = make_server("127.0.0.1", port, app, server_class=_Server, handler_class=_Quiet)
        thread = threading.Thread(target=wsgi.serve_forever, name="corskit-serve", daemon=True)
        thread.start()
        try:
            yield base + path, base
        finally:
            wsgi.shutdown()
            wsgi.server_close()
            thread.join(10)
