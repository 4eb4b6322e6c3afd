"""``corskit lint env`` and ``CORSPolicy.from_env`` read ``CORS_*`` with the same reader
(``corskit.settings.read_env``) and agree: the same policy, the same errors, the same warnings
(a misspelt name gives its "did you mean" warning in both)."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pytest

from corskit import CORSConfigError, CORSPolicy
from corskit.cli import main
from corskit.problems import Problem
from corskit.settings import PRODUCTION_MARKERS, evaluate, read_toml

Key = tuple[str, str, str, str]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("CORS_") or name in PRODUCTION_MARKERS:
            monkeypatch.delenv(name)


def key(p: Problem | dict[str, str]) -> Key:
    if isinstance(p, dict):
        return (p["code"], p["severity"], p["field"], p["fix"])
    return (p.code, p.severity, p.field, p.fix)


def from_env() -> tuple[CORSPolicy | None, set[Key]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            policy = CORSPolicy.from_env()
        except CORSConfigError as exc:
            return None, {key(p) for p in exc.problems}
    return policy, {key(p) for p in policy.warnings}


def lint_env(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object], set[Key]]:
    status = main(["lint", "env", "--json"])
    data = json.loads(capsys.readouterr().out)
    (source,) = data["sources"]
    return status, source, {key(p) for p in source["problems"]}


def errors(found: set[Key]) -> set[Key]:
    return {k for k in found if k[1] == "error"}


def test_profile_only(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CORS_PROFILE", "development")
    policy, from_env_problems = from_env()
    assert policy is not None and len(policy.allow_origins) == 36
    assert "http://localhost:5173" in policy.allow_origins
    status, source, lint_problems = lint_env(capsys)
    assert status == 0
    assert lint_problems == from_env_problems == set()
    assert source["note"] == (
        "profile development: 36 allowed origins (the local development servers)"
    )


def test_misspelt_name(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGNS", "https://app.example.com")
    _, from_env_problems = from_env()
    status, _, lint_problems = lint_env(capsys)
    misspelt = (
        "env-unknown-variable",
        "warning",
        "CORS_ALLOW_ORIGNS",
        "Did you mean CORS_ALLOW_ORIGINS?",
    )
    assert misspelt in from_env_problems and misspelt in lint_problems
    assert lint_problems == from_env_problems
    assert status == (1 if errors(lint_problems) else 0)


def test_mixed_valid_and_misspelt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "https://app.example.com, https://admin.example.com")
    monkeypatch.setenv("CORS_ALLOW_METHODS", "GET,POST")
    monkeypatch.setenv("CORS_ALLOW_CREDENTALS", "true")
    monkeypatch.setenv("CORS_MAX_AGE", "600")
    policy, from_env_problems = from_env()
    assert policy is not None and policy.allow_credentials is False  # the misspelt one is unset
    status, _, lint_problems = lint_env(capsys)
    assert status == 0
    assert (
        lint_problems
        == from_env_problems
        == {
            (
                "env-unknown-variable",
                "warning",
                "CORS_ALLOW_CREDENTALS",
                "Did you mean CORS_ALLOW_CREDENTIALS?",
            )
        }
    )
    text_status = main(["lint", "env"])
    assert text_status == 0
    assert "Did you mean CORS_ALLOW_CREDENTIALS?" in capsys.readouterr().out


def test_errors_agree_and_lint_also_lists_the_warnings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "*")
    monkeypatch.setenv("CORS_ALLOW_CREDENTIALS", "true")
    monkeypatch.setenv("CORS_MAX_AGE", "soon")
    monkeypatch.setenv("CORS_PROFIL", "production")
    policy, from_env_problems = from_env()
    status, _, lint_problems = lint_env(capsys)
    assert policy is None and status == 1
    assert errors(lint_problems) == errors(from_env_problems)
    assert {k[0] for k in errors(lint_problems)} == {
        "env-value-invalid",
        "wildcard-origin-with-credentials",
    }
    assert ("env-unknown-variable", "warning", "CORS_PROFIL", "Did you mean CORS_PROFILE?") in (
        lint_problems
    )


def test_production_profile_without_origins(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CORS_PROFILE", "production")
    _, from_env_problems = from_env()
    status, _, lint_problems = lint_env(capsys)
    assert status == 1
    assert errors(lint_problems) == errors(from_env_problems)
    assert "env-production-needs-origins" in {k[0] for k in lint_problems}


def test_no_variables_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "env"]) == 2
    assert "no CORS_* environment variables are set" in capsys.readouterr().err


def test_toml_reads_profile_and_reports_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "cors.toml"
    path.write_text('[cors]\nprofile = "development"\ndev_ports = [5173]\nallow_orgins = ["x"]\n')
    source = read_toml(str(path))
    assert source.unknown == ("allow_orgins",)
    policy, problems = evaluate(source)
    assert policy is not None and problems == []
    assert set(policy.allow_origins) == {
        "http://localhost:5173",
        "http://127.0.0.1:5173",
        "http://[::1]:5173",
    }
    path.write_text("[cors]\ndev_ports = 5173\nprofile = 3\n")
    _, problems = evaluate(read_toml(str(path)))
    assert {(p.code, p.field) for p in problems} >= {
        ("wrong-type", "dev_ports"),
        ("env-profile-invalid", "profile"),
    }
