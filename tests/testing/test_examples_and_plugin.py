"""corskit.testing used the way users will: on the project's own examples, and through the
pytest plugin's ``cors`` fixture in a separate pytest run (``-p corskit.pytest_plugin``, which is
what the ``pytest11`` entry point loads)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from corskit.testing import assert_cors_allowed, assert_cors_blocked
from examples import flask_app as flask_example
from examples import quickstart

ROOT = Path(__file__).resolve().parents[2]
JSON = {"Content-Type": "application/json", "Authorization": "Bearer t0ken"}


def test_quickstart_broken_and_fixed() -> None:
    front = quickstart.FRONTEND
    assert_cors_blocked(
        quickstart.broken,
        origin=front,
        method="POST",
        path="/items",
        headers=JSON,
    )
    result = assert_cors_allowed(
        quickstart.fixed, origin=front, method="POST", path="/items", headers=JSON
    )
    assert result.outcome.preflight
    # the failure names the example's module attribute, so the command can be pasted
    blocked = assert_cors_blocked(
        quickstart.broken, origin=front, method="POST", path="/items", headers=JSON
    )
    assert blocked.command.startswith("corskit check examples.quickstart:broken ")


def test_flask_example() -> None:
    app = flask_example.app
    assert_cors_allowed(
        app, origin="https://app.example.com", path="/api/items", credentials="include"
    )
    assert_cors_allowed(app, origin="https://anyone.example", path="/public/info")
    assert_cors_blocked(
        app, origin="https://anyone.example", path="/api/items", error="MissingAllowOriginHeader"
    )
    # the unhandled error keeps its CORS headers, so the page sees the 500, not a CORS error
    result = assert_cors_allowed(app, origin="https://app.example.com", path="/api/boom")
    assert result.outcome.status == 500


PLUGIN_TESTS = """
from fastapi import FastAPI
from corskit import CORSMiddleware

app = FastAPI()

@app.get("/items")
async def items():
    return []

app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])


def test_allowed(cors):
    cors.assert_allowed(app, origin="https://app.example.com", path="/items")


def test_blocked(cors):
    cors.assert_blocked(app, origin="https://evil.example", path="/items")


def test_fails(cors):
    cors.assert_allowed(app, origin="https://evil.example", path="/items")
"""


def _plugin_is_installed() -> bool:
    from importlib.metadata import entry_points

    return any(ep.value == "corskit.pytest_plugin" for ep in entry_points(group="pytest11"))


def test_pytest_plugin_fixture(tmp_path: Path) -> None:
    (tmp_path / "test_user_api.py").write_text(textwrap.dedent(PLUGIN_TESTS))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    # An installed corskit registers the plugin through its pytest11 entry point (what
    # users get); naming it again with -p would register it twice, which pytest refuses.
    load = [] if _plugin_is_installed() else ["-p", "corskit.pytest_plugin"]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *load, "test_user_api.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = proc.stdout
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "2 passed, 1 failed" in out or "1 failed, 2 passed" in out, out
    assert "CORS: expected GET /items from https://evil.example to be allowed" in out
    assert "cause (origin-not-allowed)" in out
    assert "see every step: corskit check test_user_api:app --origin https://evil.example" in out
