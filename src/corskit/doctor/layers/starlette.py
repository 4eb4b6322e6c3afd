"""Starlette's ``CORSMiddleware`` (1.x), modelled once for the doctor and the audit.

What it does, from ``starlette/middleware/cors.py``: an origin is allowed when
``allow_origins`` contains ``"*"``, when ``allow_origin_regex`` matches the whole origin
(``re.fullmatch``) or when ``origin in allow_origins`` (a substring test when a string is
passed instead of a list); a preflight's method is compared case-sensitively with
``allow_methods`` (``"*"``: every method); a requested header must be in ``allow_headers``
(lower-cased, ``"*"``: every header) or be one of the four CORS-safelisted names Starlette
always adds.  Source: https://github.com/encode/starlette/blob/master/starlette/middleware/cors.py

The layer model (:class:`StarletteLayer`, :func:`find`) finds the middleware as a ``Middleware``
entry in ``app.user_middleware`` (the keywords as written) or as a built instance (the keywords
recovered from its computed attributes); its predictions run Starlette's own middleware on
the request, with an empty application behind it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from .base import SETTING_DEFAULTS, Fix, Layer, LayerRequest, Node, class_of, kwargs_text, qualname
from .copying import changed_entry, replaced

__all__ = [
    "ALL_METHODS",
    "ALWAYS_ALLOWED_HEADERS",
    "LABEL",
    "NAME",
    "StarletteLayer",
    "as_list",
    "decide",
    "find",
    "is_starlette_middleware",
    "origin_allowed",
    "regex_accepts",
    "run_asgi",
    "scope_for",
]

#: What ``allow_methods=["*"]`` expands to.
ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY")
#: Header names Starlette allows in every preflight, whatever ``allow_headers`` says.
ALWAYS_ALLOWED_HEADERS = frozenset(
    {"accept", "accept-language", "content-language", "content-type"}
)


class Settings(Protocol):
    """Where a setting's value is read from: a dict of keywords, or the doctor's
    :class:`~corskit.doctor.appinfo.CORSSettings` (which fills in Starlette's defaults)."""

    def get(self, name: str, /) -> Any:
        """The value of setting *name*, or None."""
        ...


def as_list(value: Any) -> list[str]:
    """A setting's value as a list of strings (a lone string is one item)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        return [str(v) for v in value]
    except TypeError:
        return [str(value)]


def regex_accepts(regex: Any, origin: str) -> bool:
    """``allow_origin_regex`` matches the whole *origin*; False for no or a broken regex."""
    if not regex:
        return False
    try:
        return re.fullmatch(str(regex), origin) is not None
    except re.error:
        return False


def origin_allowed(settings: Settings, origin: str) -> bool:
    """Whether Starlette answers *origin* with ``Access-Control-Allow-Origin``."""
    origins = settings.get("allow_origins") or ()
    if "*" in origins or origin in origins:
        return True
    return regex_accepts(settings.get("allow_origin_regex"), origin)


def decide(
    settings: Settings, origin: str, method: str, unsafe: list[str], preflight: bool
) -> tuple[str, str]:
    """How Starlette decides this request: ``(reason, detail)`` with corskit's reason names
    (``origin-not-allowed``, ``method-not-allowed``, ``header-not-allowed``), or ``("", "")``
    when it allows it."""
    if not origin_allowed(settings, origin):
        return "origin-not-allowed", ""
    if not preflight:
        return "", ""
    methods = as_list(settings.get("allow_methods"))
    if "*" in methods:
        methods = list(ALL_METHODS)
    if method not in methods:
        return "method-not-allowed", method
    headers = [h.lower() for h in as_list(settings.get("allow_headers"))]
    if "*" not in headers:
        for name in sorted(unsafe):
            if name not in headers and name not in ALWAYS_ALLOWED_HEADERS:
                return "header-not-allowed", name
    return "", ""


NAME = "starlette"
LABEL = "CORSMiddleware (Starlette/FastAPI)"
_POSITIONAL = tuple(SETTING_DEFAULTS)


def is_starlette_middleware(obj: Any) -> bool:
    module, name = qualname(obj)
    return name == "CORSMiddleware" and (
        module.startswith("starlette") or module.startswith("fastapi")
    )


def scope_for(request: LayerRequest) -> dict[str, Any]:
    """An ASGI HTTP scope for *request* (the preflight when ``request.preflight``)."""
    headers = [(b"origin", request.origin.encode("latin-1"))]
    if request.preflight:
        headers.append((b"access-control-request-method", request.method.encode("latin-1")))
        if request.headers:
            headers.append(
                (b"access-control-request-headers", ",".join(request.headers).encode("latin-1"))
            )
    if request.credentials:
        headers.append((b"cookie", b"session=1"))
    return {
        "type": "http",
        "method": "OPTIONS" if request.preflight else request.method,
        "path": request.path,
        "raw_path": request.path.encode("latin-1"),
        "query_string": b"",
        "headers": headers,
        "scheme": "http",
        "server": ("localhost", 80),
        "client": ("127.0.0.1", 1),
        "http_version": "1.1",
        "root_path": "",
    }


def run_asgi(app: Any, scope: dict[str, Any]) -> dict[str, str] | None:
    """Drive an ASGI app that never waits on I/O to its response start; its CORS headers."""
    started: dict[str, str] = {}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message.get("type") == "http.response.start":
            for name, value in message.get("headers", ()):
                key = name.decode("latin-1").lower()
                if key.startswith("access-control-") or key == "vary":
                    started[key] = value.decode("latin-1")

    coroutine = app(scope, receive, send)
    try:
        for _ in range(1000):
            coroutine.send(None)
    except StopIteration:
        return started
    except Exception:
        return None
    finally:
        coroutine.close()
    return None


async def _empty(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@dataclass
class StarletteLayer(Layer):
    def predict(self, request: LayerRequest) -> dict[str, str] | None:
        try:
            from starlette.middleware.cors import CORSMiddleware

            given = self.native or {k: v for k, v in self.settings.items() if k in SETTING_DEFAULTS}
            middleware = CORSMiddleware(_empty, **given)
        except Exception:
            return None
        return run_asgi(middleware, scope_for(request))

    def fix(self, changes: Mapping[str, Any]) -> Fix:
        pairs = tuple(changes.items())
        return Fix(NAME, pairs, f"app.add_middleware(CORSMiddleware, ..., {kwargs_text(pairs)})")

    def copy_with(self, app: Any, changes: Mapping[str, Any]) -> AbstractContextManager[Any]:
        if isinstance(self.obj, type):  # a user_middleware entry: the keywords as written
            return replaced(app, self.where, lambda e: changed_entry(e, _POSITIONAL, changes))

        def rebuilt(built: Any) -> Any:
            return type(built)(built.app, **{**_from_built(built), **changes})

        return replaced(app, self.where, rebuilt)


def _from_built(mw: Any) -> dict[str, Any]:
    """The keywords of a built Starlette CORSMiddleware, from its computed attributes."""
    simple = getattr(mw, "simple_headers", {}) or {}
    pre = getattr(mw, "preflight_headers", {}) or {}
    origins = list(getattr(mw, "allow_origins", ()) or ())
    if getattr(mw, "allow_all_origins", False) and "*" not in origins:
        origins.append("*")
    headers = (
        ["*"]
        if getattr(mw, "allow_all_headers", False)
        else list(getattr(mw, "allow_headers", ()) or ())
    )
    regex = getattr(mw, "allow_origin_regex", None)
    expose = simple.get("Access-Control-Expose-Headers")
    max_age = str(pre.get("Access-Control-Max-Age", ""))
    return {
        "allow_origins": tuple(origins),
        "allow_methods": tuple(getattr(mw, "allow_methods", ("GET",)) or ()),
        "allow_headers": tuple(headers),
        "allow_credentials": "Access-Control-Allow-Credentials" in simple,
        "allow_origin_regex": getattr(regex, "pattern", regex),
        "allow_private_network": bool(getattr(mw, "allow_private_network", False)),
        "expose_headers": tuple(x.strip() for x in expose.split(",")) if expose else (),
        "max_age": int(max_age) if max_age.lstrip("-").isdigit() else 600,
    }


def find(node: Node, nodes: list[Node]) -> list[Layer]:
    """Starlette's CORSMiddleware at *node*."""
    if node.kind == "object" and is_starlette_middleware(node.obj):
        settings = _from_built(node.obj)
        return [StarletteLayer(NAME, LABEL, node.where, settings, {}, obj=node.obj)]
    if node.kind == "entry" and is_starlette_middleware(class_of(node.obj)):
        args = tuple(getattr(node.obj, "args", ()) or ())
        given = dict(zip(_POSITIONAL, args, strict=False))
        given.update(dict(getattr(node.obj, "kwargs", {}) or {}))
        settings = {**SETTING_DEFAULTS, **given}
        return [StarletteLayer(NAME, LABEL, node.where, settings, given, obj=class_of(node.obj))]
    return []
