"""CORS layer models: find the code that sets CORS headers in an app, read its settings,
predict what it sends, and phrase a fix in its own words.

One module per library users run, each with a ``NAME`` and a ``find(node, nodes)`` function
(:class:`~corskit.doctor.layers.base.LayerModel`); adding a library is adding a module to
:data:`MODELS`. :func:`find_layers` walks an app (:func:`~corskit.doctor.layers.base.walk`)
and asks every model about every object on the way, outermost first. :func:`config_reason`
says how the layer found decides a request, in corskit's reason names.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from . import (
    advice,
    corskit,
    django_cors_headers,
    flask_cors,
    handwritten,
    litestar,
    starlette,
)
from .base import Fix, Layer, LayerModel, LayerNote, LayerRequest, Node, runs_first, walk

if TYPE_CHECKING:
    from ..fetch import Outcome
    from .appinfo import CORSSettings

__all__ = [
    "MODELS",
    "Fix",
    "Layer",
    "LayerModel",
    "LayerNote",
    "LayerRequest",
    "config_reason",
    "corskit",
    "find_layers",
    "primary_layer",
    "server_reason_from_body",
    "starlette",
]

# The models, most specific first (the hand-written model only claims what no library does).
MODELS: tuple[LayerModel, ...] = (
    corskit,
    starlette,
    flask_cors,
    django_cors_headers,
    litestar,
    handwritten,
)


def _layers_at(node: Node, nodes: list[Node]) -> list[Layer]:
    for model in MODELS:
        try:
            found = model.find(node, nodes)
        except Exception:  # a model never stops the others
            continue
        if found:
            return found
    return []


def find_layers(app: Any) -> list[Layer]:
    """Every CORS layer in *app*, outermost first, each with the middleware that runs before
    it (``outside``: the names the user gave them)."""
    nodes = walk(app)
    layers: list[Layer] = []
    outside: list[str] = []
    claimed: set[int] = set()
    for node in nodes:
        found = [
            layer
            for layer in _layers_at(node, nodes)
            if id(layer.obj) not in claimed or layer.obj is None
        ]
        for layer in found:
            claimed.add(id(layer.obj))
            layer.outside = list(outside)
        layers += found
        if not found and runs_first(node) and (node is not nodes[0] or _wraps(nodes)):
            outside.append(node.label)
    return layers


def _wraps(nodes: list[Node]) -> bool:
    """Whether the app object itself is a middleware wrapping the rest (``Gate(app)``), so
    it runs before every layer inside it."""
    return len(nodes) > 1 and nodes[1].where == "app.app"


def primary_layer(app: Any) -> Layer | None:
    """The layer that answers requests first (the outermost), or None."""
    found = find_layers(app)
    return found[0] if found else None


def config_reason(
    settings: CORSSettings,
    origin: str,
    method: str,
    unsafe: list[str],
    preflight: bool,
    path: str = "/",
) -> tuple[str, str]:
    """How the configured middleware decides this request to *path*: (reason, detail) where
    reason is one of corskit's engine reasons ("origin-not-allowed", "method-not-allowed",
    "header-not-allowed", "authorization-not-covered-by-wildcard", ...) or "" when allowed.
    A layer of another library answers from its model's prediction."""
    layer = settings.layer
    if layer is not None and settings.kind not in ("corskit", "starlette"):
        found = advice.predicted_reason(layer, origin, method, unsafe, preflight, path)
        return found or ("", "")
    if settings.kind == "corskit":
        policy = (
            settings.policy if settings.policy is not None else corskit.build(settings.settings)
        )
        if policy is not None:
            return corskit.decide(policy, origin, method, unsafe, preflight)
    # a corskit configuration that does not build is read with Starlette's semantics
    return starlette.decide(settings, origin, method, unsafe, preflight)


def server_reason_from_body(outcome: Outcome) -> tuple[str, str]:
    """Read a refusal reason from the failing response body (corskit debug=True or
    Starlette's "Disallowed CORS ..." text)."""
    resp = outcome.failed_response
    if resp is None:
        return "", ""
    text = resp.body[:2000].decode("utf-8", "replace")
    m = re.search(r"Disallowed CORS ([a-z, -]+)", text)
    if m:
        first = m.group(1).split(",")[0].strip()
        return {
            "origin": "origin-not-allowed",
            "method": "method-not-allowed",
            "headers": "header-not-allowed",
        }.get(first, ""), ""
    for reason in (
        "authorization-not-covered-by-wildcard",
        "origin-not-allowed",
        "method-not-allowed",
        "header-not-allowed",
        "header-list-too-long",
        "header-list-malformed",
    ):
        if reason in text:
            return reason, ""
    return "", ""
