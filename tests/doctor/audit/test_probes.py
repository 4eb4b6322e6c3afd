"""Probe derivation and the class catalogue (pure functions)."""

from __future__ import annotations

import pytest

from corskit.doctor.audit_classes import CLASS_IDS, CLASSES, severity_at_least
from corskit.doctor.audit_probes import (
    discovery_probes,
    is_serialized_origin,
    lookalike_probes,
    split_origin,
    third_party_probes,
)

ISSUE_IDS = [
    "origin-reflection", "null-origin", "prefix-match", "suffix-match", "substring-match",
    "unescaped-dot", "special-characters", "any-subdomain", "http-origin-trusted",
    "third-party-origin", "wildcard-origin", "missing-vary", "preflight-reflection",
    "malformed-headers", "private-network",
]  # fmt: skip


def test_class_ids_are_the_issue_ids() -> None:
    assert list(CLASS_IDS) == ISSUE_IDS
    for c in CLASSES.values():
        assert c.title and c.explanation and c.fix and c.cwe.startswith("CWE-")
        assert "{" not in c.render(c.explanation + c.fix, "https://a.example.org", "example.org")


def test_severity_order() -> None:
    assert severity_at_least("high", "medium") and severity_at_least("info", "info")
    assert not severity_at_least("low", "medium")


def by_class(base: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in lookalike_probes(base, "r1"):
        assert p.method == "GET" and p.origin
        out.setdefault(p.cls, []).append(p.origin)
    return out


def test_lookalikes_derive_from_the_known_good_host() -> None:
    probes = by_class("https://app.example.com")
    assert "https://app.example.com.corskit-r1.test" in probes["prefix-match"]
    # suffix probes are attacker-registrable: built from the registrable domain, never
    # "evilapp.example.com" (a subdomain of the victim's own domain)
    assert probes["suffix-match"] == ["https://corskitr1example.com", "https://qexample.com"]
    assert not any(o.endswith("app.example.com") for o in probes["suffix-match"])
    assert "https://corskitr1app.example.com.corskit-r1.test" in probes["substring-match"]
    assert "https://app.example.co" in probes["substring-match"]
    assert "https://xample.com" in probes["substring-match"]
    assert probes["unescaped-dot"] == ["https://appxexample.com", "https://app.examplexcom"]
    assert "https://app.example.com_.corskit-r1.test" in probes["special-characters"]
    assert probes["any-subdomain"] == [
        "https://corskit-r1.app.example.com",
        "https://corskit-r1.example.com",
    ]
    assert probes["http-origin-trusted"] == ["http://app.example.com"]


def test_unescaped_dot_registrability() -> None:
    dots = {
        p.origin: p.registrable
        for p in lookalike_probes("https://app.example.com", "r")
        if p.cls == "unescaped-dot"
    }
    assert dots == {"https://appxexample.com": True, "https://app.examplexcom": False}


def test_lookalikes_on_a_shared_hosting_platform() -> None:
    # myapp.github.io: the registrable domain is myapp.github.io (github.io is a public suffix)
    probes = by_class("https://myapp.github.io")
    assert "https://corskitr1myapp.github.io" in probes["suffix-match"]
    assert "https://myappxgithub.io" in probes["unescaped-dot"]


def test_lookalikes_keep_the_port_and_skip_domain_probes_for_localhost() -> None:
    probes = by_class("http://localhost:3000")
    assert probes["prefix-match"] == [
        "http://localhost.corskit-r1.test",
        "http://localhost.corskit-r1.test:3000",
    ]
    assert set(probes) == {"prefix-match", "special-characters"}
    probes = by_class("https://127.0.0.1:8443")
    assert "http-origin-trusted" not in probes  # loopback http is not a network attack


def test_discovery_and_host_independent_probes() -> None:
    probes = discovery_probes("http://testserver", "r")
    assert probes[0].origin == "http://testserver"
    assert {p.origin for p in probes if p.role == "attack"} == {
        "https://corskit-r.test",
        "http://corskit-r.test",
    }
    third = third_party_probes("r", ["https://app.example.com"])
    assert third[0].origin == "null"
    assert "https://corskit-r.github.io" in [p.origin for p in third]
    # a known-good origin on a platform is not probed as a third party
    assert "https://corskit-r.github.io" in [
        p.origin for p in third_party_probes("r", ["https://me.github.io"])
    ]
    assert "https://codepen.io" not in [
        p.origin for p in third_party_probes("r", ["https://codepen.io"])
    ]


@pytest.mark.parametrize(
    "bad",
    [
        "https://app.example.com/",
        "app.example.com",
        "HTTPS://APP.example.com",
        "https://a.com:443",
        "ftp://a.com",
        "",
    ],
)
def test_parse_origin_rejects_what_browsers_never_send(bad: str) -> None:
    with pytest.raises(ValueError):
        split_origin(bad)


def test_parse_origin_and_serialization() -> None:
    assert split_origin("http://localhost:3000") == ("http", "localhost", "3000")
    assert split_origin("https://[::1]:8443") == ("https", "[::1]", "8443")
    assert is_serialized_origin("chrome-extension://abcdef")
    assert not is_serialized_origin("https://a.com/")
    assert not is_serialized_origin("https://A.com")
    assert not is_serialized_origin("http://a.com:80")
