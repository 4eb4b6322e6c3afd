"""allow_origin_regex: regexes that let anyone in with credentials are refused, and so is
every regex that cannot be shown to match in linear time (ReDoS)."""

from __future__ import annotations

import time
import warnings

import pytest

from corskit import CORSConfigError, CORSConfigWarning, CORSPolicy


def _codes(regex: str, **settings: object) -> list[str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CORSConfigWarning)
            CORSPolicy(allow_origin_regex=regex, **settings)  # type: ignore[arg-type]
    except CORSConfigError as exc:
        return [p.code for p in exc.problems]
    return []


@pytest.mark.parametrize(
    ("regex", "code"),
    [
        ("http://.*", "regex-matches-everything"),
        (r"https?://.*", "regex-matches-everything"),
        (r"https://.*\.com", "public-suffix-wildcard-with-credentials"),
        (r"https://.+\.(com|net|org|io)", "public-suffix-wildcard-with-credentials"),
        (r"https://[a-z0-9-]+\.github\.io", "public-suffix-wildcard-with-credentials"),
        (r"https://([a-z0-9-]+\.)*co\.uk", "public-suffix-wildcard-with-credentials"),
        (r"https?://app\.example\.com", "insecure-origin-with-credentials"),
        (r"http://([a-z]+\.)*example\.com", "insecure-origin-with-credentials"),
        (r"http://app\.example\.com:8080", "insecure-origin-with-credentials"),
    ],
)
def test_regexes_allowing_anyone_with_credentials_are_refused(regex: str, code: str) -> None:
    assert code in _codes(regex, allow_credentials=True)


def test_opt_ins_and_loopback_still_work() -> None:
    assert _codes(r"http://localhost:\d+", allow_credentials=True) == []
    assert _codes(r"http://127\.0\.0\.1:\d+", allow_credentials=True) == []
    assert (
        _codes(
            r"https?://app\.example\.com",
            allow_credentials=True,
            dangerously_tolerate_insecure_origins=True,
        )
        == []
    )
    assert (
        _codes(
            r"https://[a-z0-9-]+\.github\.io",
            allow_credentials=True,
            dangerously_tolerate_public_suffix_wildcards=True,
        )
        == []
    )
    assert _codes(r"https://([a-z0-9-]+\.)*example\.com", allow_credentials=True) == []
    assert _codes(r"https://.*\.com") == []  # without credentials: every .com may read public data


REDOS = [
    r"https://([a-z0-9]+)*\.example\.com",
    r"https://(\w+\.?)+\.example\.com",
    r"https://(a|ab)*\.example\.com",
    r"https://([a-z]+)+\.example\.com",
    r"https://[a-z]*[a-z]*\.example\.com",
    r"https://.*\..*\.example\.com",
    r"https://(?=a)[a-z]+\.example\.com",
    r"https://(a)\1\.example\.com",
]


@pytest.mark.parametrize("regex", REDOS)
def test_regexes_that_cannot_be_shown_linear_are_refused_at_start_up(regex: str) -> None:
    assert _codes(regex) == ["regex-not-linear"]


ACCEPTED = [
    r"https://([a-z0-9-]+\.)*example\.com",
    r"https://([a-z0-9-]{1,63}\.)*example\.com(:\d+)?",
    r"https://(app|admin)\.example\.com",
    r"https://[a-z]+-pr-\d+\.preview\.example\.com",
    r"https://.*\.example\.com",
    r"http://localhost:\d+",
]


@pytest.mark.parametrize("regex", ACCEPTED)
def test_accepted_regexes_stay_fast_on_crafted_origins(regex: str) -> None:
    from corskit.regex_linear import regex_linear_problem

    assert regex_linear_problem(regex) is None
    policy = CORSPolicy(allow_origin_regex=regex)
    crafted = [
        "https://" + "a" * 500 + "!",
        "https://" + "a." * 250 + "!",
        "https://" + "a-" * 250 + ".example.co",
        "https://" + "1" * 500,
        "http://localhost:" + "1" * 490 + "x",
    ]
    start = time.perf_counter()
    for origin in crafted:
        for _ in range(20):
            policy.matcher.matches(origin.encode())
    assert time.perf_counter() - start < 0.5  # about 1 ms on a laptop; 500x margin


@pytest.mark.parametrize(
    "regex",
    [
        r"https://(?>a+)\.example\.com",
        r"https://a++\.example\.com",
        r"(a)?(?(1)b|c)",
        r"(?x) https:// a \. example \. com",
        r"\Ahttps://app\.example\.com\Z",
        "https://" + "(a|" * 40 + "b" + ")" * 40,
        r"((((((((a+\.)*)*)*)*)*)*)*)*",
    ],
)
def test_unusual_regexes_are_analysed_without_crashing(regex: str) -> None:
    from corskit.regex_linear import regex_linear_problem

    why = regex_linear_problem(regex)
    assert why is None or isinstance(why, str)
    _codes(regex)  # refused or accepted, never an exception
