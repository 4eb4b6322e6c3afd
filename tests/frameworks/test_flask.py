"""corskit.flask in a real Flask application, served by a real WSGI server.

Two blueprints with different policies (a credentialed admin API for one origin, a
public read-only API for any origin) and the application's own policy: each answers with
its policy, and one blueprint's origin is refused by the other.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from flask import Blueprint, Flask, jsonify
from flask.typing import ResponseReturnValue

from corskit import CORSConfigError, CORSConfigWarning
from corskit.flask import CORS
from tests.features.helpers import APP, EVIL, get, preflight
from tests.servers import serve_wsgi

ADMIN = "https://admin.example.com"


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["CORSKIT"] = {"allow_methods": ["GET", "POST"]}  # read by init_app

    @app.get("/api/items")
    def items() -> ResponseReturnValue:
        return jsonify(items=["a"])

    @app.get("/api/boom")
    def boom() -> ResponseReturnValue:
        raise RuntimeError("something broke")

    admin = Blueprint("admin", __name__, url_prefix="/admin")

    @admin.route("/users", methods=["GET", "DELETE"])
    def users() -> ResponseReturnValue:
        return jsonify(users=[])

    @admin.before_request
    def authenticate() -> ResponseReturnValue | None:  # authentication must never see a preflight
        from flask import request

        return None if request.headers.get("Authorization") else ("unauthorised", 401)

    reports = Blueprint("reports", __name__, url_prefix="/reports")  # nested: inherits admin's

    @reports.get("/daily")
    def daily() -> ResponseReturnValue:
        return jsonify(day=1)

    admin.register_blueprint(reports)

    public = Blueprint("public", __name__, url_prefix="/public")

    @public.get("/info")
    def info() -> ResponseReturnValue:
        return jsonify(name="demo")

    CORS(
        admin,
        allow_origins=[ADMIN],
        allow_methods=["DELETE"],
        allow_headers=["Authorization"],
        allow_credentials=True,
    )
    CORS(public, allow_origins=["*"])
    cors = CORS(allow_origins=[APP], allow_credentials=True)
    cors.init_app(app)
    app.register_blueprint(admin)
    app.register_blueprint(public)
    return app


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve_wsgi(create_app()) as base:
        yield base


def test_each_blueprint_answers_with_its_policy(server: str) -> None:
    # The admin blueprint: its origin, with credentials; the application's origin is refused.
    p = preflight(server, "/admin/users", ADMIN, method="DELETE", request_headers="authorization")
    assert p.status == 204
    assert (p.acao, p.get("access-control-allow-credentials")) == (ADMIN, "true")
    assert p.get("access-control-allow-headers") == "authorization"
    assert preflight(server, "/admin/users", APP, method="DELETE").status == 403
    r = get(server, "/admin/users", ADMIN, authorization="Bearer x")
    assert (r.status, r.acao) == (200, ADMIN)
    assert get(server, "/admin/users", APP, authorization="Bearer x").cors() == {}
    # A response of the blueprint's own before_request (401) carries its CORS headers.
    assert (get(server, "/admin/users", ADMIN).status, get(server, "/admin/users", ADMIN).acao) == (
        401,
        ADMIN,
    )
    # The nested blueprint inherits the admin policy.
    assert get(server, "/admin/reports/daily", ADMIN, authorization="x").acao == ADMIN
    # The public blueprint: any origin, no credentials, GET only; the admin origin too.
    r = get(server, "/public/info", EVIL)
    assert (r.status, r.cors()) == (200, {"access-control-allow-origin": "*"})
    assert preflight(server, "/public/info", ADMIN, method="DELETE").status == 403


def test_the_application_policy_covers_the_rest(server: str) -> None:
    r = get(server, "/api/items", APP)
    assert r.cors() == {
        "access-control-allow-origin": APP,
        "access-control-allow-credentials": "true",
    }
    assert r.get("vary") == "Origin"
    assert (
        get(server, "/api/items", ADMIN).cors() == {}
    )  # the admin origin is the admin blueprint's only
    p = preflight(server, "/api/items", APP, method="POST", request_headers="x-custom")
    assert p.status == 403  # X-Custom is not allowed by the application's policy
    assert (
        preflight(server, "/api/items", APP, method="POST").status == 204
    )  # config["CORSKIT"] methods
    boom = get(server, "/api/boom", APP)
    assert (boom.status, boom.acao) == (500, APP)


def test_flask_cors_names_are_read_with_a_warning() -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        cors = CORS(origins="https://app.example.com", supports_credentials=True, vary_header=False)  # type: ignore[call-arg]
    assert cors.cors is not None
    assert cors.cors.policy.allow_origins == (APP,) and cors.cors.policy.allow_credentials
    assert [p.code for p in cors.warnings] == [
        "renamed-setting",
        "renamed-setting",
        "setting-not-needed",
    ]
    assert "Use allow_credentials=True instead of supports_credentials=" in str(cors.warnings[1])
    assert sum(issubclass(w.category, CORSConfigWarning) for w in seen) == 3
    assert all(w.filename == __file__ for w in seen)  # the warnings point at the caller


def test_bad_configuration_fails_when_cors_is_built() -> None:
    with pytest.raises(CORSConfigError) as caught:
        CORS(allow_origins=["*"], allow_credentials=True)
    assert caught.value.codes == ("wildcard-origin-with-credentials",)
    app = Flask(__name__)
    app.config["CORSKIT"] = {"allow_origins": ["https://app.example.com/"]}
    with pytest.raises(CORSConfigError):
        CORS().init_app(app)
    with pytest.raises(TypeError, match="CORS\\(blueprint"):
        CORS(resources={r"/api/*": {"origins": APP}})  # type: ignore[call-arg]
