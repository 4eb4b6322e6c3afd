"""Unusual answers and URLs in real headless Chromium beside the doctor's simulation: one
browser launch, every case fetched from a page at ``http://localhost:5173`` against
:mod:`tests.doctor.fetch.fidelity_app` under uvicorn on 127.0.0.1, then simulated; verdict and
console line must agree."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from corskit.doctor.browser import (
    BrowserOutcome,
    BrowserRequest,
    BrowserSession,
    SimulationView,
    simulate_request,
)
from corskit.doctor.fetch import simulate
from corskit.doctor.transports import HTTPTransport
from tests.doctor.fetch import fidelity_app
from tests.doctor.fetch.test_fidelity import INVALID_ACAO, MISMATCHED_ACAO, answer
from tests.servers import serve_asgi

pytestmark = pytest.mark.browser

PAGE = "http://localhost:5173"
STAR = ("Access-Control-Allow-Origin", "*")

# id -> (method, path and query)
CASES: dict[str, tuple[str, str]] = {
    "redirect-to-data": ("GET", "/r" + answer(302, STAR, ("Location", "data:,hi"))),
    "redirect-to-ftp": ("GET", "/r" + answer(302, STAR, ("Location", "FTP://127.0.0.1/x"))),
    "redirect-to-file": ("GET", "/r" + answer(302, STAR, ("Location", "file:///etc/passwd"))),
    "redirect-to-ws": ("GET", "/r" + answer(302, STAR, ("Location", "ws://127.0.0.1:1/x"))),
    "redirect-to-javascript": ("GET", "/r" + answer(302, STAR, ("Location", "javascript:1"))),
    "redirect-to-bad-ipv6": ("GET", "/r" + answer(302, STAR, ("Location", "http://[::1"))),
    "preflight-407": ("PUT", "/r" + answer(407, STAR)),
    "actual-407": ("GET", "/r" + answer(407, STAR)),
    "two-acao-star-and-empty": (
        "GET",
        "/r" + answer(200, STAR, ("Access-Control-Allow-Origin", " ")),
    ),
    "url-with-space-and-quotes": ("GET", '/a b/c"d' + answer(200) + "&x='y'"),
    "location-with-space-and-quotes": (
        "GET",
        "/r" + answer(302, STAR, ("Location", "/moved here/\"q\"?x='y' z")),
    ),
}
CASES.update(
    (f"acao-{i}-{kind}", ("GET", "/r" + answer(200, ("Access-Control-Allow-Origin", value))))
    for kind, values in (("invalid", INVALID_ACAO), ("mismatch", MISMATCHED_ACAO))
    for i, value in enumerate(values)
)


@pytest.fixture(scope="module")
def results(chromium: str) -> Iterator[dict[str, tuple[BrowserOutcome, SimulationView]]]:
    with serve_asgi(fidelity_app.app) as base:
        out: dict[str, tuple[BrowserOutcome, SimulationView]] = {}
        with BrowserSession(chromium_path=chromium, targets=[base]) as session:
            page = session.page(PAGE)
            for cid, (method, path) in CASES.items():
                url = base + path + f"&case={cid}"
                browser = page.fetch(BrowserRequest(url=url, method=method))
                sim = simulate_request(url, PAGE, method, check_local_network=False)
                out[cid] = (browser, sim)
        yield out


@pytest.mark.parametrize("cid", list(CASES))
def test_doctor_agrees_with_chromium(
    results: dict[str, tuple[BrowserOutcome, SimulationView]], cid: str
) -> None:
    browser, sim = results[cid]
    detail = f"\nChromium:   {browser.verdict} {browser.console}\nsimulation: {sim.verdict} {sim.message}"
    assert sim.verdict == browser.verdict, detail
    assert sim.message == browser.console_message, detail
    # the URL the doctor sends is the one Chromium sent
    assert sim.outcome is not None
    assert sim.outcome.url in {url for _, url, _ in browser.requests}, browser.requests


async def _sandboxed_page(scope: Any, receive: Any, send: Any) -> None:
    """A page served with ``Content-Security-Policy: sandbox allow-scripts``: origin null."""
    headers = [
        (b"content-type", b"text/html"),
        (b"content-security-policy", b"sandbox allow-scripts"),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send(
        {"type": "http.response.body", "body": b"<!doctype html><link rel=icon href='data:,'>"}
    )


_FETCH_FROM_PAGE = """async (u) => {
  try { const r = await fetch(u); return [self.origin, isSecureContext, r.status]; }
  catch (e) { return [self.origin, isSecureContext, String(e)]; }
}"""


def test_sandboxed_page_served_from_loopback(chromium: str) -> None:
    """A null-origin page loaded from localhost is a secure context in the loopback address
    space: Chromium lets it call a loopback server, and so does the doctor with --page-url."""
    from playwright.sync_api import sync_playwright

    from corskit.doctor.browser.discovery import LAUNCH_ARGS

    with serve_asgi(fidelity_app.app) as api, serve_asgi(_sandboxed_page) as pages:
        page_url = pages.replace("127.0.0.1", "localhost") + "/sandboxed.html"
        url = api + "/r" + answer(200, STAR)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=list(LAUNCH_ARGS))
            try:
                page = browser.new_page()
                page.goto(page_url)
                seen = page.evaluate(_FETCH_FROM_PAGE, url)
            finally:
                browser.close()
        assert seen == ["null", True, 200]
        transport = HTTPTransport()
        try:
            outcome = simulate(transport, url, origin="null", page_url=page_url)
        finally:
            transport.close()
        assert outcome.verdict == "allowed", outcome.chromium_message
