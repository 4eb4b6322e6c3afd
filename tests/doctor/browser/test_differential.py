"""The differential suite: real headless Chromium versus the doctor's Fetch simulation.

Every scenario of :mod:`tests.doctor.browser.scenarios` (corskit's middleware and hand-written broken
servers × request shapes × origins) is fetched from a Chromium page with the scenario's origin,
against real uvicorn servers on 127.0.0.1, and then replayed through the simulation against the
same URL. The tests assert:

* the same verdict (the promise resolved / was rejected) and the same console message;
* for corskit's servers: the policy's decision is what Chromium enforces (everything the policy
  allows succeeds, everything it refuses fails);
* that the preflights really reached the server (none faked by Playwright, none hidden by the
  preflight cache) and that credentials ride only on actual requests.

All scenarios run in one browser launch (one tab per origin), then all simulations; the timings
and every result are written to ``artifacts/browser-differential.json``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corskit.doctor.browser import BrowserSession, SimulationView
from tests.doctor.browser import harness
from tests.doctor.browser.differential import (
    BY_ID,
    COOKIE,
    CORSKIT_IDS,
    SCENARIOS,
    DifferentialRun,
    browse,
    check_policy_enforced,
    check_wire,
    collect_hits,
    report_row,
    simulate_all,
    timings,
)
from tests.doctor.browser.scenarios import APP

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def run(chromium: str, artifacts: Path) -> Iterator[DifferentialRun]:
    """Run every scenario in Chromium (one launch), then through the simulation."""
    started = time.monotonic()
    with harness.running_servers() as servers:
        result = DifferentialRun(servers)
        ready = time.monotonic()
        with BrowserSession(
            chromium_path=chromium, targets=[servers.a, servers.b], cookies=[COOKIE]
        ) as session:
            launched = time.monotonic()
            browse(result, session)
            version = session.version
        browsed = time.monotonic()
        collect_hits(result)
        simulate_all(result)
        result.timings = timings(started, ready, launched, browsed, time.monotonic())
        _write_report(artifacts / "browser-differential.json", result, version)
        yield result


def _write_report(path: Path, result: DifferentialRun, version: str) -> None:
    rows: list[dict[str, Any]] = []
    for scenario in SCENARIOS:
        b = result.browser[scenario.id]
        s = result.simulation.get(scenario.id)
        sim = s.to_json() if isinstance(s, SimulationView) else {"error": s}
        browser = {
            "verdict": b.verdict,
            "status": b.status,
            "cors_error": b.cors_error,
            "message": b.cors_message,
        }
        keys = ("verdict", "status", "cors_error", "message", "error")
        simulation = {k: sim.get(k) for k in keys}
        rows.append(report_row(result, scenario, browser=browser, simulation=simulation))
    path.write_text(
        json.dumps({"chromium": version, "timings": result.timings, "scenarios": rows}, indent=1)
    )


def test_scenario_count() -> None:
    assert len(SCENARIOS) >= 150
    kinds = {s.kind for s in SCENARIOS}
    assert kinds == {"corskit", "broken"}


def test_suite_is_fast(run: DifferentialRun) -> None:
    print(f"\ndifferential suite timings: {run.timings}")
    # One browser launch, one tab per origin: a few hundred fetches take seconds, not minutes.
    assert run.timings["browser_fetches_s"] < 90


@pytest.mark.parametrize("sid", [s.id for s in SCENARIOS])
def test_browser_and_simulation_agree(run: DifferentialRun, sid: str) -> None:
    browser = run.browser[sid]
    sim = run.simulation[sid]
    assert isinstance(sim, SimulationView), f"the simulation failed: {sim}"
    assert not (browser.error or "").startswith("browser error"), browser.error
    detail = (
        f"\nChromium:   {browser.verdict} {browser.cors_error}\n  {browser.cors_message}"
        f"\nsimulation: {sim.verdict} {sim.cors_error}\n  {sim.message}"
    )
    assert browser.verdict == sim.verdict, detail
    # Exact, down to which of several refused headers is named (Blink's hash-map order, which
    # the doctor replays: corskit.doctor.fetch.header_order).
    assert browser.cors_message == sim.message, detail
    if browser.cors_error and sim.cors_error:
        assert browser.cors_error == sim.cors_error, detail


@pytest.mark.parametrize("sid", CORSKIT_IDS)
def test_chromium_enforces_corskit_policy(run: DifferentialRun, sid: str) -> None:
    """What corskit's policy allows succeeds in Chromium; what it refuses fails there."""
    if check_policy_enforced(run, sid, "Chromium"):
        # The preflight passed; Chromium reports the missing ACAO of uvicorn's bare 400.
        assert run.browser[sid].cors_error == "MissingAllowOriginHeader"


