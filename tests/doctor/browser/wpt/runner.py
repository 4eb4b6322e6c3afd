"""Run the cases in real Chromium and through the doctor, and compare what each says.

Chromium: one launch, one tab per page origin, each case's ``fetch()`` in turn (a case's URL
is unique, so no preflight-cache entry of another case applies). The doctor: the Fetch
simulation (:func:`corskit.doctor.browser.simulate_request`) of the same request over one
HTTP transport, Local Network Access left out as in the browser run (the server's ports are
declared ``public`` there).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from corskit.doctor.browser import (
    BrowserOutcome,
    BrowserSession,
    SimulationUnavailable,
)
from corskit.doctor.transports import HTTPTransport
from tests.doctor.browser.replay import browser_request, simulate
from tests.doctor.browser.wpt.model import Case, Origins

ASPECTS = ("verdict", "preflight", "readable", "console")


@dataclass(frozen=True)
class Seen:
    """What one side (Chromium or the doctor) says about a case."""

    verdict: str
    preflight: bool
    readable: tuple[str, ...]
    console: str | None
    error: str | None = None

    def aspect(self, name: str) -> object:
        return {
            "verdict": self.verdict,
            "preflight": self.preflight,
            "readable": self.readable,
            "console": self.console,
        }[name]


@dataclass
class Comparison:
    """Both sides of every case, and the time each side took."""

    chromium: dict[str, Seen] = field(default_factory=dict)
    doctor: dict[str, Seen] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    version: str = ""

    def differences(self, case_id: str) -> list[str]:
        """The aspects on which the doctor and Chromium disagree for *case_id*."""
        c, d = self.chromium[case_id], self.doctor[case_id]
        return [a for a in ASPECTS if c.aspect(a) != d.aspect(a)]


def _names(pairs: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({name.lower() for name in pairs}))


def _console(text: str | None, case: Case, run: str) -> str | None:
    """*text* with the run's token in the URLs replaced by ``{T}``, so both runs compare."""
    return None if text is None else text.replace(f"{case.id}.{run}", "{T}")


def from_browser(outcome: BrowserOutcome, case: Case) -> Seen:
    """What Chromium did, as compared."""
    return Seen(
        verdict=outcome.verdict,
        preflight=any(method == "OPTIONS" for method, _, _ in outcome.requests),
        readable=_names(k for k, _ in outcome.response_headers) if outcome.resolved else (),
        console=_console(outcome.console_message, case, "c"),
    )


def run_chromium(cases: list[Case], origins: Origins, chromium: str, into: Comparison) -> None:
    """Every case in one headless Chromium launch."""
    started = time.monotonic()
    # The https origins use a self-signed certificate made for the run.
    args = ["--ignore-certificate-errors"]
    with BrowserSession(chromium_path=chromium, targets=origins.all(), extra_args=args) as session:
        into.version = session.version
        for case in cases:
            page = session.page(case.page)
            request = browser_request(case.url_for("c"), case)
            into.chromium[case.id] = from_browser(page.fetch(request), case)
    into.seconds["chromium"] = time.monotonic() - started


def run_doctor(cases: list[Case], into: Comparison) -> None:
    """Every case through the doctor's simulation."""
    started = time.monotonic()
    transport = HTTPTransport(timeout=10.0, verify=False)  # the self-signed https origins
    try:
        for case in cases:
            into.doctor[case.id] = _simulate(case, transport)
    finally:
        transport.close()
    into.seconds["doctor"] = time.monotonic() - started


def _simulate(case: Case, transport: HTTPTransport) -> Seen:
    try:
        view = simulate(case.url_for("d"), case.page, case, transport)
    except SimulationUnavailable as exc:
        return Seen("unavailable", False, (), None, error=str(exc))
    outcome = view.outcome
    readable = _names(outcome.readable_headers) if view.verdict == "allowed" else ()
    return Seen(view.verdict, bool(outcome.preflight), readable, _console(view.message, case, "d"))
