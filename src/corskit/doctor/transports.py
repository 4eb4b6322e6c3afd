"""Transports: how the doctor puts a request on the wire and reads the response back.

The browser simulation (:mod:`corskit.doctor.fetch`) never talks to a network or an app
directly.  It builds :class:`WireRequest` objects exactly as a browser would put them on the
wire and hands them to a :class:`Transport`, which returns a :class:`WireResponse` *without
following redirects* (the simulation follows them itself, because every hop has to be checked
the way Fetch says; https://fetch.spec.whatwg.org/#http-redirect-fetch).

Three transports exist:

* :class:`HTTPTransport` sends real HTTP/1.1 requests over a socket and reads the answer as
  Chromium does (:mod:`corskit.doctor.http_transport`, :mod:`corskit.doctor.http1`); an answer
  Chromium refuses raises :class:`NetworkError` with Chromium's ``net::ERR_*`` name.
* :class:`ASGITransport` calls an ASGI application in-process.  The app runs on an event loop
  in a dedicated background thread, so :meth:`ASGITransport.send` is thread-safe and can be
  called from synchronous code (and from several threads at once).  The app's lifespan
  start-up runs before the first request and its shut-down on close
  (:mod:`corskit.doctor.lifespan`).
* :class:`WSGITransport` calls a WSGI application in-process with a PEP 3333 environ.

:func:`open_transport` turns a command-line target into a transport and the URL to request:
``"http(s)://host[:port]/path"`` gives an :class:`HTTPTransport`; ``"pkg.module:attr"`` imports
the app object and gives the in-process transport that matches it (see :func:`detect_app_kind`),
with the URL ``"http://testserver" + path``.  Every failure is a :class:`TransportError` whose
``str()`` is a single human-readable line.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import inspect
import io
import os
import sys
import threading
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any, Literal
from urllib.parse import unquote_to_bytes, urlsplit

from .http_transport import HTTPTransport
from .lifespan import Lifespan
from .wire import (
    INPROCESS_BASE,
    MAX_BODY,
    Deadline,
    NetworkError,
    Transport,
    TransportError,
    WireRequest,
    WireResponse,
    inprocess_base,
    one_line,
    time_budget,
    validate_http_url,
)

__all__ = [
    "INPROCESS_BASE",
    "MAX_BODY",
    "ASGITransport",
    "HTTPTransport",
    "NetworkError",
    "Transport",
    "TransportError",
    "WSGITransport",
    "WireRequest",
    "WireResponse",
    "detect_app_kind",
    "load_app",
    "open_transport",
    "time_budget",
    "transport_for_app",
    "validate_http_url",
]

# --------------------------------------------------------------------------------------------
# in-process: common pieces

Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def _split_target(url: str) -> tuple[str, str, int, bytes, bytes, str]:
    """-> (scheme, host, port, raw path, query, Host header value)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower() or "http"
    host = parts.hostname or "testserver"
    port = parts.port or (443 if scheme == "https" else 80)
    raw_path = (parts.path or "/").encode("latin-1", "replace")
    query = parts.query.encode("latin-1", "replace")
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return scheme, host, port, raw_path, query, netloc


def _with_host(request: WireRequest, host_header: str) -> list[tuple[str, str]]:
    headers = list(request.headers)
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("host", host_header))
    if request.body and not any(k.lower() == "content-length" for k, _ in headers):
        headers.append(("content-length", str(len(request.body))))
    return headers


# --------------------------------------------------------------------------------------------
# ASGI


