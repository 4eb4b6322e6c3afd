"""The real ``corskit`` executable in a subprocess: output, JSON, exit codes, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import serve_asgi

from .quickstart_request import QUICKSTART_REQUEST
from .symptom_apps import fastapi_default_methods

ROOT = Path(__file__).resolve().parents[2]
CORSKIT = str(Path(sys.executable).with_name("corskit"))
QUICK = QUICKSTART_REQUEST


def corskit(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    full_env = {
        k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CORSKIT_DEBUG")
    }
    full_env.update(env or {})
    return subprocess.run(
        [CORSKIT, *args], capture_output=True, text=True, timeout=60, cwd=cwd, env=full_env
    )


def test_help_runs_and_lists_commands() -> None:
    start = time.perf_counter()
    result = corskit("--help")
    elapsed = time.perf_counter() - start
    assert result.returncode == 0
    for name in ("check", "lint", "explain"):
        assert name in result.stdout
    print(
        f"corskit --help took {elapsed * 1000:.0f} ms"
    )  # recorded in docs/doctor.md, not asserted


def test_quickstart_broken_is_blocked_with_cause_and_fix() -> None:
    result = corskit("check", "examples.quickstart:broken", *QUICK)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "Verdict: BLOCKED" in out
    assert (
        "Access to fetch at '/items' from origin 'http://localhost:5173' has been blocked"
        " by CORS policy: Response to preflight request doesn't pass access control check: No"
        " 'Access-Control-Allow-Origin' header is present on the requested resource."
    ) in out
    assert "Cross-Origin Request Blocked" in out
    assert "Cause (header-not-allowed)" in out
    assert 'allow_headers=["authorization"]' in out
    assert "\x1b[" not in out  # not a terminal: no colour


def test_quickstart_fixed_is_allowed() -> None:
    result = corskit("check", "examples.quickstart:fixed", *QUICK, "-d", '{"name": "apple"}')
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Verdict: ALLOWED" in result.stdout
    assert "201 from /items" in result.stdout


def test_json_output() -> None:
    result = corskit("check", "examples.quickstart:broken", *QUICK, "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["verdict"] == "blocked"
    assert data["preflight"] is True
    assert data["cors_error"] == "PreflightMissingAllowOriginHeader"
    assert data["chromium_message"].startswith("Access to fetch at '/items'")
    assert data["symptom"] == "header-not-allowed"
    assert "allow_headers" in data["fix"]["text"] and data["fix"]["verified"] is True
    assert data["fix_text"] == data["fix"]["text"]
    assert data["cause"]
    assert isinstance(data["steps"], list) and data["steps"][0]["text"]
    assert data["settings"]["middleware"] == "corskit"
    allowed = json.loads(corskit("check", "examples.quickstart:fixed", *QUICK, "--json").stdout)
    assert allowed["verdict"] == "allowed" and allowed["chromium_message"] is None
    assert allowed["cause"] is None and allowed["fix"] is None


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve_asgi(fastapi_default_methods()) as base:
        yield base


def test_check_by_url(server: str) -> None:
    result = corskit(
        "check",
        server + "/data",
        "--origin",
        "http://localhost:5173",
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "--json",
    )
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["cors_error"] == "PreflightInvalidStatus"
    assert data["symptom"] == "method-not-allowed"
    ok = corskit("check", server + "/data", "--origin", "http://localhost:5173")
    assert ok.returncode == 0, ok.stdout


def test_colour_on_request_and_no_color(server: str) -> None:
    args = ("check", server + "/data", "--origin", "http://localhost:5173")
    assert "\x1b[" in corskit(*args, env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" not in corskit(*args, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("check", "http://127.0.0.1:1/x", "--origin", "https://a.example"), "cannot connect"),
        (("check", "http://exa<mple.com/", "--origin", "https://a.example"), "malformed URL"),
        (("check", "ftp://example.com/", "--origin", "https://a.example"), "malformed URL"),
        (("check", "http://example.com:99999/", "--origin", "https://a.example"), "malformed URL"),
        (
            (
                "check",
                "examples.quickstart:fixed",
                "--origin",
                "https://a.example",
                "-H",
                "NoColon",
            ),
            "malformed header",
        ),
        (
            (
                "check",
                "examples.quickstart:fixed",
                "--origin",
                "https://a.example",
                "-H",
                "Bad Name: x",
            ),
            "malformed header",
        ),
        (("check", "nonexistent_module_xyz:app", "--origin", "https://a.example"), "cannot import"),
        (("check", "examples.quickstart:nope", "--origin", "https://a.example"), "no attribute"),
        (
            ("check", "tests.doctor.raising_module:app", "--origin", "https://a.example"),
            "cannot import",
        ),
        (
            ("check", "examples.quickstart:FRONTEND", "--origin", "https://a.example"),
            "not an ASGI or WSGI",
        ),
        (("check", "justaword", "--origin", "https://a.example"), "malformed target"),
        (("check", "examples.quickstart:fixed", "--origin", "app.example.com"), "malformed origin"),
        (
            ("check", "examples.quickstart:fixed", "--origin", "https://a.example", "-X", "TRACE"),
            "TypeError",
        ),
        (("check", "examples.quickstart:fixed"), "--origin"),
        (
            (
                "check",
                "examples.quickstart:fixed",
                "--origin",
                "https://a.example",
                "--credentials",
                "x",
            ),
            "invalid choice",
        ),
        (("lint", "nonexistent_module_xyz:app"), "cannot import"),
        (("lint", "/nonexistent/file.toml"), "cannot read"),
        (("explain", "no-such-code"), "unknown problem code"),
        (("frobnicate",), "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], needle: str) -> None:
    _one_line_exit_2(corskit(*args), needle)


def _one_line_exit_2(result: subprocess.CompletedProcess[str], needle: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert needle in lines[0]
    assert "Traceback" not in result.stderr


def test_lint_app_and_exit_codes(tmp_path: Path) -> None:
    bad = corskit("lint", "tests.doctor.lint_targets:starlette_app")
    assert bad.returncode == 1
    assert "[wildcard-origin-with-credentials]" in bad.stdout
    assert "[origin-trailing-slash]" in bad.stdout
    assert "[method-lowercase]" in bad.stdout
    good = corskit("lint", "tests.doctor.lint_targets:good_policy")
    assert good.returncode == 0, good.stdout
    assert "0 errors" in good.stdout
    (tmp_path / "bad_policy_mod.py").write_text(
        "from corskit import CORSPolicy\npolicy = CORSPolicy(allow_origins=['*'], allow_credentials=True)\n"
    )
    raising = corskit("lint", "bad_policy_mod:policy", cwd=tmp_path)
    assert raising.returncode == 1
    assert "[wildcard-origin-with-credentials]" in raising.stdout
    data = json.loads(corskit("lint", "examples.quickstart:broken", "--json").stdout)
    assert data["errors"] == 0


def test_module_that_raises_on_import(tmp_path: Path) -> None:
    (tmp_path / "raising_mod.py").write_text(
        "raise RuntimeError('configuration file missing\\nsecond line that must not be printed')\n"
    )
    result = corskit("check", "raising_mod:app", "--origin", "https://a.example", cwd=tmp_path)
    _one_line_exit_2(
        result, "cannot import 'raising_mod': RuntimeError: configuration file missing"
    )
    _one_line_exit_2(corskit("lint", "raising_mod:app", cwd=tmp_path), "cannot import")


def test_lint_env_and_toml(tmp_path: Path) -> None:
    env = {
        "CORS_ALLOW_ORIGINS": "https://app.example.com/,http://localhost:3000",
        "CORS_ALLOW_CREDENTIALS": "true",
        "CORS_ALLOW_METHODS": '["GET", "POST"]',
    }
    result = corskit("lint", "env", env=env)
    assert result.returncode == 1
    assert "[origin-trailing-slash]" in result.stdout
    custom = corskit("lint", "env:MYAPP_", env={"MYAPP_ALLOW_ORIGINS": "https://app.example.com"})
    assert custom.returncode == 0, custom.stdout
    assert corskit("lint", "env", env={}).returncode == 2
    toml = tmp_path / "cors.toml"
    toml.write_text('[cors]\nallow_origins = ["*"]\nallow_credentials = true\nmax_age = 100000\n')
    result = corskit("lint", str(toml), "--json")
    assert result.returncode == 1
    codes = {p["code"] for s in json.loads(result.stdout)["sources"] for p in s["problems"]}
    assert {"wildcard-origin-with-credentials", "max-age-out-of-range"} <= codes
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.corskit]\nallow_origins = ["https://app.example.com"]\n')
    assert corskit("lint", str(pyproject)).returncode == 0
    broken = tmp_path / "broken.toml"
    broken.write_text("allow_origins = [\n")
    result = corskit("lint", str(broken))
    assert result.returncode == 2 and "not valid TOML" in result.stderr


def test_explain() -> None:
    result = corskit("explain", "wildcard-origin-with-credentials")
    assert result.returncode == 0
    assert result.stdout.startswith("wildcard-origin-with-credentials (error):")
    assert "Fix:" in result.stdout
    listing = corskit("explain")
    assert listing.returncode == 0
    assert "origin-trailing-slash" in listing.stdout
    data = json.loads(corskit("explain", "origin-trailing-slash", "--json").stdout)
    assert data["code"] == "origin-trailing-slash"
    near = corskit("explain", "origin-trailing-slas")
    assert near.returncode == 2 and "did you mean origin-trailing-slash" in near.stderr


@pytest.mark.parametrize("raw", ["text/plain\v", "text/plain\f", "\vtext/plain"])
def test_header_values_keep_bytes_fetch_does_not_strip(raw: str) -> None:
    """`-H` strips only HTTP whitespace: `text/plain<VT>` is not safelisted, so it needs a preflight."""
    from corskit.commands.check import parse_header
    from corskit.doctor.spec import is_cors_safelisted_request_header

    name, value = parse_header(f"Content-Type: {raw}")
    assert value == raw
    assert not is_cors_safelisted_request_header(name, value)
    assert parse_header("Content-Type: \t text/plain \t") == ("Content-Type", "text/plain")
