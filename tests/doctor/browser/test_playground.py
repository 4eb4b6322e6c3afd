"""`corskit playground`: any page origin, the URL as typed, refusals, and a 400 px wide page.

The API under test allows only ``https://app.example.com`` (never the playground's own origin),
so an allowed request proves that the page origin typed in the form is the one the browser used.
A recording wrapper outside the CORS middleware notes every request the API receives (method,
raw path and query, ``Origin``), which shows what was really sent.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from corskit.cli import main
from corskit.doctor.browser import BrowserSession
from corskit.doctor.playground_server import (
    PlaygroundConfigError,
    PlaygroundServer,
    check_config,
    local_network_note,
    make_server,
    page_origin,
)
from tests.servers import send_response, serve_asgi

FRONT_END = "https://app.example.com"


async def _items(scope: Any, receive: Any, send: Any) -> None:
    body = json.dumps({"items": ["apple"], "method": scope["method"]}).encode()
    await send_response(send, body, b"application/json")


@dataclass
class Recorder:
    """ASGI wrapper noting (method, raw path + query, Origin) of every request."""

    app: Any
    seen: list[tuple[str, str, str | None]] = field(default_factory=list)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            target = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
            if scope.get("query_string"):
                target += "?" + scope["query_string"].decode("latin-1")
            headers = dict(scope["headers"])
            origin = headers.get(b"origin")
            self.seen.append(
                (scope["method"], target, None if origin is None else origin.decode("latin-1"))
            )
        await self.app(scope, receive, send)


@dataclass
class Setup:
    server: PlaygroundServer
    base: str
    api: Recorder


def _serve(browser: bool) -> Iterator[Setup]:
    from corskit import CORSMiddleware

    recorder = Recorder(
        CORSMiddleware(
            _items,
            allow_origins=[FRONT_END],
            allow_methods=["GET", "POST"],
            allow_headers=["content-type"],
            debug=True,  # the 403 of a refused preflight names the reason, which the doctor reads
        )
    )
    with serve_asgi(recorder) as base:
        server = make_server(f"{base}/items", browser=browser, timeout=15)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Setup(server, base, recorder)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)


@pytest.fixture()
def simulation_only() -> Iterator[Setup]:
    """The playground with the browser run switched off (the doctor's simulation only)."""
    yield from _serve(browser=False)


@pytest.fixture()
def playground() -> Iterator[Setup]:
    yield from _serve(browser=True)


def _post(
    url: str, data: bytes, headers: dict[str, str], method: str = "POST"
) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


JSON = {"Content-Type": "application/json"}


def test_run_endpoint_is_guarded(simulation_only: Setup) -> None:
    setup = simulation_only
    endpoint = setup.server.url + "api/run"
    ok = json.dumps({"url": f"{setup.base}/items", "method": "PUT", "headers": [["X-Custom", "1"]]})
    # Not JSON: a page on another site could send this without a preflight; refused.
    assert _post(endpoint, ok.encode(), {"Content-Type": "text/plain"})[0] == 415
    # Another origin calling the playground, or a non-loopback Host (DNS rebinding): refused.
    assert _post(endpoint, ok.encode(), {**JSON, "Origin": "https://evil.example"})[0] == 403
    assert _post(endpoint, ok.encode(), {**JSON, "Host": "evil.example"})[0] == 403
    assert setup.api.seen == []
    # Without a page origin, the request comes from the playground's own origin (not allowed).
    status, data = _post(endpoint, ok.encode(), JSON)
    assert status == 200 and data["simulation"]["verdict"] == "blocked", data
    own = setup.server.own_origin
    assert data["request"]["origin"] == own
    assert data["simulation"]["message"].startswith(
        f"Access to fetch at '{setup.base}/items' from origin '{own}'"
    )


@pytest.mark.parametrize(
    ("request_json", "reason"),
    [
        ({"url": "http://127.0.0.1:1/items"}, "only URLs on the API's origin"),
        ({"url": "http://user:pw@{host}/items"}, "user name or password"),
        ({"url": "ftp://{host}/items"}, "scheme must be http or https"),
        ({"url": "{base}/items", "body": "x"}, "GET/HEAD method cannot have body"),
        ({"url": "{base}/items", "method": "CONNECT"}, "unsupported"),
        ({"url": "{base}/items", "headers": [["Bad Name", "1"]]}, "not a valid HTTP header name"),
        ({"url": "{base}/items", "origin": "https://*.example.com"}, "page origin"),
        ({"url": "{base}/items", "origin": "javascript:alert(1)"}, "page origin"),
        ({"url": "{base}/items", "credentials": "always"}, "unknown credentials mode"),
        ({"url": "{base}/items", "headers": "X: 1"}, "list of [name, value] pairs"),
        ({"url": ""}, "the URL is empty"),
    ],
)
def test_refused_before_anything_is_sent(
    simulation_only: Setup, request_json: dict[str, Any], reason: str
) -> None:
    setup = simulation_only
    host = setup.base.split("://", 1)[1]
    data = {
        k: v.format(base=setup.base, host=host) if isinstance(v, str) else v
        for k, v in request_json.items()
    }
    status, answer = _post(setup.server.url + "api/run", json.dumps(data).encode(), JSON)
    assert status == 422 and answer["refused"] is True, answer
    assert reason in answer["error"]
    assert "\n" not in answer["error"]
    assert setup.api.seen == []  # nothing reached the API


def test_simulation_keeps_the_url_and_uses_the_page_origin(simulation_only: Setup) -> None:
    setup = simulation_only
    typed = f"{setup.base}/items?b=2&a=%20x&a=1"
    request = {"url": typed, "origin": "https://App.Example.com:443/"}
    status, data = _post(setup.server.url + "api/run", json.dumps(request).encode(), JSON)
    assert status == 200 and data["simulation"]["verdict"] == "allowed", data
    assert data["request"]["origin"] == FRONT_END  # normalised like a browser serializes it
    assert setup.api.seen == [("GET", "/items?b=2&a=%20x&a=1", FRONT_END)]


def test_unexpected_failure_is_one_line(
    simulation_only: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    import corskit.doctor.playground_server as module

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("simulated failure\nsecond line")

    monkeypatch.setattr(module, "run_request", boom)
    request = json.dumps({"url": f"{simulation_only.base}/items"}).encode()
    status, data = _post(simulation_only.server.url + "api/run", request, JSON)
    assert (status, data) == (500, {"error": "internal error: RuntimeError: simulated failure"})
    # The server still answers afterwards.
    assert _post(simulation_only.server.url + "api/run", b"[]", JSON)[0] == 422


def test_bad_configuration_lists_every_problem(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(PlaygroundConfigError) as info:
        check_config("ftp://x", origin="app.example.com", host="0.0.0.0", port=70000)
    assert len(info.value.problems) == 4
    assert (
        main(
            [
                "playground",
                "--api",
                "ftp://x",
                "--host",
                "0.0.0.0",
                "--origin",
                "nope",
                "--port",
                "0",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "scheme must be http or https" in err and "--host must be a loopback" in err
    assert "--origin" in err and len(err.strip().splitlines()) == 1
    assert (
        check_config("http://127.0.0.1:8000", origin="HTTPS://App.example.com/", host="::1", port=0)
        == FRONT_END
    )


def test_serve_announces_the_origin_and_stops() -> None:
    import io

    from corskit.doctor.playground_server import serve

    out = io.StringIO()
    started: list[PlaygroundServer] = []
    result: list[int] = []
    thread = threading.Thread(
        target=lambda: result.append(
            serve(
                "http://127.0.0.1:9/items",
                origin="https://App.example.com",
                port=0,
                out=out,
                ready=started.append,
            )
        ),
        daemon=True,
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert started, "the playground did not start"
    with urllib.request.urlopen(started[0].url + "api/config", timeout=10) as response:
        config = json.loads(response.read())
    assert config["origin"] == FRONT_END and config["api"] == "http://127.0.0.1:9/items"
    started[0].shutdown()
    thread.join(10)
    assert result == [0]
    text = out.getvalue()
    assert text.startswith(f"corskit playground: open {started[0].url}")
    assert f"from a page at {FRONT_END}" in text


def test_page_origin_and_local_network_note() -> None:
    assert page_origin(" null ") == "null"
    assert page_origin("http://[::1]:8080") == "http://[::1]:8080"
    assert local_network_note("http://127.0.0.1:8000/x", "http://127.0.0.1:8377") is None
    assert "local-network permission" in (
        local_network_note("http://127.0.0.1:8000/x", FRONT_END) or ""
    )
    assert "InsecureLocalNetwork" in (
        local_network_note("http://127.0.0.1:8000/x", "http://app.example.com") or ""
    )
    assert local_network_note("https://api.example.com/x", FRONT_END) is None


# -- in real headless Chromium ----------------------------------------------------------------


def _send(page: Any, **fields: str) -> Any:
    """Fill the form (origin, url, method, headers, body), press Send, return the new card."""
    count = page.locator(".case[data-doctor], .case[data-refused]").count()
    for name in ("origin", "url", "method", "headers", "body"):
        if name in fields:
            page.fill(f"#{name}", fields[name])
    page.click("#send")
    page.wait_for_function(
        f"document.querySelectorAll('.case[data-doctor], .case[data-refused]').length > {count}",
        timeout=60000,
    )
    return page.locator(".case").first


def _check_narrow_layout(page: Any, artifacts: Path) -> None:
    """No horizontal overflow at 400 px, and the key controls inside the viewport."""
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 400, f"horizontal overflow: scrollWidth {width} > 400"
    for selector in ("#origin", "#url", "#method", "#headers", "#send"):
        box = page.locator(selector).bounding_box()
        assert box is not None and page.locator(selector).is_visible(), selector
        assert box["x"] >= 0 and box["x"] + box["width"] <= 400, (selector, box)
    for selector in ("#origin", "#url", "#headers"):  # wide enough to read what is typed
        box = page.locator(selector).bounding_box()
        assert box is not None and box["width"] >= 300, (selector, box)
    path = artifacts / "playground-400px.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


@pytest.mark.browser
def test_playground_in_chromium_any_origin_narrow(
    chromium: str, artifacts: Path, playground: Setup
) -> None:
    setup = playground
    seen = setup.api.seen
    with BrowserSession(chromium_path=chromium, targets=[setup.base]) as session:
        page = session.open(setup.server.url, width=400, height=900)
        page.wait_for_selector("body[data-ready='1']")
        assert page.input_value("#origin") == setup.server.own_origin

        # 1. A page origin other than the playground's own; the URL's path and query as typed.
        typed = "/items?b=2&a=%20x&a=1"
        allowed = _send(page, origin=FRONT_END, url=setup.base + typed, method="GET")
        assert allowed.get_attribute("data-browser") == "allowed", allowed.inner_text()
        assert allowed.get_attribute("data-doctor") == "allowed"
        text = allowed.inner_text()
        assert "RESOLVED" in text and "agree" in text and "DISAGREE" not in text
        assert seen and {(m, t, o) for m, t, o in seen} == {("GET", typed, FRONT_END)}
        assert len(seen) == 2  # once by Chromium, once by the doctor; nothing else
        seen.clear()

        # 2. A preflighted request refused by the API, from the same origin: blocked by both.
        blocked = _send(
            page, url=setup.base + "/items?case=put", method="PUT", headers="X-Custom: 1"
        )
        assert blocked.get_attribute("data-browser") == "blocked"
        assert blocked.get_attribute("data-doctor") == "blocked"
        text = blocked.inner_text()
        assert "REJECTED" in text and "TypeError: Failed to fetch" in text
        assert f"from origin '{FRONT_END}' has been blocked by CORS policy" in text
        assert "agree" in text and "DISAGREE" not in text
        assert ("OPTIONS", "/items?case=put", FRONT_END) in seen
        assert {t for _, t, _ in seen} == {"/items?case=put"}
        seen.clear()

        # 3. A header line the page cannot read: said in the page, nothing sent.
        cards = page.locator(".case").count()
        page.fill("#headers", "no colon here")
        page.click("#send")
        assert "header line without a colon" in page.inner_text("#notice")
        assert page.locator(".case").count() == cards

        # 4. A URL the doctor cannot simulate: refused in the page, nothing sent.
        host = setup.base.split("://", 1)[1]
        refused = _send(page, url=f"http://user:pw@{host}/items", method="GET", headers="")
        assert refused.get_attribute("data-refused") == "1"
        assert "Refused before anything was sent" in refused.inner_text()
        assert "user name or password" in refused.inner_text()
        assert seen == []

        _check_narrow_layout(page, artifacts)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(artifacts / "playground.png"), full_page=True)
    assert (artifacts / "playground.png").stat().st_size > 10_000
