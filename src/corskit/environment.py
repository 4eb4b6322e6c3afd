"""The one reader of ``CORS_*`` environment variables and TOML tables: parsing, profiles,
and the problems they raise, for :meth:`corskit.CORSPolicy.from_env`, :mod:`corskit.settings`
and ``corskit lint`` alike.

It sits above :mod:`corskit.policy` in the core's stack (docs/architecture.md): it yields
settings values and builds a policy only through the class it is given.
"""

from __future__ import annotations

import difflib
import json
import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from .defaults import SETTING_NAMES
from .origins import is_loopback_host, parse_pattern
from .problems import CATALOGUE, CORSConfigError, CORSConfigWarning, Problem, escape

__all__ = [
    "DEV_PORTS",
    "PRODUCTION_MARKERS",
    "SettingsFileError",
    "SettingsSource",
    "build",
    "production_marker",
    "read_env",
    "read_toml",
]


class _Policy(Protocol):
    """What :func:`build` needs of the policy class it is given."""

    @property
    def warnings(self) -> tuple[Problem, ...]: ...


P = TypeVar("P", bound=_Policy)

#: Ports of the usual front-end development servers: Create React App / Next.js (3000,
#: 3001), Vite (5173, 5174, preview 4173), Angular (4200), Astro (4321), Live Server
#: (5500), Flask (5000), Django / uvicorn / webpack / Expo (8000, 8080, 8081).
DEV_PORTS = (3000, 3001, 4173, 4200, 4321, 5000, 5173, 5174, 5500, 8000, 8080, 8081)
DEV_HOSTS = ("localhost", "127.0.0.1", "[::1]")
PRODUCTION_MARKERS = (
    "ENV",
    "APP_ENV",
    "ENVIRONMENT",
    "PYTHON_ENV",
    "NODE_ENV",
    "FLASK_ENV",
    "DJANGO_ENV",
    "STAGE",
)
PROFILES = ("development", "production")

_LISTS = ("allow_origins", "allow_methods", "allow_headers", "expose_headers")
_BOOLS = (
    "allow_credentials",
    "allow_private_network",
    "dangerously_allow_null_origin",
    "dangerously_tolerate_insecure_origins",
    "dangerously_tolerate_public_suffix_wildcards",
)
_INTS = ("max_age", "preflight_status")
_STRINGS = ("allow_origin_regex",)
_ENV_SETTINGS = (*_LISTS, *_BOOLS, *_INTS, *_STRINGS)  # allow_origin_func: code only
_EXTRA = ("profile", "dev_ports")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _problem(code: str, field: str, value: object, fix: str | None = None) -> Problem:
    info = CATALOGUE[code]
    return Problem(code, field, escape(value), info.why, fix or info.fix, info.severity)


def parse_list(text: str) -> list[str]:
    """A comma-separated list (or a JSON array of strings); empty items dropped.

    >>> parse_list(" https://a.example , https://b.example,"), parse_list('["GET", "PUT"]')
    (['https://a.example', 'https://b.example'], ['GET', 'PUT'])
    """
    stripped = text.strip()
    if stripped.startswith("["):
        value = json.loads(stripped)
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise ValueError("a JSON array of strings")
        return [x.strip() for x in value if x.strip()]
    return [x.strip() for x in stripped.split(",") if x.strip()]


def parse_bool(text: str) -> bool:
    """``true/false``, ``1/0``, ``yes/no``, ``on/off``, any case."""
    low = text.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError("true or false")


def _parse_int(text: str, name: str) -> int | None:
    low = text.strip().lower()
    if name == "max_age" and low in ("none", "null"):
        return None
    try:
        return int(low, 10)
    except ValueError:
        raise ValueError("an integer" + (" or 'none'" if name == "max_age" else "")) from None


@dataclass(frozen=True)
class SettingsSource:
    """CORS settings as read from one place, before any policy is built: the one reader of
    ``CORS_*`` variables (:func:`read_env`) and TOML (:func:`read_toml`), shared by
    :meth:`CORSPolicy.from_env <corskit.CORSPolicy.from_env>` and ``corskit lint``.

    ``values`` are the parsed keyword settings (and ``dev_ports``), ``profile`` the profile
    asked for, ``problems`` what was wrong while reading (``env-value-invalid``,
    ``env-unknown-variable``), ``given`` the names that were set (variables or keys), and
    ``unknown`` the keys of a TOML table that are not settings."""

    where: str
    values: dict[str, Any] = field(default_factory=dict)
    profile: str | None = None
    problems: tuple[Problem, ...] = ()
    given: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    prefix: str = "CORS_"


