"""The tool error tree (corskit.doctor.errors) and how ``corskit.cli.main`` maps it: every
:class:`ToolError` is one line and exit 2; a missing optional module names its extra; anything
else is a bug, reported in one line with exit 70 (a traceback with ``CORSKIT_DEBUG=1``)."""

from __future__ import annotations

import argparse

import pytest

from corskit import cli
from corskit.doctor import errors
from corskit.doctor.inputs.curl import CurlError
from corskit.doctor.inputs.fetchcopy import FetchCopyError
from corskit.doctor.inputs.har import HarError
from corskit.doctor.inputs.request import InputError


def test_the_tree_in_the_docstring_is_the_real_one() -> None:
    assert cli.CLIError is errors.UsageError
    for cls in (errors.UsageError, errors.MissingExtra, InputError):
        assert issubclass(cls, errors.ToolError), cls
    for cls in (CurlError, FetchCopyError, HarError):
        assert issubclass(cls, InputError) and issubclass(cls, ValueError)
    doc = errors.__doc__ or ""
    for name in ("ToolError", "UsageError", "MissingExtra", "InputError", "CurlError",
                 "FetchCopyError", "HarError"):  # fmt: skip
        assert name in doc, name


@pytest.mark.parametrize(
    ("exc", "status", "expected"),
    [
        (errors.UsageError("--x must be positive"), 2, "corskit: --x must be positive"),
        (errors.MissingExtra("uvicorn", "check --browser"), 2, "pip install 'corskit[browser]'"),
        (ModuleNotFoundError("No module named 'uvicorn'", name="uvicorn"), 2, "corskit[browser]"),
        # no command imports httpx any more: its absence is not a missing extra
        (ModuleNotFoundError("No module named 'httpx'", name="httpx"), 70, "corskit: bug: "),
        (ModuleNotFoundError("x", name="playwright.sync_api"), 2, "playwright install chromium"),
        (HarError("not a HAR file"), 2, "corskit: not a HAR file"),
        (ModuleNotFoundError("No module named 'nope'", name="nope"), 70, "corskit: bug: "),
        (RuntimeError("boom\nsecond line"), 70, "corskit: bug: RuntimeError: boom (please report"),
    ],
)
def test_main_maps_errors(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    exc: BaseException,
    status: int,
    expected: str,
) -> None:
    monkeypatch.delenv("CORSKIT_DEBUG", raising=False)
    import corskit.commands.explain as explain

    def run(args: argparse.Namespace) -> int:
        raise exc

    monkeypatch.setattr(explain, "run", run)
    original = explain.register

    def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        original(subparsers)
        subparsers.choices["explain"].set_defaults(func=run)

    monkeypatch.setattr(explain, "register", register)
    assert cli.main(["explain"]) == status
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert expected in err
    assert "internal error" not in err and "Traceback" not in err


def test_debug_shows_the_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    import corskit.commands.explain as explain

    def run(args: argparse.Namespace) -> int:
        raise RuntimeError("boom")

    original = explain.register

    def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        original(subparsers)
        subparsers.choices["explain"].set_defaults(func=run)

    monkeypatch.setattr(explain, "register", register)
    monkeypatch.setenv("CORSKIT_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        cli.main(["explain"])


def test_require() -> None:
    errors.require("json", "anything")  # present: nothing happens
    with pytest.raises(errors.MissingExtra) as caught:
        errors.require("playwright_not_installed_here", "check --browser")
    assert "pip install 'corskit[browser]'" in str(caught.value)
    assert caught.value.extra == "browser"
    assert errors.extra_for(ModuleNotFoundError("x", name="uvicorn.config")) is not None
    assert errors.extra_for(ModuleNotFoundError("x", name="fastapi")) is None
    assert errors.extra_for(ModuleNotFoundError("x", name="httpx")) is None
