"""The interface every CORS layer model implements, and the walk through an app object.

A *layer* is one piece of code that sets CORS headers in an application: corskit's
middleware, Starlette's ``CORSMiddleware``, flask-cors, django-cors-headers, Litestar's
``CORSConfig``, or the user's own function. A *model* of a library knows how to:

* find its layers in an app object (:meth:`LayerModel.find`, given the :class:`Node` list
  :func:`walk` produces, outermost first);
* read each layer's effective settings (:attr:`Layer.settings`, in corskit's keyword
  vocabulary so the doctor can compare them; :attr:`Layer.native` in the library's own);
* predict the CORS headers it sends for a request (:meth:`Layer.predict`);
* phrase a change in the library's own words and syntax (:meth:`Layer.fix`).

Nothing here imports a web framework: classes are recognised by module and name.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from ...options import STARLETTE_NAMES
from ...policy import SETTINGS

__all__ = [
    "SETTING_DEFAULTS",
    "Fix",
    "Layer",
    "LayerModel",
    "LayerNote",
    "LayerRequest",
    "Node",
    "class_of",
    "endpoint_of",
    "flask_app_of",
    "fmt_value",
    "qualname",
    "runs_first",
    "sets_cors_headers",
    "view_handles",
    "walk",
]

# corskit's keyword vocabulary (Starlette's too), with Starlette's defaults, which are
# corskit's: read from the policy's one table of settings.
SETTING_DEFAULTS: dict[str, Any] = {name: SETTINGS[name] for name in STARLETTE_NAMES}


@dataclass(frozen=True)
class LayerRequest:
    """A cross-origin request as a layer sees it: ``headers`` are the request header names
    the page sets (lower case); ``preflight`` asks for the answer to the preflight."""

    origin: str
    method: str = "GET"
    headers: tuple[str, ...] = ()
    credentials: bool = False
    preflight: bool = False
    path: str = "/"


@dataclass(frozen=True)
class LayerNote:
    """Something the model noticed in the configuration (a misspelt option, a regex in a
    list of literal origins, a middleware in the wrong place): a problem code, the text,
    and the fix in the library's words."""

    code: str
    message: str
    fix: str
    changes: tuple[tuple[str, Any], ...] = ()  # the fix as (setting, new value), when it is one


@dataclass(frozen=True)
class Fix:
    """A change to a layer's configuration: ``changes`` are (setting in the library's own
    name, new value) pairs; ``text`` is what to write, in the library's syntax."""

    layer: str
    changes: tuple[tuple[str, Any], ...]
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "changes": [
                {"setting": name, "value": _jsonable(value)} for name, value in self.changes
            ],
            "text": self.text,
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


@dataclass
class Layer:
    """One CORS layer found in an app. Subclasses (one per library) override
    :meth:`predict` and :meth:`fix`; the base class predicts nothing and phrases a fix as
    keyword arguments."""

    model: str
    label: str
    where: str
    settings: dict[str, Any] = field(default_factory=dict)
    native: dict[str, Any] = field(default_factory=dict)
    notes: list[LayerNote] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    obj: Any = field(default=None, repr=False)

    def get(self, name: str) -> Any:
        """A setting in corskit's vocabulary (Starlette's default when unknown)."""
        return self.settings.get(name, SETTING_DEFAULTS.get(name))

    def predict(self, request: LayerRequest) -> dict[str, str] | None:
        """The CORS headers this layer sends for *request* (lower-case names), or None when
        the model cannot tell (a hand-written layer)."""
        return None

    def applies_to(self, path: str) -> bool:
        """Whether this layer handles requests to *path* (a per-path layer: a flask-cors
        resource, a blueprint's policy, a decorated view)."""
        return True

    def cover_path(self, path: str, origin: str) -> tuple[str, Fix] | None:
        """For a layer that does not handle *path* (:meth:`applies_to`): (why, in the
        library's words; the change that makes it handle the path for the page's *origin*),
        or None."""
        return None

    def fix(self, changes: Mapping[str, Any]) -> Fix:
        """The change giving each corskit setting in *changes* its new (complete) value,
        written in the layer's own syntax."""
        pairs = tuple((self.native_name(k), v) for k, v in changes.items())
        return Fix(self.model, pairs, f"{self.label}(..., {kwargs_text(pairs)})")

    def native_name(self, setting: str) -> str:
        """The library's own name for a corskit setting."""
        return setting

    def copy_with(self, app: Any, changes: Mapping[str, Any]) -> AbstractContextManager[Any]:
        """The context in which a copy of *app* runs with this layer's settings changed
        (*changes*: a :class:`Fix`'s, the library's own names and complete new values);
        *app* itself is never changed. Raises
        :class:`~corskit.doctor.layers.copying.CannotVerify` when the model cannot."""
        from .copying import CannotVerify

        raise CannotVerify(f"the doctor cannot rebuild {self.label} with changed settings")


