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

from collections.abc import Awaitable, Callable, MutableMapping
from logging import DEBUG
from typing import Any

from .dynamic import (
    cached_decision,
    cached_preflight,
    raw_getter,
    resolve_actual,
    resolve_preflight,
)
from .engine import Decision, Engine, log_decision, logger
from .live import LiveConfiguration
from .policy import CORSPolicy
from .routing import RouteTable

__all__ = ["CORSMiddleware", "outermost"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_CORS_NAMES = frozenset(
    {b"access-control-allow-origin", b"access-control-allow-credentials", b"access-control-expose-headers"}
)
# Response headers that rule out the fast path: Vary and the CORS headers, lower-case as
# ASGI requires, plus the Title-Case and UPPER spellings hand-written apps use.
_WATCHED = frozenset(
    spelling
    for name in (*_CORS_NAMES, b"vary")
    for spelling in (name, name.title(), name.upper())
)
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
        app: ASGIApp,
        *args: Any,
        policy: CORSPolicy | None = None,
        debug: bool = False,
        check_websocket_origin: bool = False,
        routes: Any = None,
        **settings: Any,
    ) -> None:
        self.app = app
        self._configure(policy, args, settings, routes)
        self.debug = debug
        self.check_websocket_origin = check_websocket_origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope_type = scope["type"]
        if scope_type != "http":
            if scope_type == "websocket" and self.check_websocket_origin:
                await self._websocket(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        _, engine, routes = self._state
        if routes is not None:
            engine = _route(routes, scope) or engine
        raw = scope["headers"]
        # One pass in bytecode. Cheaper than dict(raw) for the dozen headers a browser sends:
        # servers hand over fresh bytes objects, so a dict would hash every name first.
        origin = None
        duplicated = False
        for name, value in raw:
            if name == b"origin":
                if origin is not None:
                    duplicated = True
                origin = value  # the last one, as dict(raw) would give
        if origin is None:
            decision = engine.no_origin
        elif scope["method"] == "OPTIONS" and (fields := _preflight_fields(raw)) is not None:
            # Fetch: CORS-preflight request = OPTIONS + Origin + Access-Control-Request-Method.
            method, lines, private_network = fields
            if duplicated:
                decision = engine.duplicated_origin(True)
            else:
                decision = engine.preflight(origin, method, lines, private_network)
                if not decision.allowed and engine.origin_func is not None:
                    get = raw_getter(raw)
                    decision = cached_preflight(
                        engine, decision, origin, method, lines, private_network, get
                    ) or await resolve_preflight(engine, decision, origin, method, lines, private_network, get)
            if decision.allowed:  # answered here: no extra coroutine on the hot path
                headers = [*decision.tail, _EMPTY] if decision.status == 200 else [*decision.tail]
                await send({"type": "http.response.start", "status": decision.status, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
            await self._refuse_preflight(scope, decision, origin, send)
            return
        elif duplicated:
            decision = engine.duplicated_origin(False)
            _log(decision, "request", scope, origin)
        else:
            # The engine's cache first (decisions for allowed and refused origins alike);
            # a miss asks the engine, which also refuses oversized values unhashed.
            decision = engine.actual_cache.get(origin) or engine.actual(origin)
            if not decision.allowed:
                if engine.origin_func is not None:
                    get = raw_getter(raw)
                    decision = cached_decision(engine, decision, origin, get) or await resolve_actual(
                        engine, decision, origin, get
                    )
                # The logger's own cache answers "not at DEBUG" without a call.
                if not decision.allowed and _LEVELS.get(DEBUG) is not False and logger.isEnabledFor(DEBUG):
                    _log(decision, "request", scope, origin)
        tail = decision.tail  # the decision's headers and Vary, precomputed
        if not tail:
            await self.app(scope, receive, send)
            return

        # A plain function returning send's awaitable (no coroutine per message); what it
        # needs comes in as defaults, which are cheaper than closure cells.
        def send_with_cors(message: Message, send: Send = send, tail: tuple[Header, ...] = tail) -> Awaitable[None]:
            if message["type"] == "http.response.start":
                headers = message.get("headers")
                if headers.__class__ is list:
                    for name, _ in headers:
                        if name in _WATCHED:  # the app set Vary or a CORS header: merge with care
                            message["headers"] = _apply(headers, tail)
                            break
                    else:
                        # A new list: an app may reuse one list for every response.
                        message["headers"] = [*headers, *tail]
                else:
                    message["headers"] = _apply(headers or (), tail)
            return send(message)

        await self.app(scope, receive, send_with_cors)

    async def _refuse_preflight(self, scope: Scope, decision: Decision, origin: bytes, send: Send) -> None:
        """Answer a refused preflight: 403, no CORS headers (the reason in the body with debug)."""
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
        origins = [v for n, v in scope["headers"] if n == b"origin"]
        origin = origins[0] if origins else None
        if origin is not None:  # no Origin: not a browser, nothing to defend
            state = self._state
            engine: Engine = state[1]
            if state[2] is not None:
                engine = _route(state[2], scope) or engine
            if len(origins) > 1:  # never from a browser: refuse, as on HTTP
                decision = engine.duplicated_origin(False)
            else:
                decision = engine.websocket(origin)
            if not decision.allowed and len(origins) == 1 and engine.origin_func is not None:
                headers = dict(scope["headers"])
                decision = await resolve_actual(engine, engine.refused("origin-not-allowed"), origin, headers.get)
            if not decision.allowed:
                _log(decision, "websocket", scope, origin)
                message = await receive()
                if message["type"] == "websocket.connect":
                    await send({"type": "websocket.close", "code": 1008})  # the server answers 403
                return
        await self.app(scope, receive, send)


def _preflight_fields(raw: Any) -> tuple[bytes, list[bytes], bytes | None] | None:
    """(Access-Control-Request-Method, -Headers lines, -Private-Network) of a request, or
    None without Access-Control-Request-Method (then it is not a preflight).

    The method and private-network values are the last ones sent; the header list may be
    split over several lines (e.g. behind AWS API Gateway), so every line is kept.
    """
    method = None
    lines: list[bytes] = []
    private_network = None
    for name, value in raw:
        if name == b"access-control-request-method":
            method = value
        elif name == b"access-control-request-headers":
            lines.append(value)
        elif name == b"access-control-request-private-network":
            private_network = value
    return None if method is None else (method, lines, private_network)




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


def _apply(headers: Any, tail: tuple[Header, ...]) -> list[tuple[bytes, bytes]]:
    """The response headers with a decision's CORS headers set and its ``Vary`` merged.

    *tail* is :attr:`Decision.tail`: the CORS headers, then ``(b"vary", names)`` if any.
    """
    if tail and tail[-1][0] == b"vary":
        ours, vary = tail[:-1], tail[-1][1]
    else:
        ours, vary = tail, b""
    out: list[tuple[bytes, bytes]] = []
    vary_at = -1
    earlier: list[bytes] = []  # the values of Vary fields before the last one
    replace = bool(ours)
    for name, value in headers:
        low = name.lower()
        if low == b"vary":
            if vary_at >= 0:
                earlier.append(out[vary_at][1])
            vary_at = len(out)
        elif replace and low in _CORS_NAMES:
            continue  # ours replace the app's, never duplicate them (a duplicate ACAO fails)
        out.append((name, value))
    out.extend(ours)
    if vary:
        if vary_at < 0:
            out.append((b"vary", vary))
        else:
            name, value = out[vary_at]
            extra = vary
            if earlier:  # several Vary fields: never repeat a name one of them already has
                present = b", ".join(earlier)
                extra = b", ".join(x for x in extra.split(b", ") if merge_vary(present, x) != present)
            if extra:
                out[vary_at] = (name, merge_vary(value, extra))
    return out


def merge_vary(existing: bytes, extra: bytes) -> bytes:
    """Add the field names of *extra* to a ``Vary`` value, without duplicates.

    >>> merge_vary(b"Accept-Encoding", b"Origin")
    b'Accept-Encoding, Origin'
    >>> merge_vary(b"origin", b"Origin"), merge_vary(b"*", b"Origin")
    (b'origin', b'*')
    """
    present = {item.strip().lower() for item in existing.split(b",")}
    if b"*" in present:
        return existing
    missing = [item for item in extra.split(b", ") if item.lower() not in present]
    if not missing:
        return existing
    stripped = existing.strip()
    return b", ".join([stripped, *missing]) if stripped else b", ".join(missing)


def outermost(app: Any, *args: Any, **settings: Any) -> Any:
    """Install CORS outside *everything* in a Starlette or FastAPI application.

    Starlette builds its stack as ``ServerErrorMiddleware -> user middleware -> router``;
    a 500 from an unhandled exception is sent by ``ServerErrorMiddleware``, outside any
    ``add_middleware`` CORS layer, so the browser reports a CORS error instead of the 500.
    ``outermost`` wraps the built stack instead, so every response (500s, 401s from auth
    middleware) carries CORS headers and preflights are answered before authentication.
    The application object itself is returned, so ``uvicorn main:app`` and route
    decorators keep working.

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
    use_registry = "routes" not in settings
    if use_registry and registered:
        settings = {**settings, "routes": dict(registered)}
    middleware = CORSMiddleware(_Pending(), *args, **settings)  # validate now, at start-up

    def build_with_cors() -> Any:
        middleware.app = build()
        late = getattr(getattr(app, "state", None), "corskit_routes", None)
        if use_registry and late and late != middleware.routes:
            middleware.routes = {**middleware.routes, **late}
        return middleware

    app.build_middleware_stack = build_with_cors
    app.middleware_stack = None  # rebuilt on the first request
    state = getattr(app, "state", None)
    if state is not None:
        state.corskit = middleware  # lets tools (corskit check/audit) find the settings
    return app


class _Pending:
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # pragma: no cover
        raise RuntimeError("corskit.outermost: the application stack was not built")
