"""Every command on a bare install (no httpx, playwright, uvicorn, Starlette, ...): it works, or
it ends with ONE line on stderr naming the extra to install, never a traceback, an "internal
error" or a path inside this repository.

A bare install is imitated by blocking the optional modules (``sys.modules[name] = None`` makes
their import fail as if absent) in a fresh interpreter; tests/packaging/test_distribution.py
does the same from a real wheel in a fresh virtual environment (slow). The doctor's URL targets
need no third-party package: ``check``, ``audit``, ``check --har --live`` and the playground's
simulation are run bare against a real server on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

import corskit.cli
from corskit import WSGICORSMiddleware
from corskit.doctor.browser import BrowserUnavailable
from tests.servers import serve_wsgi

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path(__file__).parent / "inputs" / "samples" / "chromium_devtools.json"
OPTIONAL = (
    "httpx", "playwright", "uvicorn", "starlette", "fastapi", "tomli", "pydantic",
    "pydantic_settings", "anyio", "flask", "django", "publicsuffixlist", "h11", "httpcore",
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


def bare_command(*args: str) -> list[str]:
    return [sys.executable, "-c", BARE, *args]


def bare_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CORSKIT_DEBUG"}
    return {**env, "NO_COLOR": "1"}


def bare(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        bare_command(*args), capture_output=True, text=True, timeout=60, cwd=cwd, env=bare_env()
    )


def assert_clean(done: subprocess.CompletedProcess[str]) -> None:
    output = done.stdout + done.stderr
    for bad in ("Traceback", "internal error", "scripts/", str(ROOT)):
        assert bad not in output, output


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (("check", API, "--origin", PAGE, "--browser"), "browser"),
        (("check", "tests.doctor.bare_app:app", "--origin", PAGE, "--browser"), "browser"),
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


# ------------------------------------------------------------------------------------------
# URL targets on a bare install, against a real server on 127.0.0.1


class Seen:
    """The requests the loopback server answered: (method, path, Origin)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()

    def app(self) -> Callable[..., Iterable[bytes]]:
        def items(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            with self.lock:
                self.requests.append(
                    (
                        environ["REQUEST_METHOD"],
                        environ["PATH_INFO"],
                        environ.get("HTTP_ORIGIN", ""),
                    )
                )
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b"[]"]

        return items

    def take(self) -> list[tuple[str, str, str]]:
        with self.lock:
            taken, self.requests = self.requests, []
        return taken


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[str, Seen]]:
    """A corskit-protected WSGI server on 127.0.0.1 that allows *PAGE* (GET, POST, JSON)."""
    seen = Seen()
    app = WSGICORSMiddleware(
        seen.app(),
        allow_origins=[PAGE],
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
    )

    def counted(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "OPTIONS":  # the middleware answers it; note it too
            with seen.lock:
                seen.requests.append(
                    ("OPTIONS", environ["PATH_INFO"], environ.get("HTTP_ORIGIN", ""))
                )
        return app(environ, start_response)

    with serve_wsgi(counted) as url:
        yield url, seen


def test_check_of_a_url_works_bare(live: tuple[str, Seen]) -> None:
    base, seen = live
    seen.take()
    post = ("--method", "POST", "-H", "Content-Type: application/json")
    done = bare("check", f"{base}/items", "--origin", PAGE, *post, "--json")
    assert_clean(done)
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert json.loads(done.stdout)["verdict"] == "allowed"
    assert seen.take() == [("OPTIONS", "/items", PAGE), ("POST", "/items", PAGE)]
    done = bare("check", f"{base}/items", "--origin", PAGE, *post, "-H", "Authorization: Bearer t")
    assert_clean(done)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert f"Access to fetch at '{base}/items' from origin '{PAGE}'" in done.stdout
    assert [r[0] for r in seen.take()] == ["OPTIONS"]


def test_devtools_copies_of_a_url_work_bare(live: tuple[str, Seen]) -> None:
    base, seen = live
    seen.take()
    done = bare("check", "--curl", f"curl '{base}/items' -H 'Origin: {PAGE}'")
    assert_clean(done)
    assert done.returncode == 0, (done.stdout, done.stderr)
    done = bare("check", "--fetch", f'fetch("{base}/items", {{"referrer": "{PAGE}/"}});')
    assert_clean(done)
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert seen.take() == [("GET", "/items", PAGE)] * 2


def test_audit_of_a_url_works_bare(live: tuple[str, Seen]) -> None:
    base, seen = live
    seen.take()
    done = bare("audit", f"{base}/items", "--origin", PAGE, "--json")
    assert_clean(done)
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert isinstance(json.loads(done.stdout), dict)
    probes = {origin for _, _, origin in seen.take()}
    assert PAGE in probes and len(probes) > 5, probes  # the attacker's origins were sent


def test_har_offline_and_live_work_bare(live: tuple[str, Seen], tmp_path: Path) -> None:
    base, seen = live
    recorded = json.dumps(json.loads(SAMPLES.read_text())["har"])
    har = tmp_path / "session.har"
    har.write_text(recorded)
    done = bare("check", "--har", str(har))
    assert_clean(done)
    assert done.returncode == 1 and "7 requests: 3 blocked" in done.stdout
    # The same session re-sent to the loopback server (the recording's host was 127.0.0.1:8000).
    har.write_text(recorded.replace("127.0.0.1:8000", base.removeprefix("http://")))
    seen.take()
    done = bare("check", "--har", str(har), "--live")
    assert_clean(done)
    assert done.returncode in (0, 1) and "7 requests:" in done.stdout, (done.stdout, done.stderr)
    assert len(seen.take()) >= 7


def _first_line(process: subprocess.Popen[str], seconds: float) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        assert selector.select(timeout=seconds), "the playground did not announce itself"
    return process.stdout.readline()


def _post_json(url: str, data: dict[str, Any]) -> dict[str, Any]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, no proxy
    request = urllib.request.Request(
        url, data=json.dumps(data).encode(), headers={"Content-Type": "application/json"}
    )
    with opener.open(request, timeout=30) as answer:
        result: dict[str, Any] = json.loads(answer.read())
    return result


def test_the_playground_runs_the_simulation_bare(live: tuple[str, Seen]) -> None:
    base, seen = live
    process = subprocess.Popen(
        bare_command("playground", "--api", f"{base}/items", "--port", "0"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=bare_env(),
    )
    line = ""
    try:
        line = _first_line(process, 30)
        found = re.search(r"open (http://127\.0\.0\.1:\d+)/? ", line)
        assert found, line
        seen.take()
        result = _post_json(f"{found.group(1)}/api/run", {"url": f"{base}/items", "origin": PAGE})
        assert result["simulation_error"] is None, result
        assert result["simulation"]["verdict"] == "allowed", result
        assert result["browser"] is None, result
        assert HINT.search(result["browser_error"]), result  # the pip extra, not a script
        assert ("GET", "/items", PAGE) in seen.take()
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C, as a user stops it
        try:
            status = process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
            raise
    assert process.stdout is not None and process.stderr is not None
    output = line + process.stdout.read() + process.stderr.read()
    process.stdout.close()
    process.stderr.close()
    for bad in ("Traceback", "internal error", "scripts/", str(ROOT)):
        assert bad not in output, output
    assert status == 0 and "playground: stopped" in output, output
    hint = HINT.search(output)  # the announcement says what the browser run needs
    assert hint and hint.group(1) == "browser", output


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
