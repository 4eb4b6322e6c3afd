"""What the diagnosis asks of a layer: why it refuses a request (from its prediction) and the
fix in its own words.

The diagnosis phrases fixes in corskit's keywords (``allow_methods=["GET", "PUT"]``), which
are also Starlette's. For a layer from another library, :func:`rephrase` rewrites them in that
library's syntax (``CORS(app, ..., methods=["GET", "PUT"])``, ``CORS_ALLOW_METHODS = [...]``,
``CORSConfig(..., allow_methods=[...])``) and :func:`answer_first` says how to let that layer
answer preflights before the code that refused one.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import replace
from typing import Any, ClassVar, Protocol, TypeVar

from .base import SETTING_DEFAULTS, Fix, Layer, LayerNote, LayerRequest

__all__ = [
    "answer_first",
    "changes_in",
    "note_severity",
    "predicted_reason",
    "rephrase",
    "reword",
    "rewrites",
    "structured_fix",
]


class _Finding(Protocol):
    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def code(self) -> str: ...
    @property
    def cause(self) -> str: ...
    @property
    def fix(self) -> str: ...


F = TypeVar("F", bound=_Finding)

_SAFE_METHODS = {"GET", "HEAD", "POST"}
_SAFELISTED_NAMES = {"accept", "accept-language", "content-language", "content-type"}
_KEYWORD = re.compile(
    r"\b(" + "|".join(SETTING_DEFAULTS) + r")=(\[[^\]]*\]|True|False|None|-?\d+|\"[^\"]*\")"
)
_NAME = re.compile(r"\b(" + "|".join(SETTING_DEFAULTS) + r")\b")


def rewrites(layer: Layer | None) -> bool:
    """Whether fixes need rewriting for *layer* (corskit's and Starlette's keywords are the
    diagnosis' own, except in corskit's Django settings dict)."""
    if layer is None:
        return False
    if layer.model == "starlette":
        return False
    if getattr(layer, "route", None) is not None:  # a per-route policy is named
        return True
    return layer.model != "corskit" or layer.label == "corskit.django.CorsMiddleware"


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def predicted_reason(
    layer: Layer, origin: str, method: str, unsafe: list[str], preflight: bool, path: str = "/"
) -> tuple[str, str] | None:
    """(reason, detail) as corskit's engine names them, from what *layer* predicts it sends
    for a request to *path*; ("", "") when the layer allows the request; None when it cannot tell."""
    predicted = layer.predict(
        LayerRequest(origin, method, tuple(sorted(unsafe)), preflight=preflight, path=path)
    )
    if predicted is None:
        return None
    allowed = predicted.get("access-control-allow-origin")
    if allowed is None or allowed not in ("*", origin):
        return "origin-not-allowed", ""
    if not preflight:
        return "", ""
    methods = _split(predicted.get("access-control-allow-methods", ""))
    if method not in _SAFE_METHODS and method not in methods and "*" not in methods:
        return "method-not-allowed", method
    names = {n.lower() for n in _split(predicted.get("access-control-allow-headers", ""))}
    for name in sorted(unsafe):
        if name not in names and "*" not in names and name not in _SAFELISTED_NAMES:
            return "header-not-allowed", name
    return "", ""


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return ast.literal_eval(text)


def changes_in(text: str) -> dict[str, Any]:
    """The setting changes a fix written with corskit's keywords makes (name -> new value)."""
    changes: dict[str, Any] = {}
    for match in _KEYWORD.finditer(text):
        try:
            changes[match.group(1)] = _value(match.group(2))
        except (ValueError, SyntaxError):
            continue
    return changes


def rephrase(text: str, layer: Layer, *, fix: bool) -> str:
    """*text* (a cause or a fix written with corskit's keywords) in *layer*'s words: in a fix
    the keyword changes become one change in the layer's syntax; setting names are translated."""
    matches = list(_KEYWORD.finditer(text)) if fix else []
    if matches:
        changes = {m.group(1): _value(m.group(2)) for m in matches}
        start, end = matches[0].start(), matches[-1].end()
        text = text[:start] + "\0" + text[end:]
        replaced = layer.fix(changes).text
        return _NAME.sub(lambda m: layer.native_name(m.group(1)), text).replace("\0", replaced)
    return _NAME.sub(lambda m: layer.native_name(m.group(1)), text)


def structured_fix(text: str, layer: Layer) -> Fix | None:
    """The settings changes *text* (a fix written with corskit's keywords) makes, as *layer*'s
    :class:`~corskit.doctor.layers.base.Fix` (its own setting names); None when it changes none."""
    matches = list(_KEYWORD.finditer(text))
    if not matches:
        return None
    try:
        return layer.fix({m.group(1): _value(m.group(2)) for m in matches})
    except (ValueError, SyntaxError):
        return None


def _names(layer: Layer) -> str:
    return ", ".join(layer.outside) if layer.outside else "the code that refused it"


def answer_first(layer: Layer) -> str | None:
    """How to have *layer* answer preflights before the code that refused one (None: the
    diagnosis' own advice, for Starlette's and corskit's ASGI middleware, fits)."""
    names = _names(layer)
    label = layer.label
    if layer.model in ("django-cors-headers",) or label == "corskit.django.CorsMiddleware":
        path = "corsheaders.middleware.CorsMiddleware" if layer.model != "corskit" else label
        return (
            f"in settings.py, move {path!r} above {names} in MIDDLEWARE (as high as possible), so it"
            " answers OPTIONS preflights before them; or let OPTIONS requests through without authentication"
        )
    if layer.model == "flask-cors" or (
        layer.model == "handwritten" and "hook" in str(getattr(layer, "kind", ""))
    ):
        return (
            f'let OPTIONS preflights through {names}: return early when request.method == "OPTIONS"'
            f" (browsers never send credentials on a preflight); {label} only adds headers to the"
            f" response, and a preflight refused with an error status fails whatever its headers"
        )
    if label == "corskit.WSGICORSMiddleware":
        return (
            f"wrap the outermost WSGI application with WSGICORSMiddleware so it answers OPTIONS"
            f" preflights before {names}; or let OPTIONS requests through without authentication"
        )
    if layer.model in ("litestar", "handwritten"):
        return f"let OPTIONS preflights through {names} without authentication (browsers never send credentials on them)"
    return None


def note_severity(
    note: LayerNote, layer: Layer, code: str | None, setting: str | None, status: int | None = None
) -> str:
    """'error' when the note explains the failure being diagnosed (*code*, the setting its fix
    changes, the *status* of the response that failed), else 'warning'."""
    if note.code in ("cors-middleware-order", "middleware-order"):
        redirect = status is not None and 300 <= status <= 399
        return (
            "error"
            if redirect or code in ("preflight-redirect", "redirect-null-origin")
            else "warning"
        )
    native = layer.native_name(setting) if setting else None
    return "error" if native and f"{native}=" in note.fix else "warning"


def reword(finding: F, layer: Layer) -> F:
    """*finding* (a :class:`~corskit.doctor.diagnose.Finding`) in *layer*'s words, with its
    settings changes as the layer's structured fix."""
    if finding.code == "preflight-rejected":
        first = answer_first(layer)
        return replace(finding, fix=first) if first else finding
    change = structured_fix(finding.fix, layer) or getattr(finding, "change", None)
    if not rewrites(layer):
        return replace(finding, change=change)
    return replace(
        finding,
        cause=rephrase(finding.cause, layer, fix=False),
        fix=rephrase(finding.fix, layer, fix=True),
        change=change,
    )
