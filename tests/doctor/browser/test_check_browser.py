"""`corskit check --browser`: the same request in real Chromium, beside the simulation."""

from __future__ import annotations

import json
import os
import tempfile

import pytest

from corskit.cli import main
from corskit.doctor.browser import BrowserSession, run_in_browser

from ..quickstart_request import QUICKSTART_BODY, QUICKSTART_REQUEST

pytestmark = pytest.mark.browser

QUICKSTART = [*QUICKSTART_REQUEST, *QUICKSTART_BODY, "--browser", "--no-color"]


def test_blocked_request_agrees_with_chromium(
    chromium: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["check", "examples.quickstart:broken", *QUICKSTART, "--chromium", chromium])
    out = capsys.readouterr().out
    assert status == 1
    assert "In a real browser: Chromium" in out
    assert "REJECTED: TypeError: Failed to fetch" in out
    assert "served examples.quickstart:broken on http://127.0.0.1:" in out
    assert "console: Access to fetch at 'http://127.0.0.1:" in out
    assert (
        "AGREE: the browser and the simulation both say blocked, with the same console message."
        in out
    )


def test_allowed_request_agrees_with_chromium(
    chromium: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["check", "examples.quickstart:fixed", *QUICKSTART, "--chromium", chromium])
    out = capsys.readouterr().out
    assert status == 0
    assert "RESOLVED: status 201" in out
    assert "OPTIONS /items -> 204, POST /items -> 201" in out
    assert "AGREE: the browser and the simulation both say allowed." in out


def test_url_target_json(chromium: str, capsys: pytest.CaptureFixture[str]) -> None:
    from examples.quickstart import fixed
    from tests.servers import serve_asgi

    with serve_asgi(fixed) as base:
        status = main(
            [
                "check",
                f"{base}/items",
                "--origin",
                "http://localhost:5173",
                "--method",
                "PUT",
                "--json",
                "--browser",
            ]
        )
    data = json.loads(capsys.readouterr().out)
    assert status == 1  # PUT is not in allow_methods
    browser = data["browser"]
    assert browser["served_at"] is None
    assert browser["agree"] is True
    assert browser["chromium"]["verdict"] == "blocked"
    assert browser["chromium"]["cors_error"] == "PreflightMissingAllowOriginHeader"
    assert browser["simulation"]["cors_error"] == "PreflightMissingAllowOriginHeader"


def test_run_in_browser_cleans_up_its_profile(chromium: str) -> None:
    from examples.quickstart import fixed
    from tests.servers import serve_asgi

    before = {
        n for n in os.listdir(tempfile.gettempdir()) if n.startswith("corskit-browser-profile-")
    }
    with serve_asgi(fixed) as base:
        outcome = run_in_browser(f"{base}/items", "http://localhost:5173", chromium_path=chromium)
    after = {
        n for n in os.listdir(tempfile.gettempdir()) if n.startswith("corskit-browser-profile-")
    }
    assert outcome.verdict == "allowed" and outcome.status == 200
    assert after <= before


def test_session_refuses_to_fetch_with_routes_active(chromium: str) -> None:
    """The fake-origin page must have no route left (Playwright would fake preflights)."""
    with BrowserSession(chromium_path=chromium) as session:
        page = session.page("https://app.example.com")
        assert page._page.evaluate("self.origin") == "https://app.example.com"
        # unroute_all ran: a request to the fake origin now really goes to the network and fails.
        result = page._page.evaluate(
            "fetch('https://app.example.com/x').then(() => 'served', e => 'network: ' + e)"
        )
        assert result.startswith("network:")


def test_a_hanging_server_times_out(chromium: str) -> None:
    from typing import Any

    from corskit.doctor.browser import BrowserRequest
    from tests.servers import serve_asgi

    async def hang(scope: Any, receive: Any, send: Any) -> None:
        while (await receive())["type"] != "http.disconnect":  # never answers
            pass

    with (
        serve_asgi(hang) as base,
        BrowserSession(chromium_path=chromium, targets=[base]) as session,
    ):
        outcome = session.page("https://app.example.com").fetch(
            BrowserRequest(url=f"{base}/slow"), timeout_ms=500
        )
    assert outcome.verdict == "blocked"
    assert outcome.error is not None and "TimeoutError" in outcome.error
