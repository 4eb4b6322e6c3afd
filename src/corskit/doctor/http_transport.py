"""The doctor's HTTP/1.1 client for URL targets: plain sockets, the standard library's
``ssl`` for https, and the Chromium-compatible response reader of :mod:`corskit.doctor.http1`.

One connection per request, closed afterwards; redirects are never followed (the simulation
follows them itself, https://fetch.spec.whatwg.org/#http-redirect-fetch).  Every request is
bounded as a whole by the transport's timeout (and by a check's shared budget, see
:class:`~corskit.doctor.wire.Deadline`): connecting, sending and reading the headers; a body
still arriving when the time is up is kept as far as it came, since CORS is decided by the
headers.  At most :data:`~corskit.doctor.wire.MAX_BODY` bytes of a body are kept.

Proxy settings from the environment (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``,
``NO_PROXY``) are honoured for ``http://`` proxies, except for loopback hosts, which are
always reached directly.
"""

from __future__ import annotations

import base64
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..origins import is_loopback_host
from .http1 import NEED_DATA, Data, EndOfMessage, ResponseError, ResponseHead, ResponseParser
from .wire import (
    MAX_BODY,
    Deadline,
    NetworkError,
    TransportError,
    WireRequest,
    WireResponse,
    one_line,
    validate_http_url,
)

__all__ = ["HTTPTransport", "encode_request"]

_READ_SIZE = 65536
_FORBIDDEN_IN_HEADERS = frozenset(b"\0\r\n")


class _TimedOut(Exception):
    """The request's time ran out."""


@dataclass(frozen=True)
class _Target:
    """Where a request goes: the URL's parts, and the proxy that carries it, if any."""

    scheme: str
    host: str
    port: int
    host_header: str
    path: str
    proxy: tuple[str, int, str | None] | None = None  # host, port, Proxy-Authorization

    @property
    def secure(self) -> bool:
        return self.scheme == "https"

    @property
    def default_port(self) -> bool:
        return self.port == (443 if self.secure else 80)


class HTTPTransport(Deadline):
    """Real HTTP/1.1 over a socket.  Redirects are never followed.

    Only the headers of the :class:`WireRequest` are sent, plus ``Host`` and, when there is
    a body (or an empty ``POST``/``PUT``, as Chromium does), ``Content-Length``.  Responses are
    read as Chromium reads them (:mod:`corskit.doctor.http1`); one that Chromium fails with a
    network error raises :class:`~corskit.doctor.wire.NetworkError` with Chromium's error name.
    *verify* False accepts any TLS certificate.
    """

    def __init__(self, *, timeout: float = 10.0, verify: bool = True) -> None:
        super().__init__(timeout)
        self.verify = verify
        self._tls: ssl.SSLContext | None = None
        self._lock = threading.Lock()

    def send(self, request: WireRequest) -> WireResponse:
        """Send *request* over the network (see :class:`~corskit.doctor.wire.Transport`)."""
        url = validate_http_url(request.url)
        left = self._time_left(request)
        deadline = time.monotonic() + left
        what = f"{request.method} {request.url}"
        try:
            target = _target(url)
            payload = encode_request(request, target)
            with self._open(target, deadline) as sock:
                _send(sock, payload)
                head, body, body_error = _read_response(sock, request.method, target, deadline)
        except _TimedOut:
            raise TransportError(
                f"timed out waiting for {what} (no complete answer within {left:.3g} s)"
            ) from None
        except ResponseError as exc:
            raise NetworkError(exc.net_error, exc.detail, f"{what} failed: {exc}") from None
        except TransportError:
            raise
        except (OSError, ValueError) as exc:
            raise _connection_error(exc, what, request.url) from None
        headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in head.headers]
        return WireResponse(
            status=head.status, headers=headers, body=body, url=request.url, body_error=body_error
        )

    def close(self) -> None:
        """Nothing is kept open between requests."""

    # -- connections
    def _tls_context(self) -> ssl.SSLContext:
        with self._lock:
            if self._tls is None:
                context = ssl.create_default_context()
                if not self.verify:
                    context.check_hostname = False
                    context.verify_mode = ssl.CERT_NONE
                context.set_alpn_protocols(["http/1.1"])
                self._tls = context
            return self._tls

    @contextmanager
    def _open(self, target: _Target, deadline: float) -> Iterator[socket.socket]:
        host, port = (
            (target.proxy[0], target.proxy[1]) if target.proxy else (target.host, target.port)
        )
        sock = socket.create_connection((host, port), timeout=_left(deadline))
        try:
            if target.proxy and target.secure:
                _tunnel(sock, target, deadline)
            if target.secure:
                sock.settimeout(_left(deadline))
                sock = self._tls_context().wrap_socket(sock, server_hostname=target.host)
            yield sock
        finally:
            sock.close()


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _TimedOut
    return left


def _recv(sock: socket.socket, deadline: float) -> bytes:
    sock.settimeout(_left(deadline))
    try:
        return sock.recv(_READ_SIZE)
    except TimeoutError:
        raise _TimedOut from None
    except ConnectionResetError:
        raise ResponseError(
            "net::ERR_CONNECTION_RESET", "the server reset the connection"
        ) from None


