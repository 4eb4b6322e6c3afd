"""The README's quick start: one typical CORS mistake, and its fix.

A React (Vite) front end on http://localhost:5173 posts JSON with a bearer token to this API::

    fetch("http://127.0.0.1:8000/items", {
      method: "POST",
      headers: {"Content-Type": "application/json", "Authorization": "Bearer ..."},
      body: JSON.stringify({name: "apple"}),
    })

``broken`` is what people write first with FastAPI: the origin is listed, but ``allow_methods``
is left at its default (GET only) and ``allow_headers`` is empty, so the browser's preflight for
``POST`` + ``Content-Type: application/json`` + ``Authorization`` is refused.  ``fixed`` lists
the method and the headers.  Ask the doctor::

    corskit check examples.quickstart:broken --origin http://localhost:5173 --path /items \\
        --method POST -H 'Content-Type: application/json' -H 'Authorization: Bearer t0ken'
    corskit check examples.quickstart:fixed  --origin http://localhost:5173 --path /items \\
        --method POST -H 'Content-Type: application/json' -H 'Authorization: Bearer t0ken'

Run either for real with ``uvicorn examples.quickstart:fixed``.
"""

from __future__ import annotations

from fastapi import FastAPI

from corskit import CORSMiddleware

FRONTEND = "http://localhost:5173"


def create_app() -> FastAPI:
    """The API without CORS: a list of items."""
    app = FastAPI(title="quickstart")
    items: list[dict[str, str]] = []

    @app.get("/items")
    async def list_items() -> list[dict[str, str]]:
        return items

    @app.post("/items", status_code=201)
    async def add_item(item: dict[str, str]) -> dict[str, str]:
        items.append(item)
        return item

    return app


#: The mistake: only the origin is configured; allow_methods defaults to GET only and
#: allow_headers to none, so the POST's preflight is refused.
broken = create_app()
broken.add_middleware(CORSMiddleware, allow_origins=[FRONTEND])

#: The fix: the method and the two request headers the front end sends are listed.
fixed = create_app()
fixed.add_middleware(
    CORSMiddleware,
    allow_origins=[FRONTEND],
    allow_methods=["GET", "POST"],
    allow_headers=["content-type", "authorization"],
)
