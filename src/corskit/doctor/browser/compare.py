"""The same request through the Fetch simulation and through real Chromium, compared: the
only module that knows both the browser and the simulation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..render import Style
from .discovery import find_chromium
from .serve import serve_target
from .session import BrowserOutcome, BrowserRequest, BrowserSession, add_cache_buster


class SimulationUnavailable(RuntimeError):
    """The doctor's simulation (:mod:`corskit.doctor.fetch`) cannot run this request;
    ``str()`` is one line."""


@dataclass(frozen=True)
class SimulationView:
    """The parts of the simulation's outcome that are shown beside the browser's.

    ``message`` is the console line the simulation predicts Chromium prints; ``title``,
    ``why`` and ``fix`` explain it (from :mod:`corskit.doctor.diagnose` when available, else
    from the failing step); ``steps`` is the wire-level story; ``outcome`` the raw
    :class:`corskit.doctor.fetch.Outcome`.
    """

    verdict: str
    status: int | None
    cors_error: str | None
    message: str | None
    title: str
    why: str
    fix: str
    steps: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    outcome: Any = field(default=None, compare=False, repr=False)
    firefox_verdict: str = ""
    firefox_messages: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (without the raw outcome)."""
        return {
            "verdict": self.verdict,
            "status": self.status,
            "cors_error": self.cors_error,
            "message": self.message,
            "title": self.title,
            "why": self.why,
            "fix": self.fix,
            "steps": list(self.steps),
            "warnings": list(self.warnings),
            "firefox_verdict": self.firefox_verdict,
            "firefox_messages": list(self.firefox_messages),
        }


def _explain(outcome: Any) -> tuple[str, str, str]:
    """(title, why, fix) for *outcome*, from the doctor's diagnosis when it is available."""
    try:
        from corskit.doctor.diagnose import diagnose

        primary = diagnose(outcome).primary
        if primary is not None:
            return str(primary.title), str(primary.cause), str(primary.fix)
    except Exception:  # the explanation is optional; the verdict and message are not
        pass
    if outcome.verdict == "allowed":
        return "The browser lets the page read the response.", "", ""
    failing = [s.text for s in outcome.steps if s.ok is False]
    title = f"Blocked: {outcome.cors_error or outcome.network_error or 'request failed'}"
    return title, failing[-1] if failing else "", ""


def simulate_request(
    url: str,
    origin: str,
    method: str = "GET",
    headers: Sequence[tuple[str, str]] = (),
    credentials: str = "same-origin",
    body: str | None = None,
    *,
    transport: Any = None,
    timeout: float = 10.0,
    local_network_permission: bool = True,
    check_local_network: bool = True,
) -> SimulationView:
    """Run the doctor's Fetch simulation for the same request a browser run makes.

    *transport* defaults to an HTTP transport for *url*. Local Network Access (https://wicg.github.io/local-network-access/) is treated as granted by default (*local_network_permission*); with
    *check_local_network* False it is not simulated at all, which is what a
    :class:`BrowserSession` run amounts to (its loopback targets are declared ``public``).
    Raises :class:`SimulationUnavailable` when the simulation is missing or refuses the input.
    """
    try:
        from corskit.doctor import fetch as fetch_sim
        from corskit.doctor.transports import HTTPTransport, TransportError
    except ImportError as exc:
        raise SimulationUnavailable(f"the doctor's simulation is not available ({exc})") from None
    own = transport is None
    if own:
        transport = HTTPTransport(timeout=timeout)
    try:
        outcome = fetch_sim.simulate(
            transport,
            url,
            origin=origin,
            method=method,
            headers=list(headers),
            credentials=credentials,  # type: ignore[arg-type]
            body=body,
            local_network_permission=local_network_permission,
            target_address_space="auto" if check_local_network else None,
        )
    except (fetch_sim.FetchInputError, TransportError) as exc:
        raise SimulationUnavailable(str(exc)) from None
    finally:
        if own:
            transport.close()
    title, why, fix = _explain(outcome)
    return SimulationView(
        verdict=str(outcome.verdict),
        status=outcome.status,
        cors_error=outcome.cors_error,
        message=outcome.chromium_message,
        title=title,
        why=why,
        fix=fix,
        steps=tuple(s.text for s in outcome.steps),
        warnings=tuple(w.text for w in outcome.warnings),
        outcome=outcome,
        firefox_verdict=str(outcome.firefox_verdict),
        firefox_messages=tuple(outcome.firefox_messages),
    )