def _send(sock: socket.socket, payload: bytes) -> None:
    """Send the request; a server that closes or resets the connection while it is being sent
    may still have answered (Chromium reads the answer then), so reading goes on."""
    try:
        sock.sendall(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass


def _read_response(
    sock: socket.socket, method: str, target: _Target, deadline: float
) -> tuple[ResponseHead, bytes, str | None]:
    """The final response's head, at most MAX_BODY bytes of its body, and the network error
    that ended the body early, if any."""
    parser = ResponseParser(
        method=method,
        secure=target.secure,
        default_port=target.default_port,
        plain_http=not target.secure,
    )
    head = _read_head(sock, parser, deadline)
    chunks: list[bytes] = []
    size = 0
    try:
        while size < MAX_BODY:
            event = parser.next_event()
            if isinstance(event, EndOfMessage):
                break
            if isinstance(event, Data):
                chunks.append(event.data[: MAX_BODY - size])
                size += len(chunks[-1])
            else:
                parser.receive_data(_recv(sock, deadline))
    except ResponseError as exc:
        return head, b"".join(chunks), str(exc)
    except (_TimedOut, OSError):
        pass  # the headers decide CORS: the body is kept as far as it came
    return head, b"".join(chunks), None


def _read_head(sock: socket.socket, parser: ResponseParser, deadline: float) -> ResponseHead:
    while True:
        event = parser.next_event()
        if isinstance(event, ResponseHead):
            return event
        if event is NEED_DATA:
            parser.receive_data(_recv(sock, deadline))


# --------------------------------------------------------------------------------------------
# the request


def _target(url: str) -> _Target:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    port = parts.port or (443 if scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = parts.netloc.rsplit("@", 1)[-1]
    proxy = None if is_loopback_host(host.lower()) else _proxy_for(scheme, host)
    if proxy is not None and scheme == "http":
        path = url.split("#", 1)[0]  # absolute-form through a proxy
    return _Target(scheme, host, port, host_header, path, proxy)


def _proxy_for(scheme: str, host: str) -> tuple[str, int, str | None] | None:
    """The ``http://`` proxy the environment names for *scheme* and *host*, or None."""
    proxies = urllib.request.getproxies()
    url = proxies.get(scheme) or proxies.get("all")
    if not url or urllib.request.proxy_bypass(host):
        return None
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme.lower() != "http" or not parts.hostname:
        raise TransportError(f"unsupported proxy {url!r}: only http:// proxies are supported")
    auth = None
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        auth = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
    return parts.hostname, parts.port or 80, auth


def encode_request(request: WireRequest, target: _Target) -> bytes:
    """The request as it goes on the wire: the request line, ``Host``, the request's own
    headers in order, ``Content-Length``.  Raises :class:`TransportError` for a method or a
    header that cannot be sent (a line break or NUL would split the request)."""
    method = request.method.encode("latin-1")
    if not method or any(b <= 0x20 or b >= 0x7F for b in method):
        raise TransportError(f"{request.method!r} cannot be sent as an HTTP method")
    headers: list[tuple[str, str]] = []
    names = {name.lower() for name, _ in request.headers}
    if "host" not in names:
        headers.append(("Host", target.host_header))
    headers.extend(request.headers)
    if "content-length" not in names and (request.body or request.method in ("POST", "PUT")):
        headers.append(("Content-Length", str(len(request.body))))
    if target.proxy and target.proxy[2] and not target.secure:
        headers.append(("Proxy-Authorization", target.proxy[2]))
    lines = [method + b" " + target.path.encode("latin-1") + b" HTTP/1.1"]
    for name, value in headers:
        raw_name, raw_value = name.encode("latin-1"), value.encode("latin-1")
        if not raw_name or _FORBIDDEN_IN_HEADERS.intersection(raw_name + raw_value):
            raise TransportError(f"the request header {name!r} cannot be sent: {value!r}")
        lines.append(raw_name + b": " + raw_value)
    return b"\r\n".join(lines) + b"\r\n\r\n" + request.body


def _tunnel(sock: socket.socket, target: _Target, deadline: float) -> None:
    """CONNECT through the proxy to the https target."""
    host = f"[{target.host}]" if ":" in target.host else target.host
    authority = f"{host}:{target.port}"
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    if target.proxy and target.proxy[2]:
        lines.append(f"Proxy-Authorization: {target.proxy[2]}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    head = _read_head(sock, ResponseParser(method="CONNECT"), deadline)
    if not 200 <= head.status <= 299:
        raise TransportError(f"the proxy refused to connect to {authority}: {head.status}")


def _connection_error(exc: BaseException, what: str, url: str) -> TransportError:
    if isinstance(exc, TimeoutError):
        return TransportError(f"timed out waiting for {what}")
    if isinstance(exc, (ConnectionRefusedError, socket.gaierror, ssl.SSLCertVerificationError)):
        return TransportError(f"cannot connect to {url}: {_reason(exc)}")
    return TransportError(f"{what} failed: {one_line(exc)}")


def _reason(exc: BaseException) -> str:
    text = str(exc)
    low = text.lower()
    if isinstance(exc, ConnectionRefusedError) or "refused" in low:
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, ssl.SSLCertVerificationError) or "certificate" in low:
        return "TLS certificate problem"
    return text.splitlines()[0] if text else type(exc).__name__
