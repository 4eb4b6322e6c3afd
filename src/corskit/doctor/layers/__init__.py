"""CORS layer models: find the code that sets CORS headers in an app, read its settings,
predict what it sends, and phrase a fix in its own words.

One module per library users run, each with a ``NAME`` and a ``find(node, nodes)`` function
(:class:`~corskit.doctor.layers.base.LayerModel`); adding a library is adding a module to
:data:`MODELS`. :func:`find_layers` walks an app (:func:`~corskit.doctor.layers.base.walk`)
and asks every model about every object on the way, outermost first.
"""

from __future__ import annotations

from typing import Any

from . import (
    corskit_layer,
    django_cors_headers_layer,
    flask_cors_layer,
    handwritten,
    litestar_layer,
    starlette_layer,
)
from .base import Fix, Layer, LayerModel, LayerNote, LayerRequest, Node, runs_first, walk

__all__ = [
    "MODELS",
    "Fix",
    "Layer",
    "LayerModel",
    "LayerNote",
    "LayerRequest",
    "find_layers",
    "primary_layer",
]

# The models, most specific first (the hand-written model only claims what no library does).
MODELS: tuple[LayerModel, ...] = (
    corskit_layer,
    starlette_layer,
    flask_cors_layer,
    django_cors_headers_layer,
    litestar_layer,
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
        if not found and node is not nodes[0] and runs_first(node):
            outside.append(node.label)
    return layers


def primary_layer(app: Any) -> Layer | None:
    """The layer that answers requests first (the outermost), or None."""
    found = find_layers(app)
    return found[0] if found else None
