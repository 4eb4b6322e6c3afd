"""The project's WPT-derived CORS suite: every expressible case of the web-platform-tests'
cors/, fetch/api/cors/ and cross-origin fetch/api/redirect/ tests (docs/wpt.md), run in real
headless Chromium and through the doctor; both must agree on the verdict, whether a preflight
was sent, which response headers the page can read, and the console line.

One Chromium launch runs every case (about a minute); the summary (counts per aspect, the
runtimes, Chromium's departures from the tests' expectations) is printed and written to
``artifacts/wpt-cors.json``.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.doctor.browser.wpt.cases import SKIPPED, all_cases
from tests.doctor.browser.wpt.model import LENIENT, WPT_COMMIT, Case
from tests.doctor.browser.wpt.runner import ASPECTS, Comparison, run_chromium, run_doctor
from tests.doctor.browser.wpt.server import wpt_server

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

CASES = all_cases()

#: Where Chromium itself departs from what the web-platform-tests expect, and why.
CHROMIUM_DEPARTURES = {
    "f-star-33": "Chromium still lets Access-Control-Allow-Headers: * cover Authorization "
    "(it reports the deprecation AuthorizationCoveredByWildcard); Fetch does not",
    **{
        f"f-preredir-{n:02d}": "Chromium follows a redirect of the actual request after a "
        "successful preflight; the test expects a network error"
        for n in (2, 4, 6, 8, 10)
    },
}

#: Doctor-vs-Chromium disagreements that stay, and why (each one is an expected failure).
DOCTOR_KNOWN: dict[str, str] = {}


#: The doctor's lenient HTTP/1.1 response reader (``corskit.doctor.http1``) reads header values
#: with a NUL, a vertical tab or a form feed as Chromium does; with it those cases must agree.
LENIENT_READER = importlib.util.find_spec("corskit.doctor.http1") is not None


def _param(case: Case) -> object:
    reason = case.doctor_xfail or DOCTOR_KNOWN.get(case.id)
    if reason == LENIENT and LENIENT_READER:
        reason = None
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(case.id, id=case.id, marks=marks)


def summary(comparison: Comparison, cases: list[Case]) -> dict[str, object]:
    """Counts per aspect, runtimes and Chromium's departures from the tests' expectations."""
    agree = {a: sum(a not in comparison.differences(c.id) for c in cases) for a in ASPECTS}
    departures = sorted(c.id for c in cases if comparison.chromium[c.id].verdict != c.wpt)
    return {
        "wpt_commit": WPT_COMMIT,
        "chromium": comparison.version,
        "cases": len(cases),
        "skipped": sum(s.count for s in SKIPPED),
        "chromium_agrees_with_wpt": len(cases) - len(departures),
        "chromium_departures": departures,
        "doctor_agrees_with_chromium": agree,
        "doctor_agrees_on_all": sum(not comparison.differences(c.id) for c in cases),
        "seconds": {k: round(v, 1) for k, v in comparison.seconds.items()},
    }


@pytest.fixture(scope="module")
def comparison(chromium: str, artifacts: Path) -> Iterator[Comparison]:
    with wpt_server() as (_server, origins):
        cases = all_cases(origins)
        result = Comparison()
        run_chromium(cases, origins, chromium, result)
        run_doctor(cases, result)
    report = summary(result, cases)
    print("\nWPT-derived CORS suite:", json.dumps(report, indent=1))
    (artifacts / "wpt-cors.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    yield result


@pytest.mark.parametrize("case_id", [_param(c) for c in CASES])
def test_doctor_agrees_with_chromium(comparison: Comparison, case_id: str) -> None:
    chromium, doctor = comparison.chromium[case_id], comparison.doctor[case_id]
    assert doctor.error is None, doctor.error
    detail = "\n".join(
        f"{a}:\n  Chromium: {chromium.aspect(a)!r}\n  doctor:   {doctor.aspect(a)!r}"
        for a in comparison.differences(case_id)
    )
    assert not detail, detail


def test_chromium_departs_from_wpt_only_where_known(comparison: Comparison) -> None:
    """Chromium gives what the tests expect except where it is known to depart; this also
    checks that the suite's server answers as the tests' handlers do."""
    departures = {c.id for c in CASES if comparison.chromium[c.id].verdict != c.wpt}
    assert departures == set(CHROMIUM_DEPARTURES)


def test_chromium_run_is_bounded(comparison: Comparison) -> None:
    assert comparison.seconds["chromium"] < 240, comparison.seconds
