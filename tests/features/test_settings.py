"""Configuration from the environment: CORSPolicy.from_env, profiles,
the production-marker warning, and the pydantic-settings integration."""

from __future__ import annotations

import subprocess
import sys
import warnings
from typing import Any

import pytest

from corskit import CORSConfigError, CORSConfigWarning, CORSMiddleware, CORSPolicy
from corskit.settings import DEV_PORTS, parse_bool, parse_list
from tests.servers import serve_asgi

from .helpers import ROOT, get, preflight, text_app


def from_env(env: dict[str, str], **overrides: Any) -> tuple[CORSPolicy, list[str]]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        policy = CORSPolicy.from_env(environ=env, **overrides)
    return policy, [str(w.message) for w in seen if issubclass(w.category, CORSConfigWarning)]


def test_every_setting_from_the_environment() -> None:
    policy, seen = from_env(
        {
            "CORS_ALLOW_ORIGINS": " https://app.example.com, https://*.example.org ,",
            "CORS_ALLOW_METHODS": '["GET", "PATCH"]',
            "CORS_ALLOW_HEADERS": "X-Token,Content-Type",
            "CORS_ALLOW_CREDENTIALS": "TRUE",
            "CORS_ALLOW_ORIGIN_REGEX": r"https://pr-[0-9]+\.preview\.example\.net",
            "CORS_ALLOW_PRIVATE_NETWORK": "on",
            "CORS_EXPOSE_HEADERS": "X-Total-Count",
            "CORS_MAX_AGE": "300",
            "CORS_PREFLIGHT_STATUS": "200",
            "CORS_DANGEROUSLY_TOLERATE_INSECURE_ORIGINS": "0",
            "UNRELATED": "x",
        }
    )
    assert seen == []
    assert policy == CORSPolicy(
        allow_origins=["https://app.example.com", "https://*.example.org"],
        allow_methods=["GET", "PATCH"],
        allow_headers=["X-Token", "Content-Type"],
        allow_credentials=True,
        allow_origin_regex=r"https://pr-[0-9]+\.preview\.example\.net",
        allow_private_network=True,
        expose_headers=["X-Total-Count"],
        max_age=300,
        preflight_status=200,
    )
    assert (
        from_env({"CORS_ALLOW_ORIGINS": "https://a.example", "CORS_MAX_AGE": "none"})[0].max_age
        is None
    )
    assert (
        from_env({"CORS_ALLOW_ORIGINS": "https://a.example", "CORS_MAX_AGE": ""})[0].max_age == 600
    )


def test_custom_prefix_and_overrides() -> None:
    def tenant(origin: str) -> bool:
        return origin == "https://t.example"

    env = {"API_CORS_ALLOW_CREDENTIALS": "yes", "CORS_ALLOW_ORIGINS": "not an origin"}
    policy = CORSPolicy.from_env(prefix="API_CORS_", environ=env, allow_origin_func=tenant)
    assert (
        policy.allow_credentials and policy.allow_origins == ()
    )  # CORS_* not read with this prefix
    assert policy.allow_origin_func is not None and policy.allow_origin_func.func is tenant
    overridden, _ = from_env(
        {"CORS_ALLOW_ORIGINS": "https://a.example"}, allow_origins=["https://b.example"]
    )
    assert overridden.allow_origins == ("https://b.example",)  # overrides win


def test_development_profile() -> None:
    policy, seen = from_env(
        {"CORS_PROFILE": "Development", "CORS_ALLOW_ORIGINS": "https://staging.example.com"}
    )
    assert seen == []
    for port in (3000, 5173, 4200, 8080, 8000):
        assert f"http://localhost:{port}" in policy.allow_origins
        assert f"http://127.0.0.1:{port}" in policy.allow_origins
    assert "https://staging.example.com" in policy.allow_origins  # the explicit list is kept
    assert len(policy.allow_origins) == 1 + 3 * len(DEV_PORTS)
    assert policy.allow_methods == ("*",) and policy.allow_headers == ("*",)
    assert policy.engine.actual(b"http://localhost:5173").allowed
    assert not policy.engine.actual(b"http://localhost:6666").allowed  # not a dev-server port
    assert not policy.engine.actual(b"http://evil.localhost.example:3000").allowed
    custom, _ = from_env(
        {"CORS_PROFILE": "development", "CORS_DEV_PORTS": "9000", "CORS_ALLOW_METHODS": "GET"}
    )
    assert custom.allow_origins == (
        "http://localhost:9000",
        "http://127.0.0.1:9000",
        "http://[::1]:9000",
    )
    assert custom.allow_methods == ("GET",)


@pytest.mark.parametrize("marker", ["ENV", "APP_ENV", "ENVIRONMENT", "NODE_ENV", "DJANGO_ENV"])
def test_development_profile_in_production_warns(marker: str) -> None:
    policy, seen = from_env({"CORS_PROFILE": "development", marker: "Production"})
    assert [p.code for p in policy.warnings] == ["env-development-in-production"]
    assert len(seen) == 1 and f"{marker}=Production" in seen[0]
    _, quiet = from_env({"CORS_PROFILE": "development", marker: "staging"})
    assert quiet == []


