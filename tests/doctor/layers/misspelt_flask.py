"""A flask-cors app with a misspelt option (flask-cors logs it and carries on without it)."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from flask_cors import CORS


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/api/me")
    def me() -> Any:
        return jsonify(user="alice")

    CORS(app, origins=["https://app.example.com"], support_credentials=True)  # type: ignore[call-arg]
    return app
