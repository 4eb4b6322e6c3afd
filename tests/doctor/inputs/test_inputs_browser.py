"""Every input, recorded from real headless Chromium, leads to the verdict and cause of
``corskit check`` on the live request.

For each case of scenario_server.CASES (23: allowed and blocked, simple and preflighted, with
credentials, redirects), the page at ``http://localhost:F`` runs the case's fetch()/XHR against
the live API at ``http://127.0.0.1:A`` in headless Chromium, which records: what the script saw,
the console lines (Playwright's console events), DevTools' own "Copy as cURL" (bash, cmd) and
"Copy as fetch" of each request, DevTools' HAR (with preflights) and Playwright's HAR
(``record_har_path``, without preflights).  Then, per case:

* ``check`` (the reference): the doctor's simulation against the live server, by URL;
* the browser agrees with it (resolved = allowed; when blocked, the console line is the one the
  doctor prints);
* the HAR offline (DevTools' and Playwright's, where it holds what is needed), the HAR's request
  re-sent live, the cURL copies and the fetch copy re-sent live, and the console message through
  ``parse_console_message`` all give the same verdict, and the same cause (symptom code, or the
  Chromium error for the console message).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corskit.doctor.diagnose import diagnose
from corskit.doctor.fetch import simulate
from corskit.doctor.inputs.console import parse_console_message
from corskit.doctor.inputs.curl import parse_curl
from corskit.doctor.inputs.fetchcopy import parse_fetch_copy
from corskit.doctor.inputs.har import HarRequest, parse_har
from corskit.doctor.inputs.har_check import check_offline
from corskit.doctor.inputs.request import CopiedRequest
from corskit.doctor.transports import HTTPTransport
from tests.doctor.browser.conftest import require_browser
from tests.servers import free_port, serve_asgi

from .record_devtools import run_in_chromium
from .scenario_server import CASES, build_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    require_browser()
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    async def page(request: Any) -> HTMLResponse:
        return HTMLResponse("<!doctype html><link rel=icon href='data:,'><title>front</title>")

    front_port, api_port = free_port(), free_port()
    front_origin = f"http://localhost:{front_port}"
    har_path = tmp_path_factory.mktemp("har") / "playwright.har"
    calls = [
        (c.name, f"(() => {{ const C = API + '/s/{c.name}'; return {c.call}; }})()") for c in CASES
    ]
    with contextlib.ExitStack() as stack:
        stack.enter_context(serve_asgi(Starlette(routes=[Route("/", page)]), port=front_port))
        api_url = stack.enter_context(serve_asgi(build_app(front_origin), port=api_port))
        run = run_in_chromium(
            None, None, calls, front_port=front_port, api_port=api_port, har_path=har_path
        )
        run["playwright_har"] = json.loads(Path(har_path).read_text())
        run["front"] = front_origin
        run["api"] = api_url
        yield run


def live_check(
    request: CopiedRequest, kind: str = "fetch", credentials: str | None = None
) -> tuple[str, str | None, str | None, str | None]:
    """(verdict, symptom, chromium message) of the doctor on the live server; *credentials*
    overrides the copy's mode (as ``corskit check --credentials`` does)."""
    assert request.origin is not None
    transport = HTTPTransport(timeout=10)
    try:
        outcome = simulate(
            transport,
            request.url,
            origin=request.origin,
            method=request.method,
            headers=list(request.script_headers),
            credentials=credentials or request.credentials,  # type: ignore[arg-type]
            body=request.body,
            kind=kind,
            cookie=request.cookie,
            target_address_space=None,
        )
    finally:
        transport.close()
    diagnosis = diagnose(outcome, None, in_process=False)
    symptom = diagnosis.symptom if outcome.verdict == "blocked" else None
    return outcome.verdict, symptom, outcome.chromium_message, outcome.cors_error


def _for_case(items: list[HarRequest], name: str) -> HarRequest:
    found = [i for i in items if i.request.url.split("?")[0].endswith(f"/s/{name}")]
    assert found, f"{name} is not in the HAR"
    return found[0]


def _copies(run: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [
        r for r in run["requests"] if r["url"].endswith(f"/s/{name}") and r["method"] != "OPTIONS"
    ]


def test_enough_scenarios_both_verdicts(session: dict[str, Any]) -> None:
    results = session["results"]
    assert len(results) >= 20
    resolved = [n for n, r in results.items() if r.startswith("resolved")]
    rejected = [n for n, r in results.items() if r.startswith("rejected")]
    assert len(resolved) >= 5 and len(rejected) >= 12, results


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_input_agrees_with_check(session: dict[str, Any], case: Any) -> None:
    name = case.name
    browser_allowed = session["results"][name].startswith("resolved")
    kind = "XMLHttpRequest" if name.startswith("xhr") else "fetch"
    # A recording cannot show credentials: 'include' when no cookie was sent (there is none
    # here), so for those cases the mode is given, as `corskit check --credentials include`.
    mode = "include" if "credentials: 'include'" in case.call else None
    devtools = _for_case(parse_har(json.dumps(session["har"])), name)
    # the reference: corskit check on the live request (the HAR's request, re-sent)
    verdict, symptom, message, error = live_check(devtools.request, kind, mode)
    assert (verdict == "allowed") == browser_allowed, (name, session["results"][name], message)
    console = [c for c in session["console"].get(name, []) if "blocked by CORS policy" in c]
    if not browser_allowed:
        assert console == [message]
        parsed = parse_console_message("\n".join(session["console"][name]))
        assert parsed.cors_error == error
    # the HAR offline (DevTools' HAR records preflights)
    offline = check_offline(devtools, credentials=mode)
    assert offline.outcome is not None, offline.unavailable
    offline_symptom = offline.diagnosis.symptom if offline.verdict == "blocked" else None
    assert (offline.verdict, offline_symptom) == (verdict, symptom)
    assert offline.outcome.chromium_message == message
    # Playwright's HAR: no preflights, so only what it holds can be diagnosed offline
    recorded = _for_case(parse_har(json.dumps(session["playwright_har"])), name)
    pw = check_offline(recorded, credentials=mode)
    if pw.outcome is not None:
        assert pw.verdict == verdict
    else:
        assert "preflight" in (pw.unavailable or "") or "never sent" in (pw.unavailable or "")
    assert live_check(recorded.request, kind, mode)[:2] == (verdict, symptom)
    # the DevTools copies of the request, re-sent.  A copy cannot show credentials: 'include'
    # when no cookie was sent (there is none here), so for those cases the user adds
    # --credentials include, as the page's code says.
    mode = (
        "include"
        if "credentials: 'include'" in case.call or "withCredentials" in case.call
        else None
    )
    copies = _copies(session, name)
    assert copies, f"no DevTools copy for {name}"
    copied_requests: list[CopiedRequest] = [
        parse_curl(copies[0]["curl_bash"]),
        parse_curl(copies[0]["curl_cmd"]),
    ]
    copied_requests.append(parse_fetch_copy(copies[0]["fetch"]))
    for copied in copied_requests:
        assert live_check(copied, kind, mode)[:2] == (verdict, symptom), copied.source
