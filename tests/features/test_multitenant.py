"""The multi-tenant example: tenant origins in SQLite behind an async
origin function, and a public read-only route at ``*``, on a real uvicorn server."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import serve_asgi

from .helpers import EVIL, get, load_example, preflight, raw_request

SHOP = "https://shop.acme.example"
GLOBEX = "https://app.globex.example"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    db = tmp_path_factory.mktemp("tenants") / "tenants.db"
    old = os.environ.get("TENANTS_DB")
    os.environ["TENANTS_DB"] = str(db)  # the module-level app must not write into examples/
    try:
        module = load_example("multitenant/app.py", "corskit_multitenant_example")
    finally:
        if old is None:
            os.environ.pop("TENANTS_DB", None)
        else:
            os.environ["TENANTS_DB"] = old
    app = module.create_app(db)
    with serve_asgi(app) as base:
        yield app, base


def test_tenant_origins_come_from_the_database(example: tuple[Any, str]) -> None:
    _, base = example
    for origin in (SHOP, GLOBEX, "http://localhost:5173"):
        r = get(base, "/api/me", origin)
        assert r.status == 200
        assert r.cors() == {
            "access-control-allow-origin": origin,
            "access-control-allow-credentials": "true",
        }
        assert r.get("vary") == "Origin"
    r = get(base, "/api/me", EVIL)
    assert (r.status, r.cors()) == (200, {})
    p = preflight(base, "/api/notes", SHOP, method="POST", request_headers="content-type")
    assert (p.status, p.acao, p.get("access-control-allow-credentials")) == (204, SHOP, "true")
    assert (
        preflight(base, "/api/notes", EVIL, method="POST", request_headers="content-type").status
        == 403
    )


def test_public_route_is_open_and_read_only(example: tuple[Any, str]) -> None:
    _, base = example
    r = get(base, "/public/plans", EVIL)
    assert (r.status, r.acao, r.get("access-control-allow-credentials")) == (200, "*", None)
    p = preflight(base, "/public/plans", EVIL, method="GET", request_headers="x-requested-with")
    assert p.status == 403  # the public policy allows no custom request header
    p = preflight(base, "/public/plans", EVIL, method="GET")
    assert (p.status, p.acao, p.get("access-control-max-age")) == (204, "*", "3600")
    assert preflight(base, "/public/plans", EVIL, method="DELETE").status == 403
    assert get(base, "/public/../api/me", EVIL).acao is None  # no traversal into the tenants' API


def test_new_origin_works_at_once(example: tuple[Any, str]) -> None:
    _, base = example
    new = "https://new.acme.example"
    assert get(base, "/api/me", new).acao is None  # refusal cached for negative_ttl
    denied = raw_request(
        base,
        "POST",
        "/admin/tenants/acme/origins",
        {"Content-Type": "application/json", "X-Admin-Token": "wrong"},
    )
    assert denied.status in (403, 422)
    with httpx.Client(base_url=base) as client:
        r = client.post(
            "/admin/tenants/acme/origins",
            json={"origin": new},
            headers={"X-Admin-Token": "change-me"},
        )
        assert r.status_code == 201, r.text
        bad = client.post(
            "/admin/tenants/acme/origins",
            json={"origin": "https://x.example/"},
            headers={"X-Admin-Token": "change-me"},
        )
        assert bad.status_code == 422 and "origin-trailing-slash" in bad.text
    assert get(base, "/api/me", new).acao == new  # invalidated, not waiting for the TTL


def test_many_concurrent_requests(example: tuple[Any, str]) -> None:
    _, base = example
    origins = [SHOP, GLOBEX, EVIL, "https://other.example"] * 25

    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(
            base_url=base, limits=httpx.Limits(max_connections=100), timeout=20
        ) as client:
            return await asyncio.gather(
                *[client.get("/api/me", headers={"Origin": o}) for o in origins]
            )

    responses = asyncio.run(run())
    for origin, response in zip(origins, responses, strict=True):
        assert response.status_code == 200
        expected = origin if origin in (SHOP, GLOBEX) else None
        assert response.headers.get("access-control-allow-origin") == expected


def test_database_failure_refuses_and_logs(
    example: tuple[Any, str], caplog: pytest.LogCaptureFixture
) -> None:
    app, base = example
    caplog.set_level(logging.WARNING, logger="corskit")
    db = Path(app.state.db_path)
    moved = db.with_suffix(".moved")
    db.rename(moved)
    db.mkdir()  # sqlite cannot open a directory: every lookup now fails
    try:
        r = get(base, "/api/me", "https://uncached.example")
        assert (r.status, r.cors()) == (200, {})
        assert get(base, "/api/me", SHOP).acao == SHOP  # still cached from earlier tests
        assert get(base, "/public/plans", EVIL).acao == "*"
    finally:
        db.rmdir()
        moved.rename(db)
    assert any("origin-check-error" in rec.getMessage() for rec in caplog.records)
