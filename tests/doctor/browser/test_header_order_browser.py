"""Which of several refused request headers Chromium names, against the doctor, live.

One headless Chromium launch runs 200 seeded random ``fetch()`` calls, each with 2 to 6
CORS-unsafe headers (random custom names, Authorization, a JSON Content-Type...), from a page
at ``http://localhost:5173`` against a uvicorn server on 127.0.0.1 whose preflight answers
allow the method but no header. Chromium's console line names one header
("Request header field X is not allowed by Access-Control-Allow-Headers in preflight
response."); the doctor's simulation of the same request must name exactly the same one
(corskit.doctor.fetch.header_order replays Blink's hash map of request headers).
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Iterator
from typing import Any

import pytest

from corskit.doctor.browser import BrowserRequest, BrowserSession, simulate_request
from corskit.doctor.transports import HTTPTransport
from tests.servers import serve_asgi

pytestmark = pytest.mark.browser

PAGE = "http://localhost:5173"
CASES = 200
_NAMED = re.compile(r"Request header field (\S+) is not allowed by Access-Control-Allow-Headers")
_KNOWN = ["Authorization", "X-Requested-With", "X-CSRF-Token", "X-Api-Key", "If-Match", "Foo"]


async def _refuse_every_header(scope: Any, receive: Any, send: Any) -> None:
    """Preflights allow PUT and GET but no request header; other requests get ``*``."""
    if scope["type"] != "http":
        return
    headers = [(b"access-control-allow-origin", b"*"), (b"content-length", b"0")]
    if scope["method"] == "OPTIONS":
        headers.append((b"access-control-allow-methods", b"PUT, GET"))
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def _random_name(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return rng.choice(_KNOWN)
    letters = "".join(
        rng.choice(string.ascii_letters + string.digits + "-_") for _ in range(rng.randint(1, 24))
    )
    return rng.choice(["X-", "", "x-", "App-"]) + letters.strip("-") or "q"


def _case(rng: random.Random) -> tuple[str, list[tuple[str, str]], str | None]:
    """(method, headers, body) of one random request with 2-6 distinct unsafe headers."""
    names: dict[str, str] = {}
    while len(names) < rng.randint(2, 6):
        name = _random_name(rng)
        names.setdefault(name.lower(), name)
    headers = [(name, "v") for name in names.values()]
    body = None
    if rng.random() < 0.3 and "content-type" not in names:
        headers.append(("Content-Type", "application/json"))
        body = "{}"
    rng.shuffle(headers)
    method = "PUT" if body is not None or rng.random() < 0.5 else "GET"
    return method, headers, body


@pytest.fixture(scope="module")
def named(chromium: str) -> Iterator[list[tuple[list[tuple[str, str]], str, str]]]:
    """(headers, the name in Chromium's line, the name in the doctor's line) per case."""
    rng = random.Random(20261202)
    out: list[tuple[list[tuple[str, str]], str, str]] = []
    with serve_asgi(_refuse_every_header) as base:
        transport = HTTPTransport(timeout=10.0)
        try:
            with BrowserSession(chromium_path=chromium, targets=[base]) as session:
                page = session.page(PAGE)
                for i in range(CASES):
                    method, headers, body = _case(rng)
                    url = f"{base}/h?case={i}"
                    request = BrowserRequest(url=url, method=method, headers=headers, body=body)
                    browser = page.fetch(request, settle_ms=1000)
                    sim = simulate_request(
                        url,
                        PAGE,
                        method,
                        headers,
                        body=body,
                        transport=transport,
                        check_local_network=False,
                    )
                    a = _NAMED.search(browser.cors_message or "")
                    b = _NAMED.search(sim.message or "")
                    out.append((headers, a.group(1) if a else "", b.group(1) if b else ""))
        finally:
            transport.close()
    yield out


def test_doctor_names_the_header_chromium_names(
    named: list[tuple[list[tuple[str, str]], str, str]],
) -> None:
    assert len(named) == CASES
    assert all(chromium for _, chromium, _ in named), "Chromium named no header"
    wrong = [(h, c, d) for h, c, d in named if c != d]
    agree = CASES - len(wrong)
    # the old rule (first in name order) for comparison: the test can tell them apart
    by_name = sum(min(n.lower() for n, _ in h) == c for h, c, _ in named)
    print(f"\nheader named: doctor {agree}/{CASES}, first-in-name-order rule {by_name}/{CASES}")
    assert by_name < CASES
    assert not wrong, wrong[:5]


# -- the whole order, on the wire ---------------------------------------------------------------

WIRE_CASES = 60
# Added below Blink (by the network stack) or outside the map: not part of the replayed order.
_NOT_FROM_THE_MAP = {
    "host", "connection", "content-length", "pragma", "cache-control", "origin", "referer",
    "sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest", "accept", "accept-encoding",
    "accept-language",
}  # fmt: skip


def _allow_and_record(seen: dict[str, list[str]]) -> Any:
    """Preflights allow every requested header; the actual request's header names are kept
    in wire order by case id."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        names = [k.decode("latin-1").lower() for k, _ in scope["headers"]]
        headers = [(b"access-control-allow-origin", b"*"), (b"content-length", b"0")]
        if scope["method"] == "OPTIONS":
            acrh = dict(scope["headers"]).get(b"access-control-request-headers", b"")
            headers += [
                (b"access-control-allow-methods", b"PUT, GET"),
                (b"access-control-allow-headers", acrh),
            ]
        else:
            seen[scope["query_string"].decode("latin-1")] = names
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    return app


def test_actual_request_carries_the_headers_in_the_replayed_order(chromium: str) -> None:
    """With every header allowed, the actual request goes out with Blink's map order: the page's
    headers and the ones Blink adds (client hints only for a potentially trustworthy URL, here
    127.0.0.1; none for ``api.test``, mapped to 127.0.0.1 but plain http on a public name)."""
    from corskit.doctor.fetch.header_order import blink_map_order

    rng = random.Random(150)
    seen: dict[str, list[str]] = {}
    expected: dict[str, list[str]] = {}
    rules = "--host-resolver-rules=MAP api.test 127.0.0.1"
    with serve_asgi(_allow_and_record(seen)) as base:
        with BrowserSession(chromium_path=chromium, targets=[base], extra_args=[rules]) as session:
            page = session.page(PAGE)
            for i in range(WIRE_CASES):
                names = {_random_name(rng).lower() for _ in range(rng.randint(1, 14))}
                trustworthy = i % 2 == 0
                target = base if trustworthy else base.replace("127.0.0.1", "api.test")
                added = ("sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "user-agent")
                expected[f"w={i}"] = blink_map_order(names, added if trustworthy else added[3:])
                request = BrowserRequest(
                    url=f"{target}/w?w={i}", method="PUT", headers=[(n, "v") for n in names]
                )
                page.fetch(request, settle_ms=300)
    assert set(seen) == set(expected)
    wrong = {
        case: (wire, expected[case])
        for case, names in seen.items()
        if (wire := [n for n in names if n not in _NOT_FROM_THE_MAP]) != expected[case]
    }
    assert not wrong, list(wrong.items())[:3]
