"""The differential suite in real headless Firefox (ESR, over WebDriver BiDi).

The same scenarios, servers and expectations as :mod:`tests.doctor.browser.test_differential`, with
Firefox instead of Chromium: every scenario is fetched from a Firefox page with the scenario's
origin, against the same two uvicorn servers on 127.0.0.1, and replayed through the doctor's
simulation. The tests assert:

* Firefox's verdict is the doctor's Firefox verdict (its own where Firefox differs from
  Chromium);
* every Firefox console line the doctor prints is the line Firefox printed, and the doctor
  prints every CORS line Firefox printed;
* for corskit's servers, the policy's decision is what Firefox enforces;
* the preflights reached the server, without a cookie.

One Firefox start for the module, one tab per origin; the timings and every result are written
to ``artifacts/browser-differential-firefox.json``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from corskit.doctor.browser import BrowserRequest, SimulationView, simulate_request
from corskit.doctor.browser.firefox import FirefoxSession
from tests.doctor.browser import harness
from tests.doctor.browser.differential import (
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


@dataclass
class FirefoxRun(DifferentialRun):
    """Everything one run of the suite observed, Firefox's preflight cache included."""

    version: str = ""
    #: Access-Control-Max-Age value -> (preflights Firefox sent for two fetches, the doctor's
    #: Firefox cache time in seconds)
    max_age: dict[str, tuple[int, int]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def run(firefox: str, artifacts: Path) -> Iterator[FirefoxRun]:
    """Run every scenario in Firefox (one start), then through the simulation."""
    started = time.monotonic()
    with harness.running_servers() as servers:
        result = FirefoxRun(servers)
        ready = time.monotonic()
        with FirefoxSession(firefox_path=firefox, cookies=[COOKIE]) as session:
            launched = time.monotonic()
            browse(result, session)
            result.version = session.version
            result.max_age = _preflight_cache(session)
        browsed = time.monotonic()
        collect_hits(result)
        simulate_all(result)
        result.timings = timings(started, ready, launched, browsed, time.monotonic())
        _write_report(artifacts / "browser-differential-firefox.json", result)
        yield result


#: Access-Control-Max-Age values whose caching the run checks ("absent": no header).
MAX_AGE_VALUES = ("600", "5", "0", "abc", "-1", "1.5", "absent")


def _preflight_cache(session: FirefoxSession) -> dict[str, tuple[int, int]]:
    """Fetch the same preflighted URL twice per Access-Control-Max-Age value and count the
    preflights that reached the server, beside the doctor's Firefox cache time."""
    from tests.servers import serve_asgi

    preflights: dict[str, int] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        query = dict(p.split("=", 1) for p in scope["query_string"].decode().split("&"))
        headers = [(b"access-control-allow-origin", b"*")]
        if scope["method"] == "OPTIONS":
            preflights[query["ma"]] = preflights.get(query["ma"], 0) + 1
            headers += [(b"access-control-allow-methods", b"PUT")]
            if query["ma"] != "absent":
                headers.append((b"access-control-max-age", query["ma"].encode()))
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    out: dict[str, tuple[int, int]] = {}
    with serve_asgi(app) as base:
        page = session.page(APP)
        for value in MAX_AGE_VALUES:
            url = f"{base}/cache?ma={value}"
            for _ in range(2):
                # "default": Firefox skips its preflight cache for "no-store" and "reload"
                page.fetch(BrowserRequest(url=url, method="PUT", cache="default"))
            sent = preflights.get(value, 0)  # before the simulation sends its own
            sim = simulate_request(url, APP, "PUT", check_local_network=False)
            out[value] = (sent, int(sim.outcome.max_age["firefox"]))
    return out


def _simulated_lines(sim: SimulationView) -> tuple[str, ...]:
    return tuple(sim.outcome.firefox_messages)


def _write_report(path: Path, result: FirefoxRun) -> None:
    rows: list[dict[str, Any]] = []
    for scenario in SCENARIOS:
        b = result.browser[scenario.id]
        s = result.simulation.get(scenario.id)
        firefox = {"verdict": b.verdict, "status": b.status, "console": b.cors_messages}
        simulation = (
            {
                "verdict": s.outcome.firefox_verdict,
                "chromium_verdict": s.verdict,
                "cors_error": s.cors_error,
                "firefox_messages": _simulated_lines(s),
            }
            if isinstance(s, SimulationView)
            else {"error": s}
        )
        rows.append(report_row(result, scenario, firefox=firefox, simulation=simulation))
    data = {
        "firefox": result.version,
        "timings": result.timings,
        "max_age": result.max_age,
        "scenarios": rows,
    }
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False))


def test_suite_is_fast(run: FirefoxRun) -> None:
    print(f"\nFirefox differential suite timings: {run.timings}")
    assert run.timings["browser_fetches_s"] < 150


@pytest.mark.parametrize("sid", [s.id for s in SCENARIOS])
def test_firefox_and_simulation_agree(run: FirefoxRun, sid: str) -> None:
    """Firefox's verdict is the doctor's Firefox verdict, and the console lines the doctor
    prints for Firefox are exactly the CORS lines Firefox printed."""
    browser = run.browser[sid]
    sim = run.simulation[sid]
    assert isinstance(sim, SimulationView), f"the simulation failed: {sim}"
    assert not (browser.error or "").startswith("browser error"), browser.error
    detail = (
        f"\nFirefox:    {browser.verdict}\n  "
        + "\n  ".join(browser.cors_messages)
        + f"\nsimulation: {sim.outcome.firefox_verdict} ({sim.cors_error})\n  "
        + "\n  ".join(_simulated_lines(sim))
    )
    assert browser.verdict == sim.outcome.firefox_verdict, detail
    assert browser.cors_messages == _simulated_lines(sim), detail


@pytest.mark.parametrize("value", MAX_AGE_VALUES)
def test_firefox_caches_preflights_as_the_doctor_says(run: FirefoxRun, value: str) -> None:
    """Access-Control-Max-Age: Firefox caches the preflight (one preflight for two fetches)
    exactly when the doctor's Firefox cache time is positive: digits only, 5 s when absent,
    never for a non-digit value such as -1 or 1.5 (Chromium reads those as 0 and 5)."""
    sent, seconds = run.max_age[value]
    assert sent == (1 if seconds > 0 else 2), f"Max-Age {value!r}: {sent} preflights"


@pytest.mark.parametrize("sid", CORSKIT_IDS)
def test_firefox_enforces_corskit_policy(run: FirefoxRun, sid: str) -> None:
    """What corskit's policy allows succeeds in Firefox; what it refuses fails there."""
    check_policy_enforced(run, sid, "Firefox")


@pytest.mark.parametrize("sid", [s.id for s in SCENARIOS])
def test_firefox_wire(run: FirefoxRun, sid: str) -> None:
    """Preflights reached the server (none hidden by the preflight cache) without a cookie,
    and every request carried the page's origin."""
    check_wire(run, sid)
