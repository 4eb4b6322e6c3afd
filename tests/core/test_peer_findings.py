"""Findings from running the peers' test suites (jub0bs/cors, rs/cors, express cors,
django-cors-headers, flask-cors) against corskit."""

from __future__ import annotations

import warnings

import pytest

from corskit import CORSConfigError, CORSConfigWarning, CORSPolicy, RouteTable


def _preflight(policy: CORSPolicy, headers: bytes) -> int:
    decision = policy.engine.preflight(b"https://app.example", b"PUT", [headers], None)
    return 204 if decision.allowed else 403


@pytest.mark.parametrize(
    "name", [b"content-type", b"accept", b"accept-language", b"content-language"]
)
def test_safelisted_names_are_allowed_as_starlette_allows_them(name: bytes) -> None:
    # A browser lists these names only when their values are not safelisted (JSON); corskit
    # allows them without allow_headers, as Starlette does (docs/differences.md, D19).
    bare = CORSPolicy(allow_origins=["https://app.example"], allow_methods=["PUT"])
    assert _preflight(bare, name) == 204
    assert _preflight(bare, name + b", x-other") == 403  # other names still need listing


def test_route_prefix_with_a_space_is_a_plain_path() -> None:
    policy = CORSPolicy(allow_origins=["*"])
    table = RouteTable({"/my docs": policy})
    assert table.match("/my docs/x") == "/my docs"
    assert table.match("/my") is None


@pytest.mark.parametrize(
    ("prefix", "fix"),
    [
        ("/my%20docs", "'/my docs'"),
        ("/api/../admin", "without '..'"),
        ("/api;v=1/x", "without '..', ';'"),
        ("/a/\tb", "control"),
    ],
)
def test_prefix_fixes_never_widen_the_route(prefix: str, fix: str) -> None:
    with pytest.raises(CORSConfigError) as info:
        RouteTable({prefix: CORSPolicy(allow_origins=["*"])})
    problem = info.value.problems[0]
    assert problem.code == "route-prefix-invalid"
    assert fix in problem.fix
    assert "'/'" not in problem.fix


def test_fully_qualified_host_with_a_trailing_dot_is_an_origin() -> None:
    # URL Standard: 'example.com.' is a valid host, and its own origin.
    policy = CORSPolicy(allow_origins=["http://example.com.:3999"])
    assert policy.matcher.matches(b"http://example.com.:3999")
    assert not policy.matcher.matches(b"http://example.com:3999")


@pytest.mark.parametrize(
    ("origin", "words"),
    [
        ("http://foo.bar.255:6060", "IPv4"),
        ("http://a.0x1f", "IPv4"),
        ("http://[fe80::1%25eth0]:8080", "zone ID"),
        ("https://xn--f.example", "punycode"),
    ],
)
def test_origins_no_page_can_have_are_refused(origin: str, words: str) -> None:
    with pytest.raises(CORSConfigError) as info:
        CORSPolicy(allow_origins=[origin])
    [problem] = info.value.problems
    assert problem.code == "origin-invalid" and words in problem.fix


def test_header_name_regex_gets_a_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        policy = CORSPolicy(
            allow_origins=["https://app.example"], allow_headers=["X-COMPANY-.*", "X-Plain"]
        )
    assert [w.category for w in caught] == [CORSConfigWarning]
    assert [p.code for p in policy.warnings] == ["header-name-pattern"]
