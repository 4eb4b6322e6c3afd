"""A Flask API whose flask-cors call is written out, misspelt as in the report: flask-cors
ignores ``support_credentials`` (its option is ``supports_credentials``) with only a log line."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from flask_cors import CORS


def create_app() -> Flask:
    app = Flask(__name__)

    @app.route("/api/items", methods=["GET", "POST"])
    def items() -> Any:
        return jsonify({"items": ["a", "b"]})

    # misspelt on purpose, as in the report
    CORS(app, origins=["http://localhost:8002"], support_credentials=True)  # type: ignore[call-arg]
    return app
