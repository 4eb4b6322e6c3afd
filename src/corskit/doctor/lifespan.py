"""The ASGI lifespan protocol for in-process targets, run as a server runs it.

A server sends ``lifespan.startup`` before the first request and ``lifespan.shutdown`` after
the last (ASGI lifespan protocol: https://asgi.readthedocs.io/en/latest/specs/lifespan.html).
Apps such as FastAPI set up state there (a database pool, ``app.state``, the ``state`` a
``lifespan`` function yields), and their routes fail without it, so the doctor runs it too.

As uvicorn's ``--lifespan auto`` does, an app that raises on the lifespan scope before
answering, returns without answering, or sends a message that is not a lifespan message, is
treated as having no lifespan support, and its requests are sent without it.  So is an app that
does not answer within the time bound.  An app that answers ``lifespan.startup.failed`` fails
the check with a one-line message naming the app's own exception.

Every coroutine here runs on the in-process transport's event loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import MutableMapping
from typing import Any

from .wire import TransportError, one_line

__all__ = ["Lifespan", "failure_line"]

_STARTUP_ANSWERS = ("lifespan.startup.complete", "lifespan.startup.failed")
_SHUTDOWN_ANSWERS = ("lifespan.shutdown.complete", "lifespan.shutdown.failed")


class _Unsupported(Exception):
    """The app sent a message that is not part of the lifespan protocol."""


def failure_line(message: str) -> str:
    """The line of a ``*.failed`` message that names the exception: Starlette sends the whole
    traceback, whose last line is ``ExceptionType: text``."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no reason given"


class Lifespan:
    """One run of an app's lifespan: :meth:`startup` before the requests, :meth:`shutdown`
    after them.  :attr:`state` is the lifespan state; each request's scope gets a shallow copy,
    as uvicorn gives it.  :attr:`supported` is False when the app has no lifespan support."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state: dict[str, Any] = {}
        self.supported = False
        self.errors: list[str] = []
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._answer: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[Any] | None = None

    def start_from_thread(self, loop: asyncio.AbstractEventLoop, timeout: float) -> None:
        """Run :meth:`startup` on *loop*, which runs in another thread, and wait for it."""
        future = asyncio.run_coroutine_threadsafe(self.startup(timeout), loop)
        try:
            future.result(timeout + 5)
        except concurrent.futures.TimeoutError:
            future.cancel()
            self.errors.append(f"lifespan start-up did not finish within {timeout:.3g} s")

    async def _receive(self) -> dict[str, Any]:
        return await self._inbox.get()

    async def _send(self, message: MutableMapping[str, Any]) -> None:
        kind = message.get("type")
        if kind not in _STARTUP_ANSWERS + _SHUTDOWN_ANSWERS:
            raise _Unsupported(f"unexpected ASGI message {kind!r} on a lifespan scope")
        await self._answer.put(message)

    async def _next_answer(self, timeout: float) -> MutableMapping[str, Any] | None:
        """The app's answer, or None when it raised, returned or took longer than *timeout*."""
        assert self._task is not None
        getter = asyncio.ensure_future(self._answer.get())
        try:
            await asyncio.wait({getter, self._task}, timeout=timeout, return_when="FIRST_COMPLETED")
        finally:
            if not getter.done():
                getter.cancel()
        if getter.done() and not getter.cancelled():
            return getter.result()
        return None

    async def startup(self, timeout: float) -> None:
        """Send ``lifespan.startup`` and wait for the answer (at most *timeout* seconds).

        Raises :class:`TransportError` when the app answers ``lifespan.startup.failed``."""
        scope = {
            "type": "lifespan",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "state": self.state,
        }
        self._task = asyncio.ensure_future(self.app(scope, self._receive, self._send))
        await self._inbox.put({"type": "lifespan.startup"})
        answer = await self._next_answer(timeout)
        if answer is None:
            await self._give_up(timeout)
            return
        if answer["type"] == "lifespan.startup.failed":
            reason = failure_line(str(answer.get("message", "")))
            await self._stop()
            raise TransportError(f"the app's lifespan start-up failed: {reason}")
        self.supported = True

    async def _give_up(self, timeout: float) -> None:
        """No answer: the app has no lifespan support (the reason is kept in :attr:`errors`)."""
        task = self._task
        assert task is not None
        if not task.done():
            self.errors.append(
                f"lifespan start-up did not answer within {timeout:.3g} s; requests sent without it"
            )
            await self._stop()
        elif not task.cancelled() and (exc := task.exception()) is not None:
            # An app that raises on a lifespan scope does not support it (uvicorn's "auto").
            self.errors.append(f"no lifespan support: {one_line(exc)}")

    async def shutdown(self, timeout: float) -> None:
        """Send ``lifespan.shutdown`` and wait for the answer (at most *timeout* seconds)."""
        if not self.supported or self._task is None:
            return
        self.supported = False
        await self._inbox.put({"type": "lifespan.shutdown"})
        answer = await self._next_answer(timeout)
        if answer is not None and answer["type"] == "lifespan.shutdown.failed":
            self.errors.append(
                "the app's lifespan shut-down failed: "
                + failure_line(str(answer.get("message", "")))
            )
        elif answer is None and not self._task.done():
            self.errors.append(f"lifespan shut-down did not finish within {timeout:.3g} s")
        await self._stop(wait=timeout)

    async def _stop(self, wait: float = 1.0) -> None:
        task = self._task
        if task is None:
            return
        if not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=min(wait, 1.0))
            except (asyncio.TimeoutError, Exception):
                task.cancel()
        if task.done() and not task.cancelled():
            task.exception()  # retrieved: no "exception was never retrieved" warning
