"""Regressions for gaps found in review of the core."""

from __future__ import annotations

import asyncio

import pytest

from corskit import CORSConfigError, CORSMiddleware, CORSPolicy


def test_null_opt_in_is_refused_with_credentials() -> None:
    with pytest.raises(CORSConfigError) as info:
        CORSPolicy(
            allow_origins=["null"], dangerously_allow_null_origin=True, allow_credentials=True
        )
    (problem,) = info.value.problems
    assert problem.code == "origin-null"
    assert "allow_credentials=False" in problem.fix
    # Without credentials the explicit opt-in is honoured.
    policy = CORSPolicy(allow_origins=["null"], dangerously_allow_null_origin=True)
    assert policy.engine.actual(b"null").allowed


@pytest.mark.parametrize(
    "origin", ["http*://example.com", "https://example.com:8*", "htt*s://a.com"]
)
def test_wildcards_in_scheme_or_port_are_named_as_such(origin: str) -> None:
    with pytest.raises(CORSConfigError) as info:
        CORSPolicy(allow_origins=[origin])
    assert info.value.codes == ("origin-bad-wildcard",)


def test_websocket_with_two_origin_headers_is_refused() -> None:
    reached = []

    async def app(scope: object, receive: object, send: object) -> None:
        reached.append(scope)

    middleware = CORSMiddleware(
        app, allow_origins=["https://app.example.com"], check_websocket_origin=True
    )
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "path": "/ws",
        "headers": [(b"origin", b"https://app.example.com"), (b"origin", b"https://evil.example")],
    }
    asyncio.run(middleware(scope, receive, send))  # type: ignore[arg-type]
    assert not reached
    assert sent == [{"type": "websocket.close", "code": 1008}]
