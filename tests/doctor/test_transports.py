"""Transports: HTTP (the doctor's own client, real uvicorn), in-process ASGI and WSGI, app detection."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from flask import Flask, request
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from corskit.doctor.transports import (
    ASGITransport,
    HTTPTransport,
    TransportError,
    WireRequest,
    WSGITransport,
    detect_app_kind,
    load_app,
    open_transport,
)
from tests.servers import serve_asgi


async def echo(req: Request) -> JSONResponse:
    body = await req.body()
    resp = JSONResponse(
        {
            "method": req.method,
            "path": req.url.path,
            "query": req.url.query,
            "body": body.decode(),
            "host": req.headers.get("host"),
            "x": req.headers.getlist("x-multi"),
        }
    )
    resp.headers.append("x-dup", "1")
    resp.headers.append("X-Dup", "2")
    return resp


async def redirect(req: Request) -> RedirectResponse:
    return RedirectResponse("/elsewhere", status_code=302)


async def boom(req: Request) -> None:
    raise RuntimeError("kaput")


STARLETTE = Starlette(
    routes=[
        Route("/echo", echo, methods=["GET", "POST", "PUT"]),
        Route("/r", redirect),
        Route("/boom", boom),
    ]
)


def test_asgi_roundtrip_and_headers() -> None:
    t = ASGITransport(STARLETTE)
    try:
        resp = t.send(
            WireRequest(
                "POST", "http://api.test/echo?a=1", [("X-Multi", "a"), ("x-multi", "b")], b"hi"
            )
        )
        assert resp.status == 200
        assert resp.get_all("x-dup") == ["1", "2"]
        assert resp.get("x-dup") == "1, 2"
        assert all(k == k.lower() for k, _ in resp.headers)
        data = resp.body.decode()
        assert '"host":"api.test"' in data and '"query":"a=1"' in data and '"body":"hi"' in data
        assert '"x":["a","b"]' in data
        r = t.send(WireRequest("GET", "http://api.test/r", []))
        assert r.status == 302 and r.get("location") == "/elsewhere"  # never followed
        crash = t.send(WireRequest("GET", "http://api.test/boom", []))
        assert crash.status == 500
        assert t.errors and "kaput" in t.errors[-1]
    finally:
        t.close()


def test_asgi_send_is_thread_safe() -> None:
    t = ASGITransport(STARLETTE)
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            s = t.send(WireRequest("GET", "http://api.test/echo", [])).status
            with lock:
                statuses.append(s)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    t.close()
    assert statuses == [200] * 40


def test_asgi_hanging_app_times_out() -> None:
    async def hang(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.sleep(30)

    t = ASGITransport(hang, timeout=0.3)
    try:
        with pytest.raises(TransportError, match="did not answer"):
            t.send(WireRequest("GET", "http://api.test/", []))
    finally:
        t.close()


def test_asgi_streaming_body_is_cut() -> None:
    async def endless(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"access-control-allow-origin", b"*")],
            }
        )
        while True:
            await send({"type": "http.response.body", "body": b"x" * 65536, "more_body": True})

    t = ASGITransport(endless, timeout=5)
    try:
        resp = t.send(WireRequest("GET", "http://api.test/", []))
        assert resp.status == 200 and resp.get("access-control-allow-origin") == "*"
    finally:
        t.close()


def test_wsgi_environ() -> None:
    app = Flask("t")

    @app.route("/p", methods=["GET", "PUT"])
    def p() -> Any:
        return {
            "method": request.method,
            "ct": request.headers.get("Content-Type"),
            "body": request.get_data(as_text=True),
            "args": request.args.get("q"),
            "host": request.host,
            "origin": request.headers.get("Origin"),
        }

    t = WSGITransport(app)
    resp = t.send(
        WireRequest(
            "PUT",
            "https://api.test:8443/p?q=1",
            [("Origin", "https://a.example"), ("Content-Type", "text/plain")],
            b"body",
        )
    )
    assert resp.status == 200
    text = resp.body.decode()
    for needle in (
        '"method":"PUT"',
        '"ct":"text/plain"',
        '"body":"body"',
        '"args":"1"',
        '"host":"api.test:8443"',
        '"origin":"https://a.example"',
    ):
        assert needle in text
    assert (
        t.send(WireRequest("OPTIONS", "http://api.test/p", [])).status == 200
    )  # Flask's automatic OPTIONS
    assert t.send(WireRequest("DELETE", "http://api.test/p", [])).status == 405


def test_http_transport_against_uvicorn() -> None:
    t = HTTPTransport(timeout=5)
    try:
        with serve_asgi(STARLETTE) as base:
            resp = t.send(WireRequest("GET", base + "/r", [("Origin", "https://a.example")]))
            assert resp.status == 302 and resp.get("location") == "/elsewhere"
            echo_resp = t.send(WireRequest("PUT", base + "/echo", [("X-Multi", "a")], b"data"))
            assert echo_resp.get_all("x-dup") == ["1", "2"]
            assert '"body":"data"' in echo_resp.body.decode()
        with pytest.raises(TransportError, match="cannot connect"):
            t.send(WireRequest("GET", base + "/r", []))
    finally:
        t.close()


def plain_asgi(scope: Any, receive: Any, send: Any) -> Any:
    return None


def plain_wsgi(environ: Any, start_response: Any) -> Any:
    return []


class AsgiClass:
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        return None


@pytest.mark.parametrize(
    ("app", "kind"),
    [
        (STARLETTE, "asgi"),
        (Flask("x"), "wsgi"),
        (plain_asgi, "asgi"),
        (plain_wsgi, "wsgi"),
        (AsgiClass(), "asgi"),
    ],
)
def test_detect_app_kind(app: Any, kind: str) -> None:
    assert detect_app_kind(app) == kind


def test_detect_rejects_non_apps() -> None:
    with pytest.raises(TransportError):
        detect_app_kind(42)
    with pytest.raises(TransportError):
        detect_app_kind(lambda: None)


def test_open_transport_and_load_app() -> None:
    t, url = open_transport("examples.quickstart:fixed", path="items")
    assert url == "http://testserver/items"
    t.close()
    t, url = open_transport("https://api.example.com/v1/x?y=1", path="/other")
    assert url == "https://api.example.com/other"
    t.close()
    t, url = open_transport("https://api.example.com/v1/x?y=1")
    assert url == "https://api.example.com/v1/x?y=1"
    t.close()
    assert load_app("examples.quickstart:create_app()") is not None
    for bad in ("x:", ":y", "a b:c", "os:path.nope"):
        with pytest.raises(TransportError):
            load_app(bad)


def test_http_transport_keeps_at_most_max_body_bytes() -> None:
    from corskit.doctor.transports import MAX_BODY, HTTPTransport, WireRequest
    from tests.servers import serve_asgi

    async def big(scope, receive, send):  # type: ignore[no-untyped-def]
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/octet-stream")],
            }
        )
        for _ in range(8):
            await send({"type": "http.response.body", "body": b"x" * MAX_BODY, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    with serve_asgi(big) as url:
        transport = HTTPTransport(timeout=10)
        try:
            response = transport.send(
                WireRequest("GET", url + "/", [("origin", "https://a.example")])
            )
        finally:
            transport.close()
    assert response.status == 200
    assert len(response.body) == MAX_BODY
