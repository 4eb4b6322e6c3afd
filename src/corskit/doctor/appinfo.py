"""Find the CORS settings inside an application object.

:func:`find_cors_settings` walks an app the way requests flow through it and returns every CORS
middleware it finds, outermost first, with the keyword settings as the user wrote them (when
they can be recovered) and the middleware registered *outside* it (which sees preflights
first, so an authentication middleware there can answer them with 401/403):

* corskit's :class:`~corskit.CORSMiddleware` instances (their ``.policy``), including the one
  :func:`corskit.outermost` installs (``app.state.corskit``);
* Starlette/FastAPI ``app.user_middleware`` entries for ``starlette.middleware.cors.
  CORSMiddleware`` (also FastAPI's re-export) and for corskit's;
* an already-built Starlette ``CORSMiddleware`` instance;
* wrapped apps, followed through ``.app`` attributes.

Nothing here imports Starlette; classes are recognised by module and name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["CORSSettings", "find_cors_settings", "primary_settings"]

_STARLETTE_DEFAULTS: dict[str, Any] = {
    "allow_origins": (),
    "allow_methods": ("GET",),
    "allow_headers": (),
    "allow_credentials": False,
    "allow_origin_regex": None,
    "allow_private_network": False,
    "expose_headers": (),
    "max_age": 600,
}
_STARLETTE_ORDER = tuple(_STARLETTE_DEFAULTS)
_POLICY_KEYWORDS = frozenset(
    {
        *_STARLETTE_DEFAULTS,
        "preflight_status",
        "dangerously_allow_null_origin",
        "dangerously_tolerate_insecure_origins",
        "dangerously_tolerate_public_suffix_wildcards",
    }
)
_BUILTIN_MIDDLEWARE = {"ServerErrorMiddleware", "ExceptionMiddleware", "AsyncExitStackMiddleware"}


@dataclass
class CORSSettings:
    """One CORS middleware found in an app.

    ``kind`` is ``"corskit"`` or ``"starlette"``; ``settings`` holds the keyword values (the
    defaults filled in); ``given`` the keywords the user actually passed (None when unknown);
    ``where`` says how it was found; ``outside`` names the middleware that runs before it."""

    kind: Literal["corskit", "starlette"]
    settings: dict[str, Any]
    where: str
    given: dict[str, Any] | None = None
    outside: list[str] = field(default_factory=list)
    policy: Any = None

    @property
    def class_name(self) -> str:
        """How the user imports it."""
        return (
            "corskit.CORSMiddleware"
            if self.kind == "corskit"
            else "CORSMiddleware (Starlette/FastAPI)"
        )

    def get(self, name: str) -> Any:
        """A setting's value (defaults filled in)."""
        return self.settings.get(name, _STARLETTE_DEFAULTS.get(name))


def _qualname(obj: Any) -> tuple[str, str]:
    cls = obj if isinstance(obj, type) else type(obj)
    return getattr(cls, "__module__", "") or "", getattr(cls, "__name__", "") or ""


def _is_corskit_cors(cls_or_obj: Any) -> bool:
    module, name = _qualname(cls_or_obj)
    return name == "CORSMiddleware" and module.startswith("corskit")


def _is_starlette_cors(cls_or_obj: Any) -> bool:
    module, name = _qualname(cls_or_obj)
    return name == "CORSMiddleware" and (
        module.startswith("starlette") or module.startswith("fastapi")
    )


