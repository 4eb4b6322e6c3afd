"""One request shape (method, headers, credentials mode, body) sent from a real browser page
and replayed through the doctor's simulation: the two halves every browser suite shares."""

from __future__ import annotations

from typing import Protocol

from corskit.doctor.browser import BrowserRequest, SimulationView, simulate_request
from corskit.doctor.transports import HTTPTransport


class RequestShape(Protocol):
    """What a suite's case says about its request (a scenario's ``Req``, a WPT ``Case``)."""

    @property
    def method(self) -> str: ...
    @property
    def headers(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def credentials(self) -> str: ...
    @property
    def body(self) -> str | None: ...


def browser_request(url: str, shape: RequestShape) -> BrowserRequest:
    """The page's ``fetch()`` of *url* with *shape*."""
    return BrowserRequest(
        url=url,
        method=shape.method,
        headers=shape.headers,
        credentials=shape.credentials,
        body=shape.body,
    )


def simulate(
    url: str, origin: str, shape: RequestShape, transport: HTTPTransport | None = None
) -> SimulationView:
    """The doctor's simulation of the same request from *origin*. The browser runs declare
    the loopback servers ``public``, so Local Network Access never applies there; neither
    does it here."""
    return simulate_request(
        url,
        origin,
        shape.method,
        shape.headers,
        shape.credentials,
        shape.body,
        transport=transport,
        check_local_network=False,
    )
