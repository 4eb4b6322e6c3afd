"""`corskit check --browser firefox`: the same request in real Firefox, beside the doctor's
Firefox prediction (two Firefox starts), and how ``--browser`` reads its optional name."""

from __future__ import annotations

import argparse
import json

import pytest

from corskit.cli import main
from corskit.commands.check import _browser_name
from corskit.doctor.errors import UsageError

from ..quickstart_request import QUICKSTART_BODY, QUICKSTART_REQUEST

REQUEST = [*QUICKSTART_REQUEST, *QUICKSTART_BODY, "--no-color"]


@pytest.mark.browser
def test_blocked_preflight_agrees_with_firefox_line_for_line(
    firefox: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        [
            "check",
            "examples.quickstart:broken",
            *REQUEST,
            "--browser",
            "firefox",
            "--firefox",
            firefox,
        ]
    )
    out = capsys.readouterr().out
    assert status == 1
    assert "In a real browser: Firefox " in out
    assert "REJECTED: TypeError: NetworkError when attempting to fetch resource." in out
    # the preflight's own line, then "did not succeed" for the request it stopped
    console = [line for line in out.splitlines() if line.startswith("  console: ")]
    assert len(console) == 2
    assert console[1].endswith("(Reason: CORS request did not succeed). Status code: (null).")
    assert (
        "AGREE: the browser and the simulation both say blocked, with the same 2 console lines."
        in out
    )
    # the simulation's own report (in-process, so its URL is a path) has the same two reasons
    firefox_block = out.split("Firefox console:\n", 1)[1].splitlines()[:2]
    assert [line.split("(Reason: ")[1] for line in firefox_block] == [
        line.split("(Reason: ")[1] for line in console
    ]


@pytest.mark.browser
def test_url_target_json_names_firefox(firefox: str, capsys: pytest.CaptureFixture[str]) -> None:
    from examples.quickstart import fixed
    from tests.servers import serve_asgi

    with serve_asgi(fixed) as base:
        status = main(
            [
                "check",
                f"{base}/items",
                "--origin",
                "http://localhost:5173",
                "--json",
                "--browser",
                "firefox",
                "--firefox",
                firefox,
            ]
        )
    data = json.loads(capsys.readouterr().out)
    assert status == 0
    browser = data["browser"]
    assert browser["agree"] is True
    assert browser["firefox"]["browser"] == "firefox"
    assert browser["firefox"]["verdict"] == "allowed"
    assert browser["simulation"]["firefox_verdict"] == "allowed"
    assert browser["local_network_note"] is None  # a localhost page calling loopback


def _args(browser: str | None, target: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(browser=browser, target=target)


def test_browser_names() -> None:
    assert _browser_name(_args(None)) is None
    assert _browser_name(_args("chromium")) == "chromium"
    assert _browser_name(_args("Firefox")) == "firefox"
    # `--browser URL`: the URL is the TARGET and the browser Chromium, as before
    args = _args("http://127.0.0.1:8000/x")
    assert _browser_name(args) == "chromium"
    assert args.target == "http://127.0.0.1:8000/x"
    with pytest.raises(UsageError, match="unknown browser 'safari'"):
        _browser_name(_args("safari"))


@pytest.mark.parametrize(
    ("choice", "flag"),
    [((), "--chromium"), (("firefox",), "--firefox")],
    ids=["chromium", "firefox"],
)
def test_bad_browser_path_is_one_line(
    choice: tuple[str, ...], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = f"/nonexistent/{flag[2:]}"
    status = main(
        [
            "check",
            "examples.quickstart:fixed",
            "--origin",
            "http://localhost:5173",
            "--browser",
            *choice,
            flag,
            missing,
        ]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1
    assert f"--browser: {flag} {missing!r} is not an executable file" in err
