"""Starlette's (and FastAPI's re-exported) ``CORSMiddleware``.

Found as a ``Middleware`` entry in ``app.user_middleware`` (the keywords as written) or as a
built instance (the keywords recovered from its computed attributes). Predictions run
Starlette's own middleware on the request, with an empty application behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .base import SETTING_DEFAULTS, Fix, Layer, LayerRequest, Node, class_of, kwargs_text, qualname

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
