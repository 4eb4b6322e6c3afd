"""Origins a function decides (async: under WSGI it runs on corskit's own event loop)."""

from __future__ import annotations

from .settings import *  # noqa: F403
from .settings import CORSKIT as BASE


async def tenant_origin(origin: str) -> bool:
    return origin == "https://tenant.example.com"


CORSKIT = {**BASE, "allow_origin_func": tenant_origin}
