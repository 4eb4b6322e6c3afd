"""Litestar's ``CORSConfig`` (``Litestar(..., cors_config=CORSConfig(...))``).

Litestar escapes each entry of ``allow_origins`` into one regular expression, turning ``*``
into ``.*`` anywhere (so ``https://example.*`` also matches ``https://example.attacker.com``),
and answers preflights itself (204, or 400 with a reason and no CORS headers). Predictions
run Litestar's own CORS middleware on the request, with an empty application behind it.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from .base import Fix, Layer, LayerRequest, Node, kwargs_text, qualname
from .starlette import run_asgi, scope_for

NAME = "litestar"
_FIELDS = (
    "allow_origins",
    "allow_methods",
    "allow_headers",
    "allow_credentials",
    "allow_origin_regex",
    "expose_headers",
    "max_age",
)


async def _empty(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@dataclass
class LitestarLayer(Layer):
    app: Any = None

    def predict(self, request: LayerRequest) -> dict[str, str] | None:
        try:
            from litestar.middleware._internal.cors import CORSMiddleware
        except ImportError:
            return None
        try:
            middleware = CORSMiddleware(app=_empty, config=self.obj)
        except Exception:
            return None
        scope = scope_for(request)
        scope["litestar_app"] = self.app
        return run_asgi(middleware, scope)

    def fix(self, changes: Mapping[str, Any]) -> Fix:
        pairs = tuple((k, list(v) if isinstance(v, tuple) else v) for k, v in changes.items())
        return Fix(NAME, pairs, f"Litestar(..., cors_config=CORSConfig(..., {kwargs_text(pairs)}))")

    def copy_with(self, app: Any, changes: Mapping[str, Any]) -> AbstractContextManager[Any]:
        """A copy of the Litestar application with a changed copy of its ``CORSConfig``
        (``dataclasses.replace``) and its ASGI handler built again around it."""
        if self.app is not app:  # a Litestar application inside another app
            return super().copy_with(app, changes)
        config = dataclasses.replace(self.obj, **dict(changes))

        @contextmanager
        def rebuilt() -> Iterator[Any]:
            new = copy.copy(app)
            new.cors_config = config
            new.asgi_handler = new._create_asgi_handler()
            yield new

        return rebuilt()


def find(node: Node, nodes: list[Node]) -> list[Layer]:
    """The ``cors_config`` of the Litestar application at *node*."""
    module, name = qualname(node.obj)
    config = (
        getattr(node.obj, "cors_config", None)
        if module.startswith("litestar") and name == "Litestar"
        else None
    )
    if config is None:
        return []
    native = {f: getattr(config, f, None) for f in _FIELDS}
    settings = {k: tuple(v) if isinstance(v, list) else v for k, v in native.items()}
    return [
        LitestarLayer(
            NAME,
            "litestar.config.cors.CORSConfig",
            f"{node.where}.cors_config",
            settings,
            native,
            obj=config,
            app=node.obj,
        )
    ]
