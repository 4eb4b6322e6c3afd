"""corskit itself: the ASGI and WSGI middleware, ``corskit.outermost``, ``corskit.flask.CORS``
and ``corskit.django.CorsMiddleware``.

The doctor asks corskit's own engine how a policy decides a request (:func:`decide`), and
predictions run corskit's own WSGI adapter on the request: no rule is repeated here.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .base import (
    SETTING_DEFAULTS,
    Fix,
    Layer,
    LayerNote,
    LayerRequest,
    Node,
    class_of,
    fmt_value,
    kwargs_text,
    qualname,
)

if TYPE_CHECKING:
    from ...policy import CORSPolicy

__all__ = [
    "NAME",
    "CorskitLayer",
    "build",
    "decide",
    "find",
    "is_corskit_middleware",
    "request_environ",
]


def build(settings: dict[str, Any]) -> CORSPolicy | None:
    """The policy a ``user_middleware`` entry would build (its warnings silenced: the doctor
    reports them itself), or None when it does not build."""
    from ...policy import CORSPolicy

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return CORSPolicy(**settings)
    except Exception:  # an invalid configuration: the caller falls back to a model
        return None


def decide(
    policy: CORSPolicy, origin: str, method: str, unsafe: list[str], preflight: bool
) -> tuple[str, str]:
    """How *policy* decides this request: ``(reason, detail)``, or ``("", "")`` when it
    allows it."""
    engine = policy.engine
    if preflight:
        lines = [",".join(sorted(unsafe)).encode("latin-1")] if unsafe else []
        d = engine.preflight(origin.encode("latin-1"), method.encode("latin-1"), lines, None)
    else:
        d = engine.actual(origin.encode("latin-1"))
    return ("" if d.allowed else d.reason), str(getattr(d, "detail", "") or "")


NAME = "corskit"

_POSITIONAL = tuple(SETTING_DEFAULTS)
DJANGO_PATH = "corskit.django.CorsMiddleware"


def is_corskit_middleware(obj: Any) -> bool:
    module, name = qualname(obj)
    return name == "CORSMiddleware" and module.startswith("corskit")


def request_environ(request: LayerRequest) -> dict[str, Any]:
    """A WSGI environ for *request* (the preflight when ``request.preflight``)."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "OPTIONS" if request.preflight else request.method,
        "PATH_INFO": request.path,
        "HTTP_ORIGIN": request.origin,
        "wsgi.url_scheme": "http",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
    }
    if request.preflight:
        environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"] = request.method
        if request.headers:
            environ["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = ",".join(request.headers)
    if request.credentials:
        environ["HTTP_COOKIE"] = "session=1"
    return environ


def _lower(headers: list[tuple[str, str]]) -> dict[str, str]:
    return {
        k.lower(): v
        for k, v in headers
        if k.lower().startswith("access-control-") or k.lower() == "vary"
    }


@dataclass
class CorskitLayer(Layer):
    """A corskit middleware; ``policy`` and ``routes`` as built (None when invalid)."""

    policy: Any = None
    routes: Any = None
    prefix: str | None = None  # a blueprint's url_prefix: the paths it answers

    def applies_to(self, path: str) -> bool:
        return (
            self.prefix is None
            or path == self.prefix
            or path.startswith(self.prefix.rstrip("/") + "/")
        )

    def predict(self, request: LayerRequest) -> dict[str, str] | None:
        if self.policy is None:
            return None
        from corskit.inline import Early, InlineCORS

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                inline = InlineCORS(policy=self.policy, routes=self.routes or None)
                started = inline.begin(request_environ(request))
                if isinstance(started, Early):
                    return _lower(started.headers)
                return _lower(started.finish(200, []))
        except Exception:
            return None

    def fix(self, changes: Mapping[str, Any]) -> Fix:
        pairs = tuple(changes.items())
        if self.label == "corskit.django.CorsMiddleware":
            body = ", ".join(f"{fmt_value(k)}: {fmt_value(v)}" for k, v in pairs)
            return Fix(NAME, pairs, f"in settings.py: CORSKIT = {{..., {body}}}")
        return Fix(NAME, pairs, f"{self.label}(..., {kwargs_text(pairs)})")


def _settings_of(policy: Any) -> dict[str, Any]:
    settings = getattr(policy, "settings", None)
    if callable(settings):
        try:
            return dict(settings())
        except Exception:
            pass
    return {k: getattr(policy, k) for k in SETTING_DEFAULTS if hasattr(policy, k)}


def _from_instance(node: Node) -> CorskitLayer:
    policy = getattr(node.obj, "policy", None)
    module = qualname(node.obj)[0]
    label = "corskit.WSGICORSMiddleware" if module.endswith("wsgi") else "corskit.CORSMiddleware"
    if "(corskit.outermost)" in node.where:
        label = "corskit.outermost"
    routes = getattr(node.obj, "routes", None)
    return CorskitLayer(
        NAME,
        label,
        node.where,
        _settings_of(policy),
        {},
        obj=node.obj,
        policy=policy,
        routes=routes,
    )


def _entry_fix(layer: CorskitLayer, changes: Mapping[str, Any]) -> Fix:
    pairs = tuple(changes.items())
    return Fix(NAME, pairs, f"{layer.label}, ..., {kwargs_text(pairs)})")


@dataclass
class _EntryLayer(CorskitLayer):
    def fix(self, changes: Mapping[str, Any]) -> Fix:
        return _entry_fix(self, changes)


def _from_entry(node: Node) -> _EntryLayer:
    args = tuple(getattr(node.obj, "args", ()) or ())
    kwargs = dict(getattr(node.obj, "kwargs", {}) or {})
    given = dict(zip(_POSITIONAL, args, strict=False))
    routes = kwargs.pop("routes", None)
    for key in ("debug", "check_websocket_origin"):
        kwargs.pop(key, None)
    policy = kwargs.pop("policy", None)
    given.update(kwargs)
    if policy is None:
        policy = build(given)
    settings = _settings_of(policy) if policy is not None else {**SETTING_DEFAULTS, **given}
    cls = class_of(node.obj)
    label = (
        "app.add_middleware(CORSMiddleware"
        if qualname(node.obj)[1] == "Middleware"
        else "CORSMiddleware"
    )
    if qualname(node.obj)[1] == "DefineMiddleware":
        label = "DefineMiddleware(CORSMiddleware"
    return _EntryLayer(
        NAME, label, node.where, settings, given, obj=cls, policy=policy, routes=routes
    )


def _flask(node: Node) -> list[Layer]:
    state = (getattr(node.obj, "extensions", None) or {}).get("corskit")
    if state is None or qualname(state)[0] != "corskit.flask":
        return []
    # The blueprints first (innermost first, as corskit.flask selects), then the application.
    found: list[Layer] = []
    blueprints = getattr(node.obj, "blueprints", {}) or {}
    for name, cors in sorted(state.blueprints.items(), key=lambda item: -item[0].count(".")):
        blueprint = blueprints.get(name)
        prefix = getattr(blueprint, "url_prefix", None) if blueprint is not None else None
        found.append(_flask_layer(f"blueprint {name!r}", state, cors, prefix))
    if state.default is not None:
        found.append(
            _flask_layer(f"{node.where}.extensions['corskit']", state, state.default, None)
        )
    return found


def _flask_layer(where: str, state: Any, cors: Any, prefix: str | None) -> CorskitLayer:
    policy = cors.policy
    routes = cors.middleware.routes
    settings = _settings_of(policy)
    return CorskitLayer(
        NAME,
        "corskit.flask.CORS",
        where,
        settings,
        obj=state,
        policy=policy,
        routes=routes,
        prefix=prefix,
    )


def _django(node: Node) -> list[Layer]:
    try:
        from django.conf import settings  # type: ignore[import-untyped]

        from corskit.django import read_settings

        read = read_settings(settings)
    except Exception:
        return [CorskitLayer(NAME, "corskit.django.CorsMiddleware", node.where)]
    options = dict(read.options)
    routes = options.pop("routes", None)
    options.pop("debug", None)
    policy = build(options)
    settings_ = _settings_of(policy) if policy is not None else options
    return [
        CorskitLayer(
            NAME,
            "corskit.django.CorsMiddleware",
            node.where,
            settings_,
            options,
            [LayerNote(p.code, f"{p.field}: {p.why}", p.fix) for p in read.notes],
            obj=node.obj,
            policy=policy,
            routes=routes,
        )
    ]


def find(node: Node, nodes: list[Node]) -> list[Layer]:
    """corskit's middleware at *node* (see :mod:`corskit.doctor.layers.base`)."""
    if node.kind == "object" and is_corskit_middleware(node.obj):
        return [_from_instance(node)]
    if node.kind == "entry" and node.obj == DJANGO_PATH:
        return _django(node)
    if node.kind == "entry" and is_corskit_middleware(class_of(node.obj)):
        return [_from_entry(node)]
    if node.kind == "object":
        return _flask(node)
    return []
