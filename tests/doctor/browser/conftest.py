"""Fixtures for the browser tests: Chromium and Firefox discovery, skip locally / fail under CI.

Without Chromium (or the playwright package) these tests skip with a message saying that
``bash scripts/ensure-browser.sh`` installs it; when the environment variable ``CI`` is set
they fail instead, so CI never passes by silently skipping the proof.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from corskit.doctor.browser import browser_available, find_chromium
from corskit.doctor.browser.firefox_profile import find_firefox, firefox_available

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"


def _require(name: str, reason: str | None, find: Callable[[], str]) -> str:
    """*find*'s path when *reason* is None; else skip (locally) or fail (under CI)."""
    if reason is None:
        return find()
    message = f"headless {name} is not available: {reason}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so browser tests must run, not skip)", pytrace=False)
    pytest.skip(f"{message}; `bash scripts/ensure-browser.sh` installs it")
    raise AssertionError("unreachable")  # pragma: no cover


def require_browser() -> str:
    """Return the Chromium path, or skip (locally) / fail (under CI) with an install hint."""
    return _require("Chromium", browser_available(), find_chromium)


def require_firefox() -> str:
    """Return the Firefox path, or skip (locally) / fail (under CI), as for Chromium."""
    return _require("Firefox", firefox_available(), find_firefox)


@pytest.fixture(scope="session")
def firefox() -> str:
    """Path of the Firefox binary (skips or fails as described above)."""
    return require_firefox()


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of the Chromium binary (skips or fails as described above)."""
    return require_browser()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The git-ignored artifacts/ directory (screenshots, timings)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
