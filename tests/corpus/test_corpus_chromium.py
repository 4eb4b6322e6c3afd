"""The corpus in real headless Chromium: every case's broken app, the app with the doctor's
fix applied literally and the app with the true fix, served by uvicorn (FastAPI, Starlette,
Litestar) or a WSGI server (Flask, Django) on 127.0.0.1 and fetched from a page with the
case's origin; one browser for the module.

Per case: Chromium blocks the broken app's request, and the doctor's simulation of the same
request over HTTP gives Chromium's verdict and its console message word for word; the doctor
names the confirmed cause; Chromium allows the request once the doctor's fix is applied (the
first try); and it allows it with the true fix. ``artifacts/corpus-summary.json`` gets the
counts, the number of cases per framework and how the doctor's own check of its fixes (on a
copy of the app, in-process) came out.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from corskit.doctor.browser import (
    BrowserOutcome,
    BrowserSession,
    SimulationView,
)
from corskit.doctor.verify import Verification
from tests.corpus.cases import CASES, Case
from tests.corpus.fixing import Variant, apply_fix, broken, diagnose_case, true_fix
from tests.doctor.browser.replay import browser_request, simulate
from tests.servers import serve_asgi, serve_wsgi

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASGI_FRAMEWORKS = ("fastapi", "starlette", "litestar")
KINDS = ("broken", "doctor", "true")


def _key(query: str) -> str:
    return (parse_qs(query).get("corpus") or [""])[0]


class AsgiDispatcher:
    """Routes ``?corpus=<case>.<kind>`` to that app."""

    def __init__(self) -> None:
        self.apps: dict[str, Any] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        app = self.apps.get(_key(scope.get("query_string", b"").decode("latin-1")))
        if app is None:
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await app(scope, receive, send)


class WsgiDispatcher:
    def __init__(self) -> None:
        self.apps: dict[str, Any] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        app = self.apps.get(_key(environ.get("QUERY_STRING", "")))
        if app is None:
            start_response("404 Not Found", [("Content-Length", "0")])
            return [b""]
        return app(environ, start_response)


@dataclass
class Result:
    case: Case
    code: str | None
    cause: str
    fix: str
    how: str
    browser: dict[str, BrowserOutcome]
    simulated: SimulationView
    verification: Verification | None


@pytest.fixture(scope="module")
def results(chromium: str, artifacts: Path) -> Iterator[dict[str, Result]]:
    started = time.monotonic()
    asgi, wsgi = AsgiDispatcher(), WsgiDispatcher()
    plan: dict[str, tuple[Any, dict[str, Variant]]] = {}
    for case in CASES:
        _, diagnosis = diagnose_case(case, broken(case), verify=True)
        assert diagnosis.primary is not None, case.id
        variants = {
            "broken": broken(case),
            "doctor": apply_fix(case, diagnosis.primary),
            "true": true_fix(case),
        }
        target = asgi if case.framework in ASGI_FRAMEWORKS else wsgi
        for kind, variant in variants.items():
            target.apps[f"{case.id}.{kind}"] = variant.served(case)
        plan[case.id] = (diagnosis, variants)
    out: dict[str, Result] = {}
    with serve_asgi(asgi) as asgi_base, serve_wsgi(wsgi) as wsgi_base:
        with BrowserSession(chromium_path=chromium, targets=[asgi_base, wsgi_base]) as session:
            for case in CASES:
                diagnosis, variants = plan[case.id]
                base = asgi_base if case.framework in ASGI_FRAMEWORKS else wsgi_base
                page = session.page(case.origin)
                seen: dict[str, BrowserOutcome] = {}
                for kind in KINDS:
                    url = f"{base}{variants[kind].path}?corpus={case.id}.{kind}"
                    seen[kind] = page.fetch(browser_request(url, case), settle_ms=800)
                url = f"{base}{case.path}?corpus={case.id}.broken"
                simulated = simulate(url, case.origin, case)
                primary = diagnosis.primary
                out[case.id] = Result(
                    case,
                    primary.code,
                    primary.cause,
                    primary.fix,
                    variants["doctor"].how,
                    seen,
                    simulated,
                    diagnosis.verification,
                )
    _write_summary(out, artifacts, time.monotonic() - started)
    yield out


def _write_summary(out: dict[str, Result], artifacts: Path, seconds: float) -> None:
    rows = []
    for r in out.values():
        rows.append(
            {
                "id": r.case.id,
                "framework": r.case.framework,
                "library": r.case.library,
                "source": r.case.source,
                "cause": r.code,
                "verdict_right": r.simulated.verdict == r.browser["broken"].verdict,
                "message_right": r.simulated.message == r.browser["broken"].console_message,
                "cause_right": r.code == r.case.cause and r.case.phrase.lower() in r.cause.lower(),
                "first_try_fix_right": r.browser["doctor"].verdict == "allowed",
                "true_fix_allowed": r.browser["true"].verdict == "allowed",
                "fix_applied_as": r.how,
                "fix_verified": r.verification.verified if r.verification else None,
                "not_verified_reason": r.verification.reason if r.verification else None,
                "verification_expected": r.case.verification,
            }
        )
    counts = {
        key: sum(1 for row in rows if row[key])
        for key in (
            "verdict_right",
            "message_right",
            "cause_right",
            "first_try_fix_right",
            "true_fix_allowed",
        )
    }
    summary = {
        "cases": len(rows),
        "counts": counts,
        "verification": _verification_counts(rows),
        "per_framework": dict(Counter(row["framework"] for row in rows)),
        "per_library": dict(Counter(f"{row['framework']}/{row['library']}" for row in rows)),
        "seconds": round(seconds, 1),
        "rows": rows,
    }
    (artifacts / "corpus-summary.json").write_text(json.dumps(summary, indent=2) + "\n")


def _verification_counts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """How the doctor's check of its own fixes came out: verified (the same request passed on
    a copy of the app with the fix), refused (it still failed, or the change is refused), not
    verified, with the number of cases per kind of reason the case table expects."""
    verdicts = [row["fix_verified"] for row in rows]
    return {
        "verified": verdicts.count(True),
        "refused": verdicts.count(False),
        "not_verified": verdicts.count(None),
        "not_verified_by_kind": dict(
            Counter(row["verification_expected"] for row in rows if row["fix_verified"] is None)
        ),
    }


IDS = [case.id for case in CASES]


def _detail(r: Result) -> str:
    b = r.browser["broken"]
    return (
        f"\nChromium: {b.verdict} {b.console_message}"
        f"\ndoctor:   {r.simulated.verdict} {r.simulated.message}"
        f"\ncause:    {r.code}: {r.cause}\nfix:      {r.fix}"
    )


@pytest.mark.parametrize("cid", IDS)
def test_chromium_blocks_and_the_doctor_says_what_chromium_says(
    results: dict[str, Result], cid: str
) -> None:
    r = results[cid]
    b = r.browser["broken"]
    assert b.verdict == "blocked", _detail(r)
    assert r.simulated.verdict == b.verdict, _detail(r)
    assert r.simulated.message == b.console_message, _detail(r)


@pytest.mark.parametrize("cid", IDS)
def test_the_doctor_names_the_confirmed_cause(results: dict[str, Result], cid: str) -> None:
    r = results[cid]
    assert r.code == r.case.cause, _detail(r)
    assert r.case.phrase.lower() in r.cause.lower(), _detail(r)


@pytest.mark.parametrize("cid", IDS)
def test_chromium_allows_the_doctor_fix_on_the_first_try(
    results: dict[str, Result], cid: str
) -> None:
    r = results[cid]
    after = r.browser["doctor"]
    assert after.verdict == "allowed", f"{_detail(r)}\napplied as {r.how}: {after.console_message}"


@pytest.mark.parametrize("cid", IDS)
def test_chromium_allows_the_true_fix(results: dict[str, Result], cid: str) -> None:
    after = results[cid].browser["true"]
    assert after.verdict == "allowed", after.console_message
