"""``corskit audit`` on the command line: JSON, SARIF, exit status, errors, progress."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corskit.cli import main
from corskit.doctor.audit_classes import CLASS_IDS
from tests.doctor.audit.helpers import ROOT

K = ["--origin", "https://app.example.com"]
CORPUS = "tests.doctor.audit.corpus:"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["audit", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, CORPUS + "starlette_star_credentials", *K, "--json")
    assert code == 1, err
    data = json.loads(out)
    assert data["target"] == CORPUS + "starlette_star_credentials"
    assert isinstance(data["probes_sent"], int) and data["probes_sent"] > 10
    [finding] = data["findings"]
    assert finding["id"] == "origin-reflection" and finding["severity"] == "high"
    assert finding["probe_origin"].startswith("https://corskit-")
    assert finding["evidence"]["request"]["method"] == "GET"
    assert ["origin", finding["probe_origin"]] in finding["evidence"]["request"]["headers"]
    headers = dict(finding["evidence"]["response"]["headers"])
    assert headers["access-control-allow-origin"] == finding["probe_origin"]
    assert headers["access-control-allow-credentials"] == "true"
    assert "allow_origins=['https://app.example.com']" in finding["fix"]
    assert data["configs"][0]["kind"] == "starlette"
    assert "\r" not in err  # no progress display when stderr is not a terminal


@pytest.mark.parametrize(
    ("attr", "fail_on", "code"),
    [
        ("handwritten_no_vary", None, 0),  # medium < default high
        ("handwritten_no_vary", "medium", 1),
        ("corskit_public", "low", 0),  # info only
        ("corskit_public", "info", 1),
        ("corskit_strict", "info", 0),
        ("handwritten_sloppy_values", "low", 1),
    ],
)
def test_exit_status_follows_fail_on(
    capsys: pytest.CaptureFixture[str], attr: str, fail_on: str | None, code: int
) -> None:
    extra = ["--fail-on", fail_on] if fail_on else []
    got, _, err = run_cli(capsys, CORPUS + attr, *K, *extra)
    assert got == code, err


def test_text_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, CORPUS + "starlette_null_allowed", *K)
    assert code == 1
    assert "HIGH    null-origin" in out
    assert "Origin: null" in out
    assert "access-control-allow-origin: null" in out
    assert "remove 'null' from allow_origins" in out
    assert "1 finding(s): 1 high" in out
    code, out, _ = run_cli(capsys, CORPUS + "corskit_strict", *K)
    assert code == 0 and "no findings" in out


def test_sarif(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "cors.sarif"
    code, _, _ = run_cli(capsys, CORPUS + "starlette_dotstar_subdomains", *K, "--sarif", str(path))
    assert code == 1
    log = json.loads(path.read_text())
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(CLASS_IDS)
    for rule in rules:
        assert (
            rule["shortDescription"]["text"]
            and rule["fullDescription"]["text"]
            and rule["help"]["text"]
        )
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note", "none")
        assert float(rule["properties"]["security-severity"]) >= 0
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"suffix-match": "error", "unescaped-dot": "note"}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == "tests/doctor/audit/corpus.py"
        assert loc["region"]["startLine"] >= 1
        assert result["webRequest"]["headers"]["origin"] == result["properties"]["probeOrigin"]
        assert result["webResponse"]["statusCode"] == 200
        assert result["partialFingerprints"]["corskitAudit/v1"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")


def test_sarif_for_a_url_target_points_at_the_url(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.doctor.audit import corpus
    from tests.servers import serve_asgi

    path = tmp_path / "out.sarif"
    with serve_asgi(corpus.handwritten_no_vary) as url:
        code, _, _ = run_cli(
            capsys, url + "/api/me", *K, "--sarif", str(path), "--fail-on", "medium"
        )
    assert code == 1
    [result] = json.loads(path.read_text())["runs"][0]["results"]
    assert result["ruleId"] == "missing-vary" and result["level"] == "warning"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == url + "/api/me"


def _subprocess(*argv: str, **kw: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CORSKIT_DEBUG", None)
    return subprocess.run(  # type: ignore[no-any-return]
        [sys.executable, "-m", "corskit.cli", "audit", *argv],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, **kw,  # type: ignore[call-overload]
    )  # fmt: skip


ERRORS = [
    (["http://127.0.0.1:9/"], "cannot connect to http://127.0.0.1:9/"),
    (["not a target"], "malformed target"),
    (["no_such_module:app"], "cannot import 'no_such_module'"),
    (["ftp://example.com/"], "malformed URL"),
    (
        [CORPUS + "corskit_strict", "--origin", "https://app.example.com/"],
        "remove the trailing slash",
    ),
    ([CORPUS + "corskit_strict", "--origin", "app.example.com"], "is not an origin"),
    ([CORPUS + "corskit_strict", "--concurrency", "0"], "--concurrency must be between 1 and 64"),
    ([CORPUS + "corskit_strict", "--timeout", "-1"], "--timeout must be a positive number"),
    (
        [CORPUS + "corskit_strict", "--credentials-cookie", "nonsense"],
        "--credentials-cookie must look like",
    ),
    ([CORPUS + "corskit_strict", "--path", "http://x/"], "is not a path"),
    (
        [CORPUS + "corskit_strict", "--sarif", "/nonexistent-dir/x.sarif"],
        "cannot write /nonexistent-dir/x.sarif",
    ),
    ([CORPUS + "corskit_strict", "--fail-on", "critical"], "invalid choice"),
]


@pytest.mark.parametrize(("argv", "message"), ERRORS)
def test_errors_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    try:
        code = main(["audit", *argv])
    except SystemExit as exc:  # argparse errors
        code = int(exc.code or 0)
    _, err = capsys.readouterr()
    assert code == 2, err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize(("argv", "message"), [ERRORS[0], ERRORS[2], ERRORS[4]])
def test_errors_in_a_real_process(argv: list[str], message: str) -> None:
    proc = _subprocess(*argv)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_progress_on_a_terminal() -> None:
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "corskit.cli", "audit", CORPUS + "corskit_permissive", *K, "--json"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=slave,
    )  # fmt: skip
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    out, _ = proc.communicate(timeout=30)
    os.close(master)
    shown = b"".join(chunks).decode(errors="replace")
    assert "probes" in shown and "corskit audit [" in shown
    assert shown.endswith("\x1b[2K")  # the line is erased at the end
    assert json.loads(out)["findings"]  # stdout stays clean JSON