class SettingsFileError(ValueError):
    """A settings file that cannot be read (``str()`` is one line)."""


def _parse_env_value(name: str, text: str) -> Any:
    if name in _LISTS:
        return parse_list(text)
    if name in _BOOLS:
        return parse_bool(text)
    if name in _INTS:
        return _parse_int(text, name)
    if name == "dev_ports":
        return [_port(x) for x in parse_list(text)]
    return text.strip()


def read_env(prefix: str = "CORS_", environ: Mapping[str, str] | None = None) -> SettingsSource:
    """Read the ``{prefix}*`` variables of *environ* (default ``os.environ``)."""
    env = os.environ if environ is None else environ
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    known = {prefix + name.upper() for name in (*_ENV_SETTINGS, *_EXTRA)}
    given = tuple(sorted(key for key in env if key.startswith(prefix)))
    for key in given:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.75)
            fix = f"Did you mean {close[0]}?" if close else None
            problems.append(_problem("env-unknown-variable", key, env[key], fix))
    for name in (*_ENV_SETTINGS, "dev_ports"):
        var = prefix + name.upper()
        text = env.get(var)
        if text is None or not text.strip():
            continue
        try:
            values[name] = _parse_env_value(name, text)
        except ValueError as exc:
            problems.append(_problem("env-value-invalid", var, text, f"Give {var} {exc}."))
    profile = env.get(prefix + "PROFILE", "").strip().lower() or None
    where = f"environment ({prefix}*)"
    return SettingsSource(where, values, profile, tuple(problems), given, prefix=prefix)


def _load_toml(path: str) -> dict[str, Any]:
    try:
        import tomllib as toml  # type: ignore[import-not-found,unused-ignore]
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as toml  # type: ignore[import-not-found,no-redef,unused-ignore]
        except ModuleNotFoundError:
            raise SettingsFileError(
                "reading TOML needs Python 3.11+ or the 'tomli' package"
            ) from None
    try:
        with open(path, "rb") as fh:
            data: dict[str, Any] = toml.load(fh)
    except OSError as exc:
        raise SettingsFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:  # tomllib.TOMLDecodeError
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SettingsFileError(f"{path} is not valid TOML: {first}") from None
    return data


def read_toml(path: str) -> SettingsSource:
    """Read the settings of a TOML file: a ``[cors]`` table, ``[tool.corskit]``
    (pyproject.toml), or top-level keys, named like the keywords (plus ``profile`` and
    ``dev_ports``).  Raises :class:`SettingsFileError`."""
    data = _load_toml(path)
    names = {*SETTING_NAMES, *_EXTRA}
    table: Any = data.get("cors")
    if table is None and isinstance(data.get("tool"), dict):
        table = data["tool"].get("corskit")
    if table is None:
        table = {k: v for k, v in data.items() if k in names}
    if not isinstance(table, dict) or not table:
        raise SettingsFileError(
            f"{path} has no CORS settings ([cors] table, [tool.corskit] or top-level keys)"
        )
    values = {k: v for k, v in table.items() if k in names and k != "profile"}
    problems: list[Problem] = []
    ports = values.get("dev_ports")
    if ports is not None and not (
        isinstance(ports, list) and all(type(x) is int and 0 < x < 65536 for x in ports)
    ):
        problems.append(_problem("wrong-type", "dev_ports", ports, "Give a list of port numbers."))
        del values["dev_ports"]
    profile = table.get("profile")
    if profile is not None and not isinstance(profile, str):
        problems.append(_problem("env-profile-invalid", "profile", profile))
    profile = (profile.strip().lower() or None) if isinstance(profile, str) else None
    unknown = tuple(k for k in table if k not in names)
    return SettingsSource(path, values, profile, tuple(problems), tuple(table), unknown, prefix="")


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError("ports from 1 to 65535")
    return int(text)


