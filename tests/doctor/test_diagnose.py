"""Diagnosis details beyond the symptom table, settings discovery, and rendering."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware as StarletteCORS

import corskit
from corskit.doctor.appinfo import find_cors_settings
from corskit.doctor.diagnose import SYMPTOMS, diagnose
from corskit.doctor.fetch import Outcome, simulate
from corskit.doctor.render import render_json, render_text
from corskit.doctor.transports import transport_for_app


def _check(app: Any, **kw: Any) -> tuple[Outcome, Any]:
    transport = transport_for_app(app)
    try:
        kw.setdefault("target_address_space", None)
        outcome = simulate(transport, kw.pop("url", "http://testserver/data"), **kw)
    finally:
        transport.close()
    return outcome, diagnose(outcome, find_cors_settings(app), in_process=True, app=app)


def _api() -> FastAPI:
    app = FastAPI()

    @app.get("/data")
    async def data() -> dict[str, int]:
        return {"n": 1}

    return app


def test_null_origin_is_never_the_fix() -> None:
    app = _api()
    app.add_middleware(corskit.CORSMiddleware, allow_origins=["https://app.example.com"])
    outcome, diagnosis = _check(app, origin="null")
    assert outcome.verdict == "blocked"
    assert diagnosis.symptom == "origin-not-allowed"
    assert '"null"' not in (diagnosis.fix or "")
    assert "do not add 'null'" in (diagnosis.fix or "")


def test_string_instead_of_list_in_starlette() -> None:
    app = _api()
    app.add_middleware(StarletteCORS, allow_origins="https://app.example.com")
    # Starlette's substring match lets this one through; a different origin is refused
    outcome, diagnosis = _check(app, origin="https://other.example")
    assert outcome.verdict == "blocked"
    assert diagnosis.symptom == "origin-typo"
    assert 'allow_origins=["https://other.example"]' in (diagnosis.fix or "")


def test_settings_discovery() -> None:
    inner = _api()
    inner.add_middleware(
        StarletteCORS, allow_origins=["https://a.example"], allow_methods=["GET", "PUT"]
    )
    found = find_cors_settings(inner)
    assert [(f.kind, f.where) for f in found] == [("starlette", "app.user_middleware[0]")]
    assert found[0].given == {
        "allow_origins": ["https://a.example"],
        "allow_methods": ["GET", "PUT"],
    }
    assert found[0].get("allow_credentials") is False

    wrapped = corskit.CORSMiddleware(_api(), allow_origins=["https://b.example"])
    found = find_cors_settings(wrapped)
    assert found[0].kind == "corskit" and found[0].settings["allow_origins"] == (
        "https://b.example",
    )

    outer = corskit.outermost(_api(), allow_origins=["https://c.example"])
    found = find_cors_settings(outer)
    assert found[0].where.endswith("(corskit.outermost)")

    assert find_cors_settings(_api()) == []


def test_built_starlette_stack_is_read() -> None:
    app = _api()
    app.add_middleware(
        StarletteCORS, allow_origins=["*"], allow_headers=["*"], allow_credentials=True, max_age=60
    )
    _check(app, origin="https://x.example")  # builds the middleware stack
    stack = app.middleware_stack
    found: list[Any] = []
    obj: Any = stack
    while obj is not None and not found:
        found = [f for f in find_cors_settings(obj) if f.kind == "starlette"]
        obj = getattr(obj, "app", None)
    assert found
    settings = found[0].settings
    assert "*" in settings["allow_origins"] and settings["allow_credentials"] is True
    assert settings["allow_headers"] == ("*",) and settings["max_age"] == 60


def test_render_plain_colour_and_json() -> None:
    app = _api()
    app.add_middleware(corskit.CORSMiddleware, allow_origins=["https://app.example.com"])
    outcome, diagnosis = _check(app, origin="https://evil.example", headers=[("Cookie", "a=1")])
    plain = render_text(outcome, diagnosis)
    assert "\x1b[" not in plain
    assert "Verdict: BLOCKED" in plain and "Cause (origin-not-allowed):" in plain
    assert "[forbidden-header]" in plain
    coloured = render_text(outcome, diagnosis, colour=True, verbose=True)
    assert "\x1b[31;1mBLOCKED" in coloured
    assert "sec-fetch-mode: cors" in coloured  # verbose shows the wire headers
    data = render_json(outcome, diagnosis, target="x:app")
    json.dumps(data)  # serialisable
    assert (
        data["symptom"] == "origin-not-allowed"
        and data["findings"][0]["setting"] == "allow_origins"
    )
    assert data["warnings"][0]["code"] == "forbidden-header"


def test_symptom_codes_have_titles() -> None:
    for code, title in SYMPTOMS.items():
        assert code and title
