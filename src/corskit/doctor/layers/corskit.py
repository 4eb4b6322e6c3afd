"""corskit itself: the ASGI and WSGI middleware, ``corskit.outermost``, ``corskit.flask.CORS``
and ``corskit.django.CorsMiddleware``.

The doctor asks corskit's own engine how a policy decides a request (:func:`decide`), and
predictions run corskit's own WSGI adapter on the request: no rule is repeated here.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
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
from .copying import CannotVerify, changed_entry, replaced

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
    route: str | None = None  # a per-route policy's prefix (``routes={...}``)

    def applies_to(self, path: str) -> bool:
        if self.routes and self.label in _REBUILT:
            return _route_of(self.routes, path) == self.route
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
        if self.route is not None:
            text = f"the policy of the route {fmt_value(self.route)}: CORSPolicy(..., {kwargs_text(pairs)})"
            return Fix(NAME, pairs, text)
        return Fix(NAME, pairs, f"{self.label}(..., {kwargs_text(pairs)})")

    def copy_with(self, app: Any, changes: Mapping[str, Any]) -> AbstractContextManager[Any]:
        if self.label == DJANGO_PATH:
            return _django_copy(app, changes)
        if self.policy is None or self.label not in (*_REBUILT, "corskit.flask.CORS"):
            return super().copy_with(app, changes)
        policy = self.policy.replace(**changes)  # CORSConfigError: the change is refused
        if self.label == "corskit.flask.CORS":
            return _flask_copy(app, self.where, policy)

        def rebuilt(middleware: Any) -> Any:
            new = copy.copy(middleware)
            if self.route is None:
                new.policy = policy
            else:
                new.routes = {**middleware.routes, self.route: policy}
            return new

        if self.label == "corskit.outermost":
            return replaced(app, self.where, lambda a: _outermost_copy(a, rebuilt(self.obj)))
        return replaced(app, self.where, rebuilt)


_REBUILT = ("corskit.CORSMiddleware", "corskit.WSGICORSMiddleware", "corskit.outermost")


def _route_of(routes: Any, path: str) -> str | None:
    """The per-route prefix whose policy answers *path* (None: the default policy)."""
    from ...routing import RouteTable

    try:
        return RouteTable(routes).match(path)
    except Exception:
        return None


def _outermost_copy(app: Any, new_middleware: Any) -> Any:
    """A copy of a Starlette app given ``corskit.outermost``: its own (changed) middleware
    copy wraps the copy's own stack (built from the class's ``build_middleware_stack``)."""
    build = getattr(type(app), "build_middleware_stack", None)
    if build is None:
        raise CannotVerify("corskit.outermost is installed on something that is not Starlette")
    new_app = copy.copy(app)

    def build_with_cors() -> Any:
        new_middleware.app = build(new_app)
        return new_middleware

    new_app.build_middleware_stack = build_with_cors
    new_app.middleware_stack = None
    return new_app


def _flask_copy(app: Any, where: str, policy: Any) -> AbstractContextManager[Any]:
    """A copy of the Flask *app* whose corskit.flask state has the policy at *where* (the
    application's, or a blueprint's) replaced."""
    import ast
    import dataclasses

    state = (getattr(app, "extensions", None) or {}).get("corskit")
    if state is None:
        raise CannotVerify("corskit.flask.CORS is not on the app object itself")
    blueprint = ast.literal_eval(where.split(" ", 1)[1]) if where.startswith("blueprint ") else None
    cors = state.default if blueprint is None else state.blueprints.get(blueprint)
    if cors is None:
        raise CannotVerify(f"cannot find corskit.flask.CORS at {where}")
    new_cors = copy.copy(cors)
    new_cors.middleware = copy.copy(cors.middleware)
    new_cors.middleware.policy = policy
    if blueprint is None:
        new_state = dataclasses.replace(state, default=new_cors)
    else:
        new_state = dataclasses.replace(state, blueprints={**state.blueprints, blueprint: new_cors})

    @contextmanager
    def context() -> Iterator[Any]:
        new_app = copy.copy(app)
        new_app.extensions = {**app.extensions, "corskit": new_state}
        yield new_app

    return context()


def _django_copy(app: Any, changes: Mapping[str, Any]) -> AbstractContextManager[Any]:
    """Django's handler loaded again with ``CORSKIT`` overridden (corskit.django reads its
    settings when the middleware chain is built)."""
    if not qualname(app)[0].startswith("django.core.handlers"):
        raise CannotVerify("the Django handler is wrapped; the doctor rebuilds only a bare one")

    @contextmanager
    def context() -> Iterator[Any]:
        from django.conf import settings  # type: ignore[import-untyped]
        from django.test import override_settings  # type: ignore[import-untyped]

        current = dict(getattr(settings, "CORSKIT", None) or {})
        with override_settings(CORSKIT={**current, **changes}):
            yield type(app)()

    return context()


def _settings_of(policy: Any) -> dict[str, Any]:
    settings = getattr(policy, "settings", None)
    if callable(settings):
        try:
            return dict(settings())
        except Exception:
            pass
    return {k: getattr(policy, k) for k in SETTING_DEFAULTS if hasattr(policy, k)}


def _from_instance(node: Node) -> list[Layer]:
    policy = getattr(node.obj, "policy", None)
    module = qualname(node.obj)[0]
    label = "corskit.WSGICORSMiddleware" if module.endswith("wsgi") else "corskit.CORSMiddleware"
    if "(corskit.outermost)" in node.where:
        label = "corskit.outermost"
    routes = getattr(node.obj, "routes", None)
    default = CorskitLayer(
        NAME,
        label,
        node.where,
        _settings_of(policy),
        {},
        obj=node.obj,
        policy=policy,
        routes=routes,
    )
    return [  # the default policy first (the layer that answers most paths)
        default,
        *(
            CorskitLayer(
                NAME,
                label,
                f"{node.where} routes[{fmt_value(prefix)}]",
                _settings_of(route_policy),
                {},
                obj=node.obj,
                policy=route_policy,
                routes=routes,
                route=prefix,
            )
            for prefix, route_policy in dict(routes or {}).items()
        ),
    ]


def _entry_fix(layer: CorskitLayer, changes: Mapping[str, Any]) -> Fix:
    pairs = tuple(changes.items())
    return Fix(NAME, pairs, f"{layer.label}, ..., {kwargs_text(pairs)})")


@dataclass
class _EntryLayer(CorskitLayer):
    def fix(self, changes: Mapping[str, Any]) -> Fix:
        return _entry_fix(self, changes)

    def copy_with(self, app: Any, changes: Mapping[str, Any]) -> AbstractContextManager[Any]:
        if self.policy is not None:
            self.policy.replace(**changes)  # CORSConfigError now: the change is refused

        def rebuilt(entry: Any) -> Any:
            kwargs = dict(getattr(entry, "kwargs", {}) or {})
            if kwargs.get("policy") is None:
                return changed_entry(entry, _POSITIONAL, changes)
            new = copy.copy(entry)
            new.kwargs = {**kwargs, "policy": kwargs["policy"].replace(**changes)}
            return new

        return replaced(app, self.where, rebuilt)


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
        from django.conf import settings

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
        return _from_instance(node)
    if node.kind == "entry" and node.obj == DJANGO_PATH:
        return _django(node)
    if node.kind == "entry" and is_corskit_middleware(class_of(node.obj)):
        return [_from_entry(node)]
    if node.kind == "object":
        return _flask(node)
    return []
