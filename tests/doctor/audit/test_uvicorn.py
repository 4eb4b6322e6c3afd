"""The audit by URL against real servers: uvicorn (ASGI), wsgiref (Flask) and uvicorn
processes running Django + django-cors-headers."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from corskit.doctor.audit import AuditOptions, run_audit
from corskit.doctor.audit_classes import severity_at_least
from tests.doctor.audit import corpus
from tests.doctor.audit import django_variants as django_site
from tests.doctor.audit.helpers import ROOT, django_servers
from tests.servers import serve_asgi, serve_wsgi

SUBSET = [
    "starlette-star-credentials",
    "handwritten-reflect-credentials",
    "flask-cors-default-credentials",
    "starlette-null-allowed",
    "flask-cors-regex-no-dollar",
    "handwritten-endswith",
    "starlette-string-origins",
    "starlette-unescaped-dot",
    "handwritten-host-parser",
    "starlette-github-pages",
    "starlette-http-trusted",
    "handwritten-no-vary",
    "handwritten-preflight-catchall",
    "proxy-duplicate-acao",
    "starlette-pna-everyone",
    "handwritten-dev-regex",
    "corskit-strict",
    "corskit-permissive",
    "corskit-public",
    "flask-cors-exact",
]


@pytest.fixture(scope="module")
def urls() -> Iterator[dict[str, str]]:
    with contextlib.ExitStack() as stack:
        out = {}
        for name in SUBSET:
            server = corpus.BY_NAME[name]
            serve = serve_wsgi if server.kind == "wsgi" else serve_asgi
            out[name] = stack.enter_context(serve(getattr(corpus, server.attr)))
        yield out


@pytest.mark.parametrize("name", SUBSET)
def test_corpus_by_url(urls: dict[str, str], name: str) -> None:
    server = corpus.BY_NAME[name]
    options = AuditOptions(origins=[server.origin] if server.origin else [], concurrency=8)
    report = run_audit(urls[name] + "/api/me", options)
    assert {f.id: f.severity for f in report.findings} == server.expected, report.to_dict()
    assert report.complete and report.errors == 0
    if server.correct:
        assert not [f for f in report.findings if severity_at_least(f.severity, "low")]


def test_django_cors_headers() -> None:
    variants = list(django_site.EXPECTED)
    with django_servers(*variants) as urls:
        for variant, base in urls.items():
            report = run_audit(base + "/api/me", AuditOptions(origins=[corpus.FRONTEND]))
            got = {f.id: f.severity for f in report.findings}
            assert got == django_site.EXPECTED[variant], (variant, report.to_dict())


def test_cli_process_against_a_uvicorn_url(urls: dict[str, str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    url = urls["starlette-github-pages"] + "/api/me"
    proc = subprocess.run(
        [sys.executable, "-m", "corskit.cli", "audit", url, "--origin", corpus.FRONTEND, "--json",
         "--concurrency", "4"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["target"] == url
    assert [(f["id"], f["severity"]) for f in data["findings"]] == [("third-party-origin", "high")]
    assert data["findings"][0]["probe_origin"].endswith(".github.io")