def _bind_starlette(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    given = dict(zip(_STARLETTE_ORDER, args, strict=False))
    given.update(kwargs)
    return given


def _from_policy(policy: Any) -> dict[str, Any]:
    settings = getattr(policy, "settings", None)
    if callable(settings):
        try:
            return dict(settings())
        except Exception:  # pragma: no cover - defensive
            pass
    return {k: getattr(policy, k) for k in _STARLETTE_DEFAULTS if hasattr(policy, k)}


def _try_policy(given: dict[str, Any]) -> Any:
    """Build the corskit policy a not-yet-built middleware entry will use (None if invalid)."""
    import warnings

    try:
        from corskit import CORSPolicy

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return CORSPolicy(**given)
    except Exception:
        return None


def _from_built_starlette(mw: Any) -> dict[str, Any]:
    """Recover the keywords from a built Starlette CORSMiddleware (its computed attributes)."""
    simple = getattr(mw, "simple_headers", {}) or {}
    pre = getattr(mw, "preflight_headers", {}) or {}
    allow_all = bool(getattr(mw, "allow_all_origins", False))
    origins = list(getattr(mw, "allow_origins", ()) or ())
    if allow_all and "*" not in origins:
        origins.append("*")
    headers = list(getattr(mw, "allow_headers", ()) or ())
    if getattr(mw, "allow_all_headers", False):
        headers = ["*"]
    regex = getattr(mw, "allow_origin_regex", None)
    expose = simple.get("Access-Control-Expose-Headers")
    max_age = pre.get("Access-Control-Max-Age")
    return {
        "allow_origins": tuple(origins),
        "allow_methods": tuple(getattr(mw, "allow_methods", ("GET",)) or ()),
        "allow_headers": tuple(headers),
        "allow_credentials": "Access-Control-Allow-Credentials" in simple,
        "allow_origin_regex": getattr(regex, "pattern", regex),
        "allow_private_network": bool(getattr(mw, "allow_private_network", False)),
        "expose_headers": tuple(x.strip() for x in expose.split(",")) if expose else (),
        "max_age": int(max_age) if max_age and str(max_age).lstrip("-").isdigit() else 600,
    }


def _label(obj: Any) -> str:
    cls = obj if isinstance(obj, type) else type(obj)
    return getattr(cls, "__name__", repr(cls))


def find_cors_settings(app: Any, *, max_depth: int = 32) -> list[CORSSettings]:
    """Every CORS middleware found in *app*, outermost first (see the module docstring)."""
    found: list[CORSSettings] = []
    seen: set[int] = set()
    outside: list[str] = []
    obj = app
    path = "app"
    depth = 0
    while obj is not None and depth < max_depth and id(obj) not in seen:
        seen.add(id(obj))
        depth += 1
        if _is_corskit_cors(obj):
            policy = getattr(obj, "policy", None)
            found.append(
                CORSSettings("corskit", _from_policy(policy), path, None, list(outside), policy)
            )
        elif _is_starlette_cors(obj):
            found.append(
                CORSSettings("starlette", _from_built_starlette(obj), path, None, list(outside))
            )
        else:
            state = getattr(obj, "state", None)
            outer = getattr(state, "corskit", None) if state is not None else None
            if outer is not None and _is_corskit_cors(outer) and id(outer) not in seen:
                seen.add(id(outer))
                policy = getattr(outer, "policy", None)
                found.append(
                    CORSSettings(
                        "corskit",
                        _from_policy(policy),
                        f"{path} (corskit.outermost)",
                        None,
                        list(outside),
                        policy,
                    )
                )
            user_mw = getattr(obj, "user_middleware", None)
            if isinstance(user_mw, list | tuple):
                inner_outside = list(outside)
                for i, entry in enumerate(user_mw):
                    cls = getattr(entry, "cls", None)
                    args = tuple(getattr(entry, "args", ()) or ())
                    kwargs = dict(getattr(entry, "kwargs", {}) or {})
                    where = f"{path}.user_middleware[{i}]"
                    if cls is not None and _is_starlette_cors(cls):
                        given = _bind_starlette(args, kwargs)
                        settings = {**_STARLETTE_DEFAULTS, **given}
                        found.append(
                            CORSSettings("starlette", settings, where, given, list(inner_outside))
                        )
                    elif cls is not None and _is_corskit_cors(cls):
                        given = {k: v for k, v in kwargs.items() if k in _POLICY_KEYWORDS}
                        given.update(_bind_starlette(args, {}))
                        policy = kwargs.get("policy")
                        settings = (
                            _from_policy(policy)
                            if policy is not None
                            else {**_STARLETTE_DEFAULTS, **_bind_starlette(args, kwargs)}
                        )
                        settings = {k: v for k, v in settings.items() if k in _POLICY_KEYWORDS}
                        if policy is None:
                            policy = _try_policy(given)
                            if policy is not None:
                                settings = _from_policy(policy)
                        found.append(
                            CORSSettings(
                                "corskit",
                                settings,
                                where,
                                given if policy is None else None,
                                list(inner_outside),
                                policy,
                            )
                        )
                    elif cls is not None:
                        inner_outside.append(_label(cls))
                # The built stack (if any) repeats user_middleware; do not walk into it.
                break
        nxt = getattr(obj, "app", None)
        if nxt is obj or not callable(nxt):
            break
        if (
            not (_is_corskit_cors(obj) or _is_starlette_cors(obj))
            and _label(obj) not in _BUILTIN_MIDDLEWARE
        ):
            outside.append(_label(obj))
        obj = nxt
        path += ".app"
    return found


def primary_settings(app: Any) -> CORSSettings | None:
    """The CORS middleware that answers requests first (the outermost one), or None."""
    found = find_cors_settings(app)
    return found[0] if found else None
