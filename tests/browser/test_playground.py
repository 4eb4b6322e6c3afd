"""`corskit playground`: a person's page, driven in Chromium, one blocked and one allowed request."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corskit.commands.playground import PlaygroundServer, make_server
from corskit.doctor.browser import BrowserSession
from tests.servers import free_port, serve_asgi


async def _items(scope: Any, receive: Any, send: Any) -> None:
    body = json.dumps({"items": ["apple"], "method": scope["method"]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


@pytest.fixture()
def playground() -> Iterator[tuple[PlaygroundServer, str]]:
    """An API allowing the playground's origin for GET/POST + Content-Type, and the playground."""
    from corskit import CORSMiddleware

    port = free_port()
    page_origin = f"http://127.0.0.1:{port}"
    api = CORSMiddleware(
        _items,
        allow_origins=[page_origin],
        allow_methods=["GET", "POST"],
        allow_headers=["content-type"],
        debug=True,  # the 403 of a refused preflight names the reason, which the doctor reads
    )
    with serve_asgi(api) as base:
        server = make_server(f"{base}/items", port=port)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield server, base
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)


def _post(url: str, data: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_simulate_endpoint_is_guarded(playground: tuple[PlaygroundServer, str]) -> None:
    server, base = playground
    endpoint = server.url + "api/simulate"
    ok = json.dumps(
        {"url": f"{base}/items", "method": "PUT", "headers": [["X-Custom", "1"]]}
    ).encode()
    status, data = _post(endpoint, ok, {"Content-Type": "application/json"})
    assert status == 200 and data["available"] and data["verdict"] == "blocked"
    assert data["message"].startswith(
        f"Access to fetch at '{base}/items' from origin '{server.url.rstrip('/')}'"
    )
    # Not JSON: a page on another site could send this without a preflight; refused.
    assert _post(endpoint, ok, {"Content-Type": "text/plain"})[0] == 415
    # Another origin calling the playground: refused.
    assert (
        _post(endpoint, ok, {"Content-Type": "application/json", "Origin": "https://evil.example"})[
            0
        ]
        == 403
    )
    # Only the API's origin can be targeted (no open proxy).
    other = json.dumps({"url": "http://127.0.0.1:1/", "method": "GET"}).encode()
    status, data = _post(endpoint, other, {"Content-Type": "application/json"})
    assert status == 400 and "only URLs on" in data["error"]


@pytest.mark.browser
def test_playground_in_chromium(
    chromium: str, artifacts: Path, playground: tuple[PlaygroundServer, str]
) -> None:
    server, base = playground
    with BrowserSession(chromium_path=chromium, targets=[base]) as session:
        page = session.open(server.url, width=1280, height=1000)
        page.wait_for_selector("body[data-ready='1']")

        def send(method: str, headers: str, body: str) -> Any:
            count = page.locator(".case[data-doctor]").count()
            page.fill("#method", method)
            page.fill("#headers", headers)
            page.fill("#body", body)
            page.click("#send")
            page.wait_for_function(
                f"document.querySelectorAll('.case[data-doctor]').length > {count}", timeout=15000
            )
            return page.locator(".case").first

        blocked = send("PUT", "X-Custom: 1", "")
        assert blocked.get_attribute("data-browser") == "blocked"
        assert blocked.get_attribute("data-doctor") == "blocked"
        text = blocked.inner_text()
        assert "REJECTED" in text and "TypeError: Failed to fetch" in text
        assert "has been blocked by CORS policy" in text
        assert "browser and doctor agree" in text

        allowed = send("POST", "Content-Type: application/json", '{"name": "apple"}')
        assert allowed.get_attribute("data-browser") == "allowed"
        assert allowed.get_attribute("data-doctor") == "allowed"
        text = allowed.inner_text()
        assert "RESOLVED" in text and "status 200" in text and "browser and doctor agree" in text

        page.screenshot(path=str(artifacts / "playground.png"), full_page=True)
    assert (artifacts / "playground.png").stat().st_size > 10_000
