"""The CORS layer models against real applications: each layer is found where the user put
it, its settings are read, its prediction matches what the real application sends, and its
fix is written in the library's own syntax."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from flask_cors import CORS as FlaskCORS
from starlette.testclient import TestClient
from werkzeug.test import Client

from corskit.doctor import layers
from corskit.doctor.layers import Layer, LayerRequest, find_layers
from corskit.doctor.layers.handwritten import HandwrittenLayer

from . import apps
from .apps import FRONT

CORS_NAMES = (
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-expose-headers",
)


def real_headers(app: Any, request: LayerRequest, *, wsgi: bool) -> dict[str, str]:
    """What the real application sends (the CORS headers), in process."""
    headers = {"Origin": request.origin}
    method = request.method
    if request.preflight:
        method = "OPTIONS"
        headers["Access-Control-Request-Method"] = request.method
        if request.headers:
            headers["Access-Control-Request-Headers"] = ",".join(request.headers)
    if wsgi:
        response = Client(app).open(request.path, method=method, headers=headers)
        items = list(response.headers.items())
    else:
        with TestClient(app) as client:
            items = list(client.request(method, request.path, headers=headers).headers.items())
    return {k.lower(): v for k, v in items if k.lower() in CORS_NAMES}


def assert_predicts(
    app: Any, layer: Layer, request: LayerRequest, *, wsgi: bool = False
) -> dict[str, str]:
    predicted = layer.predict(request)
    assert predicted is not None
    real = real_headers(app, request, wsgi=wsgi)
    assert {k: v for k, v in predicted.items() if k in CORS_NAMES} == real
    return real


def only(app: Any) -> Layer:
    """The one layer of *app* (a corskit middleware's per-route policies apart)."""
    found = [layer for layer in find_layers(app) if getattr(layer, "route", None) is None]
    assert len(found) == 1, found
    return found[0]


def test_every_model_is_registered_with_a_name() -> None:
    names = [model.NAME for model in layers.MODELS]
    assert names == [
        "corskit",
        "starlette",
        "flask-cors",
        "django-cors-headers",
        "litestar",
        "handwritten",
    ]
    assert all(callable(model.find) for model in layers.MODELS)


# ------------------------------------------------------------------ Starlette / FastAPI


def test_starlette_cors_in_fastapi() -> None:
    app = apps.fastapi_starlette()
    layer = only(app)
    assert (layer.model, layer.where) == ("starlette", "app.user_middleware[0]")
    assert layer.get("allow_methods") == ["GET", "POST"] and layer.get("allow_credentials") is False
    assert_predicts(
        app, layer, LayerRequest(FRONT, "POST", ("content-type",), preflight=True, path="/data")
    )
    assert_predicts(app, layer, LayerRequest(FRONT, path="/data"))
    fix = layer.fix({"allow_credentials": True})
    assert fix.text == "app.add_middleware(CORSMiddleware, ..., allow_credentials=True)"
    assert fix.to_json() == {
        "layer": "starlette",
        "changes": [{"setting": "allow_credentials", "value": True}],
        "text": fix.text,
    }


def test_function_middleware_outside_cors_is_named_by_the_user() -> None:
    layer = only(apps.fastapi_auth_outside())
    assert layer.outside == ["require_token"]  # not BaseHTTPMiddleware


def test_built_starlette_app() -> None:
    app = apps.starlette_built()
    layer = only(app)
    assert layer.get("allow_origins") == ["*"] and layer.get("expose_headers") == ["X-Total"]
    assert_predicts(app, layer, LayerRequest("https://any.example", path="/data"))


def test_handwritten_function_middleware() -> None:
    layer = only(apps.fastapi_handwritten())
    assert (layer.model, layer.label) == ("handwritten", "add_cors_headers")
    assert layer.predict(LayerRequest(FRONT)) is None
    text = layer.fix({"allow_credentials": True}).text
    assert text.startswith("in your function middleware add_cors_headers (apps.py:")
    assert 'Access-Control-Allow-Credentials: "true"' in text


# ------------------------------------------------------------------ corskit


def test_corskit_asgi_middleware() -> None:
    app = apps.fastapi_corskit()
    layer = only(app)
    assert layer.model == "corskit" and layer.get("allow_methods") == ("GET", "PUT")
    assert_predicts(app, layer, LayerRequest(FRONT, "PUT", preflight=True, path="/data"))
    assert layer.fix({"allow_methods": ["GET", "PUT", "DELETE"]}).text == (
        'app.add_middleware(CORSMiddleware, ..., allow_methods=["GET", "PUT", "DELETE"])'
    )


def test_corskit_outermost() -> None:
    app = apps.fastapi_outermost()
    layer = only(app)
    assert (layer.label, layer.get("allow_credentials")) == ("corskit.outermost", True)
    assert_predicts(app, layer, LayerRequest(FRONT, credentials=True, path="/data"))
    assert layer.fix({"allow_origins": [FRONT, "http://localhost:5173"]}).text.startswith(
        "corskit.outermost(..., allow_origins="
    )


def test_corskit_flask_shape_and_its_blueprint() -> None:
    app = apps.corskit_flask()
    found = find_layers(app)
    assert [(layer.label, layer.where) for layer in found] == [
        ("corskit.flask.CORS", "blueprint 'public'"),
        ("corskit.flask.CORS", "app.extensions['corskit']"),
    ]
    public, default = found
    assert default.get("allow_credentials") is True and public.get("allow_origins") == ("*",)
    assert public.applies_to("/public/info") and not public.applies_to("/api/data")
    assert_predicts(app, default, LayerRequest(FRONT, path="/api/data"), wsgi=True)
    assert_predicts(app, public, LayerRequest(FRONT, path="/public/info"), wsgi=True)


def test_flask_example() -> None:
    from examples.flask_app import create_app

    app = create_app()
    layer = only(app)
    assert (layer.label, layer.where) == ("corskit.WSGICORSMiddleware", "app.wsgi_app")
    assert layer.get("allow_methods") == ("GET", "POST", "DELETE")
    assert assert_predicts(app, layer, LayerRequest(FRONT, path="/public/info"), wsgi=True) == {
        "access-control-allow-origin": "*"
    }
    real = assert_predicts(
        app, layer, LayerRequest(FRONT, credentials=True, path="/api/items"), wsgi=True
    )
    assert real["access-control-allow-credentials"] == "true"


def test_django_example() -> None:
    application = django_example()

    with django_settings(ROOT_URLCONF="examples.django_app.app"):
        layer = only(application)
        assert (layer.label, layer.where) == ("corskit.WSGICORSMiddleware", "app")
        route = find_layers(application)[1]
        assert (route.where, route.get("allow_origins")) == ('app routes["/public"]', ("*",))
        assert route.applies_to("/public/info") and not layer.applies_to("/public/info")
        assert "x-csrftoken" in layer.get("allow_headers")
        assert_predicts(
            application,
            layer,
            LayerRequest(FRONT, "POST", ("x-csrftoken",), preflight=True, path="/api/items"),
            wsgi=True,
        )


def test_litestar_define_middleware_with_corskit() -> None:
    app = apps.litestar_corskit()
    layer = only(app)
    assert (layer.model, layer.label) == ("corskit", "DefineMiddleware(CORSMiddleware")
    assert_predicts(app, layer, LayerRequest(FRONT, credentials=True, path="/data"))
    assert (
        layer.fix({"allow_origins": [FRONT]}).text
        == f'DefineMiddleware(CORSMiddleware, ..., allow_origins=["{FRONT}"])'
    )


# ------------------------------------------------------------------ flask-cors


def test_flask_cors_settings_prediction_and_fix() -> None:
    app = apps.flask_cors_app()
    layer = only(app)
    assert (layer.model, layer.label) == ("flask-cors", "flask_cors.CORS")
    assert layer.get("allow_origins") == (FRONT,)
    assert layer.get("allow_origin_regex") == r"https://.*\.example\.org"
    assert layer.get("allow_methods") == ("GET", "POST") and layer.get("allow_credentials") is False
    assert_predicts(
        app,
        layer,
        LayerRequest(FRONT, "POST", ("content-type",), preflight=True, path="/api/data"),
        wsgi=True,
    )
    # flask-cors' regex uses re.match: anchored at the start only
    request = LayerRequest("https://a.example.org.evil.example", path="/api/data")
    assert (
        assert_predicts(app, layer, request, wsgi=True)["access-control-allow-origin"]
        == request.origin
    )
    fix = layer.fix({"allow_credentials": True, "allow_methods": ["GET", "POST", "PUT"]})
    assert fix.text == 'CORS(app, ..., supports_credentials=True, methods=["GET", "POST", "PUT"])'
    assert fix.changes == (("supports_credentials", True), ("methods", ["GET", "POST", "PUT"]))


def test_flask_cors_resources() -> None:
    app = apps.flask_cors_resources()
    layer = only(app)
    assert assert_predicts(app, layer, LayerRequest(FRONT, path="/other"), wsgi=True) == {}
    assert_predicts(app, layer, LayerRequest(FRONT, path="/api/data"), wsgi=True)
    assert (
        layer.fix({"allow_credentials": True}).text
        == 'CORS(app, resources={r"/api/*": {..., "supports_credentials": True}})'
    )


def test_flask_cors_glob_origin_is_a_regex() -> None:
    app = apps.flask_cors_glob()
    layer = only(app)
    sub = LayerRequest("https://a.example.com", path="/api/data")
    assert assert_predicts(app, layer, sub, wsgi=True) == {}  # not a subdomain wildcard
    odd = LayerRequest("https://aexample.com", path="/api/data")
    assert assert_predicts(app, layer, odd, wsgi=True)["access-control-allow-origin"] == odd.origin


def test_flask_cross_origin_view() -> None:
    app = apps.flask_cross_origin()
    layer = only(app)
    assert (layer.label, layer.get("expose_headers")) == (
        "flask_cors.cross_origin",
        ("Content-Disposition",),
    )
    assert_predicts(app, layer, LayerRequest(FRONT, path="/download"), wsgi=True)
    assert (
        layer.fix({"allow_credentials": True}).text
        == "@cross_origin(..., supports_credentials=True) on download()"
    )


def test_flask_cors_misspelt_option(caplog: pytest.LogCaptureFixture) -> None:
    from .misspelt_flask import create_app

    with caplog.at_level(logging.WARNING, "flask_cors"):
        layer = only(create_app())
    assert layer.get("allow_credentials") is False  # flask-cors dropped the option
    [note] = layer.notes
    assert note.code == "flask-cors-unknown-option"
    assert "support_credentials=True" in note.message
    assert note.fix == "In CORS(...), write supports_credentials=True."


def test_flask_after_request_hook() -> None:
    layer = only(apps.flask_after_request())
    assert isinstance(layer, HandwrittenLayer)
    assert (layer.label, layer.kind) == ("allow_front_end", "after_request hook")


# ------------------------------------------------------------------ Litestar


def test_litestar_cors_config() -> None:
    app = apps.litestar_config()
    layer = only(app)
    assert (layer.model, layer.where) == ("litestar", "app.cors_config")
    assert layer.get("allow_origins") == (FRONT,)
    assert_predicts(app, layer, LayerRequest(FRONT, path="/data"))
    assert_predicts(
        app, layer, LayerRequest(FRONT, "GET", ("x-token",), preflight=True, path="/data")
    )
    assert layer.fix({"allow_origins": [FRONT, "http://localhost:5173"]}).text == (
        f'Litestar(..., cors_config=CORSConfig(..., allow_origins=["{FRONT}", "http://localhost:5173"]))'
    )


# ------------------------------------------------------------------ Django


EXAMPLE = "examples.django_app.app"

#: What every Django test here starts from: examples/django_app's own settings. Django's
#: settings belong to the process and the first module that configures them wins (another
#: test module may be imported first), so the tests never rely on who that was.
EXAMPLE_SETTINGS: dict[str, Any] = {
    "ROOT_URLCONF": EXAMPLE,
    "MIDDLEWARE": [],
    "ALLOWED_HOSTS": ["*"],
}


def django_example() -> Any:
    """examples/django_app's WSGI application (imported by name: Django ships no types).

    The example configures Django when nobody has; when someone has, it is imported under
    its own settings, so its ``WSGIHandler`` loads the example's (empty) ``MIDDLEWARE``."""
    import importlib
    import sys

    from django.conf import settings  # type: ignore[import-untyped]
    from django.test.utils import override_settings  # type: ignore[import-untyped]

    if EXAMPLE in sys.modules or not settings.configured:
        return importlib.import_module(EXAMPLE).application
    with override_settings(**EXAMPLE_SETTINGS):
        return importlib.import_module(EXAMPLE).application


class django_settings:
    """Django's settings for one test: the example's settings, *overrides*, and no ``CORS_*``
    or ``CORSKIT`` setting the test does not give (whoever configured Django first)."""

    def __init__(self, **overrides: Any) -> None:
        from django.test.utils import override_settings

        django_example()  # configures Django's settings when nobody has
        self._given = set(overrides)
        self._override = override_settings(**{**EXAMPLE_SETTINGS, **overrides})

    def __enter__(self) -> None:
        from django.conf import settings

        self._override.__enter__()
        for name in dir(settings):
            if name.startswith(("CORS_", "CORSKIT")) and name not in self._given:
                delattr(settings, name)  # hidden until __exit__ restores the settings

    def __exit__(self, *exc: object) -> None:
        self._override.__exit__(*exc)


@pytest.fixture
def peer_app() -> Iterator[Any]:
    from django.core.wsgi import get_wsgi_application  # type: ignore[import-untyped]

    with django_settings(
        ROOT_URLCONF="examples.django_app.app",
        MIDDLEWARE=[
            "corsheaders.middleware.CorsMiddleware",
            "django.middleware.common.CommonMiddleware",
        ],
        CORS_ALLOWED_ORIGINS=[FRONT],
        CORS_ALLOW_CREDENTIALS=True,
    ):
        yield get_wsgi_application()


def test_django_cors_headers(peer_app: Any) -> None:
    layer = only(peer_app)
    assert (layer.model, layer.where) == ("django-cors-headers", "settings.MIDDLEWARE[0]")
    assert layer.get("allow_origins") == (FRONT,) and layer.get("allow_credentials") is True
    assert layer.notes == []
    assert_predicts(
        peer_app,
        layer,
        LayerRequest(FRONT, "POST", ("content-type",), preflight=True, path="/api/items"),
        wsgi=True,
    )
    assert_predicts(peer_app, layer, LayerRequest(FRONT, path="/api/items"), wsgi=True)
    fix = layer.fix(
        {
            "allow_origins": [FRONT, "http://localhost:5173"],
            "allow_headers": [*layer.get("allow_headers"), "x-api-key"],
        }
    )
    assert fix.text.startswith(
        f'in settings.py: CORS_ALLOWED_ORIGINS = ["{FRONT}", "http://localhost:5173"]; '
    )
    assert 'CORS_ALLOW_HEADERS = (*default_headers, "x-api-key")' in fix.text


def test_django_cors_headers_below_common_middleware() -> None:
    from django.core.wsgi import get_wsgi_application

    with django_settings(
        ROOT_URLCONF="examples.django_app.app",
        MIDDLEWARE=[
            "django.middleware.common.CommonMiddleware",
            "corsheaders.middleware.CorsMiddleware",
        ],
        CORS_ALLOWED_ORIGINS=[FRONT],
    ):
        layer = only(get_wsgi_application())
        [note] = layer.notes
        assert note.code == "cors-middleware-order"
        assert "APPEND_SLASH" in note.message
        assert layer.outside == ["CommonMiddleware"]


def test_corskit_django_middleware() -> None:
    from django.core.wsgi import get_wsgi_application

    with django_settings(
        ROOT_URLCONF="examples.django_app.app",
        MIDDLEWARE=["corskit.django.CorsMiddleware"],
        CORSKIT={"allow_origins": [FRONT], "allow_methods": ["GET", "POST"]},
    ):
        app = get_wsgi_application()
        layer = only(app)
        assert (layer.model, layer.label) == ("corskit", "corskit.django.CorsMiddleware")
        assert layer.get("allow_methods") == ("GET", "POST")
        assert_predicts(
            app, layer, LayerRequest(FRONT, "POST", preflight=True, path="/api/items"), wsgi=True
        )
        assert (
            layer.fix({"allow_credentials": True}).text
            == 'in settings.py: CORSKIT = {..., "allow_credentials": True}'
        )


class _Hostile:
    """An app object whose attributes raise (a proxy object, a half-built app)."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"no {name}")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        return None


def test_odd_app_objects_never_crash() -> None:
    for app in (None, object(), _Hostile(), lambda environ, start_response: [], "app", 42):
        assert find_layers(app) == []


def test_a_misspelling_is_reported_only_where_it_was_ignored() -> None:
    from .misspelt_flask import create_app

    app = create_app()
    FlaskCORS(app, supports_credentials=True, origins=[FRONT])  # a second, correct CORS(...)
    first, second = find_layers(app)
    assert [n.code for n in first.notes] == ["flask-cors-unknown-option"]
    assert second.notes == []  # supports_credentials is True there: nothing was lost
