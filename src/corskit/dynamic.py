"""Dynamic origins: ask a function (sync or async) whether an origin is allowed.

For origins that live in a database (a multi-tenant API, a list an admin edits), give
the policy a function instead of, or beside, a static list::

    async def tenant_allows(origin: str) -> bool:
        return await db.fetch_val("SELECT 1 FROM tenant_origins WHERE origin = ?", origin) is not None

    CORSPolicy(allow_origin_func=tenant_allows, allow_credentials=True)

or, to tune the cache and the timeout, wrap it in :class:`OriginFunction`::

    check = OriginFunction(tenant_allows, ttl=300, timeout=0.5)
    CORSPolicy(allow_origin_func=check, allow_credentials=True)
    ...
    check.invalidate("https://shop.example")   # after an admin changed the list

What corskit guarantees:

- The static ``allow_origins`` are checked first; the function is asked only about
  origins they do not allow, and only about values shaped like a serialised origin
  (``scheme://host[:port]``, at most 512 bytes). ``null`` is never passed to it unless
  ``dangerously_allow_null_origin=True``.
- Answers are cached per origin (and per value of the declared request headers) for
  ``ttl`` seconds (``negative_ttl`` for refusals), at most ``max_entries`` entries.
  Concurrent requests for an origin that is not cached share one call.
- A function that raises, or does not answer within ``timeout`` seconds, refuses the
  origin; the reason (``origin-check-error`` / ``origin-check-timeout``) is logged as a
  warning on the ``corskit`` logger and the failure is cached for ``error_ttl`` seconds,
  so a dead database is not hammered. A request never hangs on it, and never fails
  with a 500 because of it.
- Sync functions run in a small thread pool (``threads``), so a slow one cannot block
  the event loop and the timeout applies; a thread stuck in a function that never
  returns stays busy (Python cannot kill threads): when every pool thread is stuck,
  further checks time out and refuse. ``threads=0`` calls a sync function inline
  (fastest, no timeout: only for functions that never block).
- Async functions run on the server's event loop (ASGI) with ``asyncio.wait_for``; in a
  WSGI server they run on a private event loop in a background thread.

A *request-aware* function declares the request headers it reads; it is then called as
``func(origin, headers)`` with a ``dict`` holding only those headers (lower-case names,
absent headers left out), and the names are added to ``Vary`` on every response of
the policy, so caches keep the answers apart::

    OriginFunction(lambda origin, headers: allowed(headers.get("host"), origin), headers=["Host"])

At start-up, a policy with ``allow_credentials=True`` probes the function with random
origins that no one can own (``https://corskit-probe-<random>.invalid``): a function that
allows them allows everyone, which with credentials is refused as
``origin-func-allows-everything``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from itertools import islice
from typing import TYPE_CHECKING, Any

from .problems import CATALOGUE, CORSConfigError, Problem, escape

if TYPE_CHECKING:
    import asyncio
    import concurrent.futures

    from .engine import Decision, Engine

__all__ = ["OriginFunction", "cached_decision", "cached_preflight", "raw_getter", "resolve_actual", "resolve_actual_sync", "resolve_preflight", "resolve_preflight_sync"]

logger = logging.getLogger("corskit")

OriginFunc = Callable[..., bool | Awaitable[bool]]
HeaderGetter = Callable[[bytes], bytes | None]
Verdict = tuple[bool, str]

# Reason codes (mirrored in engine.Reason).
ALLOWED = "actual-allowed"
NOT_ALLOWED = "origin-not-allowed"
TIMEOUT = "origin-check-timeout"
ERROR = "origin-check-error"

# What a browser can send as Origin (Fetch: origin serialisation): lower-case scheme and
# host, optional port, nothing else. Anything else never reaches the user's function.
_ORIGIN_SHAPE = re.compile(rb"[a-z][a-z0-9+.\-]*://(?:[a-z0-9_\-.]+|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?")
_MAX_ORIGIN = 512
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def _problem(code: str, field: str, value: object, fix: str | None = None) -> Problem:
    info = CATALOGUE[code]
    return Problem(code, field, escape(value), info.why, fix or info.fix, info.severity)


def _is_async(func: Callable[..., Any]) -> bool:
    import inspect

    if inspect.iscoroutinefunction(func):
        return True
    call = getattr(func, "__call__", None)  # noqa: B004 - an object with an async __call__
    return call is not None and inspect.iscoroutinefunction(call)


def _awaitable(value: object) -> bool:
    return hasattr(value, "__await__")


class _DaemonPool:
    """A minimal thread pool of *daemon* threads for sync origin functions.

    ``concurrent.futures.ThreadPoolExecutor`` joins its threads at interpreter exit, so a
    function that never returns would hang the shutdown; daemon threads do not.
    """

    def __init__(self, size: int) -> None:
        import queue

        self._size = max(1, size)
        self._queue: queue.SimpleQueue[tuple[concurrent.futures.Future[Any], Callable[..., Any], tuple[Any, ...]]]
        self._queue = queue.SimpleQueue()
        self._started = 0
        self._idle = 0
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], *args: Any) -> concurrent.futures.Future[Any]:
        import concurrent.futures

        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._queue.put((future, fn, args))
        with self._lock:
            if self._idle == 0 and self._started < self._size:
                self._started += 1
                threading.Thread(target=self._work, name="corskit-origin", daemon=True).start()
        return future

    def _work(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            future, fn, args = self._queue.get()
            with self._lock:
                self._idle -= 1
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # handed to the waiting request, never raised here
                future.set_exception(exc)


class OriginFunction:
    """A user function deciding origins, with a cache, a timeout and single-flight calls.

    - ``func``: ``(origin: str) -> bool``, or ``(origin, headers) -> bool`` when
      ``headers`` is given; sync or ``async``.
    - ``headers``: request header names the function reads (added to ``Vary``).
    - ``ttl`` / ``negative_ttl``: seconds an allowed / refused answer is cached
      (``negative_ttl`` defaults to ``ttl``); 0 disables caching of that kind.
    - ``error_ttl``: seconds a failure (exception, timeout) is cached.
    - ``max_entries``: cache bound; the oldest entries go first.
    - ``timeout``: seconds to wait for an answer (None: wait for ever; not recommended).
    - ``threads``: pool size for sync functions; 0 calls them inline, without timeout.

    Invalid arguments raise :class:`~corskit.CORSConfigError` (``origin-func-invalid``).
    """

    __slots__ = (
        "_bg_loop",
        "_cache",
        "_executor",
        "_inflight",
        "_lock",
        "_sync_inflight",
        "error_ttl",
        "func",
        "header_names",
        "is_async",
        "max_entries",
        "negative_ttl",
        "threads",
        "timeout",
        "ttl",
        "vary",
    )

    def __init__(
        self,
        func: OriginFunc,
        *,
        headers: Iterable[str] = (),
        ttl: float = 60.0,
        negative_ttl: float | None = None,
        error_ttl: float = 1.0,
        max_entries: int = 10_000,
        timeout: float | None = 1.0,
        threads: int = 4,
    ) -> None:
        problems: list[Problem] = []
        field = "allow_origin_func"
        if isinstance(func, OriginFunction) or not callable(func):
            problems.append(_problem("origin-func-invalid", field, func, "Give a function (origin: str) -> bool, sync or async."))
        names: list[str] = []
        if isinstance(headers, (str, bytes)):
            problems.append(_problem("origin-func-invalid", f"{field}.headers", headers, f"Use headers=[{headers!r}]."))
        else:
            for name in headers:
                if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
                    problems.append(_problem("origin-func-invalid", f"{field}.headers", name, "Give header names (HTTP tokens)."))
                elif name.lower() != "origin" and name.lower() not in (n.lower() for n in names):
                    names.append(name)
        for label, value in (("ttl", ttl), ("error_ttl", error_ttl), ("negative_ttl", negative_ttl), ("timeout", timeout)):
            if value is None and label in ("negative_ttl", "timeout"):
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1e9:
                problems.append(_problem("origin-func-invalid", f"{field}.{label}", value, f"Give {label} as seconds (a number >= 0)."))
        if timeout is not None and not isinstance(timeout, bool) and isinstance(timeout, (int, float)) and timeout == 0:
            problems.append(_problem("origin-func-invalid", f"{field}.timeout", timeout, "Give a timeout > 0 seconds."))
        for label, value in (("max_entries", max_entries), ("threads", threads)):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000_000:
                problems.append(_problem("origin-func-invalid", f"{field}.{label}", value, f"Give {label} as an int >= 0."))
        if problems:
            raise CORSConfigError(problems)
        self.func = func
        self.is_async = _is_async(func)
        self.header_names: tuple[bytes, ...] = tuple(n.lower().encode("ascii") for n in names)
        self.vary = ", ".join(names).encode("ascii")
        self.ttl = float(ttl)
        self.negative_ttl = self.ttl if negative_ttl is None else float(negative_ttl)
        self.error_ttl = float(error_ttl)
        self.max_entries = max_entries
        self.timeout = None if timeout is None else float(timeout)
        self.threads = threads
        self._cache: dict[Any, tuple[float, bool, str]] = {}
        self._inflight: dict[Any, asyncio.Future[Verdict]] = {}
        self._sync_inflight: dict[Any, concurrent.futures.Future[Verdict]] = {}
        self._lock = threading.Lock()
        self._executor: _DaemonPool | None = None
        self._bg_loop: asyncio.AbstractEventLoop | None = None

    def _config(self) -> tuple[Any, ...]:
        return (self.func, self.header_names, self.ttl, self.negative_ttl, self.error_ttl,
                self.max_entries, self.timeout, self.threads)

    def __eq__(self, other: object) -> bool:
        """Same function and settings (each object keeps its own cache)."""
        return isinstance(other, OriginFunction) and self._config() == other._config()

    def __hash__(self) -> int:
        return hash(self._config())

    def __repr__(self) -> str:
        name = getattr(self.func, "__qualname__", None) or repr(self.func)
        extra = f", headers={[n.decode() for n in self.header_names]!r}" if self.header_names else ""
        return f"OriginFunction({name}{extra}, ttl={self.ttl:g}, timeout={self.timeout})"

    # -- cache ---------------------------------------------------------------------------

    def _key(self, origin: bytes, get: HeaderGetter) -> Any:
        if not self.header_names:
            return origin
        return (origin, *(get(n) for n in self.header_names))

    def cached(self, origin: bytes, get: HeaderGetter) -> Verdict | None:
        """The cached answer for this origin (and declared headers), or None."""
        entry = self._cache.get(self._key(origin, get))
        if entry is not None and entry[0] > time.monotonic():
            return entry[1], entry[2]
        return None

    def _store(self, key: Any, verdict: Verdict, ttl: float) -> None:
        if ttl <= 0 or self.max_entries == 0:
            self._cache.pop(key, None)
            return
        with self._lock:
            cache = self._cache
            if key not in cache and len(cache) >= self.max_entries:
                # Oldest first, in chunks, so a flood of new origins costs O(1) per insert.
                for old in list(islice(cache, max(1, self.max_entries // 16))):
                    del cache[old]
            cache.pop(key, None)  # re-insert at the end: eviction is oldest-first
            cache[key] = (time.monotonic() + ttl, verdict[0], verdict[1])

    def invalidate(self, origin: str | None = None) -> None:
        """Forget cached answers: all of them, or those for one origin."""
        with self._lock:
            if origin is None:
                self._cache.clear()
                return
            raw = origin.encode("latin-1", "replace")
            for key in [k for k in self._cache if k == raw or (isinstance(k, tuple) and k[0] == raw)]:
                self._cache.pop(key, None)

    # -- calling the function ---------------------------------------------------------------

    def _arguments(self, origin: bytes, get: HeaderGetter) -> tuple[Any, ...]:
        text = origin.decode("latin-1")
        if not self.header_names:
            return (text,)
        values = {}
        for name in self.header_names:
            value = get(name)
            if value is not None:
                values[name.decode("ascii")] = value.decode("latin-1")
        return (text, values)

    def _outcome(self, result: object, origin: bytes) -> tuple[Verdict, float]:
        if result:
            return (True, ALLOWED), self.ttl
        return (False, NOT_ALLOWED), self.negative_ttl

    def _failure(self, reason: str, origin: bytes, exc: BaseException | None) -> tuple[Verdict, float]:
        if reason == TIMEOUT:
            logger.warning(
                "corskit: origin function refused by timeout: reason=%s origin=%s timeout=%ss",
                reason, escape(origin.decode("latin-1"), 200), self.timeout,
            )
        else:
            logger.warning(
                "corskit: origin function failed: reason=%s origin=%s error=%s",
                reason, escape(origin.decode("latin-1"), 200), escape(f"{type(exc).__name__}: {exc}", 300),
            )
        return (False, reason), self.error_ttl

    def _pool(self) -> _DaemonPool:
        pool = self._executor
        if pool is None:
            with self._lock:
                if self._executor is None:
                    self._executor = _DaemonPool(self.threads)
                pool = self._executor
        return pool

    # async (ASGI) -----------------------------------------------------------------------

    async def check(self, origin: bytes, get: HeaderGetter) -> Verdict:
        """Is *origin* allowed? Cached; concurrent misses for one key share one call."""
        key = self._key(origin, get)
        entry = self._cache.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1], entry[2]
        import asyncio

        loop = asyncio.get_running_loop()
        future = self._inflight.get(key)
        if future is None or future.get_loop() is not loop:
            future = loop.create_task(self._call_async(key, origin, self._arguments(origin, get)))
            self._inflight[key] = future

            def forget(done: asyncio.Future[Verdict], key: Any = key) -> None:
                if self._inflight.get(key) is done:
                    del self._inflight[key]

            future.add_done_callback(forget)
        # shield: a client that goes away must not cancel the call other requests await.
        return await asyncio.shield(future)

    async def _call_async(self, key: Any, origin: bytes, args: tuple[Any, ...]) -> Verdict:
        import asyncio

        func: Callable[..., Any] = self.func
        result: Any
        try:
            if self.is_async:
                result = await asyncio.wait_for(func(*args), self.timeout)
            elif self.threads == 0:
                result = func(*args)
            else:
                result = await asyncio.wait_for(asyncio.wrap_future(self._pool().submit(func, *args)), self.timeout)
            if _awaitable(result):  # a sync callable that returned a coroutine
                result = await asyncio.wait_for(result, self.timeout)
            verdict, ttl = self._outcome(result, origin)
        except asyncio.TimeoutError as exc:
            verdict, ttl = self._failure(TIMEOUT, origin, exc)
        except Exception as exc:
            verdict, ttl = self._failure(ERROR, origin, exc)
        self._store(key, verdict, ttl)
        return verdict

    # sync (WSGI, start-up probes) -----------------------------------------------------------

    def check_sync(self, origin: bytes, get: HeaderGetter) -> Verdict:
        """Blocking :meth:`check`, for WSGI servers' request threads."""
        key = self._key(origin, get)
        entry = self._cache.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1], entry[2]
        import concurrent.futures

        with self._lock:
            future = self._sync_inflight.get(key)
            owner = future is None
            if future is None:
                future = concurrent.futures.Future()
                self._sync_inflight[key] = future
        if not owner:
            try:
                return future.result(None if self.timeout is None else self.timeout + 0.5)
            except concurrent.futures.TimeoutError:
                return False, TIMEOUT
        verdict: Verdict = (False, ERROR)
        try:
            verdict, ttl = self._call_blocking(origin, self._arguments(origin, get))
            self._store(key, verdict, ttl)
        finally:
            with self._lock:
                self._sync_inflight.pop(key, None)
            future.set_result(verdict)  # waiters never hang, whatever happened
        return verdict

    def _call_blocking(self, origin: bytes, args: tuple[Any, ...]) -> tuple[Verdict, float]:
        import asyncio
        import concurrent.futures

        try:
            if self.is_async:
                result = self._run_on_background_loop(self.func(*args))
            elif self.threads == 0:
                result = self.func(*args)
            else:
                submitted = self._pool().submit(self.func, *args)
                try:
                    result = submitted.result(self.timeout)
                except concurrent.futures.TimeoutError:
                    submitted.cancel()  # still queued: never runs; running: left to finish
                    raise
            if _awaitable(result):  # a sync callable that returned a coroutine
                result = self._run_on_background_loop(result)
            return self._outcome(result, origin)
        except (concurrent.futures.TimeoutError, asyncio.TimeoutError, TimeoutError) as exc:
            return self._failure(TIMEOUT, origin, exc)
        except Exception as exc:
            return self._failure(ERROR, origin, exc)

    def _run_on_background_loop(self, awaitable: Any) -> object:
        import asyncio

        loop = self._background_loop()

        async def bounded() -> object:
            return await asyncio.wait_for(awaitable, self.timeout)

        future = asyncio.run_coroutine_threadsafe(bounded(), loop)
        try:
            return future.result(None if self.timeout is None else self.timeout + 0.5)
        except BaseException:
            future.cancel()
            raise

    def _background_loop(self) -> asyncio.AbstractEventLoop:
        loop = self._bg_loop
        if loop is not None:
            return loop
        import asyncio

        with self._lock:
            if self._bg_loop is None:
                new_loop = asyncio.new_event_loop()
                thread = threading.Thread(target=new_loop.run_forever, name="corskit-origin-loop", daemon=True)
                thread.start()
                self._bg_loop = new_loop
            return self._bg_loop

    # -- start-up probe -------------------------------------------------------------------

    def probe(self, include_null: bool = False) -> tuple[list[str], str | None]:
        """Ask the function about origins nobody can own. Returns (origins it allowed,
        failure description or None). Bypasses and does not fill the cache."""
        import secrets

        token = secrets.token_hex(6)
        origins = [f"https://corskit-probe-{token}.invalid", f"http://corskit-probe-{token}.invalid:8443"]
        if include_null:
            origins.append("null")
        allowed: list[str] = []
        for text in origins:
            raw = text.encode("ascii")
            (ok, reason), _ = self._call_blocking(raw, (text, {}) if self.header_names else (text,))
            if reason in (TIMEOUT, ERROR):
                return allowed, f"{reason} on {text}"
            if ok:
                allowed.append(text)
        return allowed, None