class LayerModel(Protocol):
    """A model of one CORS library: a module with a ``NAME`` and a ``find`` function."""

    NAME: str

    def find(self, node: Node, nodes: list[Node]) -> list[Layer]:
        """The layers at *node* (*nodes*: the whole walk, outermost first, for context)."""
        ...


@dataclass(frozen=True)
class Node:
    """One object on the way of a request through an app, outermost first. ``kind`` says
    what it is: ``"object"`` (an app or a built middleware), ``"entry"`` (a middleware
    registered but not built: Starlette's ``Middleware``, Litestar's ``DefineMiddleware``,
    a Django ``MIDDLEWARE`` path), ``"hook"`` (a Flask ``before_request``/``after_request``
    function) or ``"view"`` (a route's view function)."""

    obj: Any
    where: str
    kind: str = "object"
    label: str = ""


def qualname(obj: Any) -> tuple[str, str]:
    """(module, class name) of an object or class."""
    cls = obj if isinstance(obj, type) else type(obj)
    return getattr(cls, "__module__", "") or "", getattr(cls, "__name__", "") or ""


def class_of(entry: Any) -> Any:
    """The middleware class of a registered entry (Starlette ``Middleware.cls``, Litestar
    ``DefineMiddleware.middleware``), or None."""
    for name in ("cls", "middleware"):
        cls = getattr(entry, name, None)
        if isinstance(cls, type):
            return cls
    return None


def fmt_value(value: Any) -> str:
    """A setting value as Python source (lists with double quotes)."""
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        return "[" + ", ".join(fmt_value(v) for v in items) + "]"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def kwargs_text(pairs: tuple[tuple[str, Any], ...]) -> str:
    return ", ".join(f"{name}={fmt_value(value)}" for name, value in pairs)


def sets_cors_headers(func: Any) -> bool:
    """Whether a function's or class's source sets Access-Control-Allow-Origin itself."""
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return False
    return "access-control-allow-origin" in source.lower()


# ---------------------------------------------------------------- the walk


_BUILTIN = {"ServerErrorMiddleware", "ExceptionMiddleware", "AsyncExitStackMiddleware"}


def _entry_label(entry: Any) -> str:
    cls = class_of(entry)
    if cls is None:
        return type(entry).__name__
    kwargs = getattr(entry, "kwargs", None) or {}
    dispatch = kwargs.get("dispatch") if isinstance(kwargs, dict) else None
    if dispatch is not None and cls.__name__ == "BaseHTTPMiddleware":
        return str(getattr(dispatch, "__name__", cls.__name__))  # @app.middleware("http")
    return str(cls.__name__)


def _starlette_entries(obj: Any, where: str) -> Iterator[Node]:
    for i, entry in enumerate(getattr(obj, "user_middleware", None) or ()):
        yield Node(entry, f"{where}.user_middleware[{i}]", "entry", _entry_label(entry))


def _litestar_entries(obj: Any, where: str) -> Iterator[Node]:
    for i, entry in enumerate(getattr(obj, "middleware", None) or ()):
        yield Node(
            entry,
            f"{where}.middleware[{i}]",
            "entry",
            _entry_label(entry) if class_of(entry) else _fn(entry),
        )


def _fn(func: Any) -> str:
    return str(getattr(func, "__name__", type(func).__name__))


def _flask_nodes(obj: Any, where: str) -> Iterator[Node]:
    """Flask's request hooks (the application's, then each blueprint's) and its views."""
    for attribute in ("before_request_funcs", "after_request_funcs"):
        for key, funcs in (getattr(obj, attribute, {}) or {}).items():
            for i, func in enumerate(funcs):
                yield Node(func, f"{where}.{attribute}[{key!r}][{i}]", "hook", _fn(func))
    for name, func in (getattr(obj, "view_functions", {}) or {}).items():
        yield Node(func, f"{where}.view_functions[{name!r}]", "view", _fn(func))


def endpoint_of(node: Node) -> str:
    """The Flask endpoint of a ``"view"`` node."""
    match = re.search(r"\.view_functions\[(.+)\]$", node.where)
    try:
        return str(ast.literal_eval(match.group(1))) if match else ""
    except (ValueError, SyntaxError):
        return ""