@dataclass(frozen=True)
class BrowserCheck:
    """The browser half of ``corskit check --browser``: what the browser (Chromium or Firefox)
    did, what the simulation predicts for that browser at the very same URL, and whether they
    agree."""

    target: str
    url: str
    served_base: str | None
    browser: BrowserOutcome
    simulation: SimulationView | None
    simulation_error: str | None = None
    local_network_note: str | None = None

    @property
    def agree(self) -> bool | None:
        """True/False, or None when the simulation could not run."""
        sim = self.simulation
        if sim is None:
            return None
        if self.browser.browser == "firefox":
            return (
                sim.firefox_verdict == self.browser.verdict
                and sim.firefox_messages == self.browser.cors_messages
            )
        return sim.verdict == self.browser.verdict and sim.message == self.browser.console_message

    @property
    def predicted(self) -> tuple[str, tuple[str, ...]]:
        """The simulation's verdict and console lines for this browser."""
        sim = self.simulation
        if sim is None:
            return "", ()
        if self.browser.browser == "firefox":
            return sim.firefox_verdict, sim.firefox_messages
        return sim.verdict, (sim.message,) if sim.message else ()

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (added under ``"browser"`` in ``corskit check --json``)."""
        return {
            "target": self.target,
            "url": self.url,
            "served_at": self.served_base,
            self.browser.browser: self.browser.to_json(),
            "simulation": self.simulation.to_json() if self.simulation else None,
            "simulation_error": self.simulation_error,
            "agree": self.agree,
            "local_network_note": self.local_network_note,
        }

    def render_text(self, colour: bool = False) -> str:
        """Human-readable report, printed after the simulation's (colours: :class:`Style`)."""
        st = Style(colour)
        b = self.browser
        lines = ["", st.bold(f"In a real browser: {b.browser_name} (headless)")]
        lines.append(f"  page origin {b.origin}")
        if self.served_base:
            lines.append(f"  served {self.target} on {self.served_base} for this run")
        lines.append(f"  fetch {b.method} {b.url}")
        if b.resolved:
            lines.append("  " + st.green(f"RESOLVED: status {b.status}"))
        else:
            lines.append("  " + st.red(f"REJECTED: {b.error}"))
        # Preflights first: CDP announces the actual request before its preflight.
        ordered = sorted(b.requests, key=lambda r: r[0] != "OPTIONS")
        preflight_failed = (
            not b.resolved
            and any(m == "OPTIONS" for m, _, _ in ordered)
            and b.cors_error is not None
            and (b.cors_error.startswith("Preflight") or "PreflightResponse" in b.cors_error)
        )

        def show(method: str, url: str, status: int | None) -> str:
            if status is not None:
                result = str(status)
            elif method != "OPTIONS" and preflight_failed:
                result = "not sent (the preflight failed)"
            elif b.browser == "firefox":
                result = "failed"  # Firefox reports a refused response as a failed request
            else:
                result = "no response"
            return f"{method} {urlsplit(url).path} -> {result}"

        sent = ", ".join(show(m, u, status) for m, u, status in ordered)
        if sent:
            lines.append(f"  on the wire: {sent}")
        for text in b.console:
            lines.append(f"  console: {text}")
        if b.cors_error:
            lines.append(f"  DevTools corsError: {b.cors_error}")
        for issue in b.issues:
            if not issue.startswith("CorsIssue"):  # CORS issues repeat the console message
                lines.append(f"  DevTools issue: {issue}")
        if self.local_network_note:
            lines.append(f"  note: {self.local_network_note}")
        lines.extend(_comparison_lines(self, st))
        return "\n".join(lines) + "\n"


