"""A preflight refused first for credentials (the layer answered without
Access-Control-Allow-Credentials) that also lacks a method and a header gets all three causes
and one fix, so the request passes after a single change (flask-cors, in-process)."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from flask_cors import CORS

from corskit.doctor.appinfo import find_cors_settings
from corskit.doctor.diagnose import diagnose
from corskit.doctor.fetch import Outcome, simulate
from corskit.doctor.transports import transport_for_app

PAGE = "http://localhost:5173"


def app_with(**options: Any) -> Flask:
    app = Flask("credentials_every_cause")

    @app.route("/api/items", methods=["GET", "POST", "PATCH"])
    def items() -> Any:
        return jsonify(n=1)

    CORS(app, **options)
    return app


def fetch(app: Flask) -> Outcome:
    transport = transport_for_app(app)
    try:
        return simulate(
            transport,
            "http://testserver/api/items",
            origin=PAGE,
            method="PATCH",
            headers=[("X-Api-Key", "k")],
            credentials="include",
            target_address_space=None,
        )
    finally:
        transport.close()


def test_credentials_method_and_header_in_one_fix() -> None:
    options: dict[str, Any] = {
        "origins": [PAGE],
        "methods": ["GET", "POST"],
        "allow_headers": ["Content-Type"],
    }
    app = app_with(**options)
    outcome = fetch(app)
    assert outcome.cors_error == "PreflightInvalidAllowCredentials"
    d = diagnose(outcome, find_cors_settings(app), in_process=True, app=app)
    assert d.symptom == "credentials-not-allowed"
    assert d.cause is not None
    for part in ("PATCH is not in methods", "'x-api-key'", "supports_credentials is False"):
        assert part in d.cause
    assert d.primary is not None and d.primary.change is not None
    assert dict(d.primary.change.changes) == {
        "methods": ["GET", "POST", "PATCH"],
        "allow_headers": ["Content-Type", "x-api-key"],
        "supports_credentials": True,
    }
    assert fetch(app_with(**{**options, **dict(d.primary.change.changes)})).verdict == "allowed"
