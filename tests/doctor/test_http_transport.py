"""The HTTP transport against a raw loopback server that writes exact bytes: the doctor's
verdict and console line for answers no framework writes equal Chromium's (recorded in
tests/doctor/http1_cases.py and checked in real Chromium by
tests/doctor/browser/test_http1_browser.py), and the transport keeps its guarantees (time budget,
body cut-off, requests as written, proxies)."""

from __future__ import annotations

import re
import shutil
import ssl
import subprocess
import time

import pytest

from corskit.doctor import http_transport
from corskit.doctor.diagnose import diagnose
from corskit.doctor.fetch import simulate
from corskit.doctor.render import render_text
from corskit.doctor.transports import (
    MAX_BODY,
    HTTPTransport,
    NetworkError,
    TransportError,
    WireRequest,
)
from tests.doctor.http1_cases import CASES, PAGE, Case, console_line, reply
from tests.raw_http import Reset, serve_raw


def _answer(method: str, target: str) -> bytes | Reset | None:
    case = CASES[target.split("/")[2].split("?")[0]]
    return case.preflight if method == "OPTIONS" and case.preflight else case.actual


@pytest.fixture(scope="module")
def base() -> object:
    with serve_raw(_answer) as url:
        yield url


@pytest.mark.parametrize("cid", list(CASES))
def test_verdict_and_console_line_are_chromiums(base: str, cid: str) -> None:
    case: Case = CASES[cid]
    url = f"{base}/case/{cid}?n=1"
    transport = HTTPTransport(timeout=5)
    try:
        outcome = simulate(
            transport,
            url,
            origin=PAGE,
            method=case.method,
            headers=list(case.headers),
            target_address_space=None,
        )
    finally:
        transport.close()
    verdict, message = case.expected
    assert (outcome.verdict, console_line(outcome)) == (
        verdict,
        message.format(url=url) if message else None,
    )


def test_a_network_error_is_reported_as_chromium_reports_it(base: str) -> None:
    url = f"{base}/case/nul-in-acao?n=1"
    transport = HTTPTransport(timeout=5)
    try:
        outcome = simulate(transport, url, origin=PAGE, target_address_space=None)
        with pytest.raises(NetworkError) as info:
            transport.send(WireRequest("GET", url, []))
    finally:
        transport.close()
    assert info.value.net_error == "net::ERR_INVALID_HTTP_RESPONSE"
    assert "NUL" in str(info.value) and url in str(info.value)
    assert outcome.network_error == (
        "net::ERR_INVALID_HTTP_RESPONSE (a NUL byte in the response headers)"
    )
    assert outcome.failed_stage == "actual" and outcome.status is None
    text = render_text(outcome, diagnose(outcome))
    assert "JavaScript sees TypeError: Failed to fetch" in text
    assert "Failed to load resource: net::ERR_INVALID_HTTP_RESPONSE" in text
    primary = diagnose(outcome).primary
    assert primary is not None and "NUL" in primary.fix


def test_a_preflight_refused_by_the_reader_fails_at_the_preflight(base: str) -> None:
    transport = HTTPTransport(timeout=5)
    try:
        outcome = simulate(
            transport,
            f"{base}/case/nul-in-preflight?n=1",
            origin=PAGE,
            method="PUT",
            headers=[("X-A", "1")],
            target_address_space=None,
        )
    finally:
        transport.close()
    assert outcome.failed_stage == "preflight" and outcome.preflight
    assert [kind for kind, _, response in outcome.exchanges] == ["preflight"]


def test_the_request_goes_out_as_written() -> None:
    seen: list[tuple[str, str]] = []

    def answer(method: str, target: str) -> bytes:
        seen.append((method, target))
        return reply(b"HTTP/1.1 200 OK", b"Content-Length: 0", body=b"")

    transport = HTTPTransport(timeout=5)
    with serve_raw(answer) as url:
        try:
            transport.send(WireRequest("patch", url + "/a%20b?q=1", [("X-A", "1")]))
            transport.send(WireRequest("POST", url + "/", []))
            for bad in ("X-A\r\nX-B", "X-A"):
                with pytest.raises(TransportError, match="cannot be sent"):
                    transport.send(WireRequest("GET", url + "/", [(bad, "a\nb")]))
            with pytest.raises(TransportError, match="HTTP method"):
                transport.send(WireRequest("GE T", url + "/", []))
        finally:
            transport.close()
    assert seen == [("patch", "/a%20b?q=1"), ("POST", "/")]
    target = http_transport._target("http://127.0.0.1:8/p?q")
    wire = http_transport.encode_request(WireRequest("POST", "http://127.0.0.1:8/p?q", []), target)
    assert wire == b"POST /p?q HTTP/1.1\r\nHost: 127.0.0.1:8\r\nContent-Length: 0\r\n\r\n"


