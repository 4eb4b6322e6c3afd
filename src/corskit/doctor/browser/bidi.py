"""A WebDriver BiDi connection (https://w3c.github.io/webdriver-bidi/): commands matched to
their replies by id, events kept in order and handed to listeners.

Single-threaded: events are read while a command waits for its reply, or while
:meth:`BiDiConnection.pump` runs, so a listener may send commands of its own
(:meth:`BiDiConnection.send`, without waiting for the reply).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from .websocket import WebSocket, WebSocketError

__all__ = ["BiDiConnection", "BiDiError"]

Listener = Callable[[str, dict[str, Any]], None]


class BiDiError(RuntimeError):
    """A command failed (its ``error`` and ``message``), or the connection did (one line)."""


class BiDiConnection:
    """Commands and events over one WebSocket to a browser's BiDi endpoint."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        try:
            self._ws = WebSocket(url, timeout=timeout)
        except WebSocketError as exc:
            raise BiDiError(str(exc)) from None
        self.timeout = timeout
        self._next_id = 0
        self._replies: dict[int, dict[str, Any]] = {}
        self.listeners: list[Listener] = []

    def send(self, method: str, params: dict[str, Any]) -> int:
        """Send a command and return its id without waiting for the reply."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        try:
            self._ws.send_text(json.dumps(message))
        except WebSocketError as exc:
            raise BiDiError(f"{method}: {exc}") from None
        return self._next_id

    def command(self, method: str, params: dict[str, Any], timeout: float | None = None) -> Any:
        """Send a command and return its ``result``; raises :class:`BiDiError`."""
        ident = self.send(method, params)
        deadline = time.monotonic() + (timeout or self.timeout)
        while ident not in self._replies:
            left = deadline - time.monotonic()
            if left <= 0 or not self._ws.readable(left):
                raise BiDiError(f"{method}: no reply within {timeout or self.timeout:g} s")
            self._read_one()
        reply = self._replies.pop(ident)
        if reply.get("type") == "error":
            raise BiDiError(f"{method}: {reply.get('error')}: {reply.get('message', '')}")
        return reply.get("result")

    def pump(self, seconds: float) -> None:
        """Read and dispatch events for *seconds*."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not self._ws.readable(left):
                return
            self._read_one()

    def _read_one(self) -> None:
        try:
            self._ws.settimeout(self.timeout)
            text = self._ws.receive_text()
        except WebSocketError as exc:
            raise BiDiError(str(exc)) from None
        try:
            message = json.loads(text)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        ident = message.get("id")
        if isinstance(ident, int):
            self._replies[ident] = message
            # Replies to commands sent with send() are never collected: keep the table small.
            for old in [i for i in self._replies if i < ident - 1000]:
                del self._replies[old]
        elif message.get("type") == "event":
            params = message.get("params")
            for listener in list(self.listeners):
                listener(str(message.get("method", "")), params if isinstance(params, dict) else {})

    def close(self) -> None:
        """Close the WebSocket."""
        self._ws.close()
