"""The WSGI adapter with real Flask and Django apps on a real WSGI
server (threaded wsgiref): preflights, actual requests, error responses with CORS
headers, per-route policies, dynamic origins and reconfiguration."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import corskit
from corskit import CORSConfigError, CORSPolicy, OriginFunction, WSGICORSMiddleware
from tests.servers import free_port, serve_wsgi

from .helpers import APP, EVIL, get, load_example, preflight, raw_request

LOCAL = "http://localhost:5173"
ROOT = Path(__file__).resolve().parents[2]


def test_exported_as_wsgicorsmiddleware() -> None:
    from corskit.wsgi import CORSMiddleware

    assert corskit.WSGICORSMiddleware is CORSMiddleware


# --- Flask --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flask_server() -> Iterator[str]:
    module = load_example("flask_app.py", "corskit_flask_example")
    with serve_wsgi(module.create_app()) as base:
        yield base


def test_flask_actual_and_preflight(flask_server: str) -> None:
    r = get(flask_server, "/api/items", APP)
    assert r.status == 200 and b'"items"' in r.body
    assert r.cors() == {
        "access-control-allow-origin": APP,
        "access-control-allow-credentials": "true",
    }
    assert r.get("vary") == "Origin"
    r = get(flask_server, "/api/items", EVIL)
    assert (r.status, r.cors(), r.get("vary")) == (200, {}, "Origin")
    assert get(flask_server, "/api/items").get("vary") == "Origin"
    p = preflight(
        flask_server,
        "/api/items",
        LOCAL,
        method="DELETE",
        request_headers="content-type,authorization",
    )
    assert p.status == 204
    assert p.cors() == {
        "access-control-allow-origin": LOCAL,
        "access-control-allow-methods": "DELETE",
        "access-control-allow-headers": "content-type,authorization",
        "access-control-allow-credentials": "true",
        "access-control-max-age": "600",
    }
    assert p.body == b""
    refused = preflight(flask_server, "/api/items", LOCAL, method="PATCH")
    assert (refused.status, refused.cors()) == (403, {})
    assert preflight(flask_server, "/api/items", EVIL, method="GET").status == 403


def test_flask_error_responses_carry_cors_headers(flask_server: str) -> None:
    r = get(flask_server, "/api/boom", APP)
    assert r.status == 500
    assert r.cors() == {
        "access-control-allow-origin": APP,
        "access-control-allow-credentials": "true",
    }
    r = get(flask_server, "/api/missing", APP)
    assert (r.status, r.acao) == (404, APP)


def test_flask_propagated_exception_becomes_a_500_with_cors_headers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    module = load_example("flask_app.py", "corskit_flask_example_propagating")
    app = module.create_app()
    app.config["PROPAGATE_EXCEPTIONS"] = True  # the exception escapes Flask
    caplog.set_level(logging.ERROR, logger="corskit")
    with serve_wsgi(app) as base:
        r = get(base, "/api/boom", APP)
        assert (r.status, r.acao, r.get("access-control-allow-credentials")) == (500, APP, "true")
        assert r.body == b"Internal Server Error\n"
        assert get(base, "/api/items", APP).status == 200  # the server keeps serving
    records = [rec for rec in caplog.records if rec.name == "corskit" and rec.exc_info]
    assert records and records[0].exc_info and isinstance(records[0].exc_info[1], RuntimeError)


def test_flask_per_route_policy(flask_server: str) -> None:
    r = get(flask_server, "/public/info", EVIL)
    assert (r.status, r.acao, r.get("access-control-allow-credentials")) == (200, "*", None)
    assert preflight(flask_server, "/public/info", EVIL, method="GET").acao == "*"
    assert preflight(flask_server, "/public/info", EVIL, method="DELETE").status == 403
    for target in [
        "/public/../api/items",
        "/public/%2e%2e/api/items",
        "/PUBLIC/info",
        "/public//../api/items",
        "/publicx/info",
        "/public+/info",
    ]:
        assert get(flask_server, target, EVIL).acao is None, target
        assert preflight(flask_server, target, EVIL, method="GET").acao is None, target
    # wsgiref decodes %2F into PATH_INFO and gives no raw URI: Flask then routes
    # /public/info, and the public policy answering is consistent with it.
    r = get(flask_server, "/public%2Finfo", EVIL)
    assert (r.status, r.acao, r.body) == (200, "*", b'{"name":"demo","version":1}\n')


# --- Django -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def django_server() -> Iterator[str]:
    # Django's settings are global to a process: the example runs in a process of its own.
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.features.django_example_server", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready", proc.stderr
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_django_actual_preflight_and_errors(django_server: str) -> None:
    r = get(django_server, "/api/items", APP)
    assert r.status == 200 and r.cors() == {
        "access-control-allow-origin": APP,
        "access-control-allow-credentials": "true",
    }
    assert "Origin" in (r.get("vary") or "")
    p = preflight(
        django_server, "/api/items", APP, method="POST", request_headers="content-type,x-csrftoken"
    )
    assert (p.status, p.get("access-control-allow-headers")) == (204, "content-type,x-csrftoken")
    r = get(django_server, "/api/boom", APP)
    assert (r.status, r.acao) == (500, APP)
    r = get(django_server, "/public/info", EVIL)
    assert (r.status, r.acao) == (200, "*")
    assert get(django_server, "/public/../api/items", EVIL).acao is None
    assert get(django_server, "/api/items", EVIL).cors() == {}


# --- the adapter with plain WSGI apps -----------------------------------------------------


def hello(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/plain"),
            ("Vary", "Accept-Encoding"),
            ("Access-Control-Allow-Origin", "https://stale.example"),
        ],
    )
    return [b"hello"]


def plain(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Vary", "Accept-Encoding")])
    return [b"hello"]


def raises_before_start(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    raise ValueError("before start_response")


def raises_after_start(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    raise ValueError("in the body, before any byte")
    yield b""  # pragma: no cover


def raises_mid_body(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    yield b"partial"
    raise ValueError("after the first chunk")


def test_headers_are_merged_not_duplicated() -> None:
    with serve_wsgi(
        WSGICORSMiddleware(hello, allow_origins=[APP], expose_headers=["X-Total"])
    ) as base:
        r = get(base, "/", APP)
        assert [v for n, v in r.headers if n == "access-control-allow-origin"] == [
            APP
        ]  # the app's stale one is replaced
        assert r.get("vary") == "Accept-Encoding, Origin"
        assert r.get("access-control-expose-headers") == "x-total"
        dup = raw_request(base, "GET", "/", {"Origin": APP})
        assert dup.acao == APP


@pytest.mark.parametrize("app", [raises_before_start, raises_after_start])
def test_exceptions_before_the_body_become_500_with_cors(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="corskit")
    with serve_wsgi(WSGICORSMiddleware(app, allow_origins=[APP], allow_credentials=True)) as base:
        r = get(base, "/x", APP)
        assert (r.status, r.acao, r.get("access-control-allow-credentials"), r.get("vary")) == (
            500,
            APP,
            "true",
            "Origin",
        )
        r = get(base, "/x", EVIL)
        assert (r.status, r.cors(), r.get("vary")) == (500, {}, "Origin")
    assert any("unhandled exception" in rec.getMessage() for rec in caplog.records)


def test_exception_after_the_first_chunk_is_logged_and_not_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="corskit")
    with serve_wsgi(WSGICORSMiddleware(raises_mid_body, allow_origins=[APP])) as base:
        try:
            r = get(base, "/x", APP)
            assert r.status == 200 and r.acao == APP  # headers were sent: too late for a 500
        except Exception:
            pass  # the server may cut the connection; either way nothing hangs
    assert any("after its response started" in rec.getMessage() for rec in caplog.records)


def test_duplicate_origin_headers_are_refused() -> None:
    with serve_wsgi(WSGICORSMiddleware(plain, allow_origins=[APP], debug=True)) as base:
        import http.client
        from urllib.parse import urlsplit

        url = urlsplit(base)
        conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
        conn.putrequest("OPTIONS", "/")
        conn.putheader("Origin", APP)
        conn.putheader("Origin", APP)
        conn.putheader("Access-Control-Request-Method", "GET")
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
        conn.close()
        assert response.status == 403 and b"origin-duplicated" in body


def test_debug_body_names_the_reason() -> None:
    with serve_wsgi(WSGICORSMiddleware(plain, allow_origins=[APP], debug=True)) as base:
        p = preflight(base, "/", APP, method="PUT")
        assert (
            p.status == 403 and p.body == b"corskit: preflight refused: method-not-allowed (PUT)\n"
        )


def test_dynamic_origins_in_wsgi() -> None:
    calls: list[str] = []

    async def tenant_async(origin: str) -> bool:
        calls.append(origin)
        await asyncio.sleep(0.01)
        return origin == "https://tenant1.example.com"

    def tenant_slow(origin: str) -> bool:
        time.sleep(2)
        return True

    mw = WSGICORSMiddleware(
        plain,
        allow_origins=[APP],
        allow_origin_func=tenant_async,
        allow_credentials=True,
        allow_methods=["PUT"],
    )
    with serve_wsgi(mw) as base:
        r = get(base, "/", "https://tenant1.example.com")
        assert (r.acao, r.get("access-control-allow-credentials")) == (
            "https://tenant1.example.com",
            "true",
        )
        assert get(base, "/", "https://tenant2.example.com").acao is None
        p = preflight(base, "/", "https://tenant1.example.com", method="PUT")
        assert (p.status, p.acao) == (204, "https://tenant1.example.com")
        assert calls.count("https://tenant1.example.com") == 1  # cached
        mw.reconfigure(allow_origin_func=OriginFunction(tenant_slow, timeout=0.3))
        started = time.monotonic()
        assert get(base, "/", "https://tenant3.example.com").acao is None  # refused by timeout
        assert time.monotonic() - started < 1.5


def test_request_aware_function_in_wsgi() -> None:
    def by_tenant_host(origin: str, headers: dict[str, str]) -> bool:
        return headers.get("x-tenant-host") == "acme" and origin == "https://acme.example"

    mw = WSGICORSMiddleware(
        plain, allow_origin_func=OriginFunction(by_tenant_host, headers=["X-Tenant-Host"])
    )
    with serve_wsgi(mw) as base:
        r = get(base, "/", "https://acme.example", X_Tenant_Host="acme")
        assert (r.acao, r.get("vary")) == (
            "https://acme.example",
            "Accept-Encoding, Origin, X-Tenant-Host",
        )
        assert get(base, "/", "https://acme.example", X_Tenant_Host="globex").acao is None


def test_wsgi_reconfigure_is_validated() -> None:
    mw = WSGICORSMiddleware(plain, allow_origins=[APP])
    with pytest.raises(CORSConfigError):
        mw.reconfigure(allow_origins=["*"], allow_credentials=True)
    with pytest.raises(CORSConfigError):
        mw.routes = {"/a/../b": CORSPolicy(allow_origins=["*"])}
    assert mw.policy.allow_origins == (APP,) and mw.routes == {}
    with serve_wsgi(mw) as base:
        mw.reconfigure(routes={"/open": CORSPolicy(allow_origins=["*"])})
        assert get(base, "/open/x", EVIL).acao == "*"
        assert get(base, "/", EVIL).acao is None
        mw.policy = CORSPolicy(allow_origins=[EVIL])
        assert get(base, "/", EVIL).acao == EVIL and get(base, "/open/x", EVIL).acao == "*"


def test_no_origin_and_static_wildcard_pass_through() -> None:
    with serve_wsgi(WSGICORSMiddleware(plain, allow_origins=["*"])) as base:
        r = get(base, "/")
        assert (r.status, r.acao) == (200, "*")
        r = get(base, "/", EVIL)
        assert (r.acao, r.get("vary")) == ("*", "Accept-Encoding")


def test_raw_uri_reveals_encoded_slashes() -> None:
    # gunicorn (RAW_URI) and uWSGI/waitress (REQUEST_URI) keep the encoded request target;
    # wsgiref does not, so this one runs in memory with the environ such a server builds.
    mw = WSGICORSMiddleware(
        plain, allow_origins=[APP], routes={"/api/admin": CORSPolicy(allow_origins=["*"])}
    )
    seen: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen.append((status, headers))
        return lambda data: None

    def call(path_info: str, raw_uri: str | None) -> dict[str, str]:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path_info,
            "SCRIPT_NAME": "",
            "HTTP_ORIGIN": EVIL,
        }
        if raw_uri is not None:
            environ["RAW_URI"] = raw_uri
        seen.clear()
        b"".join(mw(environ, start_response))
        return {n.lower(): v for n, v in seen[0][1]}

    assert call("/api/admin/x", "/api/admin/x?q=%2F").get("access-control-allow-origin") == "*"
    assert (
        call("/api/admin/x", "/api%2Fadmin/x").get("access-control-allow-origin") is None
    )  # ambiguous
    assert call("/api/admin/x", None).get("access-control-allow-origin") == "*"
    # PATH_INFO is latin-1 decoded bytes (PEP 3333); UTF-8 paths still match
    mw.routes = {"/café": CORSPolicy(allow_origins=["*"])}
    assert (
        call("/café/x".encode().decode("latin-1"), None).get("access-control-allow-origin") == "*"
    )
