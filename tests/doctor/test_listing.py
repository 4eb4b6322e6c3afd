"""Settings the CORS layer reads otherwise than meant: several header names in one string, and
a layer that does not handle the requested path (a flask-cors resource pattern,
django-cors-headers' CORS_URLS_REGEX). The doctor names that cause, and its structured fix,
applied to the app, allows the request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.wsgi import get_wsgi_application  # type: ignore[import-untyped]
from flask import Flask, jsonify
from flask_cors import CORS

from corskit.doctor.appinfo import find_cors_settings
from corskit.doctor.diagnose import Diagnosis, diagnose
from corskit.doctor.fetch import Outcome, simulate
from corskit.doctor.listing import joined_names_fix
from corskit.doctor.transports import transport_for_app
from tests.doctor.layers.test_models import django_settings

PAGE = "http://localhost:3000"
TOKEN = [("Authorization", "Bearer t")]


def run(app: Any, **kw: Any) -> tuple[Outcome, Diagnosis]:
    transport = transport_for_app(app)
    try:
        outcome = simulate(
            transport,
            "http://testserver/api/items",
            origin=PAGE,
            target_address_space=None,
            **kw,
        )
    finally:
        transport.close()
    return outcome, diagnose(outcome, find_cors_settings(app), in_process=True, app=app)


def flask_app(**options: Any) -> Flask:
    app = Flask("listing")

    @app.get("/api/items")
    def items() -> Any:
        return jsonify(n=1)

    CORS(app, **options)
    return app


def blocked_then_allowed(
    build: Callable[..., Any], options: dict[str, Any], **kw: Any
) -> Diagnosis:
    outcome, d = run(build(**options), **kw)
    assert outcome.verdict == "blocked"
    assert d.primary is not None and d.primary.change is not None
    fixed, _ = run(build(**{**options, **dict(d.primary.change.changes)}), **kw)
    assert fixed.verdict == "allowed", fixed.chromium_message
    return d


def test_joined_names_are_split_and_the_missing_header_added() -> None:
    cause, fix = joined_names_fix(["Content-Type, X-Token", "accept"], ["authorization"], "CORS")
    assert "'Content-Type, X-Token'" in cause
    assert fix == 'allow_headers=["Content-Type", "X-Token", "accept", "authorization"]'


def test_flask_cors_allow_headers_as_one_string() -> None:
    d = blocked_then_allowed(
        flask_app, {"allow_headers": "Content-Type, Authorization"}, headers=TOKEN
    )
    assert d.symptom == "header-not-allowed"
    assert d.cause is not None and "several header names in one string" in d.cause
    assert d.fix == 'CORS(app, ..., allow_headers=["Content-Type", "Authorization"])'


def test_flask_cors_path_outside_every_resource() -> None:
    d = blocked_then_allowed(flask_app, {"resources": {r"/v2/*": {"origins": [PAGE]}}})
    assert d.symptom == "path-not-covered"
    assert (
        d.cause is not None and 'no pattern of resources (r"/v2/*") matches /api/items' in d.cause
    )
    assert d.fix == (
        f'CORS(app, resources={{r"/v2/*": {{"origins": ["{PAGE}"]}}, '
        f'r"/api/items": {{"origins": ["{PAGE}"]}}}})'
    )


def test_flask_cors_new_resource_names_the_page_instead_of_a_wildcard() -> None:
    d = blocked_then_allowed(flask_app, {"resources": {r"/public": {"origins": "*"}}})
    assert d.primary is not None and d.primary.change is not None
    resources = dict(d.primary.change.changes)["resources"]
    assert resources == {"/public": {"origins": ["*"]}, "/api/items": {"origins": [PAGE]}}


def django_app(**settings: Any) -> Any:
    return _DjangoWithSettings(settings)


class _DjangoWithSettings:
    """Django's WSGI application run under *settings* for every request."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        with self._settings():
            self.app = get_wsgi_application()

    def _settings(self) -> Any:
        return django_settings(
            ROOT_URLCONF="tests.corpus.django_urls",
            MIDDLEWARE=["corsheaders.middleware.CorsMiddleware"],
            CORS_ALLOWED_ORIGINS=[PAGE],
            **self.settings,
        )

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        with self._settings():
            return list(self.app(environ, start_response))


def test_django_cors_urls_regex_that_misses_the_path() -> None:
    app = django_app(CORS_URLS_REGEX=r"^/v2/.*$")
    with app._settings():
        d = blocked_then_allowed(django_app, {"CORS_URLS_REGEX": r"^/v2/.*$"})
    assert d.symptom == "path-not-covered"
    assert (
        d.cause is not None and "CORS_URLS_REGEX = '^/v2/.*$' does not match /api/items" in d.cause
    )
    assert d.fix == "in settings.py: CORS_URLS_REGEX = '(?:^/v2/.*$)|(?:^/api/items$)'"
