"""The diagnosis speaks the language of the layer it found: flask-cors' keywords,
django-cors-headers' settings, Litestar's CORSConfig, corskit's Django settings dict, the
user's own function names; it never says "no CORS middleware" when a layer exists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, Response, jsonify, request
from flask_cors import CORS

from corskit.doctor.appinfo import find_cors_settings
from corskit.doctor.diagnose import Diagnosis, diagnose
from corskit.doctor.fetch import simulate
from corskit.doctor.transports import transport_for_app

from . import apps
from .apps import FRONT
from .test_models import django_example, django_settings


def check(app: Any, path: str, **kw: Any) -> Diagnosis:
    transport = transport_for_app(app)
    try:
        kw.setdefault("target_address_space", None)
        kw.setdefault("origin", FRONT)
        outcome = simulate(transport, f"http://testserver{path}", **kw)
    finally:
        transport.close()
    assert outcome.verdict == "blocked"
    return diagnose(outcome, find_cors_settings(app), in_process=True, app=app)


def codes(diagnosis: Diagnosis) -> list[str]:
    return [f.code for f in diagnosis.findings]


# ------------------------------------------------------------------ flask-cors


def test_flask_cors_credentials_fix_is_supports_credentials() -> None:
    d = check(apps.flask_cors_app(), "/api/data", credentials="include")
    assert d.symptom == "credentials-not-allowed"
    assert "cors-middleware-missing" not in codes(d)
    assert d.fix is not None and "CORS(app, ..., supports_credentials=True)" in d.fix
    assert "allow_credentials" not in d.fix


def test_flask_cors_method_fix_keeps_the_allowed_methods() -> None:
    d = check(apps.flask_cors_app(), "/api/data", method="PUT")
    assert d.symptom == "method-not-allowed"
    assert d.fix == 'CORS(app, ..., methods=["GET", "POST", "PUT"])'
    assert d.cause == 'PUT is not in methods=["GET", "POST"]'


def test_flask_cors_origin_fix() -> None:
    d = check(apps.flask_cors_app(), "/api/data", origin="http://localhost:5173")
    assert d.symptom == "origin-not-allowed"
    assert d.fix is not None and d.fix.startswith("CORS(app, ..., origins=[")
    assert '"http://localhost:5173"' in d.fix


def test_flask_cors_misspelt_option_is_the_cause() -> None:
    from .misspelt_flask import create_app

    d = check(create_app(), "/api/me", credentials="include")
    assert codes(d)[:2] == ["flask-cors-unknown-option", "credentials-not-allowed"]
    assert d.fix == "In CORS(...), write supports_credentials=True."
    assert d.cause is not None and "support_credentials=True" in d.cause


def test_hand_written_flask_cors_with_authentication_first() -> None:
    app = Flask("auth_first")

    @app.before_request
    def need_token() -> Any:
        if "Authorization" not in request.headers:
            return Response("unauthorized", status=401)
        return None

    @app.route("/data", methods=["GET", "PUT"])
    def data() -> Any:
        return jsonify(n=1)

    CORS(app, origins=[FRONT])
    d = check(app, "/data", method="PUT", headers=[("Authorization", "Bearer t0ken")])
    assert d.symptom == "preflight-rejected"
    assert (
        d.fix is not None
        and 'through need_token: return early when request.method == "OPTIONS"' in d.fix
    )
    assert "add_middleware" not in d.fix


def test_flask_after_request_hook_is_named() -> None:
    app = apps.flask_after_request()
    d = check(app, "/api/data", credentials="include")
    assert d.symptom == "credentials-not-allowed"
    assert d.fix is not None and d.fix.startswith(
        "in your after_request hook allow_front_end (apps.py:"
    )
    assert 'Access-Control-Allow-Credentials: "true"' in d.fix


# ------------------------------------------------------------------ corskit's shapes


def test_flask_example_is_diagnosed_with_its_own_settings() -> None:
    from examples.flask_app import create_app

    d = check(
        create_app(), "/api/items", method="PUT", headers=[("Content-Type", "application/json")]
    )
    assert d.symptom == "method-not-allowed"
    assert d.fix == 'allow_methods=["GET", "POST", "DELETE", "PUT"]'


def test_django_example_is_diagnosed_with_its_own_settings() -> None:
    application = django_example()

    with django_settings(ROOT_URLCONF="examples.django_app.app"):
        d = check(application, "/api/items", method="PUT", headers=[("X-CSRFToken", "t")])
    assert d.symptom == "method-not-allowed"
    assert d.fix == 'allow_methods=["GET", "POST", "PUT"]'
    assert d.settings is not None and d.settings.class_name == "corskit.WSGICORSMiddleware"


def test_litestar_with_corskit_middleware() -> None:
    d = check(apps.litestar_corskit(), "/data", method="PUT")
    assert d.symptom == "method-not-allowed"
    assert d.fix == 'allow_methods=["GET", "PUT"]'


def test_corskit_django_settings_dict() -> None:
    from django.core.wsgi import get_wsgi_application  # type: ignore[import-untyped]

    with django_settings(
        ROOT_URLCONF="examples.django_app.app",
        MIDDLEWARE=["corskit.django.CorsMiddleware"],
        CORSKIT={"allow_origins": [FRONT], "allow_methods": ["GET", "POST"]},
    ):
        d = check(get_wsgi_application(), "/api/items", method="PUT")
    assert d.symptom == "method-not-allowed"
    assert d.fix == 'in settings.py: CORSKIT = {..., "allow_methods": ["GET", "POST", "PUT"]}'


# ------------------------------------------------------------------ Litestar


def test_litestar_cors_config_fix() -> None:
    d = check(apps.litestar_config(), "/data", origin="http://localhost:5173")
    assert d.symptom == "origin-not-allowed"
    assert (
        d.fix
        == f'Litestar(..., cors_config=CORSConfig(..., allow_origins=["{FRONT}", "http://localhost:5173"]))'
    )


# ------------------------------------------------------------------ django-cors-headers


@pytest.fixture
def peer(request: pytest.FixtureRequest) -> Iterator[Any]:
    from django.core.wsgi import get_wsgi_application

    with django_settings(
        ROOT_URLCONF="examples.django_app.app",
        MIDDLEWARE=request.param,
        CORS_ALLOWED_ORIGINS=[FRONT],
    ):
        yield get_wsgi_application()


GOOD_ORDER = ["corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware"]


@pytest.mark.parametrize("peer", [GOOD_ORDER], indirect=True)
def test_django_cors_headers_origin_fix(peer: Any) -> None:
    d = check(peer, "/api/items", origin="http://localhost:5173")
    assert d.symptom == "origin-not-allowed"
    assert "cors-middleware-missing" not in codes(d)
    assert d.fix == f'in settings.py: CORS_ALLOWED_ORIGINS = ["{FRONT}", "http://localhost:5173"]'


@pytest.mark.parametrize("peer", [GOOD_ORDER], indirect=True)
def test_django_cors_headers_credentials_fix(peer: Any) -> None:
    d = check(peer, "/api/items", credentials="include")
    assert d.symptom == "credentials-not-allowed"
    assert d.fix is not None and d.fix.startswith("in settings.py: CORS_ALLOW_CREDENTIALS = True")


def test_django_cors_headers_below_common_middleware_append_slash() -> None:
    from django.core.wsgi import get_wsgi_application

    with django_settings(
        ROOT_URLCONF="tests.doctor.layers.django_urls",
        MIDDLEWARE=list(reversed(GOOD_ORDER)),
        CORS_ALLOWED_ORIGINS=[FRONT],
    ):
        d = check(get_wsgi_application(), "/api/items")  # APPEND_SLASH redirects to /api/items/
    assert d.symptom == "cors-middleware-order"
    assert d.fix is not None and "move 'corsheaders.middleware.CorsMiddleware' above" in d.fix


def test_the_layer_for_the_requested_path_is_used() -> None:
    app = Flask("two_resources")

    @app.get("/api/data")
    def data() -> Any:
        return jsonify(n=1)

    @app.get("/public/info")
    def info() -> Any:
        return jsonify(n=2)

    CORS(
        app,
        resources={
            r"/api/*": {"origins": [FRONT]},
            r"/public/*": {"origins": ["https://other.example"]},
        },
    )
    d = check(app, "/public/info")
    assert d.symptom == "origin-not-allowed"
    assert (
        d.fix
        == f'CORS(app, resources={{r"/public/*": {{..., "origins": ["https://other.example", "{FRONT}"]}}}})'
    )


def test_corskit_flask_blueprint_policy_is_used_for_its_paths() -> None:
    d = check(apps.corskit_flask(), "/public/info", method="PUT")
    assert d.symptom == "method-not-allowed"
    assert d.fix == 'allow_methods=["GET", "PUT"]'
    assert d.settings is not None and d.settings.where == "blueprint 'public'"


def test_corskit_django_below_common_middleware_append_slash() -> None:
    from django.core.wsgi import get_wsgi_application

    with django_settings(
        ROOT_URLCONF="tests.doctor.layers.django_urls",
        MIDDLEWARE=["django.middleware.common.CommonMiddleware", "corskit.django.CorsMiddleware"],
        CORSKIT={"allow_origins": [FRONT]},
    ):
        d = check(get_wsgi_application(), "/api/items")  # APPEND_SLASH redirects to /api/items/
    assert d.symptom == "middleware-order"
    assert (
        d.fix
        == "Move 'corskit.django.CorsMiddleware' above 'django.middleware.common.CommonMiddleware' in MIDDLEWARE."
    )
