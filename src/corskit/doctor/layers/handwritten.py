"""Hand-written CORS: the user's own middleware (a function registered with
``@app.middleware("http")``, a middleware class), a Flask ``after_request`` hook, a Django
middleware, or a view that sets ``Access-Control-Allow-Origin`` itself.

A layer is recognised by its source setting ``Access-Control-Allow-Origin``; it is named by
the user's function or class name (never by the framework class that runs it, such as
``BaseHTTPMiddleware``). What it sends cannot be predicted; fixes name the headers to set.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from .base import (
    Fix,
    Layer,
    Node,
    class_of,
    endpoint_of,
    flask_app_of,
    sets_cors_headers,
    view_handles,
)
from .copying import CannotVerify

NAME = "handwritten"

HEADERS = {
    "allow_origins": "Access-Control-Allow-Origin",
    "allow_origin_regex": "Access-Control-Allow-Origin",
    "allow_methods": "Access-Control-Allow-Methods",
    "allow_headers": "Access-Control-Allow-Headers",
    "allow_credentials": "Access-Control-Allow-Credentials",
    "expose_headers": "Access-Control-Expose-Headers",
    "max_age": "Access-Control-Max-Age",
    "allow_private_network": "Access-Control-Allow-Private-Network",
}
_LIBRARIES = (
    "corskit",
    "starlette",
    "fastapi",
    "flask_cors",
    "corsheaders",
    "litestar",
    "django",
    "flask",
    "werkzeug",
)


def _header_value(setting: str, value: Any) -> str:
    if setting in ("allow_origins", "allow_origin_regex"):
        allowed = list(value) if isinstance(value, (list, tuple)) else [value]
        if allowed == ["*"]:
            return '"*"'
        return f"the request's Origin when it is one of {allowed!r} (and Vary: Origin)"
    if isinstance(value, bool):
        return '"true"' if value else "(omit the header)"
    if isinstance(value, (list, tuple)):
        return '"' + ", ".join(str(v) for v in value) + '"'
    return f'"{value}"'


@dataclass
class HandwrittenLayer(Layer):
    """``kind`` is what the user wrote: "function middleware", "middleware class",
    "after_request hook", "Django middleware" or "view"."""

    kind: str = "middleware"
    source: str = ""
    endpoint: str = ""
    app: Any = None

    def applies_to(self, path: str) -> bool:
        return self.kind != "view" or view_handles(self.app, self.endpoint, path)

    def native_name(self, setting: str) -> str:
        return HEADERS.get(setting, setting)

    def fix(self, changes: Mapping[str, Any]) -> Fix:
        pairs = tuple((self.native_name(k), v) for k, v in changes.items())
        parts = [f"{self.native_name(k)}: {_header_value(k, v)}" for k, v in changes.items()]
        where = f" ({self.source})" if self.source else ""
        text = f"in your {self.kind} {self.label}{where}, send " + "; ".join(parts)
        return Fix(NAME, pairs, text)

    def copy_with(self, app: Any, changes: Mapping[str, Any]) -> AbstractContextManager[Any]:
        raise CannotVerify(
            f"the fix is a change in the code of your {self.kind} {self.label}, which the"
            " doctor does not rewrite"
        )


def _location(func: Any) -> str:
    try:
        path = inspect.getsourcefile(func) or ""
        line = inspect.getsourcelines(func)[1]
    except (OSError, TypeError):
        return ""
    return f"{path.rsplit('/', 1)[-1]}:{line}" if path else ""


def _is_library(func: Any) -> bool:
    module = str(getattr(func, "__module__", "") or "")
    return module.split(".", 1)[0] in _LIBRARIES


def _user_code(node: Node) -> tuple[Any, str] | None:
    """The user's function or class behind *node*, and what kind of layer it is."""
    if node.kind == "hook":
        return (
            node.obj,
            "after_request hook" if ".after_request_funcs" in node.where else "before_request hook",
        )
    if node.kind == "view":
        return getattr(node.obj, "__wrapped__", node.obj), "view"
    if node.kind == "entry" and isinstance(node.obj, str):
        module, _, name = node.obj.rpartition(".")
        try:
            return getattr(importlib.import_module(module), name), "Django middleware"
        except Exception:
            return None
    if node.kind == "entry":
        cls = class_of(node.obj)
        dispatch = (getattr(node.obj, "kwargs", None) or {}).get("dispatch")
        if dispatch is not None:
            return dispatch, "function middleware"
        return cls, "middleware class"
    if (
        node.kind == "object"
        and not isinstance(node.obj, type)
        and not inspect.isfunction(node.obj)
    ):
        return type(node.obj), "middleware class"
    return None


def find(node: Node, nodes: list[Node]) -> list[Layer]:
    """The user's own code at *node*, when it sets Access-Control-Allow-Origin."""
    user = _user_code(node)
    if user is None or user[0] is None:
        return []
    func, kind = user
    if _is_library(func) or not sets_cors_headers(func):
        return []
    label = str(getattr(func, "__name__", node.label))
    return [
        HandwrittenLayer(
            NAME,
            label,
            node.where,
            obj=func,
            kind=kind,
            source=_location(func),
            endpoint=endpoint_of(node) if node.kind == "view" else "",
            app=flask_app_of(nodes) if node.kind == "view" else None,
        )
    ]
