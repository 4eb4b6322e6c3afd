"""What goes over the wire between the simulated browser and its target: requests and
responses exactly as sent and received, the transport interface, and the time budget shared
by the requests of one check."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "INPROCESS_BASE",
    "MAX_BODY",
    "Deadline",
    "NetworkError",
    "Transport",
    "TransportError",
    "WireRequest",
    "WireResponse",
    "for_display",
    "inprocess_base",
    "one_line",
    "time_budget",
    "validate_http_url",
]


#: The host name used for in-process targets (the same convention as Starlette's TestClient).
INPROCESS_BASE = "http://testserver"


def inprocess_base(base_url: str | None) -> str:
    """The scheme and host an in-process request is sent to: *base_url* (``--base-url``, e.g.
    ``http://localhost:8000``) or :data:`INPROCESS_BASE`.  Raises :class:`TransportError`
    for anything but ``http(s)://host[:port]`` (a trailing ``/`` is allowed)."""
    if base_url is None:
        return INPROCESS_BASE
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError as exc:
        raise TransportError(f"--base-url {base_url!r}: {exc}") from None
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
    ):
        raise TransportError(
            f"--base-url {base_url!r}: expected http(s)://host[:port], e.g. http://localhost:8000"
        )
    return f"{parts.scheme.lower()}://{parts.netloc}"


def for_display(text: str) -> str:
    """*text* with the in-process placeholder host taken out: ``http://testserver/x`` is shown
    as ``/x``, and the bare origin as "the app" (a report shows the path, or the URL given with
    ``--base-url``)."""
    return _PLACEHOLDER.sub(lambda m: "/" if m.group(1) else "the app", text)


_PLACEHOLDER = re.compile(re.escape(INPROCESS_BASE) + r"(?![\w.:@-])(/?)")


#: In-process transports stop reading a response body after this many bytes (CORS is decided by
#: the status line and headers; an endless streaming response must not hang the doctor).
MAX_BODY = 1 << 20


@dataclass(frozen=True)
class WireRequest:
    """A request exactly as it goes on the wire.

    ``headers`` keeps order and duplicates; names are sent as given.  ``url`` is absolute.
    """

    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes = b""

    def get(self, name: str) -> str | None:
        """Fetch "get": all values of *name* (case-insensitive) joined with ``", "``, or None."""
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return ", ".join(values) if values else None


@dataclass(frozen=True)
class WireResponse:
    """A response as received: status, headers (names lower-cased, order and duplicates kept),
    the body, and the URL that was requested.  ``body_error`` names the network error that
    ended the body early (``net::ERR_CONTENT_LENGTH_MISMATCH (...)``), after headers that were
    fine: ``fetch()`` has resolved by then, and reading the body fails."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    url: str
    body_error: str | None = None

    def get(self, name: str) -> str | None:
        """Fetch "get" (fetch.bs:686-698): all values joined with ``", "``; None if absent."""
        values = self.get_all(name)
        return ", ".join(values) if values else None

    def get_all(self, name: str) -> list[str]:
        """Every value of header *name* (case-insensitive), in the order received."""
        lname = name.lower()
        return [v for k, v in self.headers if k == lname]


class TransportError(Exception):
    """The request could not be made (bad target, connection failure, app crash while
    importing).  ``str(error)`` is a one-line message meant for a person."""


class NetworkError(TransportError):
    """The server answered, but not in a way a browser accepts: Chromium fails the request
    with the network error :attr:`net_error` (``net::ERR_INVALID_HTTP_RESPONSE``...) before
    any CORS check, and JavaScript sees ``TypeError: Failed to fetch``.  The simulation
    reports it as the browser does; :attr:`detail` says what was wrong."""

    def __init__(self, net_error: str, detail: str, message: str) -> None:
        super().__init__(message)
        self.net_error = net_error
        self.detail = detail


class Transport(Protocol):
    """Sends one request and returns the response, never following redirects.

    Implementations are thread-safe."""

    def send(self, request: WireRequest) -> WireResponse:
        """Send *request*; raise :class:`TransportError` if no response could be obtained."""
        ...

    def close(self) -> None:
        """Release resources (connections, the event-loop thread)."""
        ...


class Deadline:
    """Per-thread deadline shared by the requests of one check (see :func:`time_budget`)."""

    timeout: float

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._local = threading.local()

    @contextmanager
    def budget(self, seconds: float | None = None) -> Iterator[None]:
        """Bound every request sent from this thread inside the block, together, to
        *seconds* (default: the transport's timeout)."""
        previous = getattr(self._local, "deadline", None)
        limit = time.monotonic() + (self.timeout if seconds is None else seconds)
        self._local.deadline = limit if previous is None else min(previous, limit)
        try:
            yield
        finally:
            self._local.deadline = previous

    def _time_left(self, request: WireRequest) -> float:
        """Seconds this request may take: the timeout, or less when a budget runs out."""
        deadline: float | None = getattr(self._local, "deadline", None)
        if deadline is None:
            return self.timeout
        left = min(self.timeout, deadline - time.monotonic())
        if left <= 0:
            raise TransportError(f"timed out before {request.method} {request.url}")
        return left


@contextmanager
def time_budget(transport: Transport, seconds: float | None = None) -> Iterator[None]:
    """Bound all the requests *transport* sends in the block to *seconds* of wall-clock time
    together (default: the transport's own timeout); transports without a clock (WSGI, test
    doubles) are left as they are."""
    budget = getattr(transport, "budget", None)
    if budget is None:
        yield
        return
    with budget(seconds):
        yield


# --------------------------------------------------------------------------------------------
# URL helpers


def validate_http_url(url: str) -> str:
    """Parse *url* as a browser does (the URL Standard, with Chromium's differences; a space
    becomes ``%20``) and return it as sent: an absolute ``http``/``https`` URL with a host,
    without the fragment.  Raises :class:`TransportError` with a one-line explanation."""
    from .fetch.url import parse_url

    try:
        parsed = parse_url(url)
    except ValueError as exc:
        raise TransportError(f"malformed URL {url!r}: {exc}") from None
    if parsed.scheme not in ("http", "https"):
        raise TransportError(f"malformed URL {url!r}: the scheme must be http or https")
    if parsed.port == 0:
        raise TransportError(f"malformed URL {url!r}: port 0")
    return parsed.serialize()


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    name = type(exc).__name__
    return f"{name}: {first}" if first else name
