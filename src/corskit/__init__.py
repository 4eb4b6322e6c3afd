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

from .asgi import CORSMiddleware, outermost
from .dynamic import OriginFunction
from .engine import Decision, Reason
from .policy import CORSPolicy
from .problems import CATALOGUE, CORSConfigError, CORSConfigWarning, Problem
from .routing import RouteTable, include_router, routes_of
from .wsgi import CORSMiddleware as WSGICORSMiddleware

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

__version__ = "0.1.0"
