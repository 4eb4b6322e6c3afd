"""A multi-tenant FastAPI API: each tenant's front-end origins live in SQLite.

Run it::

    pip install corskit fastapi uvicorn
    cd examples/multitenant && uvicorn app:app --port 8000
    # or from the repository root: uvicorn examples.multitenant.app:app

    curl -i -H 'Origin: https://shop.acme.example' http://127.0.0.1:8000/api/me          # allowed
    curl -i -H 'Origin: https://evil.example' http://127.0.0.1:8000/api/me               # no CORS headers
    curl -i -H 'Origin: https://evil.example' http://127.0.0.1:8000/public/plans         # ACAO: *
    curl -i -X POST -H 'X-Admin-Token: change-me' -H 'Content-Type: application/json' \\
         -d '{"origin": "https://new.acme.example"}' http://127.0.0.1:8000/admin/tenants/acme/origins

How it fits together:

- ``tenant_origin_allowed`` is an ``async`` origin function: it looks the origin up in
  SQLite (in a worker thread, so the event loop never blocks). corskit caches its
  answers (``ttl``), shares one lookup between concurrent requests for the same origin,
  and refuses (logging ``origin-check-timeout``/``-error``) if the database is slow or
  down; a request never hangs or fails because of it.
- ``/api/*`` is credentialed (cookies): allowed origins are exactly the tenants' ones.
  At start-up corskit probes the function with origins nobody can own, so a bug that
  makes it return True for everything is refused before the server starts.
- ``/public/*`` is a read-only public API at ``*`` (a per-route policy attached to the
  router with ``corskit.include_router``).
- ``POST /admin/tenants/{tenant}/origins`` adds an origin and calls
  ``origin_check.invalidate(origin)`` so it works at once, not after the TTL.

The database path comes from ``TENANTS_DB`` (default: ``tenants.db`` next to this
file); it is created and seeded with two demo tenants on first use.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Header, HTTPException
from pydantic import BaseModel

import corskit
from corskit import CORSPolicy, OriginFunction

DEFAULT_DB = Path(__file__).with_name("tenants.db")
ADMIN_TOKEN = os.environ.get("ADMIN_TOKEN", "change-me")

SCHEMA = """
CREATE TABLE IF NOT EXISTS tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tenant_origins (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    origin TEXT NOT NULL,
    PRIMARY KEY (tenant_id, origin)
);
CREATE INDEX IF NOT EXISTS tenant_origins_by_origin ON tenant_origins(origin);
"""
SEED = {
    "acme": ("Acme Corp", ["https://shop.acme.example", "http://localhost:5173"]),
    "globex": ("Globex", ["https://app.globex.example"]),
}


class NewOrigin(BaseModel):
    """Body of ``POST /admin/tenants/{tenant_id}/origins``."""

    origin: str


def init_db(path: str | Path) -> None:
    """Create the schema and the demo tenants (idempotent)."""
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA)
        for tenant_id, (name, origins) in SEED.items():
            db.execute("INSERT OR IGNORE INTO tenants VALUES (?, ?)", (tenant_id, name))
            db.executemany(
                "INSERT OR IGNORE INTO tenant_origins VALUES (?, ?)",
                [(tenant_id, o) for o in origins],
            )


def create_app(db_path: str | Path | None = None) -> FastAPI:
    """The application; *db_path* defaults to ``$TENANTS_DB`` or ``tenants.db`` here."""
    path = str(db_path or os.environ.get("TENANTS_DB") or DEFAULT_DB)
    init_db(path)

    def lookup(origin: str) -> bool:
        # One short-lived connection per lookup: safe from any thread or event loop.
        with sqlite3.connect(path, timeout=1.0) as db:
            row = db.execute(
                "SELECT 1 FROM tenant_origins WHERE origin = ? LIMIT 1", (origin,)
            ).fetchone()
        return row is not None

    async def tenant_origin_allowed(origin: str) -> bool:
        return await asyncio.to_thread(lookup, origin)

    origin_check = OriginFunction(tenant_origin_allowed, ttl=60, negative_ttl=10, timeout=0.5)

    app = FastAPI(title="multi-tenant API")
    app.state.origin_check = origin_check
    app.state.db_path = path

    # --- the public, read-only API: any origin, no credentials ---------------------------
    public = APIRouter(prefix="/public")

    @public.get("/plans")
    async def plans() -> dict[str, Any]:
        return {"plans": ["free", "pro", "enterprise"]}

    @public.get("/status")
    async def status() -> dict[str, str]:
        return {"status": "ok"}

    # --- the tenants' API: credentialed, tenant origins only -------------------------------
    api = APIRouter(prefix="/api")

    @api.get("/me")
    async def me() -> dict[str, str]:
        return {"user": "demo"}

    @api.post("/notes")
    async def add_note(note: dict[str, Any]) -> dict[str, Any]:
        return {"saved": note}

    # --- administration (server to server; no CORS) ---------------------------------------
    @app.post("/admin/tenants/{tenant_id}/origins", status_code=201)
    async def add_origin(
        tenant_id: str, body: NewOrigin, x_admin_token: str = Header("")
    ) -> dict[str, str]:
        if x_admin_token != ADMIN_TOKEN:
            raise HTTPException(403, "admin token required")
        # Validate like corskit does: only what a browser can send as Origin.
        try:
            CORSPolicy(allow_origins=[body.origin], allow_credentials=True)
        except corskit.CORSConfigError as exc:
            raise HTTPException(422, str(exc.problems[0])) from None

        def insert() -> None:
            with sqlite3.connect(path) as db:
                if (
                    db.execute("SELECT 1 FROM tenants WHERE id = ?", (tenant_id,)).fetchone()
                    is None
                ):
                    raise HTTPException(404, "no such tenant")
                db.execute(
                    "INSERT OR IGNORE INTO tenant_origins VALUES (?, ?)", (tenant_id, body.origin)
                )

        await asyncio.to_thread(insert)
        origin_check.invalidate(body.origin)  # effective now, not after the cache's TTL
        return {"tenant": tenant_id, "origin": body.origin}

    app.include_router(api)
    corskit.include_router(
        app, public, CORSPolicy(allow_origins=["*"], allow_methods=["GET"], max_age=3600)
    )
    corskit.outermost(
        app,
        allow_origin_func=origin_check,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Content-Type", "X-CSRF-Token"],
        allow_credentials=True,
    )
    return app


app = create_app()
