"""Diagnose the requests of a HAR file offline, from what was recorded (no network).

:class:`RecordedTransport` answers the doctor's simulated browser from a
:class:`~.har.HarRequest`'s recording: the preflight with the recorded preflight response, the
request (and each redirect hop) with the recorded responses.  When the simulation needs a
response the HAR does not hold (no preflight recorded, as with Playwright's recorder, or a
request the browser never sent but the simulation would), it raises
:class:`NotRecorded` and the caller says so instead of guessing: ``--live`` re-sends the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from corskit.doctor.transports import TransportError, WireRequest, WireResponse

from .har import HarExchange, HarRequest
from .request import scrub_secrets

__all__ = ["HarVerdict", "NotRecorded", "RecordedTransport", "check_offline", "summary_rows"]


class NotRecorded(TransportError):
    """The simulation needs a response the HAR does not hold."""


def _wire(exchange: HarExchange) -> WireResponse:
    if exchange.status is None:
        raise NotRecorded(f"no response was recorded for {exchange.method} {exchange.url}")
    return WireResponse(exchange.status, list(exchange.response_headers), b"", exchange.url)


class RecordedTransport:
    """A doctor transport that replays one :class:`HarRequest`'s recording."""

    def __init__(self, item: HarRequest) -> None:
        self.item = item

    def send(self, request: WireRequest) -> WireResponse:
        """The recorded response for *request* (raises :class:`NotRecorded`)."""
        if request.method == "OPTIONS" and request.get("access-control-request-method"):
            if self.item.preflight is None:
                why = (
                    "the HAR holds no preflight entries (Playwright's recorder, for one, keeps none)"
                    if not self.item.has_preflights
                    else "no preflight was recorded for it"
                )
                raise NotRecorded(f"the request needs a preflight and {why}")
            return _wire(self.item.preflight)
        for hop in self.item.hops:
            if hop.url == request.url:
                return _wire(hop)
        raise NotRecorded(
            f"the browser never sent {request.method} {request.url} (so there is no response to"
            " check); re-send it with --live"
        )

    def close(self) -> None:
        """Nothing to release."""


@dataclass
class HarVerdict:
    """The offline diagnosis of one :class:`HarRequest`: the doctor's ``outcome`` and
    ``diagnosis``, or ``unavailable`` (why it could not be diagnosed offline)."""

    item: HarRequest
    outcome: Any = None
    diagnosis: Any = None
    unavailable: str | None = None

    @property
    def verdict(self) -> str:
        """``allowed``, ``blocked`` or ``unknown``."""
        return "unknown" if self.outcome is None else str(self.outcome.verdict)

    @property
    def cause(self) -> str:
        """The symptom code, or why there is none."""
        if self.outcome is None:
            return f"not diagnosable offline: {self.unavailable}"
        if self.outcome.verdict == "allowed":
            return "-"
        return str(self.diagnosis.symptom or self.outcome.cors_error)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form; header values are masked."""
        req = self.item.request
        data: dict[str, Any] = {
            "index": self.item.index,
            "method": req.method,
            "url": req.url,
            "origin": req.origin,
            "kind": self.item.kind,
            "credentials": req.credentials,
            "headers": [list(h) for h in req.masked_headers()],
            "failed_in_browser": self.item.failed_in_browser,
            "verdict": self.verdict,
            "symptom": None,
            "cors_error": None,
            "chromium_message": None,
            "cause": None,
            "fix": None,
            "fix_text": None,
            "unavailable": self.unavailable,
        }
        if self.outcome is not None:
            from corskit.doctor.render import fix_json

            primary = self.diagnosis.primary
            blocked = self.outcome.verdict == "blocked"
            explained = blocked and primary is not None
            data.update(
                symptom=self.diagnosis.symptom if blocked else None,
                cors_error=self.outcome.cors_error,
                chromium_message=self.outcome.chromium_message,
                cause=primary.cause if explained else None,
                fix=fix_json(self.diagnosis) if explained else None,
                fix_text=primary.fix if explained else None,
            )
        return data


def _diagnose(
    item: HarRequest, transport: Any, credentials: str | None, **options: Any
) -> HarVerdict:
    """Simulate *item*'s request over *transport* and diagnose it."""
    from corskit.doctor.diagnose import diagnose
    from corskit.doctor.fetch import FetchInputError, simulate
    from corskit.doctor.verify import verify_diagnosis

    req = item.request
    if req.origin is None:
        return HarVerdict(item, unavailable="the HAR does not say which page sent it")
    try:
        outcome = simulate(
            transport,
            req.url,
            origin=req.origin,
            method=req.method,
            headers=list(req.script_headers),
            credentials=credentials or req.credentials,  # type: ignore[arg-type]
            body=req.body,
            kind=item.kind,
            cookie=req.cookie,
            **options,
        )
    except TransportError as exc:  # NotRecorded included
        return HarVerdict(item, unavailable=str(exc))
    except FetchInputError as exc:
        return HarVerdict(item, unavailable=f"the request cannot be simulated: {exc}")
    finally:
        transport.close()
    diagnosis = diagnose(outcome, None, in_process=False)
    # the server that answered is known by its URL only: its fix cannot be tried on a copy
    diagnosis.verification = verify_diagnosis(diagnosis, None, req.url, {})
    return HarVerdict(item, outcome, diagnosis)