def test_time_budget_bounds_the_headers_and_keeps_a_slow_body() -> None:
    def drip(method: str, target: str) -> bytes:
        if target == "/headers":
            time.sleep(3)
            return b"HTTP/1.1 200 OK\r\n\r\n"
        return reply(b"HTTP/1.1 200 OK", b"Content-Length: 10", body=b"part")

    transport = HTTPTransport(timeout=1)
    with serve_raw(drip) as url:
        try:
            start = time.monotonic()
            with pytest.raises(TransportError, match="timed out waiting for GET"):
                transport.send(WireRequest("GET", url + "/headers", []))
            assert time.monotonic() - start < 2.5
            response = transport.send(WireRequest("GET", url + "/body", []))
        finally:
            transport.close()
    assert (response.status, response.body) == (200, b"part")


def test_body_kept_up_to_max_body() -> None:
    huge = reply(b"HTTP/1.1 200 OK", body=b"x" * (MAX_BODY + 5000))
    transport = HTTPTransport(timeout=10)
    with serve_raw(lambda method, target: huge) as url:
        try:
            response = transport.send(WireRequest("GET", url + "/", []))
        finally:
            transport.close()
    assert len(response.body) == MAX_BODY


def test_connection_refused_and_bad_urls() -> None:
    transport = HTTPTransport(timeout=2)
    with pytest.raises(
        TransportError, match=re.escape("cannot connect to http://127.0.0.1:9/: connection")
    ):
        transport.send(WireRequest("GET", "http://127.0.0.1:9/", []))
    with pytest.raises(TransportError, match="malformed URL"):
        transport.send(WireRequest("GET", "ftp://127.0.0.1/", []))


def test_environment_proxies_apply_except_to_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://user:p%40ss@127.0.0.1:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    proxied = http_transport._target("http://api.example/x?y=1#f")
    assert proxied.proxy == ("127.0.0.1", 3128, "Basic dXNlcjpwQHNz")
    assert proxied.path == "http://api.example/x?y=1"
    assert http_transport._target("http://internal.example/").proxy is None
    assert http_transport._target("http://localhost:8000/").proxy is None
    monkeypatch.setenv("HTTP_PROXY", "socks5://127.0.0.1:1080")
    with pytest.raises(TransportError, match="only http:// proxies"):
        http_transport._target("http://api.example/")


def test_requests_through_a_loopback_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str]] = []

    def proxy(method: str, target: str) -> bytes:
        seen.append((method, target))
        if method == "CONNECT":
            return b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"
        return reply(b"HTTP/1.1 200 OK", b"Access-Control-Allow-Origin: *", b"Content-Length: 0")

    transport = HTTPTransport(timeout=5)
    with serve_raw(proxy) as url:
        port = int(url.rsplit(":", 1)[1])
        monkeypatch.setattr(http_transport, "is_loopback_host", lambda host: False)
        monkeypatch.setattr(
            http_transport, "_proxy_for", lambda scheme, host: ("127.0.0.1", port, None)
        )
        try:
            response = transport.send(WireRequest("GET", "http://api.example:81/p", []))
            with pytest.raises(
                TransportError, match=re.escape("proxy refused to connect to api.example:443")
            ):
                transport.send(WireRequest("GET", "https://api.example/p", []))
        finally:
            transport.close()
    assert response.get("access-control-allow-origin") == "*"
    assert seen == [("GET", "http://api.example:81/p"), ("CONNECT", "api.example:443")]


@pytest.fixture(scope="module")
def tls_server_context(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def test_https_verify_and_truncated_headers(tls_server_context: ssl.SSLContext) -> None:
    def answer(method: str, target: str) -> bytes:
        if target == "/cut":
            return b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *"
        return reply(b"HTTP/1.1 200 OK", b"Access-Control-Allow-Origin: *", b"Content-Length: 2")

    with serve_raw(answer, tls=tls_server_context) as url:
        strict, lax = HTTPTransport(timeout=5), HTTPTransport(timeout=5, verify=False)
        try:
            with pytest.raises(TransportError, match="TLS certificate problem"):
                strict.send(WireRequest("GET", url + "/", []))
            response = lax.send(WireRequest("GET", url + "/", []))
            with pytest.raises(NetworkError) as info:
                lax.send(WireRequest("GET", url + "/cut", []))
        finally:
            strict.close()
            lax.close()
    assert (response.status, response.body) == (200, b"ok")
    assert info.value.net_error == "net::ERR_RESPONSE_HEADERS_TRUNCATED"
