"""Verified fixes: the doctor applies its fix to a copy of the app, runs the same request and
says "verified" only when it then passes; the user's app is never changed; what it cannot
check (a URL, a change in the page, hand-written code) it names; a failure while checking is
a reason, never a crash."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware as StarletteCORS
from flask import Flask, jsonify
from flask_cors import CORS as FlaskCORS
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

import corskit
from corskit import CORSPolicy
from corskit.doctor.causes import Finding
from corskit.doctor.fetch import Outcome
from corskit.doctor.layers import Fix, Layer
from corskit.doctor.verify import REMOTE, Verification, not_a_settings_change, verify_fix
from corskit.testing import CORSCheck, check_cors

from .app_parts import blocked as _blocked
from .app_parts import data_app
from .layers import apps
from .layers.apps import FRONT
from .layers.test_models import django_settings

OTHER = "http://localhost:5173"


def blocked(app: Any, path: str, *, origin: str = FRONT, **kw: Any) -> CORSCheck:
    return _blocked(app, path, origin=origin, **kw)


def verified(result: CORSCheck) -> Verification:
    checked = result.diagnosis.verification
    assert checked is not None, result.explain()
    return checked


def assert_verified(result: CORSCheck) -> None:
    checked = verified(result)
    assert checked.verified is True, (checked, result.explain())
    assert "(verified: the same request passes with this change)" in result.explain()


def _starlette_routes() -> list[Route]:
    async def data(request: Any) -> JSONResponse:
        return JSONResponse({"n": 1})

    return [Route("/data", data, methods=["GET", "PUT"])]


# ------------------------------------------------------------------ one test per layer shape


def test_starlette_entry() -> None:
    app = apps.fastapi_starlette()
    result = blocked(app, "/data", method="PUT")
    assert result.diagnosis.symptom == "method-not-allowed"
    assert_verified(result)
    change = result.diagnosis.primary.change if result.diagnosis.primary else None
    assert change is not None and change.layer == "starlette"
    assert change.changes == (("allow_methods", ["GET", "POST", "PUT"]),)


def test_starlette_entry_given_positionally() -> None:
    app = FastAPI()
    app.add_middleware(StarletteCORS, [FRONT])
    assert_verified(blocked(app, "/data", origin=OTHER))


def test_starlette_built_instance() -> None:
    app = StarletteCORS(Starlette(routes=_starlette_routes()), allow_origins=[FRONT])
    assert_verified(blocked(app, "/data", origin=OTHER))


def test_corskit_entry_and_policy_entry() -> None:
    assert_verified(blocked(apps.fastapi_corskit(), "/data", method="DELETE"))
    app = FastAPI()
    app.add_middleware(corskit.CORSMiddleware, policy=CORSPolicy(allow_origins=[FRONT]))
    assert_verified(blocked(app, "/data", method="PUT"))


def test_corskit_instance_and_outermost() -> None:
    wrapped = corskit.CORSMiddleware(Starlette(routes=_starlette_routes()), allow_origins=[FRONT])
    assert_verified(blocked(wrapped, "/data", method="PUT"))
    assert_verified(blocked(apps.fastapi_outermost(), "/data", origin=OTHER))


def test_flask_cors_resource_view_and_misspelt_option() -> None:
    assert_verified(blocked(apps.flask_cors_resources(), "/api/data", origin=OTHER))
    assert_verified(blocked(apps.flask_cross_origin(), "/download", origin=OTHER))
    from .layers.misspelt_flask import create_app

    result = blocked(create_app(), "/api/me", credentials="include")
    assert result.diagnosis.symptom == "flask-cors-unknown-option"
    assert_verified(result)


def test_flask_cors_new_resource_for_an_uncovered_path() -> None:
    """A path no pattern of ``resources`` matches: the fix adds a resource, and the copy's
    after_request function is built again with it (the others keep their options)."""
    app = Flask("uncovered")

    @app.get("/api/data")
    def data() -> Any:
        return jsonify(n=1)

    @app.put("/v2/items")
    def items() -> Any:
        return jsonify(n=2)

    FlaskCORS(app, resources={r"/api/*": {"origins": [FRONT], "supports_credentials": True}})
    result = blocked(app, "/v2/items", method="PUT", credentials="include")
    assert result.diagnosis.symptom == "path-not-covered"
    assert_verified(result)
    assert not check_cors(app, origin=FRONT, path="/v2/items", method="PUT", verify=False).allowed
    assert check_cors(app, origin=FRONT, path="/api/data", credentials="include").allowed


def test_django_cors_headers_settings() -> None:
    from django.core.wsgi import get_wsgi_application  # type: ignore[import-untyped]

    with django_settings(
        ROOT_URLCONF="examples.django_app.app",
        MIDDLEWARE=["corsheaders.middleware.CorsMiddleware"],
        CORS_ALLOWED_ORIGINS=[FRONT],
    ):
        result = blocked(get_wsgi_application(), "/api/items", origin=OTHER)
        from django.conf import settings  # type: ignore[import-untyped]

        assert settings.CORS_ALLOWED_ORIGINS == [FRONT]  # restored after the check
    assert_verified(result)


def test_corskit_flask_application_and_blueprint() -> None:
    app = apps.corskit_flask()
    assert_verified(blocked(app, "/api/data", method="PUT"))
    result = blocked(app, "/public/info", method="PUT")
    assert result.diagnosis.settings is not None
    assert result.diagnosis.settings.where == "blueprint 'public'"
    assert_verified(result)
    assert not check_cors(
        app, origin=FRONT, path="/public/info", method="PUT", verify=False
    ).allowed


def test_corskit_django_settings_dict() -> None:
    from django.core.wsgi import get_wsgi_application

    with django_settings(
        ROOT_URLCONF="examples.django_app.app",
        MIDDLEWARE=["corskit.django.CorsMiddleware"],
        CORSKIT={"allow_origins": [FRONT], "allow_methods": ["GET", "POST"]},
    ):
        result = blocked(get_wsgi_application(), "/api/items", method="PUT")
        from django.conf import settings

        assert settings.CORSKIT["allow_methods"] == ["GET", "POST"]  # restored after the check
    assert_verified(result)


def test_litestar_cors_config() -> None:
    app = apps.litestar_config()
    assert_verified(blocked(app, "/data", origin=OTHER))
    assert app.cors_config is not None and app.cors_config.allow_origins == [FRONT]


# ------------------------------------------------------------------ the user's app is unchanged


def test_the_users_app_is_never_changed() -> None:
    app = apps.fastapi_starlette()
    entries = list(app.user_middleware)
    kwargs = dict(app.user_middleware[0].kwargs)
    assert_verified(blocked(app, "/data", method="PUT"))
    assert app.user_middleware == entries and app.user_middleware[0].kwargs == kwargs
    # the same request on the app itself is still refused (its stack was never rebuilt)
    again = check_cors(app, origin=FRONT, path="/data", method="PUT", verify=False)
    assert not again.allowed and again.diagnosis.verification is None


def test_flask_cors_copy_leaves_the_app_hooks() -> None:
    app = apps.flask_cors_resources()
    hooks = list(app.after_request_funcs[None])
    assert_verified(blocked(app, "/api/data", origin=OTHER))
    assert app.after_request_funcs[None] == hooks
    assert not check_cors(app, origin=OTHER, path="/api/data", verify=False).allowed


# ------------------------------------------------------------------ not verified, with the reason


def test_a_per_route_policy_is_fixed_where_it_answers() -> None:
    """The request to a route is diagnosed with the route's policy, and that fix is verified."""
    app = data_app("PUT", "/public/data")

    corskit.outermost(
        app,
        allow_origins=[FRONT],
        allow_methods=["GET", "PUT"],
        routes={"/public": CORSPolicy(allow_origins=[FRONT], allow_methods=["GET"])},
    )
    result = blocked(app, "/public/data", method="PUT")
    assert result.diagnosis.fix == (
        'the policy of the route "/public": CORSPolicy(..., allow_methods=["GET", "PUT"])'
    )
    assert_verified(result)


