"""The ASGI adapter: a drop-in for Starlette's and FastAPI's ``CORSMiddleware``.

It translates ASGI scopes and messages to :mod:`corskit.engine` calls and back; it holds
no CORS logic of its own.

>>> from corskit import CORSMiddleware
>>> async def app(scope, receive, send): ...
>>> wrapped = CORSMiddleware(app, allow_origins=["https://app.example.com"])
>>> wrapped.policy.allow_origins
('https://app.example.com',)

With FastAPI (same keywords as ``fastapi.middleware.cors.CORSMiddleware``)::

    app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])

or, so that unhandled 500s and other middleware's responses carry CORS headers too and
preflights never reach authentication middleware, put CORS outside everything::

    app = FastAPI()
    corskit.outermost(app, allow_origins=["https://app.example.com"])
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from logging import DEBUG
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ._loops import SEVERAL as _SEVERAL
from ._loops import SPEEDUPS as SPEEDUPS  # re-exported: whether the C loops serve
from ._loops import find_origin as _find_origin
from ._loops import preflight_fields as _preflight_fields
from ._loops import scan_origin as _scan_origin
from ._loops import send_filter as _send_filter
from .dynamic import raw_getter
from .engine import Decision, Engine, OriginCheck, log_decision, logger
from .live import LiveConfiguration
from .options import GET_ONLY, MAX_AGE, NO_NAMES, CorskitOptions, RoutesSetting, collect_settings
from .policy import CORSPolicy
from .routing import RouteTable

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from Python 3.11

__all__ = ["CORSMiddleware", "outermost"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# What ``CORSMiddleware.__call__`` accepts: loose on purpose, so that every framework's own
# ASGI types fit (Starlette's mapping scope, Litestar's typed-dict scopes and events).
AnyScope = Any
AnyReceive = Callable[[], Awaitable[Any]]
AnySend = Callable[[Any], Awaitable[None]]
AnyASGIApp = Callable[[AnyScope, AnyReceive, AnySend], Awaitable[None]]

_EMPTY = (b"content-length", b"0")
# logging.Logger caches isEnabledFor() per level in this dict (cleared on every level
# change): a False there spares the call on refused requests. Absent: always call.
_LEVELS: dict[int, bool] = getattr(logger, "_cache", {})
Header = tuple[bytes, bytes]


class CORSMiddleware(LiveConfiguration):
    """ASGI CORS middleware. Takes Starlette's keywords, or a ready ``policy=``.

    - ``debug=True`` puts the refusal reason in the body of a failed preflight's 403.
    - ``check_websocket_origin=True`` refuses WebSocket handshakes whose ``Origin`` the
      policy does not allow (cross-site WebSocket hijacking defence).
    - ``routes={"/public": CORSPolicy(...), ...}``: per-route policies, longest prefix
      of the canonical path wins (:mod:`corskit.routing`); other paths get the default.
    - :meth:`reconfigure` (or assigning ``.policy`` / ``.routes``) swaps the
      configuration of the running middleware atomically, validated first.
    """

    def __init__(
        self,
        app: AnyASGIApp,
        allow_origins: Iterable[str] = NO_NAMES,
        allow_methods: Iterable[str] = GET_ONLY,
        allow_headers: Iterable[str] = NO_NAMES,
        allow_credentials: bool = False,
        allow_origin_regex: str | None = None,
        allow_private_network: bool = False,
        expose_headers: Iterable[str] = NO_NAMES,
        max_age: int | None = MAX_AGE,
        *,
        policy: CORSPolicy | None = None,
        debug: bool = False,
        check_websocket_origin: bool = False,
        routes: RoutesSetting | None = None,
        **settings: Unpack[CorskitOptions],
    ) -> None:
        self.app = app
        given = collect_settings(
            (
                allow_origins,
                allow_methods,
                allow_headers,
                allow_credentials,
                allow_origin_regex,
                allow_private_network,
                expose_headers,
                max_age,
            ),
            settings,
        )
        self._configure(policy, (), given, routes)
        self.debug = debug
        self.check_websocket_origin = check_websocket_origin
        if sys.version_info < (3, 12):
            # Before 3.12, inspect.iscoroutinefunction() cannot see a marked function, and
            # servers such as Hypercorn ask it about ``app.__call__`` to tell ASGI 3 from
            # ASGI 2. Calls (``app(...)``) still take the class's __call__.
            vars(self)["__call__"] = self._coroutine_call

    def __call__(self, scope: AnyScope, receive: AnyReceive, send: AnySend) -> Awaitable[None]:
        # Not ``async def``: the call returns the awaitable the server awaits (most often
        # the app's own coroutine), so a request costs no coroutine of corskit's and every
        # resumption of the app skips a frame. Servers still see a coroutine function:
        # see markcoroutinefunction() after the class, and __init__ before Python 3.12.
        scope_type = scope["type"]
        if scope_type != "http":
            if scope_type == "websocket" and self.check_websocket_origin:
                return self._websocket(scope, receive, send)
            return self.app(scope, receive, send)
        _, engine, routes = self._state
        if routes is not None:
            engine = _route(routes, scope) or engine
        raw = scope["headers"]
        origin = _find_origin(raw)
        duplicated = False
        if origin is _SEVERAL:  # several Origin headers, or not a list of bytes pairs
            origin, duplicated = _scan_origin(raw)
        if origin is None:
            decision = engine.no_origin
        else:
            fields = _preflight_fields(raw) if scope["method"] == "OPTIONS" else None
            # An actual request: the engine's final decision for this origin, if it has one.
            # An attribute read, then a call: CPython 3.11 specialises neither ``engine.x(...)``
            # nor ``self.x(...)`` as a method call when x is an instance's own attribute.
            decided = engine.decided_get
            found = None if fields is not None or duplicated else decided(origin)
            if found is None:
                classified = engine.classify(origin, duplicated, fields, raw, raw_getter)
                # ``type(...) is``: isinstance() of a non-instance also reads ``__class__``.
                if type(classified) is OriginCheck:  # the origin function must answer first
                    return self._after_origin_check(scope, receive, send, engine, classified)
                if TYPE_CHECKING:  # what type() narrows at run time
                    assert isinstance(classified, Decision)
                if fields is not None:
                    return self._answer_preflight(scope, classified, origin, send)
                found = classified
            decision = found
            # The logger's own cache answers "not at DEBUG" without a call.
            if (
                not decision.allowed
                and _LEVELS.get(DEBUG) is not False
                and logger.isEnabledFor(DEBUG)
            ):
                _log(decision, "request", scope, origin)
        tail = decision.tail  # the decision's headers and Vary, precomputed
        return self.app(scope, receive, _send_filter(send, tail) if tail else send)

    async def _coroutine_call(self, scope: Scope, receive: Receive, send: Send) -> None:
        """``middleware.__call__`` as seen by servers on Python < 3.12 (see ``__init__``)."""
        await type(self).__call__(self, scope, receive, send)

    async def _after_origin_check(
        self, scope: Scope, receive: Receive, send: Send, engine: Engine, check: OriginCheck
    ) -> None:
        """A request whose origin only the policy's function can decide (not cached)."""
        decision = engine.after_origin_check(check, await check.func.check(check.origin, check.get))
        if check.fields is not None:
            return await self._answer_preflight(scope, decision, check.origin, send)
        if not decision.allowed:
            _log(decision, "request", scope, check.origin)
        tail = decision.tail
        await self.app(scope, receive, _send_filter(send, tail) if tail else send)

    async def _answer_preflight(
        self, scope: Scope, decision: Decision, origin: bytes, send: Send
    ) -> None:
        """Answer a preflight without the app: success with the decision's headers, or a
        403 with none (the reason in the body with ``debug``)."""
        if decision.allowed:
            headers = [*decision.tail, _EMPTY] if decision.status == 200 else [*decision.tail]
            await send(
                {"type": "http.response.start", "status": decision.status, "headers": headers}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        _log(decision, "preflight", scope, origin)
        body = b""
        if self.debug:
            detail = f" ({decision.detail})" if decision.detail else ""
            body = f"corskit: preflight refused: {decision.reason}{detail}\n".encode()
        headers = [
            *decision.tail,
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": decision.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        _, engine, routes = self._state
        if routes is not None:
            engine = _route(routes, scope) or engine
        raw = scope["headers"]
        origin, duplicated = _scan_origin(raw)
        decision = engine.classify(origin, duplicated, None, raw, raw_getter, websocket=True)
        if isinstance(decision, OriginCheck):
            decision = engine.after_origin_check(
                decision, await decision.func.check(decision.origin, decision.get)
            )
        if not decision.allowed:
            _log(decision, "websocket", scope, origin or b"")
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.close", "code": 1008})  # the server answers 403
            return
        await self.app(scope, receive, send)


if sys.version_info >= (3, 12):
    # __call__ returns an awaitable: mark it, so that servers (uvicorn, Hypercorn, Daphne)
    # asking inspect or asyncio.iscoroutinefunction() recognise an ASGI 3 application.
    inspect.markcoroutinefunction(CORSMiddleware.__call__)


def _route(table: RouteTable, scope: Scope) -> Engine | None:
    """The engine of the route the request targets (None: the default policy).

    Matches the path the framework routes on: ``path`` minus ``root_path`` (Starlette's
    rule), with ``raw_path`` (same prefix removed) to see encoded slashes and dots.
    """
    path: str = scope["path"]
    raw: bytes | None = scope.get("raw_path")
    root = scope.get("root_path")
    if root and path.startswith(root) and (len(path) == len(root) or path[len(root)] == "/"):
        path = path[len(root) :]
        encoded = root.encode("utf-8")
        raw = raw[len(encoded) :] if raw is not None and raw.startswith(encoded) else None
    return table.lookup(path, raw)


def _log(decision: Decision, kind: str, scope: Scope, origin: bytes) -> None:
    if _LEVELS.get(DEBUG) is not False:  # known "not at DEBUG": nothing to do
        log_decision(decision, kind, scope.get("method", "GET"), scope.get("path", ""), origin)


class StarletteLike(Protocol):
    """What :func:`outermost` needs of an application: Starlette's middleware-stack hook."""

    def build_middleware_stack(self) -> object: ...


_App = TypeVar("_App", bound=StarletteLike)


def outermost(
    app: _App,
    allow_origins: Iterable[str] = NO_NAMES,
    allow_methods: Iterable[str] = GET_ONLY,
    allow_headers: Iterable[str] = NO_NAMES,
    allow_credentials: bool = False,
    allow_origin_regex: str | None = None,
    allow_private_network: bool = False,
    expose_headers: Iterable[str] = NO_NAMES,
    max_age: int | None = MAX_AGE,
    *,
    policy: CORSPolicy | None = None,
    debug: bool = False,
    check_websocket_origin: bool = False,
    routes: RoutesSetting | None = None,
    **settings: Unpack[CorskitOptions],
) -> _App:
    """Install CORS outside *everything* in a Starlette or FastAPI application.

    Starlette builds its stack as ``ServerErrorMiddleware -> user middleware -> router``;
    a 500 from an unhandled exception is sent by ``ServerErrorMiddleware``, outside any
    ``add_middleware`` CORS layer, so the browser reports a CORS error instead of the 500.
    ``outermost`` wraps the built stack instead, so every response (500s, 401s from auth
    middleware) carries CORS headers and preflights are answered before authentication.
    The application object itself is returned (same type), so ``uvicorn main:app`` and
    route decorators keep working. The keywords are :class:`CORSMiddleware`'s.

    >>> from starlette.applications import Starlette
    >>> app = outermost(Starlette(), allow_origins=["https://app.example.com"])
    """
    build = getattr(app, "build_middleware_stack", None)
    if build is None or not callable(build):
        raise TypeError(
            "outermost() needs a Starlette or FastAPI application; for any other ASGI app "
            "wrap it directly: app = CORSMiddleware(app, ...)"
        )
    # Per-route policies registered with corskit.include_router (before or after this call).
    registered = getattr(getattr(app, "state", None), "corskit_routes", None)
    use_registry = routes is None
    if use_registry and registered:
        routes = dict(registered)
    middleware = CORSMiddleware(  # validate now, at start-up
        _Pending(),
        allow_origins,
        allow_methods,
        allow_headers,
        allow_credentials,
        allow_origin_regex,
        allow_private_network,
        expose_headers,
        max_age,
        policy=policy,
        debug=debug,
        check_websocket_origin=check_websocket_origin,
        routes=routes,
        **settings,
    )

    def build_with_cors() -> CORSMiddleware:
        middleware.app = build()
        late = getattr(getattr(app, "state", None), "corskit_routes", None)
        if use_registry and late and late != middleware.routes:
            middleware.routes = {**middleware.routes, **late}
        return middleware

    setattr(app, "build_middleware_stack", build_with_cors)  # noqa: B010 (a method, for mypy)
    setattr(app, "middleware_stack", None)  # noqa: B010 (rebuilt on the first request)
    state = getattr(app, "state", None)
    if state is not None:
        state.corskit = middleware  # lets tools (corskit check/audit) find the settings
    return app


class _Pending:
    async def __call__(
        self, scope: Scope, receive: Receive, send: Send
    ) -> None:  # pragma: no cover
        raise RuntimeError("corskit.outermost: the application stack was not built")
