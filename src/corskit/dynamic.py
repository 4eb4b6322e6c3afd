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
- Async functions run on the server's event loop (ASGI); in a WSGI server they run on
  one background event loop shared by every function. The timeout bounds the request
  even when the function is slow to stop after cancellation (it is left to finish).
- Memory stays bounded whatever the requests hold: the cache is limited in entries and in
  bytes (``max_bytes``), a declared header value over 1 KiB is never part of a cache key,
  and the pool's queue is bounded (when every thread is stuck and the queue is full,
  further checks are refused at once, as timeouts). Whatever the function raises,
  ``SystemExit`` and ``CancelledError`` included, refuses the origin.

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
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from ._calls import (
    MARGIN,
    DaemonPool,
    Failure,
    PoolFull,
    awaitable,
    bounded,
    invoke,
    probe_threads,
    run_in_background,
)
from .bounded import BoundedCache
from .problems import CATALOGUE, CORSConfigError, Problem, escape

if TYPE_CHECKING:
    import asyncio
    import concurrent.futures

__all__ = [
    "ALLOWED",
    "ERROR",
    "NOT_ALLOWED",
    "TIMEOUT",
    "OriginFunction",
    "Verdict",
    "no_headers",
    "raw_getter",
]

logger = logging.getLogger("corskit")

OriginFunc = Callable[..., bool | Awaitable[bool]]
HeaderGetter = Callable[[bytes], bytes | None]
Verdict = tuple[bool, str]

# The verdicts' reason codes. This module owns them; corskit.engine.Reason names them.
ALLOWED = "actual-allowed"
NOT_ALLOWED = "origin-not-allowed"
TIMEOUT = "origin-check-timeout"
ERROR = "origin-check-error"

_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: A declared header whose value is longer than this is never part of a cache key: the
#: function is asked, its answer is not kept (a flood of huge values cannot fill memory).
MAX_KEYED_VALUE = 1024


def _problem(code: str, field: str, value: object, fix: str | None = None) -> Problem:
    info = CATALOGUE[code]
    return Problem(code, field, escape(value), info.why, fix or info.fix, info.severity)


def _is_async(func: Callable[..., Any]) -> bool:
    import inspect

    if inspect.iscoroutinefunction(func):
        return True
    call = getattr(func, "__call__", None)  # noqa: B004 - an object with an async __call__
    return call is not None and inspect.iscoroutinefunction(call)


