"""Every command on a bare install (no httpx, playwright, uvicorn, Starlette, ...): it works, or
it ends with ONE line on stderr naming the extra to install, never a traceback, an "internal
error" or a path inside this repository.

A bare install is imitated by blocking the optional modules (``sys.modules[name] = None`` makes
their import fail as if absent) in a fresh interpreter; tests/packaging/test_distribution.py
does the same from a real wheel in a fresh virtual environment (slow).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import corskit.cli
from corskit.doctor.browser import BrowserUnavailable

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path(__file__).parent / "inputs" / "samples" / "chromium_devtools.json"
OPTIONAL = (
    "httpx", "playwright", "uvicorn", "starlette", "fastapi", "tomli", "pydantic",
    "pydantic_settings", "anyio", "flask", "django", "publicsuffixlist",
)  # fmt: skip
BARE = (
    "import sys\n"
    f"for name in {OPTIONAL!r}:\n"
    "    sys.modules[name] = None\n"
    "from corskit.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)
HINT = re.compile(r"pip install 'corskit\[(doctor|browser)\]'")
API = "http://127.0.0.1:9/items"  # never contacted: the command stops at the missing extra
PAGE = "http://localhost:5173"


def bare(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CORSKIT_DEBUG"}
    return subprocess.run(
        [sys.executable, "-c", BARE, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={**env, "NO_COLOR": "1"},
    )


def assert_clean(done: subprocess.CompletedProcess[str]) -> None:
    output = done.stdout + done.stderr
    for bad in ("Traceback", "internal error", "scripts/", str(ROOT)):
        assert bad not in output, output


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (("check", API, "--origin", PAGE), "doctor"),
        (("check", API, "--origin", PAGE, "--browser"), "doctor"),
        (("check", "--curl", f"curl '{API}' -H 'Origin: {PAGE}'"), "doctor"),
        (("check", "--fetch", f'fetch("{API}", {{"referrer": "{PAGE}/"}});'), "doctor"),
        (("check", "tests.doctor.bare_app:app", "--origin", PAGE, "--browser"), "browser"),
        (("audit", API, "--origin", PAGE), "doctor"),
        (("playground", "--api", API, "--port", "0"), "doctor"),
    ],
)
def test_commands_needing_an_extra_name_it_in_one_line(args: tuple[str, ...], extra: str) -> None:
    done = bare(*args)
    assert_clean(done)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    found = HINT.search(lines[0])
    assert found and found.group(1) == extra, lines[0]


def test_har_offline_works_and_live_names_the_extra(tmp_path: Path) -> None:
    har = tmp_path / "session.har"
    har.write_text(json.dumps(json.loads(SAMPLES.read_text())["har"]))
    done = bare("check", "--har", str(har))
    assert_clean(done)
    assert done.returncode == 1 and "7 requests: 3 blocked" in done.stdout
    done = bare("check", "--har", str(har), "--live")
    assert_clean(done)
    assert done.returncode == 2 and "pip install 'corskit[doctor]'" in done.stderr


def test_commands_that_work_bare(tmp_path: Path) -> None:
    for args, status in [
        (("--help",), 0),
        (("explain",), 0),
        (("explain", "wildcard-origin-with-credentials"), 0),
        (("explain", "Access to fetch at 'https://a.example/x' from origin 'https://b.example'"
          " has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present"
          " on the requested resource."), 0),
        (("check", "tests.doctor.bare_app:app", "--origin", PAGE), 0),
    ]:  # fmt: skip
        done = bare(*args)
        assert_clean(done)
        assert done.returncode == status, (args, done.stdout, done.stderr)
    (tmp_path / "cors.toml").write_text('[cors]\nallow_origins = ["https://app.example.com"]\n')
    done = bare("lint", str(tmp_path / "cors.toml"))
    assert_clean(done)
    assert done.returncode == 0, done.stdout + done.stderr


def test_python_dash_m_corskit() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "corskit", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "usage: corskit" in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "corskit", "explain", "nope"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stderr.startswith("corskit: unknown problem code")


def test_browser_hint_is_the_pip_extra_not_a_repository_script(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def unavailable(*args: object, **kwargs: object) -> None:
        raise BrowserUnavailable(  # the doctor's own wording, made for the repository's scripts
            "Chromium not found; run `bash scripts/ensure-browser.sh` (installs Debian's chromium"
            " and playwright), or pass --chromium PATH"
        )

    monkeypatch.setattr("corskit.doctor.browser.browser_check", unavailable)
    status = corskit.cli.main(["check", "tests.doctor.bare_app:app", "--origin", PAGE, "--browser"])
    err = capsys.readouterr().err
    assert status == 2 and len(err.strip().splitlines()) == 1
    assert "pip install 'corskit[browser]'" in err and "playwright install chromium" in err
    assert "scripts/" not in err and err.startswith("corskit: --browser: Chromium not found; ")
