"""Every symptom users report: verdict, exact Chromium message, symptom and fix,
in-process and against a real server by URL."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from corskit.doctor.appinfo import find_cors_settings
from corskit.doctor.diagnose import Diagnosis, diagnose
from corskit.doctor.fetch import Outcome, simulate
from corskit.doctor.transports import HTTPTransport, transport_for_app
from tests.servers import serve_asgi, serve_wsgi

from .symptom_apps import CASES, Case

IDS = [c.id for c in CASES]
pytestmark = pytest.mark.filterwarnings("ignore::corskit.CORSConfigWarning")


def _run(
    case: Case,
    transport: Any,
    base: str,
    *,
    in_process: bool,
    settings: Any = None,
    app: Any = None,
) -> tuple[Outcome, Diagnosis]:
    outcome = simulate(
        transport,
        base + case.path,
        origin=case.origin,
        method=case.method,
        headers=case.headers,
        credentials=case.credentials,  # type: ignore[arg-type]
        target_address_space=("loopback" if case.lna else None) if in_process else "auto",
        local_network_permission=not case.lna,
    )
    return outcome, diagnose(outcome, settings, in_process=in_process, app=app)


def _check(
    case: Case, outcome: Outcome, diagnosis: Diagnosis, base: str, alt: str, *, by_url: bool
) -> None:
    assert outcome.verdict == case.verdict, outcome.steps
    assert outcome.cors_error == case.cors_error
    expected = case.message.format(base=base, alt=alt) if case.message else None
    assert outcome.chromium_message == expected
    if case.cors_error:
        assert outcome.firefox_message is None or outcome.firefox_message.startswith(
            "Cross-Origin Request Blocked"
        )
    codes = [f.code for f in diagnosis.findings]
    if case.finding:
        assert case.finding in codes, diagnosis.findings
        found = next(f for f in diagnosis.findings if f.code == case.finding)
    else:
        symptom = (case.url_symptom or case.symptom) if by_url else case.symptom
        assert diagnosis.symptom == symptom, diagnosis.findings
        found = diagnosis.primary  # type: ignore[assignment]
        assert found is not None
    fixes = case.url_fix if by_url and case.url_fix is not None else case.fix
    for needle in fixes:
        assert needle.format(base=base, alt=alt) in found.fix + " " + found.cause, (needle, found)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_symptom_in_process(case: Case) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        app = case.factory()
    transport = transport_for_app(app)
    try:
        outcome, diagnosis = _run(
            case,
            transport,
            "http://testserver",
            in_process=True,
            settings=find_cors_settings(app),
            app=app,
        )
    finally:
        transport.close()
    _check(case, outcome, diagnosis, "http://testserver", "http://other.testserver", by_url=False)


@pytest.fixture(scope="module")
def http() -> Iterator[HTTPTransport]:
    transport = HTTPTransport(timeout=10)
    yield transport
    transport.close()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_symptom_by_url(case: Case, http: HTTPTransport) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        app = case.factory()
    serve = serve_wsgi if case.wsgi else serve_asgi
    with serve(app) as base:
        alt = base.replace("127.0.0.1", "localhost")
        outcome, diagnosis = _run(case, http, base, in_process=False)
    _check(case, outcome, diagnosis, base, alt, by_url=True)


def test_every_point_4_symptom_has_a_case() -> None:
    named = {c.symptom for c in CASES} | {c.finding for c in CASES if c.finding}
    for code in (
        "origin-not-allowed",
        "cors-middleware-missing",
        "wildcard-with-credentials",
        "preflight-rejected",
        "method-not-allowed",
        "header-not-allowed",
        "authorization-wildcard",
        "lowercase-method",
        "credentials-not-allowed",
        "cookie-not-sent",
        "origin-typo",
        "localhost-vs-127",
        "duplicate-acao",
        "max-age-capped",
        "local-network-access",
    ):
        assert code in named