class OriginFunction:
    """A user function deciding origins, with a cache, a timeout and single-flight calls.

    - ``func``: ``(origin: str) -> bool``, or ``(origin, headers) -> bool`` when
      ``headers`` is given; sync or ``async``.
    - ``headers``: request header names the function reads (added to ``Vary``).
    - ``ttl`` / ``negative_ttl``: seconds an allowed / refused answer is cached
      (``negative_ttl`` defaults to ``ttl``); 0 disables caching of that kind.
    - ``error_ttl``: seconds a failure (exception, timeout) is cached.
    - ``max_entries`` / ``max_bytes``: cache bounds; the oldest entries go first.
    - ``timeout``: seconds a request waits for an answer (None: wait for ever; not
      recommended); it bounds the request even if the function is slow to stop.
    - ``threads``: pool size for sync functions; 0 calls them inline, without timeout.

    Invalid arguments raise :class:`~corskit.CORSConfigError` (``origin-func-invalid``).
    """

    __slots__ = (
        "_cache",
        "_cache_get",
        "_executor",
        "_inflight",
        "_lock",
        "_sync_inflight",
        "error_ttl",
        "func",
        "header_names",
        "is_async",
        "max_bytes",
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
        max_bytes: int = 8 * 1024 * 1024,
        timeout: float | None = 1.0,
        threads: int = 4,
    ) -> None:
        names = _check_arguments(
            func,
            headers,
            (ttl, error_ttl, negative_ttl, timeout),
            (max_entries, max_bytes, threads),
        )
        self.func = func
        self.is_async = _is_async(func)
        self.header_names: tuple[bytes, ...] = tuple(n.lower().encode("ascii") for n in names)
        self.vary = ", ".join(names).encode("ascii")
        self.ttl = float(ttl)
        self.negative_ttl = self.ttl if negative_ttl is None else float(negative_ttl)
        self.error_ttl = float(error_ttl)
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.timeout = None if timeout is None else float(timeout)
        self.threads = threads
        self._cache: BoundedCache[Any, tuple[float, Verdict]] = BoundedCache(max_entries, max_bytes)
        self._cache_get = self._cache.get  # bound once: fast on a dict subclass (see engine)
        self._inflight: dict[Any, asyncio.Future[Verdict]] = {}
        self._sync_inflight: dict[Any, concurrent.futures.Future[Verdict]] = {}
        self._lock = threading.Lock()
        self._executor: DaemonPool | None = None

    def _config(self) -> tuple[Any, ...]:
        return (
            self.func,
            self.header_names,
            self.ttl,
            self.negative_ttl,
            self.error_ttl,
            self.max_entries,
            self.max_bytes,
            self.timeout,
            self.threads,
        )

    def __eq__(self, other: object) -> bool:
        """Same function and settings (each object keeps its own cache)."""
        return isinstance(other, OriginFunction) and self._config() == other._config()

    def __hash__(self) -> int:
        return hash(self._config())

    def __repr__(self) -> str:
        name = getattr(self.func, "__qualname__", None) or repr(self.func)
        extra = (
            f", headers={[n.decode() for n in self.header_names]!r}" if self.header_names else ""
        )
        return f"OriginFunction({name}{extra}, ttl={self.ttl:g}, timeout={self.timeout})"

    # -- cache ---------------------------------------------------------------------------

    def _key(self, origin: bytes, get: HeaderGetter) -> Any:
        """The cache key: the origin, plus the declared headers' values. None when a value
        is too long to be kept (the function is then asked every time)."""
        if not self.header_names:
            return origin
        values = tuple(get(n) for n in self.header_names)
        if any(v is not None and len(v) > MAX_KEYED_VALUE for v in values):
            return None
        return (origin, *values)

    def cached(self, origin: bytes, get: HeaderGetter) -> Verdict | None:
        """The cached answer for this origin (and declared headers), or None."""
        # The key inline for a function that reads no header (every request asks this).
        key = self._key(origin, get) if self.header_names else origin
        lookup = self._cache_get  # read, then called: a method load is not specialised
        entry = lookup(key) if key is not None else None
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]  # stored as a tuple: nothing built per request
        return None

    def _store(self, key: Any, verdict: Verdict, ttl: float) -> None:
        if key is None:
            return
        if ttl <= 0:
            self._cache.forget(key)
        else:
            self._cache.remember(key, (time.monotonic() + ttl, (verdict[0], verdict[1])))

    def invalidate(self, origin: str | None = None) -> None:
        """Forget cached answers: all of them, or those for one origin."""
        if origin is None:
            self._cache.clear()
            return
        raw = origin.encode("latin-1", "replace")
        for key in [
            k for k in list(self._cache) if k == raw or (isinstance(k, tuple) and k[0] == raw)
        ]:
            self._cache.forget(key)

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
        if isinstance(result, Failure):
            return self._failure(ERROR, origin, result.exc)
        try:
            allowed = bool(result)
        except Exception as exc:  # e.g. an object whose truth value raises
            return self._failure(ERROR, origin, exc)
        if allowed:
            return (True, ALLOWED), self.ttl
        return (False, NOT_ALLOWED), self.negative_ttl

    def _failure(
        self, reason: str, origin: bytes, exc: BaseException | None
    ) -> tuple[Verdict, float]:
        if reason == TIMEOUT:
            logger.warning(
                "corskit: origin function refused by timeout: reason=%s origin=%s timeout=%ss%s",
                reason,
                escape(origin.decode("latin-1"), 200),
                self.timeout,
                " (every pool thread busy and the queue full)" if isinstance(exc, PoolFull) else "",
            )
        else:
            logger.warning(
                "corskit: origin function failed: reason=%s origin=%s error=%s",
                reason,
                escape(origin.decode("latin-1"), 200),
                escape(f"{type(exc).__name__}: {exc}", 300),
            )
        return (False, reason), self.error_ttl

    def _pool(self) -> DaemonPool:
        pool = self._executor
        if pool is None:
            with self._lock:
                if self._executor is None:
                    self._executor = DaemonPool(self.threads)
                pool = self._executor
        return pool

    def _deadline(self) -> float | None:
        return None if self.timeout is None else time.monotonic() + self.timeout

    # async (ASGI) -----------------------------------------------------------------------

    async def check(self, origin: bytes, get: HeaderGetter) -> Verdict:
        """Is *origin* allowed? Cached; concurrent misses for one key share one call."""
        key = self._key(origin, get)
        entry = self._cache.get(key) if key is not None else None
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        import asyncio

        loop = asyncio.get_running_loop()
        future = self._inflight.get(key) if key is not None else None
        if future is None or future.get_loop() is not loop:
            future = loop.create_task(self._call_async(key, origin, self._arguments(origin, get)))
            if key is not None:
                self._inflight[key] = future

                def forget(done: asyncio.Future[Verdict], key: Any = key) -> None:
                    if self._inflight.get(key) is done:
                        del self._inflight[key]

                future.add_done_callback(forget)
        # shield: a client that goes away must not cancel the call other requests await.
        return await asyncio.shield(future)

    async def _call_async(self, key: Any, origin: bytes, args: tuple[Any, ...]) -> Verdict:
        import asyncio

        deadline = self._deadline()
        try:
            if self.is_async or self.threads == 0:
                result = invoke(self.func, args)
            else:
                result = await bounded(
                    asyncio.wrap_future(self._pool().submit(self.func, *args)), deadline
                )
            if awaitable(result):  # an async function, or a sync one that returned a coroutine
                result = await bounded(result, deadline)
            verdict, ttl = self._outcome(result, origin)
        except (asyncio.TimeoutError, TimeoutError, PoolFull) as exc:
            verdict, ttl = self._failure(TIMEOUT, origin, exc)
        self._store(key, verdict, ttl)
        return verdict

    # sync (WSGI, start-up probes) -----------------------------------------------------------

    def check_sync(self, origin: bytes, get: HeaderGetter) -> Verdict:
        """Blocking :meth:`check`, for WSGI servers' request threads."""
        key = self._key(origin, get)
        entry = self._cache.get(key) if key is not None else None
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        if key is None:
            return self._call_blocking(origin, self._arguments(origin, get), self._pool())[0]
        import concurrent.futures

        with self._lock:
            future = self._sync_inflight.get(key)
            owner = future is None
            if future is None:
                future = concurrent.futures.Future()
                self._sync_inflight[key] = future
        if not owner:
            try:
                return future.result(None if self.timeout is None else self.timeout + MARGIN)
            except concurrent.futures.TimeoutError:
                return False, TIMEOUT
        verdict: Verdict = (False, ERROR)
        try:
            verdict, ttl = self._call_blocking(origin, self._arguments(origin, get), self._pool())
            self._store(key, verdict, ttl)
        finally:
            with self._lock:
                self._sync_inflight.pop(key, None)
            future.set_result(verdict)  # waiters never hang, whatever happened
        return verdict

    def _call_blocking(
        self, origin: bytes, args: tuple[Any, ...], pool: DaemonPool
    ) -> tuple[Verdict, float]:
        import asyncio
        import concurrent.futures

        deadline = self._deadline()
        try:
            if self.is_async or self.threads == 0:
                result = invoke(self.func, args)
            else:
                submitted = pool.submit(self.func, *args)
                try:
                    result = submitted.result(self.timeout)
                except concurrent.futures.TimeoutError:
                    submitted.cancel()  # still queued: never runs; running: left to finish
                    raise
            if awaitable(result):  # run on the shared background loop, bounded
                result = run_in_background(result, deadline)
            return self._outcome(result, origin)
        except (
            concurrent.futures.TimeoutError,
            asyncio.TimeoutError,
            TimeoutError,
            PoolFull,
        ) as exc:
            return self._failure(TIMEOUT, origin, exc)

    # -- start-up probe -------------------------------------------------------------------

    def probe(self, include_null: bool = False) -> tuple[list[str], str | None]:
        """Ask the function about origins nobody can own. Returns (origins it allowed,
        failure description or None). Bypasses and does not fill the cache, and starts no
        thread of its own (a shared pool and loop serve every policy's probe)."""
        import secrets

        token = secrets.token_hex(6)
        origins = [
            f"https://corskit-probe-{token}.invalid",
            f"http://corskit-probe-{token}.invalid:8443",
        ]
        if include_null:
            origins.append("null")
        allowed: list[str] = []
        for text in origins:
            raw = text.encode("ascii")
            args: tuple[Any, ...] = (text, {}) if self.header_names else (text,)
            (ok, reason), _ = self._call_blocking(raw, args, probe_threads())
            if reason in (TIMEOUT, ERROR):
                return allowed, f"{reason} on {text}"
            if ok:
                allowed.append(text)
        return allowed, None


