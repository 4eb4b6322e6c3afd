"""Sending probes: a bounded thread pool over a thread-safe transport, within the request
budget and the wall-clock limit."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from ..transports import Transport, TransportError, WireRequest, WireResponse
from .model import AuditOptions, Exchange
from .probes import (
    Probe,
)


class Sender:
    """Sends probes with at most ``concurrency`` requests in flight, within the request
    budget and the deadline; identical requests are sent once."""

    def __init__(self, transport: Transport, options: AuditOptions, deadline: float) -> None:
        self.transport = transport
        self.options = options
        self.deadline = deadline
        self.sent = 0
        self.done = 0
        self.planned = 0
        self.truncated = False
        self.errors = 0
        self._lock = threading.Lock()
        self._agent = "corskit-audit/0.1"

    def request_for(self, probe: Probe, url: str) -> WireRequest:
        headers: list[tuple[str, str]] = [("user-agent", self._agent), ("accept", "*/*")]
        if probe.origin is not None:
            headers.append(("origin", probe.origin))
        headers.extend(probe.headers)
        if self.options.cookie and probe.method == "GET":
            headers.append(("cookie", self.options.cookie))
        return WireRequest(probe.method, url, headers)

    def run(self, jobs: Sequence[tuple[str, Probe]]) -> list[Exchange]:
        requests: dict[tuple[Any, ...], WireRequest] = {}
        for url, probe in jobs:
            req = self.request_for(probe, url)
            key = (req.method, req.url, tuple(req.headers))
            requests.setdefault(key, req)
        results: dict[tuple[Any, ...], tuple[WireResponse | None, str | None]] = {}
        self.planned += len(requests)
        self._report()
        pending = iter(list(requests.items()))
        limit = max(1, self.options.concurrency)
        pool = ThreadPoolExecutor(
            max_workers=min(limit, max(1, len(requests))), thread_name_prefix="corskit-audit"
        )
        in_flight: dict[Future[WireResponse], tuple[Any, ...]] = {}
        grace = self.options.timeout + 1.0
        try:
            exhausted = False
            while True:
                while not exhausted and len(in_flight) < limit:
                    if time.monotonic() >= self.deadline or self.sent >= self.options.max_requests:
                        self.truncated = True
                        exhausted = True
                        break
                    item = next(pending, None)
                    if item is None:
                        exhausted = True
                        break
                    key, req = item
                    in_flight[pool.submit(self.transport.send, req)] = key
                    self.sent += 1
                if not in_flight:
                    break
                remaining = self.deadline + grace - time.monotonic()
                if remaining <= 0:
                    self.truncated = True
                    break
                done, _ = wait(list(in_flight), timeout=remaining, return_when=FIRST_COMPLETED)
                for fut in done:
                    key = in_flight.pop(fut)
                    try:
                        results[key] = (fut.result(), None)
                    except TransportError as exc:
                        results[key] = (None, str(exc))
                        self.errors += 1
                    except Exception as exc:  # a transport bug must not crash the audit
                        results[key] = (None, f"{type(exc).__name__}: {exc}")
                        self.errors += 1
                    self.done += 1
                    self._report()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        out: list[Exchange] = []
        for url, probe in jobs:
            req = self.request_for(probe, url)
            key = (req.method, req.url, tuple(req.headers))
            if key in results:
                resp, err = results[key]
                out.append(Exchange(probe, url, req, resp, err))
        return out

    def _report(self) -> None:
        if self.options.progress is not None:
            try:
                self.options.progress(self.done, self.planned)
            except Exception:  # a broken progress display must not stop the audit
                pass