def check_offline(item: HarRequest, *, credentials: str | None = None) -> HarVerdict:
    """Run the doctor's simulation for *item* against its recording.  *credentials* overrides
    the mode read from the HAR (which shows ``include`` only when a cookie was sent)."""
    return _diagnose(item, RecordedTransport(item), credentials, target_address_space=None)


def check_live(
    item: HarRequest, *, timeout: float = 10.0, credentials: str | None = None
) -> HarVerdict:
    """Re-send *item*'s request to its server (``--har --live``) and diagnose the answer."""
    from corskit.doctor.transports import HTTPTransport

    return _diagnose(item, HTTPTransport(timeout=timeout), credentials)


def summary_rows(results: list[HarVerdict]) -> list[tuple[str, str, str]]:
    """(request, verdict, cause) rows for the summary table; nothing secret in them."""
    return [(r.item.label, r.verdict, r.cause) for r in results]


def scrub(text: str, results: list[HarVerdict]) -> str:
    """*text* with every cookie and credential value of *results* masked."""
    for r in results:
        text = scrub_secrets(text, r.item.request.headers)
    return text


def _cell(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_har_report(results: list[HarVerdict], *, colour: bool = False) -> str:
    """The text of ``corskit check --har``: a table (request, verdict, cause), then the full
    diagnosis of every blocked request.  Cookies and credentials are masked."""
    from corskit.doctor.render import render_text

    if not results:
        return "No cross-origin fetch/XHR requests in this HAR file.\n"
    rows = summary_rows(results)
    width = min(70, max(len(r[0]) for r in rows))
    out = [f"{'request'.ljust(width)}  {'verdict'.ljust(8)}  cause"]
    out += [f"{_cell(a, width).ljust(width)}  {b.ljust(8)}  {c}" for a, b, c in rows]
    for r in results:
        if r.outcome is not None and r.outcome.verdict == "blocked":
            out += ["", "=" * 100, ""]
            out.append(render_text(r.outcome, r.diagnosis, colour=colour).rstrip("\n"))
    blocked = sum(1 for r in results if r.verdict == "blocked")
    unknown = sum(1 for r in results if r.verdict == "unknown")
    out += ["", f"{len(results)} requests: {blocked} blocked, {unknown} not diagnosable offline"]
    return scrub("\n".join(out) + "\n", results)


def har_json(results: list[HarVerdict]) -> list[dict[str, Any]]:
    """``corskit check --har --json``: one object per request (values masked)."""
    import json

    return [json.loads(scrub(json.dumps(r.to_json()), results)) for r in results]
