"""Parts of the browser support that need no browser: discovery, URLs, skip/fail policy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from corskit.cli import main
from corskit.doctor.browser import (
    BrowserUnavailable,
    _loopback_overrides,
    add_cache_buster,
    browser_available,
    find_chromium,
)

ROOT = Path(__file__).resolve().parents[3]


def test_chromium_override_must_be_executable(tmp_path: Path) -> None:
    with pytest.raises(
        BrowserUnavailable, match="--chromium '/nonexistent' is not an executable file"
    ):
        find_chromium("/nonexistent")
    plain = tmp_path / "chromium"
    plain.write_text("#!/bin/sh\n")
    with pytest.raises(BrowserUnavailable):
        find_chromium(str(plain))  # not executable
    plain.chmod(0o755)
    assert find_chromium(str(plain)) == str(plain)


def test_environment_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORSKIT_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(BrowserUnavailable, match="CORSKIT_CHROMIUM '/nonexistent/chromium'"):
        find_chromium()
    reason = browser_available()
    assert reason is not None and "CORSKIT_CHROMIUM" in reason


def test_cache_buster_keeps_the_query() -> None:
    assert add_cache_buster("http://h/p", "x") == "http://h/p?corskit-case=x"
    assert add_cache_buster("http://h/p?a=1", "x") == "http://h/p?a=1&corskit-case=x"
    assert add_cache_buster("http://h", "x") == "http://h/?corskit-case=x"
    assert add_cache_buster("http://h/p") != add_cache_buster("http://h/p")


def test_loopback_targets_are_declared_public() -> None:
    assert _loopback_overrides(["http://127.0.0.1:8000/x", "http://localhost:9000"]) == [
        "127.0.0.1:8000=public",
        "127.0.0.1:9000=public",
        "[::1]:8000=public",
        "[::1]:9000=public",
    ]
    assert _loopback_overrides(["https://api.example.com/"]) == []


def test_playground_rejects_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["playground", "--api", "ftp://x"]) == 2
    assert "scheme must be http or https" in capsys.readouterr().err
    assert main(["playground", "--api", "http://127.0.0.1:8000", "--host", "0.0.0.0"]) == 2
    assert "--host must be a loopback address" in capsys.readouterr().err
    assert main(["playground", "--api", "http://127.0.0.1:8000", "--port", "70000"]) == 2


def _run_browser_test(env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(env_extra)
    env["CORSKIT_CHROMIUM"] = "/nonexistent/chromium"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "tests/doctor/browser/test_check_browser.py::test_run_in_browser_cleans_up_its_profile",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_chromium_browser_tests_skip_locally_with_install_hint() -> None:
    result = _run_browser_test({})
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert "bash scripts/ensure-browser.sh" in result.stdout


def test_without_chromium_browser_tests_fail_under_ci() -> None:
    result = _run_browser_test({"CI": "1"})
    assert result.returncode != 0, result.stdout
    assert "CI is set, so browser tests must run, not skip" in result.stdout