def _asks(engine: Engine, decision: Decision, origin: bytes) -> bool:
    """Whether the origin function should be asked after the static check refused."""
    reason = decision.reason
    if reason == NOT_ALLOWED:
        return len(origin) <= _MAX_ORIGIN and _ORIGIN_SHAPE.fullmatch(origin) is not None
    return reason == "origin-null" and engine.null_to_func


# -- adapter helpers: the static decision was a refusal and the policy has a function ----------


def cached_decision(engine: Engine, decision: Decision, origin: bytes, get: HeaderGetter) -> Decision | None:
    """The decision from the function's cache, without a coroutine (the adapters' fast
    path), or None when the function must be asked (or cannot be: see :func:`resolve_actual`)."""
    func = engine.origin_func
    if func is None or decision.reason != NOT_ALLOWED:  # only eligible origins are cached
        return None
    entry = func._cache.get(func._key(origin, get) if func.header_names else origin)
    if entry is None or entry[0] <= time.monotonic():
        return None
    if entry[1]:
        return engine._granted_cache.get(origin) or engine.granted(origin)
    return engine.refused(entry[2])


def cached_preflight(
    engine: Engine,
    decision: Decision,
    origin: bytes,
    method: bytes,
    lines: list[bytes],
    private_network: bytes | None,
    get: HeaderGetter,
) -> Decision | None:
    """:func:`cached_decision` for a preflight the static origins refused."""
    func = engine.origin_func
    if func is None or decision.reason != NOT_ALLOWED:
        return None
    entry = func._cache.get(func._key(origin, get) if func.header_names else origin)
    if entry is None or entry[0] <= time.monotonic():
        return None
    if not entry[1]:
        return engine.refused(entry[2], preflight=True)
    granted = engine._granted_preflight_cache.get(
        (origin, method, lines[0] if len(lines) == 1 else tuple(lines), private_network)
    )
    return granted or engine.preflight(origin, method, lines, private_network, granted=True)


