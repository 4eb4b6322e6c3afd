"""Calling the user's origin function with bounds, whatever it does.

- a pool of *daemon* threads with a bounded queue (:class:`DaemonPool`): a hung sync
  function cannot make memory grow per request, and idle threads end;
- one background event loop for the whole process (:func:`run_in_background`), for async
  functions under WSGI and for start-up probes, and one shared probe pool: building a
  policy starts no thread of its own;
- a timeout that does not wait for a slow cancellation (:func:`bounded`);
- anything the function raises, ``SystemExit`` and ``CancelledError`` included, carried
  back as a :class:`Failure` value, never raised into a server thread or the event loop.

Used by :mod:`corskit.dynamic` only; standard library only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio
    import concurrent.futures

__all__ = [
    "MARGIN",
    "DaemonPool",
    "Failure",
    "PoolFull",
    "awaitable",
    "bounded",
    "invoke",
    "probe_threads",
    "run_in_background",
]

_IDLE_SECONDS = 10.0  # a pool thread with nothing to do for this long ends
MARGIN = 0.05  # seconds a blocked caller waits beyond the deadline for the answer to arrive


def awaitable(value: object) -> bool:
    return hasattr(value, "__await__")


class Failure:
    """What the user's function raised, whatever it was (``SystemExit`` and
    ``CancelledError`` included): carried as a value, so it never escapes into a server
    thread or the event loop."""

    __slots__ = ("exc",)

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def invoke(func: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """``func(*args)``, or a :class:`Failure` for anything it raised."""
    try:
        return func(*args)
    except BaseException as exc:
        return Failure(exc)


async def guarded(awaitable: Awaitable[Any]) -> Any:
    try:
        return await awaitable
    except BaseException as exc:
        return Failure(exc)


_DETACHED: set[asyncio.Future[Any]] = set()  # timed-out calls left to finish on their own


async def bounded(awaitable: Awaitable[Any], deadline: float | None) -> Any:
    """Await *awaitable* until *deadline* (``time.monotonic()``), then give up at once.

    Unlike ``asyncio.wait_for``, a call that is slow to stop after cancellation does not
    hold the caller: it is cancelled and left to finish in the background.
    """
    import asyncio

    task = asyncio.ensure_future(guarded(awaitable))
    try:
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        done, _ = await asyncio.wait((task,), timeout=timeout)
    except BaseException:
        task.cancel()
        raise
    if not done:
        task.cancel()
        _DETACHED.add(task)
        task.add_done_callback(_DETACHED.discard)
        raise asyncio.TimeoutError
    return task.result()


class PoolFull(Exception):
    """Every pool thread is busy and the queue of waiting calls is full."""


class DaemonPool:
    """A minimal thread pool of *daemon* threads for sync origin functions.

    ``concurrent.futures.ThreadPoolExecutor`` joins its threads at interpreter exit, so a
    function that never returns would hang the shutdown; daemon threads do not. The queue
    is bounded (a hung function cannot make it grow per request: further calls are refused
    at once) and idle threads end, so a replaced policy leaves no thread behind.
    """

    def __init__(self, size: int, max_queued: int | None = None) -> None:
        import queue

        self._size = max(1, size)
        self._max_queued = max_queued if max_queued is not None else max(64, 16 * self._size)
        self._queue: queue.SimpleQueue[
            tuple[concurrent.futures.Future[Any], Callable[..., Any], tuple[Any, ...]]
        ]
        self._queue = queue.SimpleQueue()
        self._queued = 0
        self._started = 0
        self._idle = 0
        self._lock = threading.Lock()

    @property
    def threads(self) -> int:
        """Threads running now."""
        return self._started

    def submit(self, fn: Callable[..., Any], *args: Any) -> concurrent.futures.Future[Any]:
        """Queue ``fn(*args)``; raises :class:`PoolFull` when the queue is full."""
        import concurrent.futures

        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        with self._lock:
            if self._queued >= self._max_queued:
                raise PoolFull
            self._queued += 1
        self._queue.put((future, fn, args))
        with self._lock:
            if self._idle == 0 and self._started < self._size:
                self._started += 1
                threading.Thread(target=self._work, name="corskit-origin", daemon=True).start()
        return future

    def _work(self) -> None:
        import queue

        while True:
            with self._lock:
                self._idle += 1
            try:
                future, fn, args = self._queue.get(timeout=_IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if (
                        self._queue.empty()
                    ):  # checked under the lock submit() takes to start threads
                        self._idle -= 1
                        self._started -= 1
                        return
                    self._idle -= 1
                continue
            with self._lock:
                self._idle -= 1
                self._queued -= 1
            if future.set_running_or_notify_cancel():
                future.set_result(invoke(fn, args))  # never raises: failures are values


_shared_lock = threading.Lock()
_probe_pool: DaemonPool | None = None
_background: asyncio.AbstractEventLoop | None = None


def probe_threads() -> DaemonPool:
    """The pool start-up probes use, shared by every policy (reconfiguring starts no thread)."""
    global _probe_pool
    with _shared_lock:
        if _probe_pool is None:
            _probe_pool = DaemonPool(4)
        return _probe_pool


def _background_loop() -> asyncio.AbstractEventLoop:
    """The one event loop (in one daemon thread) that runs async functions for WSGI
    servers and start-up probes, shared by every :class:`OriginFunction`."""
    global _background
    loop = _background
    if loop is not None:
        return loop
    import asyncio

    with _shared_lock:
        if _background is None:
            new_loop = asyncio.new_event_loop()
            threading.Thread(
                target=new_loop.run_forever, name="corskit-origin-loop", daemon=True
            ).start()
            _background = new_loop
        return _background


def run_in_background(awaitable: Any, deadline: float | None) -> object:
    """Run *awaitable* on the shared background loop; give up at *deadline*."""
    import asyncio
    import concurrent.futures

    future = asyncio.run_coroutine_threadsafe(bounded(awaitable, deadline), _background_loop())
    wait = None if deadline is None else max(0.0, deadline - time.monotonic()) + MARGIN
    try:
        return future.result(wait)
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise
