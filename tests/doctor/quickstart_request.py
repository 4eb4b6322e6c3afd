"""The request the quickstart's front end makes (``POST /items`` from the Vite dev server, JSON
with a bearer token), as ``corskit check`` flags: one list for every CLI test that sends it."""

from __future__ import annotations

QUICKSTART_REQUEST: tuple[str, ...] = (
    "--origin",
    "http://localhost:5173",
    "--path",
    "/items",
    "--method",
    "POST",
    "-H",
    "Content-Type: application/json",
    "-H",
    "Authorization: Bearer t0ken",
)
QUICKSTART_BODY: tuple[str, ...] = ("-d", '{"name": "apple"}')
