"""What the differential suites share (real Chromium, real Firefox, each beside the doctor's
simulation): the scenarios, the run's record, fetching every scenario in one browser session,
replaying it through the simulation, the report rows and the checks of what reached the server."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from corskit.doctor.browser import (
    BrowserOutcome,
    BrowserRequest,
    SimulationUnavailable,
    SimulationView,
)
from corskit.doctor.transports import HTTPTransport
from tests.doctor.browser import harness
from tests.doctor.browser.replay import browser_request, simulate
from tests.doctor.browser.scenarios import Scenario, generate

SCENARIOS = generate()
BY_ID = {s.id: s for s in SCENARIOS}
CORSKIT_IDS = [s.id for s in SCENARIOS if s.kind == "corskit"]
COOKIE = {
    "name": "sid",
    "value": "s3cr3t",
    "domain": "127.0.0.1",
    "path": "/",
    "secure": True,
    "sameSite": "None",
}


class _Page(Protocol):
    def fetch(self, request: BrowserRequest) -> BrowserOutcome: ...


class _Session(Protocol):
    def page(self, origin: str) -> Any: ...


@dataclass
class DifferentialRun:
    """Everything one run of a suite observed."""

    servers: harness.Servers
    browser: dict[str, BrowserOutcome] = field(default_factory=dict)
    simulation: dict[str, SimulationView | str] = field(default_factory=dict)
    hits: dict[str, list[harness.Hit]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def browse(result: DifferentialRun, session: _Session) -> None:
    """Every scenario fetched from a page with the scenario's origin (one tab per origin)."""
    for scenario in SCENARIOS:
        page: _Page = session.page(scenario.origin)
        url = harness.scenario_url(result.servers, scenario)
        result.browser[scenario.id] = page.fetch(browser_request(url, scenario.request))


def collect_hits(result: DifferentialRun) -> None:
    """What the servers saw, per scenario; the log is then cleared for the simulation."""
    time.sleep(0.05)  # the last server log entries are written just after the response
    recorder = result.servers.recorder
    for scenario in SCENARIOS:
        result.hits[scenario.id] = recorder.for_case(scenario.id)
    recorder.clear()


def simulate_all(result: DifferentialRun) -> None:
    """Every scenario through the doctor's simulation, a failure recorded per scenario."""
    transport = HTTPTransport(timeout=10.0)
    try:
        for scenario in SCENARIOS:
            url = harness.scenario_url(result.servers, scenario)
            try:
                view = simulate(url, scenario.origin, scenario.request, transport)
            except (SimulationUnavailable, Exception) as exc:  # reported per scenario
                result.simulation[scenario.id] = f"{type(exc).__name__}: {exc}"
            else:
                result.simulation[scenario.id] = view
    finally:
        transport.close()


def timings(
    started: float, ready: float, launched: float, browsed: float, done: float
) -> dict[str, float]:
    """The phases of a run, in seconds, from its ``time.monotonic()`` marks."""
    return {
        "scenarios": len(SCENARIOS),
        "servers_start_s": round(ready - started, 3),
        "browser_launch_s": round(launched - ready, 3),
        "browser_fetches_s": round(browsed - launched, 3),
        "simulation_s": round(done - browsed, 3),
        "total_s": round(done - started, 3),
    }


def report_row(result: DifferentialRun, scenario: Scenario, **sides: Any) -> dict[str, Any]:
    """One scenario of the JSON report: the request, *sides* (the browser's and the
    simulation's views) and what the servers saw."""
    return {
        "id": scenario.id,
        "origin": scenario.origin,
        "method": scenario.request.method,
        "headers": [list(h) for h in scenario.request.headers],
        "credentials": scenario.request.credentials,
        **sides,
        "server": [
            [h.server, h.method, h.origin, h.acrm, h.acrh, h.cookie, h.status]
            for h in result.hits[scenario.id]
        ],
    }


def check_policy_enforced(result: DifferentialRun, sid: str, name: str) -> bool:
    """What corskit's policy allows succeeds in the browser (*name*); what it refuses fails
    there. Returns True in the one exception: the policy allows a lower-case method such as
    ``patch`` but uvicorn's default parser (httptools) answers it with a bare 400 before any
    ASGI app runs, so the actual request never reached the middleware and is blocked."""
    allowed, reason = harness.policy_allows(result.servers.apps, BY_ID[sid])
    browser = result.browser[sid]
    method = BY_ID[sid].request.method
    actual_hits = [h for h in result.hits[sid] if h.method != "OPTIONS"]
    if allowed and harness.normalize_method(method) != method.upper() and not actual_hits:
        assert browser.verdict == "blocked"
        return True
    assert browser.verdict == ("allowed" if allowed else "blocked"), (
        f"policy says {reason}; {name}: {browser.verdict} {browser.cors_messages}"
    )
    return False


def check_wire(result: DifferentialRun, sid: str) -> list[harness.Hit]:
    """The preflight really reached the server (not hidden by the preflight cache) when one is
    due, with the method asked for and no cookie (Fetch, CORS-preflight request: never
    credentials on a preflight); every request carried the page's origin, and a cookie only
    with credentials ``include``. Returns the preflights."""
    scenario = BY_ID[sid]
    hits = [h for h in result.hits[sid] if h.server == "A" and h.path == scenario.path]
    assert hits, "the server never saw this scenario"
    r = scenario.request
    method = harness.normalize_method(r.method)
    needs_preflight = method not in harness.SAFELISTED_METHODS or bool(
        harness.unsafe_header_names(r.headers)
    )
    preflights = [h for h in hits if h.method == "OPTIONS"]
    assert len(preflights) == (1 if needs_preflight else 0)
    for h in preflights:
        assert h.acrm == method
        assert h.cookie is None
    for h in hits:
        assert h.origin == scenario.origin
    for h in hits:
        if h.method != "OPTIONS":
            assert h.method == method
            assert (h.cookie == "sid=s3cr3t") == (r.credentials == "include")
    return preflights
