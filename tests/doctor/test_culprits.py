"""The real culprit by name: the user's own middleware (function, BaseHTTPMiddleware subclass,
pure ASGI class, a wrapper around the whole app, Flask before_request, Django middleware); a
mounted application adding a second Access-Control-Allow-Origin; the source of a redirect
(Starlette's redirect_slashes, Werkzeug's strict_slashes, Django's APPEND_SLASH); an invalid
corskit configuration; patterns in a literal origin list; flask-cors options it ignores."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from corskit.testing import CORSCheck

from . import culprit_apps as apps
from .app_parts import blocked as _blocked
from .culprit_apps import FRONT, REGEX
from .layers.test_models import django_settings

OTHER = "https://shop.example.org"


def blocked(app: Any, path: str = "/data", *, origin: str = FRONT, **kw: Any) -> CORSCheck:
    return _blocked(app, path, origin=origin, **kw)


def primary(result: CORSCheck) -> Any:
    found = result.diagnosis.primary
    assert found is not None
    return found


# ------------------------------------------------------------------ the user's middleware


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (apps.function_middleware, "require_token"),
        (apps.base_http_middleware, "TokenGate"),
        (apps.pure_asgi_middleware, "PureGate"),
        (apps.pure_asgi_wrapper, "PureGate"),
        (apps.flask_before_request, "check_api_key"),
    ],
)
def test_the_middleware_that_refused_the_preflight_is_named(
    build: Callable[[], Any], name: str
) -> None:
    found = primary(blocked(build(), method="PUT"))
    assert found.code == "preflight-rejected"
    assert f"answered 401 by {name}, which runs before" in found.cause
    assert name in found.fix


def test_django_middleware_is_named() -> None:
    from django.core.wsgi import get_wsgi_application  # type: ignore[import-untyped]

    with django_settings(
        ROOT_URLCONF="tests.doctor.layers.django_urls",
        MIDDLEWARE=[
            "tests.doctor.culprit_django.TokenRequired",
            "corsheaders.middleware.CorsMiddleware",
        ],
        CORS_ALLOWED_ORIGINS=[FRONT],
        CORS_ALLOW_METHODS=["GET", "PUT"],
    ):
        found = primary(blocked(get_wsgi_application(), "/api/items/", method="PUT"))
    assert found.code == "preflight-rejected"
    assert "answered 401 by TokenRequired, which runs before" in found.cause
    assert "move 'corsheaders.middleware.CorsMiddleware' above TokenRequired" in found.fix


# ------------------------------------------------------------------ who added a second header


def test_a_mounted_application_adding_the_header_is_named() -> None:
    found = primary(blocked(apps.mounted_socket_app(), "/ws/socket.io/"))
    assert found.code == "duplicate-acao"
    assert (
        "the application mounted at '/ws' (tests.doctor.culprit_apps.SocketLike) adds one itself"
        f" (run alone, it answers Access-Control-Allow-Origin: {FRONT})" in found.cause
    )
    assert "proxy" not in found.cause
    assert "turn off the CORS of the application mounted at '/ws'" in found.fix


# ------------------------------------------------------------------ where a redirect comes from


def test_starlette_redirect_slashes() -> None:
    found = primary(blocked(apps.starlette_slash_redirect(), method="PUT"))
    assert found.code == "preflight-redirect"
    assert "Starlette/FastAPI's redirect_slashes" in found.cause
    assert found.fix.startswith("call the final URL directly: http://testserver/data/ (or")
    assert "redirect_slashes=False" in found.fix


def test_werkzeug_strict_slashes() -> None:
    found = primary(blocked(apps.werkzeug_slash_redirect(), "/api/items", method="PUT"))
    assert found.code == "preflight-redirect"
    assert "Werkzeug's strict_slashes" in found.cause
    assert "strict_slashes=False" in found.fix


def test_django_append_slash() -> None:
    from django.core.wsgi import get_wsgi_application

    with django_settings(
        ROOT_URLCONF="tests.doctor.layers.django_urls",
        MIDDLEWARE=[
            "django.middleware.common.CommonMiddleware",
            "tests.doctor.culprit_django.AddCorsHeaders",
        ],
    ):
        found = primary(blocked(get_wsgi_application(), "/api/items", method="PUT"))
    assert found.code == "preflight-redirect"
    assert "Django's APPEND_SLASH: CommonMiddleware redirects" in found.cause
    assert "call the final URL directly: http://testserver/api/items/ (or" in found.fix


# ------------------------------------------------------------------ configuration mistakes


def test_invalid_corskit_configuration_is_named_by_its_problems() -> None:
    result = blocked(apps.invalid_corskit())
    found = primary(result)
    assert found.code == "cors-config-invalid"
    assert "[origin-trailing-slash] allow_origins" in found.cause
    assert "[wildcard-origin-with-credentials] allow_origins" in found.cause
    assert "server-error-without-cors" not in [f.code for f in result.diagnosis.findings]
    assert "[origin-trailing-slash] Use 'https://app.example.com'." in found.fix


def test_regex_in_starlette_allow_origins_moves_to_allow_origin_regex() -> None:
    result = blocked(apps.starlette_regex_in_list(), origin=OTHER)
    found = primary(result)
    assert found.code == "origin-not-allowed"
    assert "a regular expression that matches" in found.cause
    assert found.change.changes == (("allow_origins", [FRONT]), ("allow_origin_regex", REGEX))
    checked = result.diagnosis.verification
    assert checked is not None and checked.verified is True


def test_origin_outside_the_moved_regex_is_added_to_the_list() -> None:
    found = primary(blocked(apps.starlette_regex_in_list(), origin="https://evil.example"))
    assert found.change.changes == (
        ("allow_origins", [FRONT, "https://evil.example"]),
        ("allow_origin_regex", REGEX),
    )


def test_regex_in_litestar_and_glob_in_starlette_move_to_allow_origin_regex() -> None:
    for app, regex in (
        (apps.litestar_regex_in_list(), REGEX),
        (apps.starlette_glob_in_list(), r"https://[a-z0-9-]+\.example\.org"),
    ):
        result = blocked(app, origin=OTHER)
        found = primary(result)
        assert found.change.changes == (("allow_origins", [FRONT]), ("allow_origin_regex", regex))
        checked = result.diagnosis.verification
        assert checked is not None and checked.verified is True


def test_regex_in_django_cors_allowed_origins() -> None:
    from django.core.wsgi import get_wsgi_application

    with django_settings(
        ROOT_URLCONF="examples.django_app.app",
        MIDDLEWARE=["corsheaders.middleware.CorsMiddleware"],
        CORS_ALLOWED_ORIGINS=[FRONT, REGEX],
    ):
        result = blocked(get_wsgi_application(), "/api/items", origin=OTHER)
    found = primary(result)
    assert found.fix == (
        f'in settings.py: CORS_ALLOWED_ORIGINS = ["{FRONT}"];'
        ' CORS_ALLOWED_ORIGIN_REGEXES = ["https://.*\\\\.example\\\\.org"]'
    )
    checked = result.diagnosis.verification
    assert checked is not None and checked.verified is True


def test_flask_cors_option_it_ignores() -> None:
    result = blocked(apps.flask_cors_carried_over(), "/api/me", credentials="include")
    found = primary(result)
    assert found.code == "flask-cors-unknown-option"
    assert "flask-cors ignores the option 'allow_credentials'" in found.cause
    assert found.fix == "In CORS(...), write supports_credentials=True."
    checked = result.diagnosis.verification
    assert checked is not None and checked.verified is True
