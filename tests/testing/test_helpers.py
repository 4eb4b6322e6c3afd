"""corskit.testing on real FastAPI, Starlette and Flask apps: passing and failing checks, and
the text of the failures (verdict, console message, cause, fix, the `corskit check` command)."""

from __future__ import annotations

import pytest

from corskit.testing import (
    CORSTester,
    assert_cors_allowed,
    assert_cors_blocked,
    check_cors,
)

from .apps import (
    FRONT,
    OTHER,
    fastapi_app,
    fastapi_starlette_cors_app,
    fastapi_without_cors,
    flask_app,
    flask_without_cors,
    starlette_app,
)

JSON = {"Content-Type": "application/json"}


def test_fastapi_simple_get_allowed() -> None:
    result = assert_cors_allowed(fastapi_app(), origin=FRONT, path="/items")
    assert result.allowed
    assert not result.outcome.preflight


def test_fastapi_preflighted_post_with_credentials_allowed() -> None:
    result = assert_cors_allowed(
        fastapi_app(),
        origin=FRONT,
        method="POST",
        path="/items",
        headers=JSON,
        credentials="include",
    )
    assert result.outcome.preflight


def test_read_headers_exposed_passes() -> None:
    assert_cors_allowed(fastapi_app(), origin=FRONT, path="/items", read_headers=["x-total-count"])


def test_read_headers_not_exposed_fails_with_fix() -> None:
    with pytest.raises(AssertionError) as info:
        assert_cors_allowed(
            fastapi_starlette_cors_app(), origin=FRONT, path="/items", read_headers=["X-Request-Id"]
        )
    text = str(info.value)
    assert "cannot read the response header(s) X-Request-Id" in text
    assert "expose_headers" in text


def test_fastapi_origin_not_listed_fails_with_explanation() -> None:
    with pytest.raises(AssertionError) as info:
        assert_cors_allowed(fastapi_app(), origin=OTHER, path="/items")
    text = str(info.value)
    first, *rest = text.splitlines()
    assert first == (
        f"CORS: expected GET /items from {OTHER} to be allowed, but the browser blocks it"
    )
    assert "verdict: blocked (Chromium)" in rest
    assert (
        "console (MissingAllowOriginHeader): Access to fetch at '/items' from"
        f" origin '{OTHER}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin'"
        " header is present on the requested resource." in rest
    )
    assert any(line.startswith("cause (origin-not-allowed): ") for line in rest)
    assert any(line.startswith("fix: ") and OTHER in line for line in rest)
    assert rest[-1].startswith("see every step: corskit check ")
    assert f"--origin {OTHER} --path /items" in rest[-1]


def test_fastapi_method_not_allowed_names_the_setting() -> None:
    with pytest.raises(AssertionError) as info:
        assert_cors_allowed(fastapi_app(), origin=FRONT, method="DELETE", path="/items")
    text = str(info.value)
    # corskit's middleware answers a preflight for a method it does not allow without any CORS
    # header, so Chromium reports the missing Access-Control-Allow-Origin on the preflight.
    assert "console (PreflightMissingAllowOriginHeader): " in text
    assert "cause (method-not-allowed): DELETE is not in allow_methods" in text
    assert "allow_methods" in text
    assert "-X DELETE" in text


def test_blocked_passes_and_pins_error_and_symptom() -> None:
    result = assert_cors_blocked(
        fastapi_app(),
        origin=FRONT,
        method="DELETE",
        path="/items",
        error="PreflightMissingAllowOriginHeader",
        symptom="method-not-allowed",
    )
    assert result.outcome.preflight


def test_blocked_fails_when_allowed() -> None:
    with pytest.raises(AssertionError) as info:
        assert_cors_blocked(fastapi_app(), origin=FRONT, path="/items")
    text = str(info.value)
    assert text.startswith(
        f"CORS: expected GET /items from {FRONT} to be blocked, but the browser allows it"
    )
    assert "verdict: allowed (Chromium)" in text
    assert "readable response headers:" in text


def test_blocked_with_wrong_error_fails() -> None:
    with pytest.raises(AssertionError) as info:
        assert_cors_blocked(fastapi_app(), origin=OTHER, path="/items", error="AllowOriginMismatch")
    assert "is blocked with MissingAllowOriginHeader, not AllowOriginMismatch" in str(info.value)


def test_blocked_with_wrong_symptom_fails() -> None:
    with pytest.raises(AssertionError) as info:
        assert_cors_blocked(fastapi_app(), origin=OTHER, path="/items", symptom="duplicate-acao")
    assert "is blocked because of origin-not-allowed, not duplicate-acao" in str(info.value)


def test_fastapi_without_middleware() -> None:
    result = assert_cors_blocked(
        fastapi_without_cors(), origin=FRONT, path="/items", symptom="cors-middleware-missing"
    )
    assert "cause (cors-middleware-missing)" in result.explain()


def test_starlette_allowed_and_blocked() -> None:
    app = starlette_app()
    assert_cors_allowed(app, origin=FRONT, path="/items")
    with pytest.raises(AssertionError) as info:
        assert_cors_allowed(app, origin=FRONT, method="PUT", path="/items")
    assert "cause (method-not-allowed): PUT is not in allow_methods" in str(info.value)


def test_flask_allowed_with_credentials_and_authorization() -> None:
    assert_cors_allowed(
        flask_app(),
        origin=FRONT,
        method="POST",
        path="/items",
        headers=[("Content-Type", "application/json"), ("Authorization", "Bearer t")],
        credentials="include",
    )


def test_flask_blocked_put_and_other_origin() -> None:
    app = flask_app()
    assert_cors_blocked(
        app, origin=FRONT, method="PUT", path="/items", symptom="method-not-allowed"
    )
    with pytest.raises(AssertionError) as info:
        assert_cors_allowed(app, origin=OTHER, path="/items", credentials="include")
    text = str(info.value)
    assert f"GET /items from {OTHER} with credentials 'include'" in text
    assert "--credentials include" in text


def test_flask_without_middleware() -> None:
    assert_cors_blocked(
        flask_without_cors(), origin=FRONT, path="/items", error="MissingAllowOriginHeader"
    )


def test_command_names_the_module_attribute() -> None:
    import sys
    import types

    module = types.ModuleType("my_service_main")
    module.api = fastapi_app()  # type: ignore[attr-defined]
    sys.modules["my_service_main"] = module
    try:
        result = check_cors(module.api, origin=OTHER, path="/items")
        assert result.command.startswith("corskit check my_service_main:api --origin")
    finally:
        del sys.modules["my_service_main"]


def test_not_an_app_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="not an ASGI or WSGI app"):
        check_cors(object(), origin=FRONT)


def test_bad_origin_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        check_cors(fastapi_app(), origin="not an origin")


def test_tester_binds_a_default_app() -> None:
    cors = CORSTester(fastapi_app())
    cors.assert_allowed(origin=FRONT, path="/items")
    cors.assert_blocked(origin=OTHER, path="/items")
    with pytest.raises(TypeError, match="no app given"):
        CORSTester().check(origin=FRONT)
