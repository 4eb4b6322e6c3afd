"""corskit: correct, safe and fast CORS for Python web APIs.

>>> from corskit import CORSPolicy
>>> policy = CORSPolicy(allow_origins=["https://app.example.com"], allow_methods=["GET", "PUT"])
>>> policy.engine.actual(b"https://app.example.com").headers
((b'access-control-allow-origin', b'https://app.example.com'),)

- :class:`CORSMiddleware`: ASGI middleware, a drop-in for Starlette's/FastAPI's.
- :func:`outermost`: install CORS outside everything in a Starlette/FastAPI app.
- :class:`CORSPolicy`: the validated, immutable settings.
- :class:`CORSConfigError`: every problem of a configuration, at start-up.
- :class:`WSGICORSMiddleware`: the same engine for WSGI (Flask, Django).
- :class:`OriginFunction`: dynamic origins (sync or async function, cached, timed out).
- :func:`include_router` / :func:`routes_of`: per-route policies for FastAPI routers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._version import __version__ as __version__
    from .asgi import CORSMiddleware, outermost
    from .dynamic import OriginFunction
    from .engine import Decision, Reason
    from .policy import CORSPolicy
    from .problems import CATALOGUE, CORSConfigError, CORSConfigWarning, Problem
    from .routing import RouteTable, include_router, routes_of
    from .wsgi import CORSMiddleware as WSGICORSMiddleware

# Public names are imported on first use, so `corskit --help` and tools that need only
# one corner of the package start fast.
_LAZY = {
    "CORSMiddleware": ("asgi", "CORSMiddleware"),
    "outermost": ("asgi", "outermost"),
    "OriginFunction": ("dynamic", "OriginFunction"),
    "Decision": ("engine", "Decision"),
    "Reason": ("engine", "Reason"),
    "CORSPolicy": ("policy", "CORSPolicy"),
    "CATALOGUE": ("problems", "CATALOGUE"),
    "CORSConfigError": ("problems", "CORSConfigError"),
    "CORSConfigWarning": ("problems", "CORSConfigWarning"),
    "Problem": ("problems", "Problem"),
    "RouteTable": ("routing", "RouteTable"),
    "include_router": ("routing", "include_router"),
    "routes_of": ("routing", "routes_of"),
    "WSGICORSMiddleware": ("wsgi", "CORSMiddleware"),
    "__version__": ("_version", "__version__"),  # from the package metadata (pyproject.toml)
}


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'corskit' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "CATALOGUE",
    "CORSConfigError",
    "CORSConfigWarning",
    "CORSMiddleware",
    "CORSPolicy",
    "Decision",
    "OriginFunction",
    "Problem",
    "Reason",
    "RouteTable",
    "WSGICORSMiddleware",
    "include_router",
    "outermost",
    "routes_of",
]
