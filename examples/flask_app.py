"""A Flask API behind corskit's WSGI middleware.

Run it (port 5001)::

    pip install corskit flask
    python examples/flask_app.py
    curl -i -H 'Origin: https://app.example.com' http://127.0.0.1:5001/api/items

- ``/api/*``: the front end at ``https://app.example.com`` only, with cookies;
- ``/public/*``: read-only, any origin (a per-route policy at ``*``);
- ``/api/boom``: an unhandled error: the 500 still carries the CORS headers, so the
  browser shows the real error instead of a CORS error.

The settings can also come from the environment: ``CORSPolicy.from_env()`` reads
``CORS_ALLOW_ORIGINS``, ``CORS_PROFILE=development`` and so on.
"""

from __future__ import annotations

from flask import Flask, jsonify

from corskit import CORSPolicy, WSGICORSMiddleware


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/api/items")
    def items():  # type: ignore[no-untyped-def]
        return jsonify(items=["a", "b"])

    @app.post("/api/items")
    def add_item():  # type: ignore[no-untyped-def]
        return jsonify(ok=True), 201

    @app.get("/api/boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("something broke")

    @app.get("/public/info")
    def info():  # type: ignore[no-untyped-def]
        return jsonify(name="demo", version=1)

    # Flask's own app.wsgi_app is wrapped, so `flask run` and any WSGI server use it.
    app.wsgi_app = WSGICORSMiddleware(  # type: ignore[method-assign]
        app.wsgi_app,
        allow_origins=["https://app.example.com", "http://localhost:5173"],
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Content-Type", "Authorization"],
        allow_credentials=True,
        routes={"/public": CORSPolicy(allow_origins=["*"], allow_methods=["GET"])},
    )
    return app


app = create_app()

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=5001)
