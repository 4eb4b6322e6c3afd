"""Each code of the problem catalogue: raised on the right field, with a concrete fix."""

from __future__ import annotations

import pytest

from corskit import CATALOGUE, CORSConfigError, CORSPolicy
from corskit.problems import Problem, escape

from .catalogue_cases import CASES, Case, run


def test_every_catalogue_code_has_a_test_case() -> None:
    assert set(CASES) == set(CATALOGUE), (
        "add a triggering configuration to tests/core/catalogue_cases.py"
    )


def test_catalogue_entries_are_complete() -> None:
    for code, info in CATALOGUE.items():
        assert info.code == code
        assert code == code.lower() and " " not in code
        assert info.title and info.why and info.fix
        assert info.severity in ("error", "warning")


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_code_is_reported(code: str) -> None:
    case: Case = CASES[code]
    info = CATALOGUE[code]
    problems, messages = run(case.snippet)
    assert [p.code for p in problems] == [code], case.snippet
    if info.severity == "warning":  # the policy is built, holds the warning and issues it
        assert any(f"[{code}]" in m for m in messages)
    problem = problems[0]
    assert problem.field == case.field
    if case.value is not None:
        assert problem.value == case.value
    assert problem.severity == info.severity
    assert problem.why == info.why
    for mention in case.fix_mentions:
        assert mention in problem.fix, f"fix {problem.fix!r} should mention {mention!r}"
    assert f"[{code}]" in str(problem)


def test_errors_are_value_errors_naming_every_code() -> None:
    with pytest.raises(CORSConfigError) as caught:
        CORSPolicy(allow_origins=["https://app.example.com/"])
    assert isinstance(caught.value, ValueError)
    assert caught.value.codes == ("origin-trailing-slash",)
    assert "[origin-trailing-slash]" in str(caught.value)


def test_several_problems_are_reported_together() -> None:
    with pytest.raises(CORSConfigError) as caught:
        CORSPolicy(
            allow_origins=["*", "https://app.example.com/", "null"],
            allow_credentials=True,
            allow_methods=["GET", "CONNECT", "PUT, DELETE"],
            allow_headers=["Cookie", "x-token"],
            expose_headers=["set-cookie"],
            allow_origin_regex="https://.*.example.com",
            max_age=-5,
        )
    codes = caught.value.codes
    assert set(codes) == {
        "wildcard-origin-with-credentials",
        "origin-trailing-slash",
        "origin-null",
        "method-forbidden",
        "method-invalid",
        "header-forbidden",
        "expose-header-forbidden",
        "regex-unescaped-dot",
        "max-age-out-of-range",
    }
    message = str(caught.value)
    assert message.startswith("corskit: 9 problems in the CORS configuration:")
    for code in codes:
        assert f"[{code}]" in message


def test_the_same_mistake_in_several_entries_is_reported_for_each() -> None:
    codes = [
        p.code
        for p in _problems(allow_origins=["https://a.example.com/", "https://b.example.com/"])
    ]
    assert codes == ["origin-trailing-slash", "origin-trailing-slash"]


def test_hostile_values_are_escaped_in_the_error() -> None:
    with pytest.raises(CORSConfigError) as caught:
        CORSPolicy(allow_origins=["https://a.example.com/\r\nX-Injected: 1"])
    message = str(caught.value)
    assert "\r" not in message
    assert not any(line.startswith("X-Injected") for line in message.splitlines())
    assert "\\x0d\\x0a" in message


def test_escape_cuts_long_values_and_escapes_control_characters() -> None:
    assert escape("a\nb\x00\u00e9\\") == "a\\x0ab\\x00\\xe9\\\\"
    long = escape("x" * 500, limit=10)
    assert long.startswith("x" * 10) and "(+490 chars)" in long


def test_problem_str_names_code_field_value_why_and_fix() -> None:
    problem = Problem("origin-trailing-slash", "allow_origins", "https://a.example/", "why", "fix")
    assert str(problem).splitlines() == [
        "[origin-trailing-slash] allow_origins: https://a.example/",
        "    why: why",
        "    fix: fix",
    ]


def _problems(**settings: object) -> tuple[Problem, ...]:
    try:
        CORSPolicy(**settings)  # type: ignore[arg-type]
    except CORSConfigError as exc:
        return exc.problems
    return ()