@pytest.mark.parametrize("sid", [s.id for s in SCENARIOS])
def test_wire_matches_fetch(run: DifferentialRun, sid: str) -> None:
    """The preflight really reached the server (not faked by Playwright, not hidden by the
    preflight cache), it carried no cookie, and the Origin was the page's."""
    unsafe = harness.unsafe_header_names(BY_ID[sid].request.headers)
    for h in check_wire(run, sid):
        assert h.acrh == (",".join(unsafe) if unsafe else None)


# -- Chromium versus the Fetch standard: the differences the suite found ------------------------


def test_chromium_lets_acah_wildcard_cover_authorization(run: DifferentialRun) -> None:
    """Fetch: `Access-Control-Allow-Headers: *` never covers Authorization (§1.4 step 5).
    Chromium 150 lets it through; the simulation follows Chromium and notes the spec's verdict."""
    for sid in (
        "b-acah-star-app-get-authorization",
        "b-wildcard-no-credentials-app-get-authorization",
    ):
        assert run.browser[sid].verdict == "allowed"
        assert run.browser[sid].console == ()  # no console message at all
        sim = run.simulation[sid]
        assert isinstance(sim, SimulationView)
        assert sim.outcome.spec_verdict == "blocked"
    # Only a DevTools Issue (a deprecation, raised once per page) says so.
    issues = {i for b in run.browser.values() if b.origin == APP for i in b.issues}
    assert "DeprecationIssue: AuthorizationCoveredByWildcard" in issues
    # corskit itself follows the spec: it refuses, and Chromium then blocks.
    assert run.browser["c-wildcard-app-get-authorization"].verdict == "blocked"


def test_chromium_names_one_of_several_disallowed_headers(run: DifferentialRun) -> None:
    """With several disallowed headers Chromium names one, picked neither in insertion nor in
    alphabetical order (Blink keeps request headers in a hash map): X-Zeta + X-Alpha gives
    x-zeta, although Access-Control-Request-Headers is sorted (x-alpha,x-zeta). The doctor
    replays that hash map and names the same header."""
    browser = run.browser["b-acah-fixed-list-app-get-two-custom"]
    assert (
        browser.cors_message
        and "Request header field x-zeta is not allowed" in browser.cors_message
    )
    sim = run.simulation["b-acah-fixed-list-app-get-two-custom"]
    assert isinstance(sim, SimulationView)
    assert sim.message == browser.cors_message
    preflight = [
        h for h in run.hits["b-acah-fixed-list-app-get-two-custom"] if h.method == "OPTIONS"
    ]
    assert preflight[0].acrh == "x-alpha,x-zeta"


def test_chromium_names_the_page_origin_after_a_tainting_redirect(run: DifferentialRun) -> None:
    """After a cross-origin redirect the request carries `Origin: null` (§1.11), but the console
    message still says "from origin 'https://app.example.com'"."""
    sid = "b-redirect-cross-origin-fixed-app-get"
    hits = run.hits[sid]
    assert [h.origin for h in hits] == [APP, "null"]
    message = run.browser[sid].cors_message or ""
    assert f"from origin '{APP}'" in message
    assert "(redirected from '" in message


def test_chromium_leaves_credentials_redirect_location_empty(run: DifferentialRun) -> None:
    """kRedirectContainsCredentials: Chromium 150 prints `Redirect location ''` (empty), not the
    URL, and names the original URL without "(redirected from ...)"."""
    message = run.browser["b-redirect-credentials-in-location-app-get"].cors_message or ""
    assert "Redirect location '' contains a username and password" in message
    assert "redirected from" not in message


def test_redirect_response_without_cors_names_the_redirecting_url(run: DifferentialRun) -> None:
    """A redirect response is itself CORS-checked (§1.12); when it fails, the message names the
    URL that answered with the redirect, and the Location is never requested."""
    sid = "b-redirect-no-cors-app-get"
    message = run.browser[sid].cors_message or ""
    assert "/b/redirect-no-cors/data" in message and "redirected from" not in message
    assert [h.path for h in run.hits[sid]] == ["/b/redirect-no-cors/data"]


def test_lower_case_patch_is_not_normalised(run: DifferentialRun) -> None:
    """Fetch normalises delete/get/head/options/post/put but not patch (§1.1): Chromium sends
    `Access-Control-Request-Method: patch`, which `ACAM: PATCH` does not match."""
    hits = run.hits["c-credentials-app-patch-lower"]
    assert [h.acrm for h in hits if h.method == "OPTIONS"] == ["patch"]
    assert run.browser["c-credentials-app-patch-lower"].verdict == "blocked"
    assert run.browser["c-credentials-app-patch-upper"].verdict == "allowed"
