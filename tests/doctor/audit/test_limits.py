"""Safety and bounds: probe methods, concurrency, request budget, time limit, redirects."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from corskit.doctor.audit import AuditOptions, audit_transport, run_audit
from corskit.doctor.transports import ASGITransport
from tests.servers import serve_asgi

FRONTEND = "https://app.example.com"


class Recorder:
    """An ASGI app that reflects any Origin (with credentials) and records what it got."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.requests.append((scope["method"], scope["path"], headers))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            status, extra = 200, []
            if scope["path"] == "/old":
                status, extra = 307, [(b"location", b"/new/")]
            elif scope["path"] == "/away":
                status, extra = 302, [(b"location", b"https://elsewhere.example.net/steal")]
            out = [(b"content-type", b"application/json"), (b"vary", b"Origin"), *extra]
            if "origin" in headers:
                out += [(b"access-control-allow-origin", headers["origin"].encode()),
                        (b"access-control-allow-credentials", b"true")]  # fmt: skip
            await send({"type": "http.response.start", "status": status, "headers": out})
            await send({"type": "http.response.body", "body": b"{}"})
        finally:
            self.in_flight -= 1


def _audit(app: Any, **options: Any) -> Any:
    transport = ASGITransport(app)
    try:
        return audit_transport(
            transport, "recorder", "http://testserver/", AuditOptions(origins=[FRONTEND], **options)
        )
    finally:
        transport.close()


def test_probes_are_never_state_changing() -> None:
    app = Recorder()
    report = _audit(app)
    methods = {m for m, _, _ in app.requests}
    assert methods <= {"GET", "HEAD", "OPTIONS"}
    assert len(app.requests) == report.probes_sent
    # preflights carry no cookies; GETs carry the cookie only when asked to
    assert not any("cookie" in h for _, _, h in app.requests)
    assert [f.id for f in report.findings] == ["origin-reflection"]


def test_credentials_cookie_goes_on_get_probes_only() -> None:
    app = Recorder()
    _audit(app, cookie="session=abc")
    for method, _, headers in app.requests:
        assert ("cookie" in headers) == (method == "GET"), (method, headers)
        if method == "GET":
            assert headers["cookie"] == "session=abc"


def test_concurrency_is_bounded() -> None:
    app = Recorder(delay=0.01)
    _audit(app, concurrency=3)
    assert 2 <= app.max_in_flight <= 3


def test_request_budget() -> None:
    app = Recorder()
    report = _audit(app, max_requests=12)
    assert report.probes_sent <= 12 and len(app.requests) <= 12
    assert not report.complete
    assert any("stopped early" in n for n in report.notes)


def test_time_limit_stops_the_run() -> None:
    app = Recorder(delay=0.2)
    started = time.monotonic()
    report = _audit(app, time_limit=1.0, concurrency=2, timeout=2.0)
    assert time.monotonic() - started < 3.0
    assert not report.complete
    assert report.probes_sent < 40


def test_same_site_redirect_is_followed_cross_site_is_not() -> None:
    app = Recorder()
    report = _audit(app, paths=["/old", "/away"])
    assert report.urls == ["http://testserver/new/", "http://testserver/away"]
    assert any("redirects to http://testserver/new/" in n for n in report.notes)
    assert any("elsewhere.example.net" in n and "not followed" in n for n in report.notes)
    hosts = {h.get("host") for _, _, h in app.requests}
    assert hosts == {"testserver"}
    assert {p for _, p, _ in app.requests} == {"/old", "/new/", "/away"}


def test_connection_failure_is_an_audit_error() -> None:
    import pytest

    from corskit.doctor.audit import AuditError

    with pytest.raises(AuditError, match="cannot connect"):
        run_audit("http://127.0.0.1:9/", AuditOptions(timeout=2))


def test_over_http_with_uvicorn() -> None:
    app = Recorder()
    with serve_asgi(app) as url:
        report = run_audit(url + "/api", AuditOptions(origins=[FRONTEND], concurrency=4))
    assert [f.id for f in report.findings] == ["origin-reflection"]
    assert report.urls == [url + "/api"]
    assert {p for _, p, _ in app.requests} == {"/api"}


def test_lookalikes_are_also_derived_from_the_target_host() -> None:
    # An API that trusts "its own" host with a startswith check: only probes derived from the
    # target's origin (https://api.example.com) reveal it; --origin names the front-end.
    from tests.doctor.audit.corpus import _handwritten

    app = _handwritten(
        lambda origin: origin == FRONTEND or origin.startswith("https://api.example.com")
    )
    transport = ASGITransport(app)
    try:
        report = audit_transport(
            transport, "api", "https://api.example.com/me", AuditOptions(origins=[FRONTEND])
        )
    finally:
        transport.close()
    assert [(f.id, f.severity) for f in report.findings] == [("prefix-match", "high")]
    probe = report.findings[0].probe_origin or ""
    assert probe.startswith("https://api.example.com.corskit-")