def test_a_fix_that_does_not_help_is_not_verified() -> None:
    """When the same request still fails on the changed copy, the fix is not verified."""
    app = apps.fastapi_starlette()
    result = blocked(app, "/data", method="PUT")
    primary = result.diagnosis.primary
    assert primary is not None and result.diagnosis.settings is not None
    layer = result.diagnosis.settings.layer

    def still_blocked(changed: Any) -> Outcome:
        assert changed is not app  # a copy runs, never the user's app
        return result.outcome

    checked = verify_fix(primary, layer, app, still_blocked, lambda o: o.verdict == "allowed")
    assert checked == Verification(
        False,
        f"with this change the same request still fails ({result.outcome.cors_error})",
    )
    assert checked.text.startswith("(not verified: with this change the same request still fails")


def test_hand_written_layer_is_not_rewritten() -> None:
    result = blocked(apps.fastapi_handwritten(), "/data", origin=OTHER)
    checked = verified(result)
    assert checked.verified is None
    assert checked.reason == (
        "the fix is a change in the code of your function middleware add_cors_headers, which"
        " the doctor does not rewrite"
    )


def test_a_change_in_the_page_is_named() -> None:
    result = blocked(apps.fastapi_corskit(), "/data", method="patch")
    assert result.diagnosis.symptom == "lowercase-method"
    assert verified(result).reason == (
        "the fix is a change in the page (its fetch() call or its URL), which the doctor cannot make"
    )


def test_authentication_outside_cors_is_not_a_settings_change() -> None:
    result = blocked(apps.fastapi_auth_outside(), "/data", method="PUT", headers={"X-Token": "t"})
    assert result.diagnosis.symptom == "preflight-rejected"
    checked = verified(result)
    assert checked.verified is None and checked.reason is not None
    assert "middleware order" in checked.reason