def _check_arguments(
    func: object, headers: Iterable[str], seconds: tuple[object, ...], counts: tuple[object, ...]
) -> list[str]:
    """The declared header names, once each; raises with every problem of the arguments."""
    problems: list[Problem] = []
    field = "allow_origin_func"
    if isinstance(func, OriginFunction) or not callable(func):
        problems.append(
            _problem(
                "origin-func-invalid",
                field,
                func,
                "Give a function (origin: str) -> bool, sync or async.",
            )
        )
    names: list[str] = []
    if isinstance(headers, (str, bytes)):
        problems.append(
            _problem(
                "origin-func-invalid", f"{field}.headers", headers, f"Use headers=[{headers!r}]."
            )
        )
    else:
        for name in headers:
            if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
                problems.append(
                    _problem(
                        "origin-func-invalid",
                        f"{field}.headers",
                        name,
                        "Give header names (HTTP tokens).",
                    )
                )
            elif name.lower() != "origin" and name.lower() not in (n.lower() for n in names):
                names.append(name)
    for label, value in zip(("ttl", "error_ttl", "negative_ttl", "timeout"), seconds, strict=True):
        if value is None and label in ("negative_ttl", "timeout"):
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1e9:
            problems.append(
                _problem(
                    "origin-func-invalid",
                    f"{field}.{label}",
                    value,
                    f"Give {label} as seconds (a number >= 0).",
                )
            )
        elif label == "timeout" and value == 0:
            problems.append(
                _problem(
                    "origin-func-invalid", f"{field}.timeout", value, "Give a timeout > 0 seconds."
                )
            )
    for label, value, most in zip(
        ("max_entries", "max_bytes", "threads"),
        counts,
        (10_000_000, 1 << 40, 10_000_000),
        strict=True,
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most:
            problems.append(
                _problem(
                    "origin-func-invalid",
                    f"{field}.{label}",
                    value,
                    f"Give {label} as an int >= 0.",
                )
            )
    if problems:
        raise CORSConfigError(problems)
    return names


def as_origin_function(value: object) -> tuple[OriginFunction | None, list[Problem]]:
    """Normalise the ``allow_origin_func`` setting (used by :class:`~corskit.CORSPolicy`)."""
    if value is None or isinstance(value, OriginFunction):
        return value, []
    if not callable(value):
        return None, [
            _problem(
                "origin-func-invalid",
                "allow_origin_func",
                value,
                "Give a function (origin: str) -> bool, sync or async, or an OriginFunction.",
            )
        ]
    try:
        return OriginFunction(value), []
    except CORSConfigError as exc:
        return None, list(exc.problems)


def raw_getter(raw: Iterable[tuple[bytes, bytes]], names: tuple[bytes, ...]) -> HeaderGetter:
    """A getter over ASGI's raw header list (the last value of a name, like ``dict(raw)``)
    for an origin function that reads *names* (its ``header_names``). Without names the
    function reads no header: a shared getter answering None, nothing built per request."""
    if not names:
        return no_headers

    def get(name: bytes) -> bytes | None:
        found = None
        for n, v in raw:
            if n == name:
                found = v
        return found

    return get


def no_headers(name: bytes) -> bytes | None:
    """The getter for an origin function that reads no header: every name is absent."""
    return None
