"""``corskit.doctor.appinfo`` (now :mod:`corskit.doctor.layers.appinfo`) keeps its API and
finds the shapes it missed: corskit's WSGI middleware on Flask's ``app.wsgi_app``, and
corskit's Flask and Django shapes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from corskit.doctor import appinfo
from corskit.doctor.layers import appinfo as moved

from . import apps

ROOT = Path(__file__).resolve().parents[3]


def test_old_import_path_still_works() -> None:
    assert appinfo.find_cors_settings is moved.find_cors_settings
    assert appinfo.CORSSettings is moved.CORSSettings


def test_corskit_and_starlette_by_default_every_layer_on_request() -> None:
    app = apps.flask_cors_app()
    assert appinfo.find_cors_settings(app, every_layer=False) == []
    [found] = appinfo.find_cors_settings(app, every_layer=True)
    assert (found.kind, found.class_name) == ("flask-cors", "flask_cors.CORS")
    assert found.layer is not None and found.layer.fix({"allow_credentials": True}).text.endswith(
        "supports_credentials=True)"
    )


def test_corskit_flask_shape_is_found() -> None:
    found = appinfo.find_cors_settings(apps.corskit_flask())
    assert [s.class_name for s in found] == ["corskit.flask.CORS", "corskit.flask.CORS"]
    assert found[1].policy is not None and found[1].where == "app.extensions['corskit']"


def test_lint_finds_the_flask_example_settings() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "corskit"), "lint", "examples.flask_app:app"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "corskit.WSGICORSMiddleware at app.wsgi_app" in done.stdout


def _lint(target: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "corskit"),
            "lint",
            f"tests.doctor.layers.lint_targets:{target}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_lint_reports_a_misspelt_flask_cors_option() -> None:
    done = _lint("misspelt")
    assert done.returncode == 1
    assert "error [flask-cors-unknown-option]" in done.stdout
    assert "fix: In CORS(...), write supports_credentials=True." in done.stdout


def test_lint_does_not_judge_hand_written_code_by_empty_settings() -> None:
    done = _lint("hand")
    assert done.returncode == 0
    assert "your after_request hook allow_front_end" in done.stdout
    assert "no-origins-allowed" not in done.stdout


def test_check_cli_names_the_layer_and_the_misspelt_option() -> None:
    import json

    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "corskit"),
            "check",
            "tests.doctor.layers.lint_targets:misspelt",
            "--origin",
            "https://app.example.com",
            "--credentials",
            "include",
            "--path",
            "/api/me",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(done.stdout)
    assert report["verdict"] == "blocked"
    assert (report["symptom"], report["fix_text"]) == (
        "flask-cors-unknown-option",
        "In CORS(...), write supports_credentials=True.",
    )
    assert report["settings"]["middleware"] == "flask-cors"
    assert report["settings"]["layer"] == "flask_cors.CORS"
    assert "cors-middleware-missing" not in [f["code"] for f in report["findings"]]