class ASGITransport(Deadline):
    """Calls an ASGI 3 application in-process.

    A private event loop runs in a daemon thread; :meth:`send` schedules the call on it with
    ``asyncio.run_coroutine_threadsafe`` and waits, so it is safe to call from any thread.
    Every host name in the request URL reaches the same app (the ``Host`` header tells them
    apart), which lets redirect chains across "origins" be simulated in one app.
    If the app raises before it starts a response, the transport answers ``500`` with no
    headers, as uvicorn does.  Before the first request the app's lifespan start-up runs
    (bounded by *timeout*); a failed start-up makes every :meth:`send` raise
    :class:`TransportError` naming the app's exception.  :meth:`close` runs the shut-down.
    """

    def __init__(self, app: Any, *, timeout: float = 10.0) -> None:
        super().__init__(timeout)
        self.app = app
        self.errors: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._lifespan: Lifespan | None = None
        self._lifespan_lock = threading.Lock()
        self._startup_error: TransportError | None = None

    def start(self) -> None:
        """Run the app's lifespan start-up now rather than before the first request.  Raises
        :class:`TransportError` when it fails."""
        self._start_lifespan(self._ensure_loop())

    def _start_lifespan(self, loop: asyncio.AbstractEventLoop) -> None:
        """Run the lifespan start-up once, before the first request."""
        with self._lifespan_lock:
            if self._lifespan is None:
                self._lifespan = Lifespan(self.app)
                try:
                    self._lifespan.start_from_thread(loop, self.timeout)
                except TransportError as exc:
                    self._startup_error = exc
        if self._startup_error is not None:
            raise self._startup_error

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                thread = threading.Thread(target=run, name="corskit-asgi", daemon=True)
                thread.start()
                ready.wait(5)
                self._loop, self._thread = loop, thread
            return self._loop

    def send(self, request: WireRequest) -> WireResponse:
        """Run the app for *request* and collect the response (see :class:`Transport`)."""
        loop = self._ensure_loop()
        self._start_lifespan(loop)
        left = self._time_left(request)
        future = asyncio.run_coroutine_threadsafe(self._call(request), loop)
        try:
            return future.result(left)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TransportError(
                f"the app did not answer {request.method} {request.url} within {left:.3g} s"
            ) from None

    async def _call(self, request: WireRequest) -> WireResponse:
        scheme, host, port, raw_path, query, host_header = _split_target(request.url)
        headers = _with_host(request, host_header)
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": scheme,
            "path": unquote_to_bytes(raw_path).decode("utf-8", "replace"),
            "raw_path": raw_path,
            "query_string": query,
            "root_path": "",
            "headers": [
                (k.lower().encode("latin-1"), v.encode("latin-1", "replace")) for k, v in headers
            ],
            "client": ("127.0.0.1", 50000),
            "server": (host, port),
            "state": dict(self._lifespan.state) if self._lifespan is not None else {},
            "extensions": {},
        }
        body_sent = False
        finished = asyncio.Event()
        status: int | None = None
        resp_headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []
        size = 0

        async def receive() -> dict[str, Any]:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": request.body, "more_body": False}
            await finished.wait()
            return {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            nonlocal status, size
            kind = message.get("type")
            if kind == "http.response.start":
                status = int(message["status"])
                for k, v in message.get("headers", []):
                    name = k.decode("latin-1") if isinstance(k, bytes) else str(k)
                    value = v.decode("latin-1") if isinstance(v, bytes) else str(v)
                    resp_headers.append((name.lower(), value))
            elif kind == "http.response.body":
                data = message.get("body", b"")
                if size < MAX_BODY:
                    chunks.append(bytes(data[: MAX_BODY - size]))
                    size += len(data)
                if not message.get("more_body", False) or size >= MAX_BODY:
                    finished.set()
            # Let the loop run other tasks (the waiter; a cancellation), as a real server's
            # send does when it waits for the socket to drain.
            await asyncio.sleep(0)

        task = asyncio.ensure_future(self.app(scope, receive, send))
        waiter = asyncio.ensure_future(finished.wait())
        try:
            await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if task.done():
            exc = task.exception()
            if exc is not None:
                self.errors.append(one_line(exc))
                if status is None:
                    return WireResponse(
                        status=500,
                        headers=[("content-type", "text/plain; charset=utf-8")],
                        body=b"Internal Server Error",
                        url=request.url,
                    )
        else:
            finished.set()
            task.cancel()
        if status is None:
            # The app returned without starting a response: uvicorn answers 500.
            return WireResponse(status=500, headers=[], body=b"", url=request.url)
        return WireResponse(
            status=status, headers=resp_headers, body=b"".join(chunks), url=request.url
        )

    def close(self) -> None:
        """Stop the event-loop thread."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is not None:
            lifespan = self._lifespan
            if lifespan is not None and lifespan.supported:
                try:
                    asyncio.run_coroutine_threadsafe(lifespan.shutdown(self.timeout), loop).result(
                        self.timeout + 5
                    )
                except Exception:  # a shut-down that hangs or fails must not block close()
                    pass

            async def cancel_pending() -> None:
                current = asyncio.current_task()
                tasks = [t for t in asyncio.all_tasks() if t is not current]
                for task in tasks:
                    task.cancel()
                if tasks:
                    await asyncio.wait(tasks, timeout=1)

            try:
                asyncio.run_coroutine_threadsafe(cancel_pending(), loop).result(2)
            except Exception:  # an app that ignores cancellation must not block close()
                pass
            loop.call_soon_threadsafe(loop.stop)
            if thread is not None:
                thread.join(5)
            loop.close()


# --------------------------------------------------------------------------------------------
# WSGI


class WSGITransport:
    """Calls a WSGI (PEP 3333) application in-process.

    Like :class:`ASGITransport`, every host reaches the same app; an exception raised by the
    app before ``start_response`` becomes a ``500`` with no headers.  Output the app writes to
    ``wsgi.errors`` is kept in :attr:`errors_stream` rather than printed.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.errors: list[str] = []
        self.errors_stream = io.StringIO()

    def send(self, request: WireRequest) -> WireResponse:
        """Call the app for *request* (see :class:`Transport`)."""
        scheme, host, port, raw_path, query, host_header = _split_target(request.url)
        headers = _with_host(request, host_header)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(raw_path).decode("latin-1"),
            "QUERY_STRING": query.decode("latin-1"),
            "SERVER_NAME": host,
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scheme,
            "wsgi.input": io.BytesIO(request.body),
            "wsgi.errors": self.errors_stream,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in headers:
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE" or key == "CONTENT_LENGTH":
                environ[key] = value
                continue
            key = "HTTP_" + key
            # PEP 3333 / CGI: repeated headers are folded into one comma-separated value.
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        def start_response(
            status: str, response_headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            if exc_info is not None and started.get("sent"):
                raise exc_info[1].with_traceback(exc_info[2])
            started["status"] = status
            started["headers"] = response_headers
            return chunks.append

        try:
            result: Iterable[bytes] = self.app(environ, start_response)
            try:
                size = 0
                for chunk in result:
                    started["sent"] = True
                    chunks.append(bytes(chunk))
                    size += len(chunk)
                    if size >= MAX_BODY:
                        break
            finally:
                close = getattr(result, "close", None)
                if callable(close):
                    close()
        except Exception as exc:
            self.errors.append(one_line(exc))
            if "status" not in started:
                return WireResponse(
                    status=500,
                    headers=[("content-type", "text/plain; charset=utf-8")],
                    body=b"Internal Server Error",
                    url=request.url,
                )
        if "status" not in started:
            return WireResponse(status=500, headers=[], body=b"", url=request.url)
        try:
            code = int(str(started["status"]).split(None, 1)[0])
        except (ValueError, IndexError):
            code = 500
        resp_headers = [(str(k).lower(), str(v)) for k, v in started["headers"]]
        return WireResponse(
            status=code, headers=resp_headers, body=b"".join(chunks), url=request.url
        )

    def close(self) -> None:
        """Nothing to release."""


# --------------------------------------------------------------------------------------------
# app loading and detection


def _positional_params(func: Any) -> int | None:
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    count = 0
    for p in sig.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            count += 1
        elif p.kind == p.VAR_POSITIONAL:
            return None
    return count


def detect_app_kind(app: Any) -> Literal["asgi", "wsgi"]:
    """Tell whether *app* is an ASGI 3 or a WSGI application.

    Rules, in order: an object with a ``wsgi_app`` attribute (Flask) is WSGI; an ``async def``
    function, or an object whose ``__call__`` is ``async def``, is ASGI; otherwise a callable
    taking three positional arguments (scope, receive, send) is ASGI and one taking two
    (environ, start_response) is WSGI.  Raises :class:`TransportError` when unsure.
    """
    if not callable(app):
        raise TransportError(f"{type(app).__name__} object is not an ASGI or WSGI application")
    if hasattr(app, "wsgi_app") and callable(app.wsgi_app):
        return "wsgi"
    if inspect.iscoroutinefunction(app):
        return "asgi"
    call = getattr(app, "__call__", None)  # noqa: B004
    if not inspect.isfunction(app) and not inspect.ismethod(app):
        if call is not None and inspect.iscoroutinefunction(call):
            return "asgi"
    target = app if (inspect.isfunction(app) or inspect.ismethod(app)) else call
    n = _positional_params(target)
    if n == 3:
        return "asgi"
    if n == 2:
        return "wsgi"
    raise TransportError(f"cannot tell whether {type(app).__name__} is an ASGI or WSGI application")


def load_app(import_path: str) -> Any:
    """Import ``"pkg.module:attr"`` (``attr`` may be dotted; a trailing ``()`` calls a factory).

    The current directory is put on ``sys.path`` first, as ``uvicorn`` does, so
    ``examples.quickstart:broken`` works from a project root.
    """
    module_name, sep, attr = import_path.partition(":")
    if not sep or not module_name or not attr:
        raise TransportError(
            f"malformed target {import_path!r}: expected an http(s):// URL or 'package.module:app'"
        )
    factory = attr.endswith("()")
    if factory:
        attr = attr[:-2]
    if not all(part.isidentifier() for part in module_name.split(".")) or not all(
        part.isidentifier() for part in attr.split(".")
    ):
        raise TransportError(f"malformed import path {import_path!r}")
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        obj: Any = importlib.import_module(module_name)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise TransportError(f"cannot import {module_name!r}: {one_line(exc)}") from None
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise TransportError(f"{module_name!r} has no attribute {attr!r}") from None
    if factory:
        try:
            obj = obj()
        except Exception as exc:
            raise TransportError(f"calling {attr}() failed: {one_line(exc)}") from None
    return obj


def transport_for_app(app: Any, *, timeout: float = 10.0) -> Transport:
    """Return the in-process transport (ASGI or WSGI) that fits *app*."""
    if detect_app_kind(app) == "asgi":
        return ASGITransport(app, timeout=timeout)
    return WSGITransport(app)


def open_transport(
    target: str, *, timeout: float = 10.0, path: str = "/", base_url: str | None = None
) -> tuple[Transport, str]:
    """Turn a command-line *target* into ``(transport, url)``.

    ``"http(s)://..."`` → an :class:`HTTPTransport` and the URL (when *path* is not ``"/"`` it
    replaces the URL's path and query).  ``"pkg.module:attr"`` → an in-process transport for the
    app and ``"http://testserver" + path``, or *base_url* + path (``--base-url``, in-process only);
    an ASGI app's lifespan start-up has run.  Raises :class:`TransportError` for a malformed URL,
    a failed import, or an object that is not an app.
    """
    if not path.startswith("/"):
        path = "/" + path
    low = target.lower()
    if "://" in target or low.startswith(("http:", "https:")):
        if base_url is not None:
            raise TransportError("--base-url is for an in-process target (module:app), not a URL")
        validate_http_url(target)
        url = target
        if path != "/":
            parts = urlsplit(target)
            url = f"{parts.scheme}://{parts.netloc}{path}"
        return HTTPTransport(timeout=timeout), url
    base = inprocess_base(base_url)
    transport = transport_for_app(load_app(target), timeout=timeout)
    if isinstance(transport, ASGITransport):
        try:
            transport.start()  # a failed lifespan start-up is the target's problem, named once
        except TransportError:
            transport.close()
            raise
    return transport, base + path
