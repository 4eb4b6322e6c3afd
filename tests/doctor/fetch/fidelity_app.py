"""A server for the browser-fidelity tests whose answer is written in the query string:
``status=302`` sets the status and each ``h=Name~value`` (percent-encoded) adds a response
header, on every method, preflights included. ``x-target`` echoes the request target as
received, so a test can see the URL exactly as it was sent."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl


async def app(scope: Any, receive: Any, send: Any) -> None:
    assert scope["type"] == "http"
    while True:
        message = await receive()
        if not message.get("more_body"):
            break
    query = scope["query_string"].decode("latin-1")
    status = 200
    headers: list[tuple[bytes, bytes]] = []
    for name, value in parse_qsl(query, keep_blank_values=True, encoding="latin-1"):
        if name == "status":
            status = int(value)
        elif name == "h" and "~" in value:
            key, _, text = value.partition("~")
            headers.append((key.encode("latin-1"), text.encode("latin-1")))
    target = scope["raw_path"] + (b"?" + scope["query_string"] if scope["query_string"] else b"")
    headers.append((b"x-target", target))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"ok"})
