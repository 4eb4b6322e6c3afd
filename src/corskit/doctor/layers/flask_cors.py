"""flask-cors: ``CORS(app, resources=..., origins=..., supports_credentials=...)`` and
``@cross_origin(...)``.

Found through the ``after_request`` function ``CORS`` installs (one layer per entry of
``resources``, with flask-cors' own computed options) and the view functions
``@cross_origin`` wraps. flask-cors treats any origin or header name containing one of
``*\\]?$^[]()`` as a regular expression matched with ``re.match`` (anchored at the start
only) and ignoring case; predictions call flask-cors' own ``get_cors_headers``, so they
follow the same rules. The source of the module that calls ``CORS``/``cross_origin`` is read
for options flask-cors ignores (a misspelt ``support_credentials=True`` is dropped with only a
log line).
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import inspect
import re
import sys
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from .base import (
    Fix,
    Layer,
    LayerNote,
    LayerRequest,
    Node,
    endpoint_of,
    flask_app_of,
    fmt_value,
    kwargs_text,
    view_handles,
)
from .copying import CannotVerify, replaced

NAME = "flask-cors"

NATIVE = {
    "allow_origins": "origins",
    "allow_origin_regex": "origins",
    "allow_methods": "methods",
    "allow_headers": "allow_headers",
    "allow_credentials": "supports_credentials",
    "expose_headers": "expose_headers",
    "max_age": "max_age",
    "allow_private_network": "allow_private_network",
}
KNOWN_OPTIONS = frozenset(
    {
        "resources",
        "origins",
        "methods",
        "expose_headers",
        "allow_headers",
        "supports_credentials",
        "max_age",
        "send_wildcard",
        "vary_header",
        "automatic_options",
        "intercept_exceptions",
        "always_send",
        "allow_private_network",
    }
)
# corskit's (and Starlette's) names people carry over; flask-cors ignores them.
_CARRIED_OVER = {
    "allow_origins": "origins",
    "allow_methods": "methods",
    "allow_credentials": "supports_credentials",
}


def _pattern_text(pattern: Any) -> str:
    return str(getattr(pattern, "pattern", pattern))


def _canonical(options: Any) -> dict[str, Any]:
    """flask-cors' computed options in corskit's vocabulary."""
    origins = [o for o in options.origins if isinstance(o, str)]
    regexes = [_pattern_text(o) for o in options.origins if not isinstance(o, str)]
    if options.allow_all_origins:
        origins, regexes = ["*"], [r for r in regexes if r != ".*"]
    headers = [_pattern_text(h) for h in options.allow_headers]
    return {
        "allow_origins": tuple(origins),
        "allow_origin_regex": "|".join(regexes) or None,
        "allow_methods": tuple(m.strip() for m in (options.methods or "").split(",") if m.strip()),
        "allow_headers": ("*",) if ".*" in headers else tuple(headers),
        "allow_credentials": bool(options.supports_credentials),
        "expose_headers": tuple(
            x.strip() for x in (options.expose_headers or "").split(",") if x.strip()
        ),
        "max_age": options.max_age,
        "allow_private_network": bool(options.allow_private_network),
    }


def _native(options: Any) -> dict[str, Any]:
    return {
        "origins": ["*"]
        if options.allow_all_origins
        else [_pattern_text(o) for o in options.origins],
        "methods": options.methods,
        "allow_headers": [_pattern_text(h) for h in options.allow_headers],
        "supports_credentials": options.supports_credentials,
        "expose_headers": options.expose_headers,
        "max_age": options.max_age,
    }


@dataclass
class FlaskCorsLayer(Layer):
    """One flask-cors resource (``resource`` is its path pattern) or one ``@cross_origin``
    view (``view`` is the function's name)."""

    options: Any = None
    resource: Any = None
    view: str = ""
    endpoint: str = ""
    app: Any = None

    def native_name(self, setting: str) -> str:
        return NATIVE.get(setting, setting)

    def applies_to(self, path: str) -> bool:
        if self.view:
            return view_handles(self.app, self.endpoint, path)
        if self.resource is None:
            return True
        try:
            from flask_cors.core import try_match_pattern
        except ImportError:
            return True
        return bool(try_match_pattern(path, self.resource, caseSensitive=True))

    def cover_path(self, path: str, origin: str) -> tuple[str, Fix] | None:
        """A resource for *path* beside the resources ``CORS(app, resources=...)`` has, with
        this resource's options (those that differ from flask-cors' defaults; *origin* in
        place of a wildcard, which the new path does not need)."""
        resources = _closure(self.obj).get("resources") if self.resource is not None else None
        if not resources:
            return None
        value = {_pattern_text(p): _written(o) for p, o in resources}
        added = _written(self.options)
        if added.get("origins") == ["*"]:
            added["origins"] = [origin]
        value[path] = added
        patterns = ", ".join(f"r{fmt_value(p)}" for p in value if p != path)
        why = f"no pattern of resources ({patterns}) matches {path}, so flask-cors sends no CORS headers for it"
        body = ", ".join(f"r{fmt_value(p)}: {_dict_text(o)}" for p, o in value.items())
        return why, Fix(NAME, (("resources", value),), f"CORS(app, resources={{{body}}})")

    def predict(self, request: LayerRequest) -> dict[str, str] | None:
        try:
            from flask_cors.core import get_cors_headers, try_match_pattern
            from werkzeug.datastructures import Headers
        except ImportError:
            return None
        if self.resource is not None and not try_match_pattern(
            request.path, self.resource, caseSensitive=True
        ):
            return {}
        headers = Headers({"Origin": request.origin})
        if request.preflight:
            headers["Access-Control-Request-Method"] = request.method
            if request.headers:
                headers["Access-Control-Request-Headers"] = ", ".join(request.headers)
        try:
            sent = get_cors_headers(
                self.options, headers, "OPTIONS" if request.preflight else request.method
            )
        except Exception:
            return None
        return {k.lower(): str(v) for k, v in sent.items()}

    def _native_pairs(self, changes: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
        pairs: dict[str, Any] = {}
        for key, value in changes.items():
            name = self.native_name(key)
            if name == "origins":  # literal origins and regexes share one list
                current = list(pairs.get("origins", ()))
                add = [value] if isinstance(value, str) else list(value or ())
                pairs["origins"] = current + [v for v in add if v not in current]
            else:
                pairs[name] = list(value) if isinstance(value, tuple) else value
        return tuple(pairs.items())

    def fix(self, changes: Mapping[str, Any]) -> Fix:
        pairs = self._native_pairs(changes)
        if self.view:
            return Fix(NAME, pairs, f"@cross_origin(..., {kwargs_text(pairs)}) on {self.view}()")
        resource = _pattern_text(self.resource) if self.resource is not None else "/*"
        if resource in ("/*", "/.*"):
            return Fix(NAME, pairs, f"CORS(app, ..., {kwargs_text(pairs)})")
        body = ", ".join(f"{fmt_value(k)}: {fmt_value(v)}" for k, v in pairs)
        return Fix(NAME, pairs, f"CORS(app, resources={{r{fmt_value(resource)}: {{..., {body}}}}})")

    def copy_with(self, app: Any, changes: Mapping[str, Any]) -> AbstractContextManager[Any]:
        if self.view:
            return replaced(app, self.where, lambda view: _cross_origin_copy(view, changes))
        rest = {name: value for name, value in changes.items() if name != "resources"}
        options = changed_options(self.options, rest)

        def rebuilt(hook: Any) -> Any:
            from flask_cors.extension import make_after_request_function

            resources = [
                (pattern, options if pattern is self.resource else kept)
                for pattern, kept in _closure(hook).get("resources", ())
            ]
            if "resources" in changes:
                resources = _new_resources(changes["resources"], resources, self.resource, options)
            return make_after_request_function(resources)

        return replaced(app, self.where, rebuilt)


def _new_resources(
    value: Any, resources: list[tuple[Any, Any]], current: Any, options: Any
) -> list[tuple[Any, Any]]:
    """The resources ``CORS(app, resources=value)`` computes, in flask-cors' order: a pattern
    the app already has keeps its computed options, a new one starts from this resource's
    (*current*'s) *options*, and each gets the options *value* writes for it."""
    from flask_cors.core import parse_resources

    if not isinstance(value, dict):
        raise CannotVerify(f"cannot read resources={value!r}"[:200])
    had = {_pattern_text(pattern): kept for pattern, kept in resources}
    had[_pattern_text(current)] = options
    return [
        (pattern, changed_options(had.get(_pattern_text(pattern), options), given))
        for pattern, given in parse_resources(value)
    ]


# The computed fields each option of flask-cors sets.
_FIELDS = {
    "origins": ("origins", "allow_all_origins"),
    "allow_headers": ("allow_headers",),
    "methods": ("methods",),
    "expose_headers": ("expose_headers",),
    "max_age": ("max_age",),
    "supports_credentials": ("supports_credentials",),
    "allow_private_network": ("allow_private_network",),
    "send_wildcard": ("send_wildcard",),
    "vary_header": ("vary_header",),
    "always_send": ("always_send",),
}


def changed_options(options: Any, changes: Mapping[str, Any]) -> Any:
    """flask-cors' computed *options* with *changes* (its own option names) applied, each
    computed as flask-cors computes it."""
    from flask_cors.core import serialize_options

    unknown = [name for name in changes if name not in _FIELDS]
    if unknown:
        raise CannotVerify(f"flask-cors has no option {unknown[0]!r} the doctor can change")
    computed = serialize_options(dict(changes))
    fields = {f: getattr(computed, f) for name in changes for f in _FIELDS[name]}
    return dataclasses.replace(options, **fields)


def _cross_origin_copy(view: Any, changes: Mapping[str, Any]) -> Any:
    """A ``@cross_origin`` view decorated again with *changes* added to its options."""
    from flask_cors import cross_origin

    inner = getattr(view, "__wrapped__", None)
    if inner is None:
        raise CannotVerify("cannot find the view function @cross_origin wraps")
    given = dict(_closure(view).get("_options", {}))
    return cross_origin(**{**given, **changes})(inner)


def _written(options: Any) -> dict[str, Any]:
    """A resource's computed options as one would write them: its origins and the options
    that differ from flask-cors' defaults."""
    native = _native(options)
    defaults = {"supports_credentials": False, "expose_headers": None}
    out: dict[str, Any] = {}
    for name, value in native.items():
        if name in defaults and value == defaults[name]:
            continue
        if name == "allow_headers" and value in ([".*"], ["*"]):
            continue
        if name == "methods" and _as_set(value) == _as_set(_default_methods()):
            continue
        if name == "max_age" and value is None:
            continue
        out[name] = value
    return out


def _default_methods() -> Any:
    try:
        from flask_cors.core import ALL_METHODS
    except ImportError:
        return None
    return ALL_METHODS


def _dict_text(options: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{fmt_value(k)}: {fmt_value(v)}" for k, v in options.items()) + "}"


def _closure(func: Any) -> dict[str, Any]:
    code = getattr(func, "__code__", None)
    cells = getattr(func, "__closure__", None) or ()
    if code is None:
        return {}
    values: dict[str, Any] = {}
    for name, cell in zip(code.co_freevars, cells, strict=False):
        try:
            values[name] = cell.cell_contents
        except ValueError:
            continue
    return values


def _as_set(value: Any) -> frozenset[Any] | None:
    """A setting value compared loosely (case, order, a string for a list of one)."""
    if isinstance(value, bool) or value is None:
        return frozenset({bool(value)})
    if isinstance(value, str):
        return frozenset(v.strip().casefold() for v in value.split(",") if v.strip())
    try:
        return frozenset(str(v).strip().casefold() for v in value)
    except TypeError:
        return None


def _took_effect(keyword: ast.keyword, close: str | None, native: dict[str, Any]) -> bool:
    """Whether the option *close* already has the value the misspelt keyword gives (then this
    call is another app's, or the option is also spelt right)."""
    if close is None or close not in native:
        return False
    try:
        written = ast.literal_eval(keyword.value)
    except (ValueError, SyntaxError, TypeError):
        return False
    wanted = _as_set(written)
    return wanted is not None and wanted == _as_set(native[close])


def _renamed(close: str | None, keyword: ast.keyword) -> tuple[tuple[str, Any], ...]:
    """The misspelt option's value under its right name, as a change (when it is a literal)."""
    if close is None:
        return ()
    try:
        return ((close, ast.literal_eval(keyword.value)),)
    except (ValueError, SyntaxError, TypeError):
        return ()


def _misspellings(module: Any, native: dict[str, Any]) -> list[LayerNote]:
    """Keyword arguments of CORS(...)/cross_origin(...) calls in *module* that flask-cors
    ignores, when the layer's effective options (*native*) show they were ignored."""
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError, SyntaxError, ValueError):
        return []
    notes: list[LayerNote] = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if called not in ("CORS", "cross_origin"):
            continue
        for keyword in call.keywords:
            name = keyword.arg
            if name is None or name in KNOWN_OPTIONS:
                continue
            close = _CARRIED_OVER.get(name) or next(
                iter(difflib.get_close_matches(name, KNOWN_OPTIONS, 1, 0.75)), None
            )
            if _took_effect(keyword, close, native):
                continue
            value = ast.unparse(keyword.value)
            hint = (
                f"write {close}={value}"
                if close
                else f"remove it (flask-cors knows {', '.join(sorted(KNOWN_OPTIONS))})"
            )
            notes.append(
                LayerNote(
                    "flask-cors-unknown-option",
                    f"{called}(..., {name}={value}) at line {call.lineno}: flask-cors ignores the option {name!r}",
                    f"In {called}(...), {hint}.",
                    _renamed(close, keyword),
                )
            )
    return notes


def _app_module(app: Any) -> Any:
    return sys.modules.get(getattr(app, "import_name", "") or "")


def _resource_layers(node: Node, app: Any) -> list[Layer]:
    """The resources of the ``after_request`` function ``CORS(app_or_blueprint)`` installed."""
    module = _app_module(app)
    found: list[Layer] = []
    for pattern, options in _closure(node.obj).get("resources", ()):
        where = f"{node.where} (resources[r{fmt_value(_pattern_text(pattern))}])"
        found.append(
            FlaskCorsLayer(
                NAME,
                "flask_cors.CORS",
                where,
                _canonical(options),
                _native(options),
                _misspellings(module, _native(options)),
                obj=node.obj,
                options=options,
                resource=pattern,
            )
        )
    return found


def _view_layer(node: Node, app: Any) -> list[Layer]:
    """The view ``@cross_origin(...)`` wraps."""
    func = node.obj
    inner = getattr(func, "__wrapped__", func)
    try:
        from flask_cors.core import get_cors_options

        options = get_cors_options(app, _closure(func).get("_options", {}))
    except Exception:
        return []
    notes = _misspellings(sys.modules.get(getattr(inner, "__module__", "")), _native(options))
    view = getattr(inner, "__name__", node.label)
    return [
        FlaskCorsLayer(
            NAME,
            "flask_cors.cross_origin",
            node.where,
            _canonical(options),
            _native(options),
            notes,
            obj=func,
            options=options,
            view=view,
            endpoint=endpoint_of(node),
            app=app,
        )
    ]


def find(node: Node, nodes: list[Node]) -> list[Layer]:
    """flask-cors' ``after_request`` function (one layer per resource) or a ``@cross_origin`` view."""
    if node.kind == "hook" and getattr(node.obj, "__module__", "") == "flask_cors.extension":
        return _resource_layers(node, flask_app_of(nodes))
    if node.kind == "view" and "cross_origin" in getattr(node.obj, "__qualname__", ""):
        return _view_layer(node, flask_app_of(nodes))
    return []


def is_flask_cors(func: Any) -> bool:
    """Whether a hook or view belongs to flask-cors (not hand-written)."""
    return getattr(func, "__module__", "") == "flask_cors.extension" or bool(
        re.search(r"\bcross_origin\b", getattr(func, "__qualname__", ""))
    )
