"""Every app under examples/ diagnosed in-process by ``corskit check``: for each, a request
the app refuses (the cause, the fix in the layer's words, and the fix verified on a copy of
the app) and one it allows."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corskit.cli import main

from .layers.test_models import django_settings

FRONT = "https://app.example.com"
VITE = "http://localhost:5173"
EVIL = "https://evil.example"
JSON = ["-H", "Content-Type: application/json"]


def check(target: str, *args: str) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["check", target, *args, "--json"])
    return status, json.loads(out.getvalue())


def assert_blocked(report: dict[str, Any], symptom: str, fix: str, changes: Any) -> None:
    assert report["verdict"] == "blocked", report
    assert report["symptom"] == symptom, report["cause"]
    assert report["fix"]["text"] == fix
    assert report["fix"]["changes"] == changes
    assert (report["fix"]["verified"], report["fix"]["not_verified_reason"]) == (True, None)


def assert_allowed(status: int, report: dict[str, Any]) -> None:
    assert (status, report["verdict"], report["fix"]) == (0, "allowed", None), report


# ------------------------------------------------------------------ quickstart (FastAPI + corskit)

QUICK = ["--origin", VITE, "--path", "/items", "-X", "POST", *JSON, "-H", "Authorization: Bearer t"]


def test_quickstart() -> None:
    status, report = check("examples.quickstart:broken", *QUICK)
    assert status == 1
    assert_blocked(
        report,
        "header-not-allowed",
        'allow all of them at once: allow_methods=["GET", "POST"], allow_headers=["authorization"]',
        [
            {"setting": "allow_methods", "value": ["GET", "POST"]},
            {"setting": "allow_headers", "value": ["authorization"]},
        ],
    )
    assert report["fix"]["layer"] == "corskit"
    assert report["fix"]["where"] == "app.user_middleware[0]"
    assert_allowed(*check("examples.quickstart:fixed", *QUICK))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["check", "examples.quickstart:broken", *QUICK, "--no-color"])
    assert "(verified: the same request passes with this change)" in " ".join(
        out.getvalue().split()
    )


# ------------------------------------------------------------------ Flask + WSGICORSMiddleware


def test_flask_example() -> None:
    target = "examples.flask_app:app"
    status, report = check(target, "--origin", FRONT, "--path", "/api/items", "-X", "PUT", *JSON)
    assert status == 1
    assert_blocked(
        report,
        "method-not-allowed",
        'allow_methods=["GET", "POST", "DELETE", "PUT"]',
        [{"setting": "allow_methods", "value": ["GET", "POST", "DELETE", "PUT"]}],
    )
    assert report["settings"]["layer"] == "corskit.WSGICORSMiddleware"
    status, report = check(target, "--origin", EVIL, "--path", "/api/items")
    assert_blocked(
        report,
        "origin-not-allowed",
        f'allow_origins=["{FRONT}", "{VITE}", "{EVIL}"]',
        [{"setting": "allow_origins", "value": [FRONT, VITE, EVIL]}],
    )
    allowed = ["--path", "/api/items", "-X", "POST", *JSON, "--credentials", "include"]
    assert_allowed(*check(target, "--origin", FRONT, *allowed))
    assert_allowed(*check(target, "--origin", EVIL, "--path", "/public/info"))
    # the 500 of /api/boom carries CORS headers: the page sees the error, not a CORS error
    assert_allowed(*check(target, "--origin", FRONT, "--path", "/api/boom"))


# ------------------------------------------------------------------ Django + WSGICORSMiddleware


@pytest.fixture
def django_example() -> Iterator[None]:
    with django_settings(ROOT_URLCONF="examples.django_app.app"):
        yield


@pytest.mark.usefixtures("django_example")
def test_django_example() -> None:
    target = "examples.django_app.app:application"
    status, report = check(target, "--origin", FRONT, "--path", "/api/items", "-X", "PUT")
    assert status == 1
    assert_blocked(
        report,
        "method-not-allowed",
        'allow_methods=["GET", "POST", "PUT"]',
        [{"setting": "allow_methods", "value": ["GET", "POST", "PUT"]}],
    )
    assert report["settings"]["where"] == "app"
    status, report = check(
        target, "--origin", FRONT, "--path", "/api/items", "-X", "POST", "-H", "X-Requested-With: x"
    )
    assert_blocked(
        report,
        "header-not-allowed",
        'add it: allow_headers=["content-type", "x-csrftoken", "x-requested-with"]',
        [
            {
                "setting": "allow_headers",
                "value": ["content-type", "x-csrftoken", "x-requested-with"],
            }
        ],
    )
    allowed = ["--path", "/api/items", "-X", "POST", "-H", "X-CSRFToken: t"]
    assert_allowed(*check(target, "--origin", VITE, *allowed, "--credentials", "include"))
    assert_allowed(*check(target, "--origin", EVIL, "--path", "/public/info"))


# ------------------------------------------------------------------ multi-tenant (origin function)


@pytest.fixture(scope="module")
def tenants(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The example's module-level app, with its database in a temporary directory."""
    db: Path = tmp_path_factory.mktemp("tenants") / "tenants.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TENANTS_DB", str(db))
        patch.delitem(__import__("sys").modules, "examples.multitenant.app", raising=False)
        yield


@pytest.mark.usefixtures("tenants")
def test_multitenant_example() -> None:
    target = "examples.multitenant.app:app"
    notes = ["--path", "/api/notes", "-X", "POST", *JSON]
    status, report = check(target, "--origin", EVIL, *notes)
    assert status == 1
    assert_blocked(
        report,
        "origin-not-allowed",
        f"have tenant_origin_allowed accept {EVIL} (e.g. add it to the data it reads), or list"
        f' it: allow_origins=["{EVIL}"]',
        [{"setting": "allow_origins", "value": [EVIL]}],
    )
    assert "your origin function tenant_origin_allowed did not accept it" in report["cause"]
    # the public router's own policy (GET only) answers /public/*, and its fix is for it
    status, report = check(target, "--origin", EVIL, "--path", "/public/plans", "-X", "PUT")
    assert_blocked(
        report,
        "method-not-allowed",
        'the policy of the route "/public": CORSPolicy(..., allow_methods=["GET", "PUT"])',
        [{"setting": "allow_methods", "value": ["GET", "PUT"]}],
    )
    assert report["fix"]["where"] == 'app (corskit.outermost) routes["/public"]'
    shop = "https://shop.acme.example"
    assert_allowed(*check(target, "--origin", shop, *notes, "--credentials", "include"))
    assert_allowed(*check(target, "--origin", EVIL, "--path", "/public/plans"))
