"""Responses no framework writes, byte for byte, through real headless Chromium and through
the doctor: one browser launch, every case of :mod:`tests.doctor.http1_cases` fetched from a
page at ``http://localhost:5173`` against a raw loopback server; the doctor's verdict and
console line must equal Chromium's, and so must the response headers JavaScript can read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from corskit.doctor.browser import (
    BrowserOutcome,
    BrowserRequest,
    BrowserSession,
    SimulationView,
    simulate_request,
)
from tests.doctor.http1_cases import CASES, PAGE, console_line
from tests.raw_http import Reset, serve_raw

pytestmark = pytest.mark.browser


def _answer(method: str, target: str) -> bytes | Reset | None:
    case = CASES[target.split("/")[2].split("?")[0]]
    if method == "OPTIONS" and case.preflight is not None:
        return case.preflight
    return case.actual


@pytest.fixture(scope="module")
def results(chromium: str) -> Iterator[dict[str, tuple[BrowserOutcome, SimulationView]]]:
    with serve_raw(_answer) as base:
        out: dict[str, tuple[BrowserOutcome, SimulationView]] = {}
        with BrowserSession(chromium_path=chromium, targets=[base]) as session:
            page = session.page(PAGE)
            for cid, case in CASES.items():
                url = f"{base}/case/{cid}?n=1"
                request = BrowserRequest(url=url, method=case.method, headers=case.headers)
                browser = page.fetch(request)
                sim = simulate_request(
                    url, PAGE, case.method, list(case.headers), check_local_network=False
                )
                out[cid] = (browser, sim)
        yield out


@pytest.mark.parametrize("cid", list(CASES))
def test_doctor_reads_the_response_as_chromium_does(
    results: dict[str, tuple[BrowserOutcome, SimulationView]], cid: str
) -> None:
    browser, sim = results[cid]
    detail = (
        f"\nChromium:   {browser.verdict} {browser.console_message!r} {browser.net_error}"
        f"\nsimulation: {sim.verdict} {console_line(sim.outcome)!r}"
    )
    assert sim.verdict == browser.verdict, detail
    assert console_line(sim.outcome) == browser.console_message, detail
    if browser.resolved:
        assert sim.outcome is not None
        readable = {name.lower() for name in sim.outcome.readable_headers}
        assert readable == {name.lower() for name, _ in browser.response_headers}, detail


@pytest.mark.parametrize("cid", list(CASES))
def test_recorded_expectation_is_what_chromium_does(
    results: dict[str, tuple[BrowserOutcome, SimulationView]], cid: str
) -> None:
    """The expectations the fast tests pin (tests/doctor/test_http_transport.py) are
    Chromium's own."""
    browser, _ = results[cid]
    verdict, message = CASES[cid].expected
    url = f"{browser.url}"
    assert (browser.verdict, browser.console_message) == (
        verdict,
        message.format(url=url) if message else None,
    )
