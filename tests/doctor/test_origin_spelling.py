"""Configured origins that mean the page's origin but are written another way: no scheme
(``localhost:3000``, as older django-cors-headers releases took them) and a regular expression
written into a list of literal origins; and the structured fix that comes with a finding."""

from __future__ import annotations

from typing import Any

from django.core.wsgi import get_wsgi_application  # type: ignore[import-untyped]
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware as StarletteCORS

from corskit.doctor.appinfo import find_cors_settings
from corskit.doctor.diagnose import Diagnosis, diagnose
from corskit.doctor.fetch import simulate
from corskit.doctor.origin_spelling import regexes_matching, spelling_differences, without_scheme
from corskit.doctor.transports import transport_for_app
from tests.doctor.layers.test_models import django_settings

PAGE = "http://localhost:3000"


def check(app: Any, origin: str = PAGE) -> Diagnosis:
    transport = transport_for_app(app)
    try:
        outcome = simulate(
            transport, "http://testserver/api/items", origin=origin, target_address_space=None
        )
    finally:
        transport.close()
    assert outcome.verdict == "blocked"
    return diagnose(outcome, find_cors_settings(app), in_process=True, app=app)


def starlette_app(**settings: Any) -> FastAPI:
    app = FastAPI()

    @app.get("/api/items")
    async def items() -> dict[str, int]:
        return {"n": 1}

    app.add_middleware(StarletteCORS, **settings)
    return app


def test_origin_without_scheme_reads_with_the_page_scheme() -> None:
    assert without_scheme("localhost:3000", PAGE) == PAGE
    assert without_scheme("https://localhost:3000", PAGE) is None
    assert without_scheme("*", PAGE) is None
    assert spelling_differences("localhost:3000/") == [
        "no scheme (http:// or https://)",
        "a trailing slash",
    ]


def test_django_cors_headers_origin_without_scheme_is_a_typo() -> None:
    with django_settings(
        ROOT_URLCONF="tests.corpus.django_urls",
        MIDDLEWARE=["corsheaders.middleware.CorsMiddleware"],
        CORS_ALLOWED_ORIGINS=["localhost:3000"],
    ):
        d = check(get_wsgi_application())
    assert d.symptom == "origin-typo"
    assert d.cause is not None and "no scheme" in d.cause
    assert d.fix == f'in settings.py: CORS_ALLOWED_ORIGINS = ["{PAGE}"]'
    assert d.primary is not None and d.primary.change is not None
    assert d.primary.change.changes == (("CORS_ALLOWED_ORIGINS", [PAGE]),)


def test_regexes_matching_finds_only_patterns_that_match() -> None:
    configured = [r"^http://localhost:(3000|3001)$", PAGE, r"https://.*\.example\.com", "(["]
    assert regexes_matching(configured, "http://localhost:3001") == [configured[0]]
    assert regexes_matching(configured, "https://app.example.com") == [configured[2]]
    assert regexes_matching(configured, "http://localhost:4000") == []


def test_regex_in_allow_origins_moves_to_allow_origin_regex() -> None:
    pattern = r"^http://localhost:(3000|3001)$"
    d = check(
        starlette_app(allow_origins=[pattern, "https://app.example.com"]), "http://localhost:3001"
    )
    assert d.symptom == "origin-not-allowed"
    assert d.cause is not None and "a regular expression that matches" in d.cause
    assert d.primary is not None and d.primary.change is not None
    assert dict(d.primary.change.changes) == {
        "allow_origins": ["https://app.example.com"],
        "allow_origin_regex": pattern,
    }
    fixed = starlette_app(**dict(d.primary.change.changes))
    transport = transport_for_app(fixed)
    try:
        outcome = simulate(
            transport,
            "http://testserver/api/items",
            origin="http://localhost:3001",
            target_address_space=None,
        )
    finally:
        transport.close()
    assert outcome.verdict == "allowed"


def test_regex_joins_an_existing_allow_origin_regex() -> None:
    d = check(
        starlette_app(
            allow_origins=[r"https://.*\.example\.com"], allow_origin_regex="https://a\\.b"
        ),
        "https://app.example.com",
    )
    assert d.primary is not None and d.primary.change is not None
    assert dict(d.primary.change.changes)["allow_origin_regex"] == (
        r"(?:https://a\.b)|(?:https://.*\.example\.com)"
    )


def test_a_finding_without_a_settings_change_has_no_structured_fix() -> None:
    app = starlette_app(allow_origins=[PAGE])

    @app.middleware("http")
    async def require_token(request: Any, call_next: Any) -> Any:
        from starlette.responses import Response

        return Response(status_code=401)

    transport = transport_for_app(app)
    try:
        outcome = simulate(
            transport,
            "http://testserver/api/items",
            origin=PAGE,
            method="PUT",
            target_address_space=None,
        )
    finally:
        transport.close()
    d = diagnose(outcome, find_cors_settings(app), in_process=True, app=app)
    assert d.symptom == "preflight-rejected"
    assert d.primary is not None and d.primary.change is None
