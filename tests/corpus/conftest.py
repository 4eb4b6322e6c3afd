"""The browser fixtures (Chromium discovery: skip locally, fail under CI; the artifacts
directory) for the corpus' Chromium tests."""

from __future__ import annotations

from tests.doctor.browser.conftest import artifacts, chromium

__all__ = ["artifacts", "chromium"]
