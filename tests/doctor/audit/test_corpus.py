"""The audit against the misconfigured-server corpus, in-process (``module:app`` targets)."""

from __future__ import annotations

import pytest

from corskit.doctor.audit import AuditOptions, AuditReport, run_audit
from corskit.doctor.audit_classes import CLASS_IDS, severity_at_least
from tests.doctor.audit import django_variants as django_site
from tests.doctor.audit.corpus import FRONTEND, SERVERS, Server

MISCONFIGURED = [s for s in SERVERS if not s.correct]
CORRECT = [s for s in SERVERS if s.correct]


def audit(server: Server, **options: object) -> AuditReport:
    opts = AuditOptions(origins=[server.origin] if server.origin else [], **options)  # type: ignore[arg-type]
    return run_audit(f"tests.doctor.audit.corpus:{server.attr}", opts)


def test_corpus_covers_every_class() -> None:
    django_misconfigured = [v for v, exp in django_site.EXPECTED.items() if exp]
    assert len(MISCONFIGURED) + len(django_misconfigured) >= 20
    assert len(CORRECT) + 1 >= 8  # + the django-cors-headers "correct" variant
    planted = {cls for s in MISCONFIGURED for cls in s.expected}
    assert planted == set(CLASS_IDS)
    names = {s.name for s in CORRECT}
    assert {"corskit-strict", "corskit-permissive", "corskit-public", "starlette-public"} <= names


@pytest.mark.parametrize("server", MISCONFIGURED, ids=lambda s: s.name)
def test_finds_every_planted_class(server: Server) -> None:
    report = audit(server)
    got = {f.id: f.severity for f in report.findings}
    assert got == server.expected, report.to_dict()
    assert report.complete and report.errors == 0
    for f in report.findings:
        request = f.evidence["request"]
        assert request["method"] in ("GET", "HEAD", "OPTIONS")
        sent_origin = dict(request["headers"]).get("origin")
        assert sent_origin == f.probe_origin
        assert f.evidence["response"]["status"] >= 100
        assert f.explanation and f.fix and f.advice and f.detail


@pytest.mark.parametrize("server", CORRECT, ids=lambda s: s.name)
def test_correct_servers_are_clean(server: Server) -> None:
    report = audit(server)
    serious = [f.to_dict() for f in report.findings if severity_at_least(f.severity, "low")]
    assert serious == []
    assert {f.id: f.severity for f in report.findings} == server.expected
    assert FRONTEND in report.known_good


def _fix(name: str, cls: str) -> str:
    server = next(s for s in SERVERS if s.name == name)
    report = audit(server)
    return next(f.fix for f in report.findings if f.id == cls)


@pytest.mark.parametrize(
    ("name", "cls", "needle"),
    [
        (
            "starlette-star-credentials",
            "origin-reflection",
            "allow_origins=['*'] with allow_credentials=True echoes every origin; use "
            "allow_origins=['https://app.example.com']",
        ),
        (
            "starlette-string-origins",
            "substring-match",
            "pass a list: allow_origins=['https://app.example.com']",
        ),
        ("starlette-null-allowed", "null-origin", "remove 'null' from allow_origins"),
        (
            "starlette-http-trusted",
            "http-origin-trusted",
            "remove 'http://app.example.com' from allow_origins",
        ),
        (
            "starlette-unescaped-dot",
            "unescaped-dot",
            r"allow_origin_regex=r'https://app\.example\.com'",
        ),
        (
            "starlette-github-pages",
            "third-party-origin",
            r"allow_origin_regex=r'https://[\w-]+\.github\.io' accepts",
        ),
        (
            "starlette-headers-star",
            "preflight-reflection",
            "allow_headers=['*'] echoes every requested header",
        ),
        ("starlette-pna-everyone", "private-network", "set allow_private_network=False"),
        ("corskit-permissive", "any-subdomain", "the pattern 'https://*.example.com' admits"),
    ],
)
def test_fix_names_the_keyword_to_change(name: str, cls: str, needle: str) -> None:
    assert needle in _fix(name, cls)


def test_fix_without_a_known_config_is_the_general_advice() -> None:
    fix = _fix("handwritten-startswith", "prefix-match")
    assert 'allow_origins=["https://app.example.com"]' in fix
    assert "anchored at both ends" in fix


def test_reflection_folds_the_look_alikes() -> None:
    server = next(s for s in SERVERS if s.name == "starlette-star-credentials")
    [finding] = audit(server).findings
    assert finding.id == "origin-reflection" and finding.severity == "high"
    assert "null" in finding.also_accepted
    assert any(o.endswith(".github.io") for o in finding.also_accepted)
    assert finding.evidence["response"]["headers"]


def test_discovery_finds_the_trusted_origin_without_origin_flag() -> None:
    # flask-cors with one exact origin answers every request with it: the audit learns it.
    server = next(s for s in SERVERS if s.name == "flask-cors-exact")
    report = run_audit(f"tests.doctor.audit.corpus:{server.attr}", AuditOptions())
    assert report.known_good == [FRONTEND]
    serious = [f.id for f in report.findings if severity_at_least(f.severity, "low")]
    assert serious == ["missing-vary"]  # answered to one origin only, never Vary: Origin
    # the dev-regex server trusts localhost dev servers only; found by discovery
    dev = next(s for s in SERVERS if s.name == "handwritten-dev-regex")
    report = run_audit(f"tests.doctor.audit.corpus:{dev.attr}", AuditOptions())
    assert "http://localhost:3000" in report.known_good
    assert [f.id for f in report.findings] == ["prefix-match"]
    assert report.findings[0].probe_origin is not None
    assert report.findings[0].probe_origin.startswith("http://localhost.corskit-")


def test_without_any_trusted_origin_only_host_independent_probes_run() -> None:
    server = next(s for s in SERVERS if s.name == "handwritten-startswith")
    report = run_audit(f"tests.doctor.audit.corpus:{server.attr}", AuditOptions(discover=False))
    assert report.known_good == []
    assert report.findings == []
    assert any("--origin" in note for note in report.notes)


def test_the_given_origin_refused_by_the_server_is_noted() -> None:
    server = next(s for s in SERVERS if s.name == "flask-cors-glob")
    report = audit(server)
    assert any("does not allow the given origin https://app.example.com" in n for n in report.notes)
