"""Find the CORS settings inside an application object (the doctor's summary of the layers).

:func:`find_cors_settings` returns every CORS layer :func:`corskit.doctor.layers.find_layers`
finds, outermost first, as :class:`CORSSettings`: the settings in corskit's keyword vocabulary
(defaults filled in), the keywords the user actually passed when they can be recovered, and
the middleware registered *outside* it (which sees preflights first, so an authentication
middleware there can answer them with 401/403). Each carries its :class:`Layer`, which
predicts what the layer sends and phrases fixes in its library's own syntax.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import find_layers
from .base import SETTING_DEFAULTS, Layer
from .corskit import CorskitLayer

__all__ = ["CORSSettings", "find_cors_settings", "primary_settings"]

# Labels that keep the historical name "corskit.CORSMiddleware" (ASGI/WSGI middleware).
_PLAIN_CORSKIT = {
    "corskit.CORSMiddleware",
    "corskit.outermost",
    "app.add_middleware(CORSMiddleware",
    "CORSMiddleware",
    "DefineMiddleware(CORSMiddleware",
}


@dataclass
class CORSSettings:
    """One CORS layer found in an app.

    ``kind`` is the layer model's name (``"corskit"``, ``"starlette"``, ``"flask-cors"``,
    ``"django-cors-headers"``, ``"litestar"`` or ``"handwritten"``); ``settings`` holds the
    values in corskit's vocabulary (the defaults filled in); ``given`` the keywords the user
    actually passed (None when unknown); ``where`` says how it was found; ``outside`` names
    the middleware that runs before it; ``policy`` is corskit's built policy (corskit only)."""

    kind: str
    settings: dict[str, Any]
    where: str
    given: dict[str, Any] | None = None
    outside: list[str] = field(default_factory=list)
    policy: Any = None
    layer: Layer | None = None

    @property
    def class_name(self) -> str:
        """How the user names it."""
        if self.kind == "corskit" and (self.layer is None or self.layer.label in _PLAIN_CORSKIT):
            return "corskit.CORSMiddleware"
        if self.kind == "starlette":
            return "CORSMiddleware (Starlette/FastAPI)"
        if self.kind == "handwritten" and self.layer is not None:
            return f"your {getattr(self.layer, 'kind', 'code')} {self.layer.label}"
        return self.layer.label if self.layer is not None else self.kind

    def get(self, name: str) -> Any:
        """A setting's value (defaults filled in)."""
        return self.settings.get(name, SETTING_DEFAULTS.get(name))


def _given(layer: Layer) -> dict[str, Any] | None:
    if layer.model == "starlette":
        return (
            dict(layer.native)
            if layer.native
            else ({} if layer.obj is not None and isinstance(layer.obj, type) else None)
        )
    if isinstance(layer, CorskitLayer) and layer.policy is None and layer.native:
        return dict(layer.native)
    return None


def as_settings(layer: Layer) -> CORSSettings:
    """The :class:`CORSSettings` summary of a layer."""
    policy = layer.policy if isinstance(layer, CorskitLayer) else None
    settings = dict(layer.settings)
    if layer.model in ("starlette", "corskit") and not settings:
        settings = dict(SETTING_DEFAULTS)
    return CORSSettings(
        layer.model, settings, layer.where, _given(layer), list(layer.outside), policy, layer
    )


def find_cors_settings(
    app: Any, *, max_depth: int = 32, every_layer: bool = True
) -> list[CORSSettings]:
    """The CORS layers found in *app*, outermost first (see the module docstring): every
    model's, or only corskit's and Starlette's without *every_layer*."""
    found = [as_settings(layer) for layer in find_layers(app)]
    if not every_layer:
        found = [s for s in found if s.kind in ("corskit", "starlette")]
    return found[: max(max_depth, 0) or None]


def primary_settings(app: Any) -> CORSSettings | None:
    """The CORS layer that answers requests first (the outermost one), or None."""
    found = find_cors_settings(app)
    return found[0] if found else None