@pytest.mark.parametrize("code", ["cors-middleware-order", "middleware-order"])
def test_a_middleware_order_fix_is_named(code: str) -> None:
    checked = not_a_settings_change(Finding(code, "x", "move it above", "MIDDLEWARE"))
    assert checked == Verification(
        None, "the fix changes the order of the app's middleware, which the doctor does not rebuild"
    )


# ------------------------------------------------------------------ failures are reasons


class _Broken(Layer):
    def copy_with(self, app: Any, changes: Any) -> AbstractContextManager[Any]:
        raise RuntimeError("boom")


class _Slow(Layer):
    def copy_with(self, app: Any, changes: Any) -> AbstractContextManager[Any]:
        @contextmanager
        def slow() -> Iterator[Any]:
            time.sleep(3)
            yield app

        return slow()


FINDING = Finding(
    "method-not-allowed",
    "PUT is not allowed",
    'allow_methods=["GET", "PUT"]',
    "allow_methods",
    change=Fix("starlette", (("allow_methods", ["GET", "PUT"]),), 'allow_methods=["GET", "PUT"]'),
)


def _never(app: Any) -> Outcome:
    raise AssertionError("not reached")


def test_a_failure_while_verifying_is_a_reason() -> None:
    checked = verify_fix(FINDING, _Broken("x", "X", "app"), object(), _never, lambda o: True)
    assert checked == Verification(None, "could not verify: RuntimeError: boom")


def test_verifying_is_bounded_in_time() -> None:
    started = time.monotonic()
    checked = verify_fix(
        FINDING, _Slow("x", "X", "app"), object(), _never, lambda o: True, timeout=0.2
    )
    assert time.monotonic() - started < 2.5
    assert checked.verified is None and "longer than" in (checked.reason or "")


def test_a_check_past_its_bound_leaves_no_settings_behind() -> None:
    """A check that outlives its time bound has its copy closed by the caller: Django's
    settings, overridden for the whole process while the copy runs, are the project's own
    again as soon as the verifier answers, and stay so when the late check ends."""
    import threading

    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    release = threading.Event()
    seen: list[Any] = []

    def stuck(changed: Any) -> Outcome:
        seen.append(settings.CORS_ALLOWED_ORIGINS)
        release.wait(5)
        raise TimeoutError("late")

    change = Fix("django-cors-headers", (("CORS_ALLOWED_ORIGINS", [FRONT, OTHER]),), "x")
    finding = Finding("origin-not-allowed", "x", "x", change=change)
    with django_settings(
        ROOT_URLCONF="examples.django_app.app",
        MIDDLEWARE=["corsheaders.middleware.CorsMiddleware"],
        CORS_ALLOWED_ORIGINS=[FRONT],
    ):
        app = get_wsgi_application()
        checked = verify_fix(finding, apps_layer(app), app, stuck, lambda o: True, timeout=0.05)
        assert checked.verified is None and "longer than" in (checked.reason or "")
        assert seen == [[FRONT, OTHER]]  # the copy ran with the change...
        assert settings.CORS_ALLOWED_ORIGINS == [FRONT]  # ...which is undone on time
        release.set()
        for worker in threading.enumerate():
            if worker.name == "corskit-verify":
                worker.join(5)
        assert settings.CORS_ALLOWED_ORIGINS == [FRONT]


def test_an_invalid_change_is_not_verified() -> None:
    app = apps.fastapi_corskit()
    layer = apps_layer(app)
    bad = Finding(
        "origin-not-allowed",
        "x",
        "y",
        change=Fix("corskit", (("allow_origins", ["https://app.example.com/path"]),), "y"),
    )
    checked = verify_fix(bad, layer, app, _never, lambda o: True)
    assert checked.verified is False
    assert (checked.reason or "").startswith("the changed configuration is refused:")


def apps_layer(app: Any) -> Layer:
    from corskit.doctor.layers import find_layers

    return find_layers(app)[0]


@pytest.mark.parametrize("flag", ["--json", None])
def test_url_target_is_not_verified(flag: str | None) -> None:
    import contextlib
    import io
    import json

    from corskit.cli import main
    from tests.servers import serve_asgi

    with serve_asgi(apps.fastapi_starlette()) as base:
        out = io.StringIO()
        args = ["check", f"{base}/data", "--origin", OTHER]
        with contextlib.redirect_stdout(out):
            main([*args, flag] if flag else args)
    if flag:
        report = json.loads(out.getvalue())
        assert report["fix"]["verified"] is None
        assert report["fix"]["not_verified_reason"] == REMOTE
    else:
        assert f"(not verified: {REMOTE})" in " ".join(out.getvalue().split())


def test_flask_app_hooks_survive_a_flask_copy() -> None:
    """A Flask app's copy keeps its routes and the other hooks."""
    app = Flask("copied")

    @app.get("/api/data")
    def data() -> Any:
        return jsonify(n=1)

    FlaskCORS(app, origins=[FRONT])
    assert_verified(blocked(app, "/api/data", origin=OTHER))
