"""Per-route path confusion: every path that a plausible server reading maps to another
policy is ``path-ambiguous`` (refused), in the table, over HTTP and in the WebSocket
Origin check.

Servers read ``;`` path parameters, dot segments and doubled slashes differently: Tomcat,
Jetty and Spring strip ``;params`` from each segment, merge slashes, then resolve dot
segments (``/api/x/..;/admin`` is ``/api/admin`` there), while Starlette routes the
literal path. RFC 3986, remove_dot_segments: https://www.rfc-editor.org/rfc/rfc3986#section-5.2.4
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from corskit import CORSMiddleware, CORSPolicy, RouteTable
from corskit.routing import AMBIGUOUS
from tests.servers import serve_asgi

PARTNER = "https://partner.example"
ADMIN = "https://admin.example"
ANYONE = "https://anyone.example"

ROUTES = {
    "/api": CORSPolicy(allow_origins=[PARTNER], allow_credentials=True),
    "/api/admin": CORSPolicy(allow_origins=[ADMIN], allow_credentials=True),
    "/public": CORSPolicy(allow_origins=["*"]),
}
APP = "https://app.example"

CONFUSING = [
    "/api/x/..;/admin/users",
    "/api/x/..;jsessionid=1/admin/users",
    "/api/x/..%3b/admin/users",
    "/api/x/..%3B/admin/users",
    "/api/x/;/../admin/users",
    "/api/x/..;/..;/api/admin",
    "/public/..;/api/me",
    "/public/..;x=1/api/me",
    "/public/;/../api/me",
    "/public/x/..;/..;/api/me",
    "/public/..%3b/api/me",
    "/api//..;/admin",
]

# Readings that agree (or where no reading reaches another route) still get their policy.
UNAMBIGUOUS = [
    ("/api/admin/users;jsessionid=1", "/api/admin"),
    ("/public/a;b/c", "/public"),
    ("/public/a/..;/b", "/public"),
    ("/api/x/y", "/api"),
    ("/public/file.v1.js", "/public"),
]


def _raw(target: str) -> bytes:
    return target.encode("latin-1")


def _decoded(target: str) -> str:
    from urllib.parse import unquote

    return unquote(target)


@pytest.mark.parametrize("target", CONFUSING)
def test_semicolon_and_dot_segment_readings_are_ambiguous(target: str) -> None:
    table = RouteTable(ROUTES)
    assert table.match(_decoded(target), _raw(target)) == AMBIGUOUS
    assert table.match(_decoded(target)) == AMBIGUOUS


@pytest.mark.parametrize(("target", "expected"), UNAMBIGUOUS)
def test_agreeing_readings_keep_their_route(target: str, expected: str) -> None:
    assert RouteTable(ROUTES).match(_decoded(target), _raw(target)) == expected


def _http_app() -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            message = await receive()
            assert message["type"] == "websocket.connect"
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": 1000})
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": scope["path"].encode()})

    return app


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    app = CORSMiddleware(
        _http_app(),
        routes=ROUTES,
        check_websocket_origin=True,
        allow_origins=[APP],
        allow_credentials=True,
    )
    with serve_asgi(app) as base:
        yield base


def _get(base: str, target: str, origin: str) -> dict[str, str]:
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=15)
    try:
        conn.putrequest("GET", target, skip_accept_encoding=True)
        conn.putheader("Origin", origin)
        conn.endheaders()
        response = conn.getresponse()
        response.read()
        return {
            n.lower(): v
            for n, v in response.getheaders()
            if n.lower().startswith("access-control-")
        }
    finally:
        conn.close()


@pytest.mark.parametrize(
    "target", ["/api/x/..;/admin/users", "/api/x/..%3b/admin/users", "/api/x/;/../admin/users"]
)
def test_partner_gets_no_credentialed_grant_through_a_confusing_path(
    server: str, target: str
) -> None:
    assert _get(server, target, PARTNER) == {}
    assert _get(server, target, ADMIN) == {}


@pytest.mark.parametrize(
    "target", ["/public/..;/api/me", "/public/;/../api/me", "/public/..%3b/api/me"]
)
def test_star_route_gives_nothing_through_a_confusing_path(server: str, target: str) -> None:
    assert _get(server, target, ANYONE) == {}


def test_plain_paths_still_get_their_route_over_http(server: str) -> None:
    assert _get(server, "/api/admin/users", ADMIN)["access-control-allow-origin"] == ADMIN
    assert _get(server, "/api/users", PARTNER)["access-control-allow-origin"] == PARTNER
    assert _get(server, "/public/x", ANYONE)["access-control-allow-origin"] == "*"


def _websocket(middleware: Any, path: str, raw: bytes, origin: str) -> list[dict[str, Any]]:
    """Drive one WebSocket handshake through the middleware in-process; the messages sent."""
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "websocket",
        "path": path,
        "raw_path": raw,
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"origin", origin.encode())],
    }
    messages = [{"type": "websocket.connect"}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(middleware(scope, receive, send))
    return sent


@pytest.mark.parametrize(
    "target", ["/api/x/..;/admin/ws", "/api/x/..%3b/admin/ws", "/public/..;/api/ws"]
)
def test_websocket_origin_check_refuses_confusing_paths(target: str) -> None:
    middleware = CORSMiddleware(
        _http_app(),
        routes=ROUTES,
        check_websocket_origin=True,
        allow_origins=[APP],
        allow_credentials=True,
    )
    for origin in (PARTNER, ANYONE, ADMIN):
        sent = _websocket(middleware, _decoded(target), _raw(target), origin)
        assert sent == [{"type": "websocket.close", "code": 1008}], (target, origin, sent)
    sent = _websocket(middleware, "/api/admin/ws", b"/api/admin/ws", ADMIN)
    assert sent[0] == {"type": "websocket.accept"}
