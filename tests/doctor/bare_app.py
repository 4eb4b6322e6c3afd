"""A WSGI app needing nothing but corskit: a target for ``corskit check`` on a bare install."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from corskit import WSGICORSMiddleware


def items(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b"[]"]


app = WSGICORSMiddleware(items, allow_origins=["http://localhost:5173"])