async def resolve_actual(engine: Engine, decision: Decision, origin: bytes, get: HeaderGetter) -> Decision:
    """ASGI: turn the static refusal of an actual request into the function's answer."""
    func = engine.origin_func
    if func is None or not _asks(engine, decision, origin):
        return decision
    allowed, reason = await func.check(origin, get)
    return engine.granted(origin) if allowed else engine.refused(reason)


def resolve_actual_sync(engine: Engine, decision: Decision, origin: bytes, get: HeaderGetter) -> Decision:
    """WSGI: :func:`resolve_actual`, blocking."""
    func = engine.origin_func
    if func is None or not _asks(engine, decision, origin):
        return decision
    allowed, reason = func.check_sync(origin, get)
    return engine.granted(origin) if allowed else engine.refused(reason)


async def resolve_preflight(
    engine: Engine,
    decision: Decision,
    origin: bytes,
    method: bytes,
    lines: list[bytes],
    private_network: bytes | None,
    get: HeaderGetter,
) -> Decision:
    """ASGI: re-decide a preflight the static origins refused, if the function allows it."""
    func = engine.origin_func
    if func is None or not _asks(engine, decision, origin):
        return decision
    allowed, reason = await func.check(origin, get)  # a cache hit does not suspend
    return _preflight_answer(engine, allowed, reason, origin, method, lines, private_network)