def view_handles(app: Any, endpoint: str, path: str) -> bool:
    """Whether *path* is routed to the view *endpoint* of the Flask *app*."""
    try:
        adapter = app.url_map.bind("localhost")
        return bool(adapter.match(path, method="GET")[0] == endpoint)
    except Exception:
        return False


def flask_app_of(nodes: list[Node]) -> Any:
    """The Flask application among *nodes* (None if there is none)."""
    for node in nodes:
        if node.kind == "object" and hasattr(node.obj, "after_request_funcs"):
            return node.obj
    return None


def _django_nodes(where: str) -> Iterator[Node]:
    try:
        from django.conf import settings  # type: ignore[import-untyped]

        middleware = list(getattr(settings, "MIDDLEWARE", None) or ())
    except Exception:
        return
    for i, path in enumerate(middleware):
        if isinstance(path, str):
            yield Node(path, f"settings.MIDDLEWARE[{i}]", "entry", path.rsplit(".", 1)[-1])


def _children(obj: Any, where: str) -> Iterator[Node]:
    module, name = qualname(obj)
    if isinstance(getattr(obj, "user_middleware", None), (list, tuple)):
        yield from _starlette_entries(obj, where)
    if module.startswith("litestar") and name == "Litestar":
        yield from _litestar_entries(obj, where)
    if hasattr(obj, "after_request_funcs") and hasattr(obj, "view_functions"):
        yield from _flask_nodes(obj, where)
    if module.startswith("django.core.handlers"):
        yield from _django_nodes(where)


def _next(obj: Any, where: str) -> tuple[Any, str] | None:
    """The object a wrapper passes requests to: ``.app`` (ASGI/WSGI middleware) or Flask's
    ``.wsgi_app`` when something wraps it (a bound method when nothing does)."""
    if hasattr(obj, "after_request_funcs"):
        inner = getattr(obj, "wsgi_app", None)
        if inner is not None and not inspect.ismethod(inner):
            return inner, f"{where}.wsgi_app"
        return None
    nxt = getattr(obj, "app", None)
    if nxt is None or nxt is obj or not callable(nxt):
        return None
    return nxt, f"{where}.app"


def _attr(obj: Any, name: str) -> Any:
    """``getattr`` that survives objects whose attributes raise."""
    try:
        return getattr(obj, name, None)
    except Exception:
        return None


def _step(
    obj: Any, where: str, nodes: list[Node], seen: set[int], limit: int
) -> tuple[Any, str] | None:
    """Record *obj* (and what it registers); the object it passes requests to, if any."""
    outer = _attr(_attr(obj, "state"), "corskit")  # corskit.outermost
    if outer is not None and id(outer) not in seen:
        seen.add(id(outer))
        nodes.append(Node(outer, f"{where} (corskit.outermost)", "object", type(outer).__name__))
    nodes.append(Node(obj, where, "object", qualname(obj)[1]))
    step = _next(obj, where)
    if hasattr(obj, "after_request_funcs") and step is not None:
        _walk(step[0], step[1], nodes, seen, limit)  # app.wsgi_app wrappers run before the hooks
        step = None
    nodes.extend(_children(obj, where))
    if isinstance(_attr(obj, "user_middleware"), (list, tuple)):
        return None  # Starlette's built stack repeats user_middleware
    return step


def _walk(obj: Any, where: str, nodes: list[Node], seen: set[int], limit: int) -> None:
    while obj is not None and id(obj) not in seen and len(nodes) < limit:
        seen.add(id(obj))
        try:
            step = _step(obj, where, nodes, seen, limit)
        except Exception:  # a half-built or hostile app: what was found so far
            return
        if step is None:
            return
        obj, where = step


def walk(app: Any, *, max_nodes: int = 256) -> list[Node]:
    """Every object a request meets in *app*, outermost first (bounded, cycle-safe)."""
    nodes: list[Node] = []
    _walk(app, "app", nodes, set(), max_nodes)
    return nodes[:max_nodes]


def is_builtin(node: Node) -> bool:
    """Framework plumbing that never answers a preflight (not worth naming as "outside")."""
    return node.label in _BUILTIN


def runs_first(node: Node) -> bool:
    """Whether *node* can answer a request before the CORS layers found after it: a
    middleware (built or registered) or the user's own ``before_request`` function."""
    if node.kind in ("object", "entry"):
        return not is_builtin(node)
    module = str(getattr(node.obj, "__module__", "") or "")
    return (
        node.kind == "hook"
        and ".before_request_funcs" in node.where
        and not module.startswith(("corskit", "flask_cors"))
    )