def _comparison_lines(check: BrowserCheck, st: Style) -> list[str]:
    """AGREE or DISAGREE with the simulation's prediction for this browser; for Firefox, also
    the doctor's Chromium verdict when Firefox's differs from it."""
    b, sim = check.browser, check.simulation
    if sim is None:
        return [st.yellow(f"  simulation of the same URL unavailable: {check.simulation_error}")]
    name = b.browser.capitalize()
    verdict, predicted = check.predicted
    lines: list[str] = []
    if check.agree:
        same = ", with the same console message." if b.cors_messages or predicted else "."
        if len(predicted) > 1:
            same = f", with the same {len(predicted)} console lines."
        lines.append(
            st.green(f"  AGREE: the browser and the simulation both say {b.verdict}{same}")
        )
    else:
        lines.append(
            st.red(
                "  DISAGREE: the browser and the simulation differ (a corskit bug; please report it)"
            )
        )
        shown = b.console_message if b.browser == "chromium" else " | ".join(b.cors_messages)
        lines.append(f"    {name + ':':<11} {b.verdict}  {shown or ''}")
        lines.append(f"    simulation: {verdict}  {' | '.join(predicted)}")
    if b.browser == "firefox" and b.verdict != sim.verdict:
        lines.append(
            st.yellow(
                f"  Firefox and Chromium differ here: Firefox {b.verdict}, Chromium {sim.verdict}"
                " (the doctor's Chromium prediction)" + (f": {sim.message}" if sim.message else "")
            )
        )
    return lines


def _run_fetch(
    browser: str, url: str, origin: str, request: BrowserRequest, path: str | None
) -> BrowserOutcome:
    """One fetch from a page at *origin* in a fresh Chromium or Firefox (*path*: its binary)."""
    if browser == "firefox":
        from .firefox import FirefoxSession

        with FirefoxSession(firefox_path=path, targets=[url]) as firefox:
            return firefox.page(origin).fetch(request)
    with BrowserSession(chromium_path=path, targets=[url]) as session:
        return session.page(origin).fetch(request)


def _local_network_note(view: SimulationView, browser: str) -> str | None:
    """What Chromium would do outside the test run, where Local Network Access applies."""
    if view.cors_error not in (
        "LocalNetworkAccessPermissionDenied",
        "InsecureLocalNetwork",
        "InvalidLocalNetworkAccess",
    ):
        return None
    if browser == "firefox":
        return (
            f"Chromium (not Firefox) would stop here first: {view.cors_error} (Local Network"
            " Access, which Firefox does not enforce)"
        )
    return (
        f"outside this test run Chromium would stop here first: {view.cors_error} "
        "(Local Network Access; the browser run declared the target public)"
    )


def browser_check(
    target: str,
    *,
    origin: str,
    method: str = "GET",
    headers: Sequence[tuple[str, str]] = (),
    credentials: str = "same-origin",
    body: str | None = None,
    path: str | None = None,
    chromium_path: str | None = None,
    timeout: float = 10.0,
    browser: str = "chromium",
    firefox_path: str | None = None,
) -> BrowserCheck:
    """Run one ``corskit check`` request in Chromium (or Firefox, *browser* ``"firefox"``) and
    through the simulation of the same URL.

    Raises :class:`BrowserUnavailable` (one line) when the browser cannot run.
    """
    binary = firefox_path if browser == "firefox" else chromium_path
    if browser == "firefox":
        from .firefox_profile import find_firefox

        find_firefox(firefox_path)  # fail fast, before serving anything
    else:
        find_chromium(chromium_path)
    request = (method, tuple(headers), credentials, body)
    with serve_target(target, path or "/") as (url, served):
        url = add_cache_buster(url)
        fetch = BrowserRequest(url, method, tuple(headers), credentials, body)
        outcome = _run_fetch(browser, url, origin, fetch, binary)
        simulation: SimulationView | None = None
        error: str | None = None
        note: str | None = None
        try:
            # The browser run neutralises Local Network Access, so compare like with like...
            simulation = simulate_request(
                url, origin, *request, timeout=timeout, check_local_network=False
            )
            # ...and say so when a real Chromium would also have asked (or refused) LNA
            # (Firefox does not enforce it: then it is a difference between the two).
            if served is None:
                real = simulate_request(
                    url, origin, *request, timeout=timeout, local_network_permission=False
                )
                note = _local_network_note(real, browser)
        except SimulationUnavailable as exc:
            error = str(exc)
    return BrowserCheck(target, url, served, outcome, simulation, error, note)