def production_marker(environ: Mapping[str, str]) -> str | None:
    """The name of the first variable that says "production", or None."""
    for name in PRODUCTION_MARKERS:
        if environ.get(name, "").strip().lower() in ("production", "prod"):
            return name
    return None


def _name(prefix: str, setting: str) -> str:
    """How *setting* is named where it was read: ``CORS_ALLOW_ORIGINS``, or ``allow_origins``
    in a TOML table (no prefix)."""
    return prefix + setting.upper() if prefix else setting


def _apply_profile(
    values: Mapping[str, Any],
    profile: str | None,
    env: Mapping[str, str],
    overrides: Mapping[str, Any] | None,
    problems: list[Problem],
    prefix: str,
) -> dict[str, Any]:
    """The keyword settings of *values* with *profile* applied and *overrides* on top; the
    profile's problems are appended to *problems*."""
    settings = {
        k: v for k, v in values.items() if k in SETTING_NAMES and (v is not None or k == "max_age")
    }
    dev_ports = values.get("dev_ports") or DEV_PORTS
    origins_given = bool(values.get("allow_origins")) or bool(values.get("allow_origin_regex"))
    if overrides:
        origins_given = (
            origins_given
            or bool(overrides.get("allow_origins"))
            or bool(overrides.get("allow_origin_func"))
        )
    if profile is not None and profile not in PROFILES:
        problems.append(_problem("env-profile-invalid", _name(prefix, "profile"), profile))
    elif profile == "development":
        local = [f"http://{host}:{port}" for port in dev_ports for host in DEV_HOSTS]
        settings["allow_origins"] = list(
            dict.fromkeys([*settings.get("allow_origins", []), *local])
        )
        settings.setdefault("allow_methods", ["*"])
        settings.setdefault("allow_headers", ["*"])
        marker = production_marker(env)
        if marker is not None:
            problems.append(
                _problem(
                    "env-development-in-production",
                    _name(prefix, "profile"),
                    "development",
                    f"{marker}={env.get(marker)} says production: set {_name(prefix, 'profile')}="
                    f"production and list the origins in {_name(prefix, 'allow_origins')}.",
                )
            )
    elif profile == "production":
        if not origins_given:
            problems.append(
                _problem("env-production-needs-origins", _name(prefix, "allow_origins"), "")
            )
        for origin in settings.get("allow_origins", []):
            pattern = parse_pattern(origin)[0] if isinstance(origin, str) else None
            if pattern is not None and pattern.host and is_loopback_host(pattern.host):
                problems.append(
                    _problem("env-localhost-in-production", _name(prefix, "allow_origins"), origin)
                )
    if overrides:
        settings.update(overrides)
    return settings


def build(
    values: Mapping[str, Any],
    profile: str | None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    problems: list[Problem] | None = None,
    *,
    prefix: str = "CORS_",
    stacklevel: int = 3,
    factory: Callable[..., P],
) -> P:
    """Apply *profile* to parsed *values* and build the policy with *factory* (the policy
    class: this module sits above :mod:`corskit.policy` and never imports it), reporting
    every problem (environment and policy) in one :class:`~corskit.CORSConfigError`."""
    env = os.environ if environ is None else environ
    problems = list(problems or [])
    settings = _apply_profile(values, profile, env, overrides, problems, prefix)
    errors = [p for p in problems if p.severity == "error"]
    env_warnings = [p for p in problems if p.severity == "warning"]
    try:
        with warnings.catch_warnings():
            if errors:  # the policy's warnings would only be noise beside the errors
                warnings.simplefilter("ignore", CORSConfigWarning)
            policy = factory(**settings)
    except CORSConfigError as exc:
        raise CORSConfigError([*errors, *exc.problems]) from None
    except TypeError as exc:  # an unknown keyword in overrides
        raise CORSConfigError([*errors, _problem("wrong-type", "overrides", str(exc))]) from None
    if errors:
        raise CORSConfigError(errors)
    if env_warnings:
        # The policy is immutable; its warnings tuple is completed before anyone sees it.
        object.__setattr__(policy, "warnings", (*policy.warnings, *env_warnings))
        for p in env_warnings:
            warnings.warn(f"corskit: {p}", CORSConfigWarning, stacklevel=stacklevel)
    return policy