def resolve_preflight_sync(
    engine: Engine,
    decision: Decision,
    origin: bytes,
    method: bytes,
    lines: list[bytes],
    private_network: bytes | None,
    get: HeaderGetter,
) -> Decision:
    """WSGI: :func:`resolve_preflight`, blocking."""
    func = engine.origin_func
    if func is None or not _asks(engine, decision, origin):
        return decision
    allowed, reason = func.check_sync(origin, get)
    return _preflight_answer(engine, allowed, reason, origin, method, lines, private_network)


def _preflight_answer(
    engine: Engine,
    allowed: bool,
    reason: str,
    origin: bytes,
    method: bytes,
    lines: list[bytes],
    private_network: bytes | None,
) -> Decision:
    """The preflight decision once the function has answered for *origin*."""
    if not allowed:
        return engine.refused(reason, preflight=True)
    return engine.preflight(origin, method, lines, private_network, granted=True)


def as_origin_function(value: object) -> tuple[OriginFunction | None, list[Problem]]:
    """Normalise the ``allow_origin_func`` setting (used by :class:`~corskit.CORSPolicy`)."""
    if value is None or isinstance(value, OriginFunction):
        return value, []
    if not callable(value):
        return None, [_problem("origin-func-invalid", "allow_origin_func", value,
                               "Give a function (origin: str) -> bool, sync or async, or an OriginFunction.")]
    try:
        return OriginFunction(value), []
    except CORSConfigError as exc:
        return None, list(exc.problems)


def raw_getter(raw: Iterable[tuple[bytes, bytes]], names: tuple[bytes, ...]) -> HeaderGetter:
    """A getter over ASGI's raw header list (the last value of a name, like ``dict(raw)``)
    for an origin function that reads *names* (its ``header_names``). Without names the
    function reads no header: a shared getter answering None, nothing built per request."""
    if not names:
        return _no_headers

    def get(name: bytes) -> bytes | None:
        found = None
        for n, v in raw:
            if n == name:
                found = v
        return found

    return get


def _no_headers(name: bytes) -> bytes | None:
    return None


def header_getter(headers: Mapping[bytes, bytes]) -> HeaderGetter:
    """A getter over a dict of lower-case header names (ASGI)."""
    return headers.get
