"""``corskit check --curl/--fetch/--har`` and ``corskit explain "<console message>"`` through
the command line (``corskit.cli.main`` in-process, and once the real executable).

The copies, the HAR file and the console lines are the real ones recorded from headless
Chromium's DevTools by inputs/record_devtools.py (inputs/samples/chromium_devtools.json), for
requests to the API of ``record_devtools._apps``; here that API is served live by uvicorn on a
loopback port and the recorded ``http://127.0.0.1:8000`` is rewritten to it.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from corskit.cli import main
from tests.servers import serve_asgi

from .inputs.record_devtools import _apps
from .inputs.test_console import ROWS as DOC_ROWS
from .inputs.test_console import fill

SAMPLES = json.loads(
    (Path(__file__).parent / "inputs" / "samples" / "chromium_devtools.json").read_text()
)
RECORDED_API = "http://127.0.0.1:8000"
FRONT = "http://localhost:5173"
ACTUAL = [r for r in SAMPLES["requests"] if r["method"] != "OPTIONS"]
SCENARIOS = {s["name"]: s for s in SAMPLES["scenarios"]}
#: the scenario of each recorded request, in the order of ACTUAL (see test_copies.scenario_for)
EXPECTED = [
    "simple-get",
    "post-json-credentials",
    "put-custom-header-blocked",
    "get-authorization-blocked",
    "no-cors-middleware",
    "form-post-with-cookie",
    "xhr-with-credentials",
]


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    _, app = _apps(FRONT)
    with serve_asgi(app) as url:
        yield url


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def live(text: str, api: str) -> str:
    return text.replace(RECORDED_API, api)


def browser_verdict(name: str) -> str:
    return "allowed" if SCENARIOS[name]["result"].startswith("resolved") else "blocked"


# ------------------------------------------------------------------------------------------
# --curl and --fetch


@pytest.mark.parametrize("kind", ["curl_bash", "curl_cmd", "fetch"])
def test_copies_give_the_browsers_verdict(
    capsys: pytest.CaptureFixture[str], api: str, kind: str
) -> None:
    """Every request Chromium's DevTools copied, re-sent live from the copy, gets the verdict
    the browser gave; a blocked one names the console line Chromium printed."""
    flag = "--fetch" if kind == "fetch" else "--curl"
    for record, name in zip(ACTUAL, EXPECTED, strict=True):
        status, out, err = run_cli(capsys, "check", flag, live(record[kind], api), "--json")
        report = json.loads(out)
        assert report["verdict"] == browser_verdict(name), (name, report, err)
        assert status == (0 if report["verdict"] == "allowed" else 1)
        assert report["input"]["origin"] == FRONT
        if report["verdict"] == "blocked":
            console = [c for c in SCENARIOS[name]["console"] if c.startswith("Access to")]
            assert report["chromium_message"] == live(console[0], api)


def test_copy_agrees_with_the_same_request_given_by_flags(
    capsys: pytest.CaptureFixture[str], api: str
) -> None:
    record = ACTUAL[EXPECTED.index("get-authorization-blocked")]
    _, copied, _ = run_cli(capsys, "check", "--curl", live(record["curl_bash"], api), "--json")
    flags = ["--origin", FRONT, "-H", "Authorization: Bearer s3cr3t-t0ken", "--json"]
    _, direct, _ = run_cli(capsys, "check", f"{api}/c/me", *flags)
    assert "s3cr3t-t0ken" not in copied and "Bearer ***" in copied  # masked when copied
    a, b = json.loads(copied), json.loads(direct)
    for key in ("verdict", "symptom", "cors_error", "chromium_message"):
        assert a[key] == b[key], key


def test_copy_text_sets_browser_headers_apart_and_masks_secrets(
    capsys: pytest.CaptureFixture[str], api: str
) -> None:
    record = ACTUAL[EXPECTED.index("xhr-with-credentials")]
    assert "-b 'sid=s3cr3t'" in record["curl_bash"]
    status, out, _ = run_cli(capsys, "check", "--curl", live(record["curl_bash"], api), "-v")
    assert status == 0, out
    assert "From DevTools' Copy as cURL (bash): GET" in out
    assert f"page origin   {FRONT} (its Origin header)" in out
    assert "credentials   include (a cookie was sent)" in out
    assert "Sec-Fetch-Mode" in out.split("set apart", 1)[1].splitlines()[0]
    assert "Verdict: ALLOWED" in out
    assert "sid=***" in out and "s3cr3t" not in out


def test_preflight_copy_checks_the_request_it_asked_about(
    capsys: pytest.CaptureFixture[str], api: str
) -> None:
    preflight = next(
        r for r in SAMPLES["requests"] if r["method"] == "OPTIONS" and "/c/me" in r["url"]
    )
    status, out, _ = run_cli(capsys, "check", "--curl", live(preflight["curl_bash"], api))
    assert status == 1
    assert "note: this is the preflight" in out
    assert "Verdict: BLOCKED" in out


def test_copy_errors_are_one_line(capsys: pytest.CaptureFixture[str], api: str) -> None:
    cases = [
        (["--curl", "wget http://x"], "--curl: "),
        (["--fetch", "fetch(1, 2"], "--fetch: "),
        (["--curl", f"curl '{api}/c/me'"], "no Origin nor Referer header; give --origin"),
        ([f"{api}/c/me", "--curl", f"curl '{api}/c/me'"], "give TARGET or --curl, not both"),
        ([f"{api}/c/me"], "--origin is required"),
        ([], "give TARGET"),
        ([f"{api}/c/me", "--origin", FRONT, "--live"], "--live goes with --har"),
    ]
    for argv, expected in cases:
        status, out, err = run_cli(capsys, "check", *argv)
        assert status == 2, (argv, out, err)
        assert expected in err and len(err.strip().splitlines()) == 1, (argv, err)


def test_copy_without_origin_uses_the_one_given(
    capsys: pytest.CaptureFixture[str], api: str
) -> None:
    status, out, _ = run_cli(
        capsys, "check", "--curl", f"curl '{api}/c/items'", "--origin", FRONT, "--json"
    )
    assert status == 0
    assert json.loads(out)["input"]["origin_from"] == "--origin"


# ------------------------------------------------------------------------------------------
# --har


@pytest.fixture
def har_file(tmp_path: Path) -> Path:
    path = tmp_path / "devtools.har"
    path.write_text(json.dumps(SAMPLES["har"]))
    return path


def test_har_offline_table_and_blocked_diagnoses(
    capsys: pytest.CaptureFixture[str], har_file: Path
) -> None:
    status, out, err = run_cli(capsys, "check", "--har", str(har_file))
    assert status == 1, err
    table = out.split("\n\n", 1)[0].splitlines()
    assert table[0].split() == ["request", "verdict", "cause"]
    verdicts = [line.split()[2] for line in table[1:]]
    assert verdicts == [browser_verdict(n) for n in EXPECTED]
    assert out.count("Verdict: BLOCKED") == 3  # the full diagnosis of each blocked request
    assert "7 requests: 3 blocked, 0 not diagnosable offline" in out
    assert "s3cr3t" not in out


def test_har_json_offline_and_live_agree(
    capsys: pytest.CaptureFixture[str], har_file: Path, api: str, tmp_path: Path
) -> None:
    status, out, _ = run_cli(capsys, "check", "--har", str(har_file), "--json")
    offline = json.loads(out)
    assert status == 1 and len(offline) == 7
    assert [r["verdict"] for r in offline] == [browser_verdict(n) for n in EXPECTED]
    moved = tmp_path / "live.har"
    moved.write_text(live(har_file.read_text(), api))
    status, out, _ = run_cli(capsys, "check", "--har", str(moved), "--live", "--json")
    resent = json.loads(out)
    assert status == 1
    for a, b in zip(offline, resent, strict=True):
        assert (a["verdict"], a["symptom"], a["cors_error"]) == (
            b["verdict"],
            b["symptom"],
            b["cors_error"],
        )
        assert a["fix"] == b["fix"] and a["fix_text"] == b["fix_text"]
    assert "s3cr3t" not in json.dumps(offline)
    # a blocked request's fix is the object ``corskit check --json`` prints
    blocked = [r for r in offline if r["verdict"] == "blocked"]
    status, out, _ = run_cli(capsys, "check", f"{api}/plain/items", "--origin", FRONT, "--json")
    single = json.loads(out)
    assert blocked and all(set(r["fix"]) == set(single["fix"]) for r in blocked)
    assert all(r["fix"]["text"] == r["fix_text"] for r in blocked)
    assert all(
        r["fix"]["not_verified_reason"] == single["fix"]["not_verified_reason"] for r in blocked
    )


def test_har_errors_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.har"
    bad.write_text("{not json")
    for argv, expected in [
        (["--har", str(tmp_path / "missing.har")], "cannot read"),
        (["--har", str(bad)], f"--har {bad}: "),
        (["--har", str(bad), "--origin", FRONT], "no TARGET, --origin or --browser"),
        (["--har", str(bad), "-H", "X-A: b"], "no -X, -H, -d, --cookie or --path"),
    ]:
        status, _, err = run_cli(capsys, "check", *argv)
        assert status == 2 and expected in err and len(err.strip().splitlines()) == 1, err


# ------------------------------------------------------------------------------------------
# explain "<console message>"

BLOCKED_LINE = SCENARIOS["no-cors-middleware"]["console"][0]


def test_explain_a_whole_console_line(capsys: pytest.CaptureFixture[str], api: str) -> None:
    status, out, _ = run_cli(capsys, "explain", live(BLOCKED_LINE, api))
    assert status == 0
    assert out.startswith("Chromium console message (MissingAllowOriginHeader)")
    assert "Likely causes, most likely first:\n  1. [" in out
    command = next(
        line.strip() for line in out.splitlines() if line.strip().startswith("corskit check")
    )
    assert command == f"corskit check {api}/plain/items --origin {FRONT}"
    # the printed command runs, and confirms the block with the console line that was pasted
    status, out, _ = run_cli(capsys, *shlex.split(command)[1:], "--json")
    assert status == 1 and json.loads(out)["chromium_message"] == live(BLOCKED_LINE, api)


def test_explain_the_part_after_blocked_by_cors_policy(capsys: pytest.CaptureFixture[str]) -> None:
    part = BLOCKED_LINE.split("blocked by CORS policy:", 1)[1]
    status, out, _ = run_cli(capsys, "explain", part, "--json")
    data = json.loads(out)
    assert status == 0
    assert data["message"]["cors_error"] == "MissingAllowOriginHeader"
    assert data["check"].startswith("corskit check URL --origin ORIGIN")
    assert data["causes"]


def test_explain_firefox_message(capsys: pytest.CaptureFixture[str]) -> None:
    line = (
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource"
        " at https://api.example.com/items. (Reason: CORS header 'Access-Control-Allow-Origin'"
        " missing). Status code: 200."
    )
    status, out, _ = run_cli(capsys, "explain", line)
    assert status == 0 and out.startswith("Firefox console message")
    assert "corskit check https://api.example.com/items --origin ORIGIN" in out


def test_explain_unknown_text_lists_the_codes(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(capsys, "explain", "the server said no")
    assert status == 2 and out == ""
    assert "not a CORS console message I know" in err
    assert "wildcard-origin-with-credentials" in err and len(err.strip().splitlines()) == 1
    status, _, err = run_cli(capsys, "explain", "wildcard-origin-with-credential")
    assert status == 2 and "did you mean wildcard-origin-with-credentials" in err


def test_explain_code_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "explain", "wildcard-origin-with-credentials")
    assert status == 0 and out.startswith("wildcard-origin-with-credentials (error)")


def test_real_executable_explains_a_console_message() -> None:
    exe = str(Path(sys.executable).with_name("corskit"))
    done = subprocess.run(
        [exe, "explain", BLOCKED_LINE], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert f"corskit check {RECORDED_API}/plain/items --origin {FRONT}" in done.stdout


@pytest.mark.parametrize(("doc", "browser", "template", "error"), DOC_ROWS)
def test_explain_every_documented_message(
    capsys: pytest.CaptureFixture[str], doc: str, browser: str, template: str, error: str
) -> None:
    """Every console message of the docs' tables, pasted whole into ``corskit explain``."""
    status, out, err = run_cli(capsys, "explain", fill(template), "--json")
    assert status == 0, err
    data = json.loads(out)
    assert data["message"]["cors_error"] == (None if error == "unknown" else error)
    assert data["message"]["browser"] == browser.split()[0].lower()
    assert data["check"].startswith("corskit check ") and data["causes"]
