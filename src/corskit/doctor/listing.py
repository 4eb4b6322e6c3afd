"""Settings the CORS layer reads otherwise than they were meant: several header names written
in one string (``"Origin, Content-Type, Authorization"``), and a layer that does not handle the
requested path at all (a flask-cors ``resources`` pattern, django-cors-headers'
``CORS_URLS_REGEX``)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from .layers import Fix, Layer, starlette

__all__ = ["joined_names_fix", "uncovered_path"]


def joined_names_fix(configured: list[str], unsafe: Iterable[str], layer: str) -> tuple[str, str]:
    """(cause, fix) for allow_headers entries that hold several comma-separated names: the
    layer reads each entry as one name (flask-cors: as one regular expression), so none of
    those names is allowed. The fix lists them one by one, with any other header the request
    needs."""
    joined = [c for c in configured if "," in c]
    split = [n.strip() for c in configured for n in c.split(",") if n.strip()]
    covered = {n.lower() for n in split} | set(starlette.ALWAYS_ALLOWED_HEADERS)
    fixed = split + [h for h in sorted(unsafe) if h not in covered]
    cause = (
        f"allow_headers has {joined[0]!r}, several header names in one string: {layer} reads"
        " each entry as one name (flask-cors reads a string as one regular expression), so"
        " none of those names is allowed"
    )
    return cause, f"allow_headers={json.dumps(fixed)}"


def uncovered_path(layer: Layer | None, path: str, origin: str) -> tuple[str, Fix] | None:
    """(why, the change) when *layer* does not handle *path* for a page at *origin*; None
    when it does or when its model cannot say how to make it."""
    if layer is None or layer.applies_to(path):
        return None
    return layer.cover_path(path, origin)