def test_production_profile_requires_an_explicit_list() -> None:
    with pytest.raises(CORSConfigError) as caught:
        CORSPolicy.from_env(
            environ={"CORS_PROFILE": "production", "CORS_ALLOW_CREDENTIALS": "true"}
        )
    assert caught.value.codes == ("env-production-needs-origins",)
    policy, seen = from_env(
        {"CORS_PROFILE": "production", "CORS_ALLOW_ORIGINS": "https://app.example.com"}
    )
    assert policy.allow_origins == ("https://app.example.com",) and policy.allow_methods == ("GET",)
    assert seen == []
    regex_only, _ = from_env(
        {"CORS_PROFILE": "production", "CORS_ALLOW_ORIGIN_REGEX": r"https://[a-z]+\.example\.com"}
    )
    assert regex_only.allow_origins == ()
    local, seen = from_env(
        {
            "CORS_PROFILE": "production",
            "CORS_ALLOW_ORIGINS": "https://app.example.com,http://127.0.0.1:3000",
        }
    )
    assert [p.code for p in local.warnings] == ["env-localhost-in-production"]


def test_all_problems_are_reported_together() -> None:
    with pytest.raises(CORSConfigError) as caught:
        CORSPolicy.from_env(
            environ={
                "CORS_PROFILE": "prod",
                "CORS_ALLOW_CREDENTIALS": "sure",
                "CORS_MAX_AGE": "ten",
                "CORS_DEV_PORTS": "70000",
                "CORS_ALLOW_ORIGINS": "*",
                "CORS_ALLOW_METHODS": "[1, 2]",
            }
        )
    codes = caught.value.codes
    assert codes.count("env-value-invalid") == 4
    assert "env-profile-invalid" in codes
    fields = {p.field for p in caught.value.problems}
    assert {
        "CORS_ALLOW_CREDENTIALS",
        "CORS_MAX_AGE",
        "CORS_DEV_PORTS",
        "CORS_ALLOW_METHODS",
        "CORS_PROFILE",
    } <= fields
    # the policy's own problems join them
    with pytest.raises(CORSConfigError) as caught:
        CORSPolicy.from_env(
            environ={
                "CORS_ALLOW_ORIGINS": "*",
                "CORS_ALLOW_CREDENTIALS": "true",
                "CORS_MAX_AGE": "x",
            }
        )
    assert set(caught.value.codes) == {"env-value-invalid", "wildcard-origin-with-credentials"}


def test_misspelt_variable_warns_with_a_suggestion() -> None:
    policy, seen = from_env(
        {
            "CORS_ALLOWED_ORIGINS": "https://app.example.com",
            "CORS_ALLOW_ORIGINS": "https://a.example",
        }
    )
    assert [p.code for p in policy.warnings] == ["env-unknown-variable"]
    assert "Did you mean CORS_ALLOW_ORIGINS?" in seen[0]


def test_parsers() -> None:
    assert (
        parse_list("") == []
        and parse_list(" a ,, b ") == ["a", "b"]
        and parse_list('[" a "]') == ["a"]
    )
    with pytest.raises(ValueError):
        parse_list("[not json")
    assert [parse_bool(x) for x in ("1", "Yes", "ON", "true", "0", "no", "Off", "FALSE")] == [
        True
    ] * 4 + [False] * 4
    with pytest.raises(ValueError):
        parse_bool("2")


def test_from_env_reads_os_environ_and_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_PROFILE", "development")
    monkeypatch.setenv("CORS_ALLOW_CREDENTIALS", "true")
    monkeypatch.delenv("ENV", raising=False)
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    mw = CORSMiddleware(text_app("x"), policy=CORSPolicy.from_env())
    with serve_asgi(mw) as base:
        r = get(base, "/", "http://localhost:5173")
        assert (r.acao, r.get("access-control-allow-credentials")) == (
            "http://localhost:5173",
            "true",
        )
        p = preflight(
            base, "/", "http://127.0.0.1:3000", method="DELETE", request_headers="x-anything"
        )
        assert (p.status, p.get("access-control-allow-methods")) == (204, "DELETE")
        assert get(base, "/", "https://evil.example").acao is None


# --- pydantic-settings ------------------------------------------------------------------


def test_pydantic_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from corskit.settings import CORSSettings

    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "https://app.example.com, https://admin.example.com")
    monkeypatch.setenv("CORS_ALLOW_METHODS", '["GET", "PUT"]')
    monkeypatch.setenv("CORS_ALLOW_CREDENTIALS", "true")
    monkeypatch.setenv("CORS_PROFILE", "production")
    settings = CORSSettings()
    assert settings.allow_origins == ["https://app.example.com", "https://admin.example.com"]
    policy = settings.policy(environ={})
    assert policy == CORSPolicy(
        allow_origins=["https://app.example.com", "https://admin.example.com"],
        allow_methods=["GET", "PUT"],
        allow_credentials=True,
    )
    # nested in an application's settings, and constructed from code
    from pydantic_settings import BaseSettings

    class AppSettings(BaseSettings):
        cors: CORSSettings = CORSSettings(allow_origins=["https://x.example"])

    assert AppSettings().cors.policy(environ={}).allow_origins == ("https://x.example",)
    with pytest.warns(CORSConfigWarning, match="env-development-in-production"):
        dev = CORSSettings(profile="development", allow_origins=[]).policy(
            environ={"APP_ENV": "production"}
        )
    assert "http://localhost:5173" in dev.allow_origins
    assert [p.code for p in dev.warnings] == ["env-development-in-production"]
    with pytest.raises(CORSConfigError) as caught:
        CORSSettings(profile="production", allow_origins=[]).policy(environ={})
    assert caught.value.codes == ("env-production-needs-origins",)


def test_pydantic_stays_an_optional_import() -> None:
    code = (
        "import sys, corskit, corskit.settings\n"
        "p = corskit.CORSPolicy.from_env(environ={'CORS_ALLOW_ORIGINS': 'https://a.example'})\n"
        "assert 'pydantic' not in sys.modules and 'pydantic_settings' not in sys.modules, 'pydantic imported'\n"
        "assert 'asyncio' not in sys.modules, 'asyncio imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
