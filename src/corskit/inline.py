"""The WSGI adapter run inside a framework's own request cycle (Django middleware, Flask hooks).

Django and Flask users install CORS as a middleware class or an extension, not as a
wrapper around the WSGI application. :class:`InlineCORS` lets those shapes reuse the
WSGI adapter unchanged, so they hold no CORS rules of their own: :meth:`InlineCORS.begin`
runs :class:`corskit.wsgi.CORSMiddleware` on the request's WSGI ``environ`` around a
stand-in application that only records how the adapter would start the response.

- A preflight is answered by the adapter itself: ``begin`` returns :class:`Early`
  (status, headers, body) for the framework to send, and the view never runs.
- Any other request: ``begin`` returns a :class:`Pending`; once the framework has built
  its response (the view's, or its error page), :meth:`Pending.finish` gives the
  response's headers with the CORS headers set and ``Vary`` merged.

>>> cors = InlineCORS(allow_origins=["https://app.example.com"], allow_methods=["PUT"])
>>> early = cors.begin({"REQUEST_METHOD": "OPTIONS", "PATH_INFO": "/",
...     "HTTP_ORIGIN": "https://app.example.com", "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT"})
>>> early.status, dict(early.headers)["access-control-allow-methods"]
(204, 'PUT')
>>> pending = cors.begin({"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_ORIGIN": "https://app.example.com"})
>>> pending.finish(200, [("Content-Type", "application/json")])
[('Content-Type', 'application/json'), ('access-control-allow-origin', 'https://app.example.com'), ('Vary', 'Origin')]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .options import RoutesSetting
from .policy import CORSPolicy
from .problems import Problem
from .wsgi import CORSMiddleware as WSGICORSMiddleware
from .wsgi import StartResponse

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from Python 3.11

    from .options import PolicyOptions

__all__ = ["Early", "InlineCORS", "Pending"]

Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class Early:
    """The adapter's own answer (a preflight): send it instead of calling the view."""

    status: int
    headers: Headers
    body: bytes


class _Exchange:
    """What the adapter did with one request: its start of the response, or the app's."""

    __slots__ = ("app_start", "headers", "status")

    def __init__(self) -> None:
        self.app_start: StartResponse | None = None
        self.status = ""
        self.headers: Headers = []

    def server_start(
        self, status: str, headers: Headers, exc_info: object = None
    ) -> Callable[[bytes], object]:
        self.status, self.headers = status, headers
        return _no_write


def _no_write(data: bytes) -> None:  # pragma: no cover (the stand-in never writes)
    raise RuntimeError("corskit: the inline adapter has no body to write")


_CURRENT: ContextVar[_Exchange] = ContextVar("corskit_inline_exchange")


def _stand_in(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """The "application" the adapter wraps: keeps the ``start_response`` it is given."""
    _CURRENT.get().app_start = start_response
    return ()


class Pending:
    """The CORS headers a framework's response still needs (see :meth:`finish`)."""

    __slots__ = ("_body", "_exchange")

    def __init__(self, exchange: _Exchange, body: Iterable[bytes]) -> None:
        self._exchange = exchange
        self._body = body

    def finish(self, status: int, headers: Headers) -> Headers:
        """*headers* (the response's) with the decision's CORS headers set and Vary merged."""
        exchange = self._exchange
        assert exchange.app_start is not None
        exchange.app_start(f"{status} ", headers)
        for _ in self._body:  # the adapter's generator: runs its clean-up
            pass
        return exchange.headers


class InlineCORS:
    """:class:`corskit.wsgi.CORSMiddleware` with the framework's request cycle as its app.

    Takes the middleware's keywords (``policy=``, ``routes=``, ``debug=`` and the
    :class:`~corskit.CORSPolicy` settings), validated now.
    """

    def __init__(
        self,
        *,
        policy: CORSPolicy | None = None,
        routes: RoutesSetting | None = None,
        debug: bool = False,
        **settings: Unpack[PolicyOptions],
    ) -> None:
        self.middleware = WSGICORSMiddleware(
            _stand_in, policy=policy, routes=routes, debug=debug, **settings
        )

    @property
    def policy(self) -> CORSPolicy:
        return self.middleware.policy

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The warnings of the default policy and of every per-route policy."""
        found = list(self.policy.warnings)
        for route in self.middleware.routes.values():
            found += route.warnings
        return tuple(found)

    @property
    def dynamic(self) -> bool:
        """Whether a policy asks a function about origins (it may block: run ``begin`` in a thread)."""
        policies = [self.policy, *self.middleware.routes.values()]
        return any(p.allow_origin_func is not None for p in policies)

    def begin(self, environ: dict[str, Any]) -> Early | Pending:
        """Run the adapter on a request (its WSGI *environ*, read only)."""
        exchange = _Exchange()
        token = _CURRENT.set(exchange)
        try:
            body = self.middleware(environ, exchange.server_start)
        finally:
            _CURRENT.reset(token)
        if exchange.app_start is None:
            return Early(int(exchange.status.split(" ", 1)[0]), exchange.headers, b"".join(body))
        return Pending(exchange, body)
