"""The doctor on the corpus, in-process (no browser): for every case it finds the request
blocked, names the confirmed cause, prints a fix that is applicable as written and shows the
values of its structured fix; it verifies that fix on a copy of the app, or says why it
cannot, as the case table expects; the doctor then finds its own fixed app, and the true
fix, allowing the request. Chromium's word on the same apps is in test_corpus_chromium.py."""

from __future__ import annotations

import pytest

from corskit.doctor.verify import Verification
from tests.corpus.cases import CASES, NOT_CHECKED, VERIFIED, Case
from tests.corpus.fixing import (
    apply_fix,
    broken,
    diagnose_case,
    printed_values_missing,
    true_fix,
)

IDS = [case.id for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_doctor_names_the_confirmed_cause(case: Case) -> None:
    outcome, diagnosis = diagnose_case(case, broken(case))
    assert outcome.verdict == "blocked", outcome.chromium_message
    assert outcome.chromium_message, "the doctor predicts a console message"
    primary = diagnosis.primary
    assert primary is not None and primary.severity == "error"
    detail = f"\n{primary.code}: {primary.cause}\nfix: {primary.fix}"
    assert primary.code == case.cause, detail
    assert case.phrase.lower() in primary.cause.lower(), detail
    assert printed_values_missing(case, primary) == [], detail


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_doctor_verifies_its_fix_as_expected(case: Case) -> None:
    """A fix that changes the settings of a layer the doctor found is verified on a copy of
    the app; any other fix is named with the reason the doctor cannot try it."""
    _, diagnosis = diagnose_case(case, broken(case), verify=True)
    primary, checked = diagnosis.primary, diagnosis.verification
    assert primary is not None and checked is not None
    detail = f"\n{primary.code}: {primary.fix}\n{checked}"
    if case.verification == VERIFIED:
        assert primary.change is not None, detail
        assert checked == Verification(True), detail
    else:
        assert checked.verified is None, detail
        assert NOT_CHECKED[case.verification] in (checked.reason or ""), detail


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_doctor_fix_applied_literally_allows_the_request(case: Case) -> None:
    _, diagnosis = diagnose_case(case, broken(case))
    assert diagnosis.primary is not None
    fixed = apply_fix(case, diagnosis.primary)
    outcome, after = diagnose_case(case, fixed)
    assert outcome.verdict == "allowed", (
        f"{fixed.how}: {fixed.config} {fixed.shape} {fixed.path}\n"
        f"{outcome.chromium_message}\n{after.cause}"
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_true_fix_allows_the_request(case: Case) -> None:
    outcome, _ = diagnose_case(case, true_fix(case))
    assert outcome.verdict == "allowed", outcome.chromium_message


def test_corpus_covers_every_framework_and_library() -> None:
    pairs = {(c.framework, c.library) for c in CASES}
    assert {
        ("fastapi", "starlette"),
        ("starlette", "starlette"),
        ("flask", "flask-cors"),
        ("flask", "corskit"),
        ("django", "django-cors-headers"),
        ("django", "corskit"),
        ("litestar", "litestar"),
    } <= pairs
    assert len(CASES) >= 30
    assert all(c.source.startswith("https://") for c in CASES)
