"""Every method and header a refused preflight lacks, in one fix.

A preflight can be refused for its method and for several request headers at once; the
browser names only the first (Fetch standard, CORS-preflight fetch:
https://fetch.spec.whatwg.org/#cors-preflight-fetch). Fixing one at a time takes as many
round trips as there are causes, so the diagnosis lists them all and gives one change that
allows all of them while keeping every method and header the configuration already allows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from .fetch.spec import SAFELISTED_METHODS
from .layers import starlette
from .origin_spelling import move_to_regex

__all__ = [
    "combined_fix",
    "invalid_config",
    "listed_origin_gaps",
    "moved_patterns",
    "origin_patterns",
    "with_origin",
]

_SAFELISTED_NAMES = starlette.ALWAYS_ALLOWED_HEADERS


def _fmt(values: Iterable[str]) -> str:
    return json.dumps(list(values))


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _missing_method(method: str, allowed: list[str], from_settings: bool) -> bool:
    if "*" in allowed or method in allowed:
        return False
    # A browser never needs a safelisted method in Access-Control-Allow-Methods; the
    # server's settings may still refuse it (Starlette compares every preflight's method).
    return from_settings or method not in SAFELISTED_METHODS


def _missing_headers(unsafe: Iterable[str], allowed: list[str], echoes: bool) -> list[str]:
    """The request headers *allowed* does not cover; *echoes*: the layer answers a ``"*"``
    setting with the requested names (Starlette, flask-cors, Litestar), not a literal ``*``."""
    listed = {a.lower() for a in allowed}
    out = []
    for name in sorted(unsafe):
        if name in _SAFELISTED_NAMES or name in listed:
            continue
        # A literal * never covers Authorization (Fetch standard, CORS-preflight fetch).
        if "*" in listed and (echoes or name != "authorization"):
            continue
        out.append(name)
    return out


def _keep_and_add(allowed: list[str], extra: list[str]) -> list[str]:
    """*allowed* with *extra* appended (a lone wildcard is replaced, never narrowed)."""
    if "*" in allowed:
        return [*allowed, *[e for e in extra if e not in allowed]]
    out = list(allowed)
    for item in extra:
        if item not in out:
            out.append(item)
    return out


def _allowed(causes: Any, setting: str, header: str, default: list[str]) -> tuple[list[str], bool]:
    """What the configuration allows (the settings found, else the failed response)."""
    if causes.s is not None:
        return causes.setting(setting), True
    resp = causes.o.failed_response
    if resp is not None and resp.get(header) is not None:
        return _split(resp.get(header)), False
    return list(default), False


def _gaps(causes: Any) -> tuple[list[str], list[str]]:
    """(causes, changes) for every method, header and credentials setting the request lacks."""
    parts: list[str] = []
    changes: list[str] = []
    method = causes.method
    methods, known = _allowed(causes, "allow_methods", "access-control-allow-methods", ["GET"])
    headers, _ = _allowed(causes, "allow_headers", "access-control-allow-headers", [])
    preflight = method not in SAFELISTED_METHODS or bool(causes.unsafe)
    if preflight and method == method.upper() and _missing_method(method, methods, known):
        parts.append(
            f"{method} is not in allow_methods={_fmt(methods)}"
            if known
            else f"the preflight response allows the methods {_fmt(methods)}, not {method}"
        )
        changes.append(f"allow_methods={_fmt(_keep_and_add(methods, [method]))}")
    echoes = causes.s is not None and causes.s.kind != "corskit"
    missing = _missing_headers(causes.unsafe, headers, echoes)
    if missing:
        names = ", ".join(f"'{m}'" for m in missing)
        verb = "are" if len(missing) > 1 else "is"
        plural = "s" if len(missing) > 1 else ""
        parts.append(
            f"the request header{plural} {names} {verb} not in allow_headers={_fmt(headers)}"
        )
        changes.append(f"allow_headers={_fmt(_keep_and_add(headers, missing))}")
    include = causes.o.request.credentials == "include"
    if include and causes.s is not None and not causes.s.get("allow_credentials"):
        parts.append("the page sends credentials but allow_credentials is False")
        changes.append("allow_credentials=True")
    return parts, changes


def combined_fix(causes: Any, minimum: int = 2) -> tuple[str, str] | None:
    """(cause, fix) naming every method, header and credentials setting the request lacks,
    or None when fewer than *minimum* are missing (the single finding says it already)."""
    if causes.method != causes.method.upper():
        return None
    parts, changes = _gaps(causes)
    if len(parts) < max(minimum, 1):
        return None
    if len(parts) == 1:
        return parts[0], changes[0]
    cause = "; ".join(parts) + " (a browser names at most one of them)"
    return cause, "allow all of them at once: " + ", ".join(changes)


def with_origin(causes: Any, cause: str, fix: str) -> tuple[str, str]:
    """An origin finding's (cause, fix) extended with everything else the request lacks, so
    that one change allows it."""
    parts, changes = _gaps(causes)
    if not parts:
        return cause, fix
    return "; ".join([cause, *parts]), ", ".join([fix, *changes])


def listed_origin_gaps(causes: Any) -> tuple[str, str, str, str] | None:
    """(code, cause, fix, setting) when the origin is listed but the layer still sent no
    Access-Control-Allow-Origin because something else is missing (Litestar answers a
    preflight for a method it does not allow without one), or None."""
    parts, changes = _gaps(causes)
    if not parts:
        return None
    first = changes[0].split("=", 1)[0]
    code = {"allow_methods": "method-not-allowed", "allow_headers": "header-not-allowed"}
    cause = f"the origin {causes.origin} is listed, but " + "; ".join(parts)
    fix = (
        ", ".join(changes)
        if len(changes) == 1
        else "allow all of them at once: " + ", ".join(changes)
    )
    return code.get(first, "credentials-not-allowed"), cause, fix, first


def invalid_config(settings: Any) -> tuple[str, str, str, None] | None:
    """(code, cause, fix, setting) when the corskit layer found cannot build its policy: every
    problem of its ``CORSConfigError`` and the fix of each, or None."""
    layer = getattr(settings, "layer", None)
    if layer is None or layer.model != "corskit" or getattr(layer, "policy", 1) is not None:
        return None
    from ..policy import CORSPolicy
    from ..problems import CORSConfigError

    given = {k: v for k, v in (settings.given or layer.native or {}).items()}
    try:
        CORSPolicy(**given)
    except CORSConfigError as exc:
        problems = exc.problems
    except Exception:
        return None
    else:
        return None
    n = len(problems)
    listed = "; ".join(f"[{p.code}] {p.field}: {p.why.rstrip('.')}" for p in problems)
    cause = (
        f"corskit refused its configuration ({settings.class_name} at {settings.where}) with"
        f" {n} problem{'s' if n != 1 else ''}, so the app fails before answering and no CORS"
        f" header is sent: {listed}"
    )
    fix = " ".join(f"[{p.code}] {p.fix}" for p in problems)
    return "cors-config-invalid", cause, fix, None


# Layers whose allow_origins is a list of literal origins, with a separate regex setting.
_LITERAL_LISTS = ("starlette", "django-cors-headers", "litestar")
_REGEX_MARKS = ("\\", ".*", ".+", "[", "(", "^", "$", "|", "?", "{")


def origin_patterns(configured: Iterable[str], *, globs: bool = True) -> list[str]:
    """The entries of a literal origin list written as patterns (a regex, or with *globs* a
    ``*`` glob): they never match what a browser sends."""
    return [
        e
        for e in configured
        if e != "*" and ((globs and "*" in e) or any(m in e for m in _REGEX_MARKS))
    ]


def _as_regex(pattern: str) -> str:
    if any(m in pattern for m in _REGEX_MARKS):
        return pattern
    return re.escape(pattern).replace(r"\*", "[a-z0-9-]+")  # a glob: one DNS label per *


def _fullmatch(regex: str, origin: str) -> bool:
    try:
        return re.fullmatch(regex, origin) is not None
    except re.error:
        return False


def moved_patterns(causes: Any, configured: list[str]) -> tuple[str, str] | None:
    """(cause, fix) when the literal origin list holds patterns: the fix moves them to the
    regex setting (kept with the one already there) instead of leaving them dead beside the
    origin; the origin is added to the list only if no pattern matches it."""
    settings = causes.s
    if settings is None or settings.kind not in _LITERAL_LISTS:
        return None
    # Litestar reads a * in an entry as "anything" (.*): only regular expressions are dead there.
    patterns = origin_patterns(configured, globs=settings.kind != "litestar")
    if not patterns:
        return None
    origin = causes.origin
    regexes = [_as_regex(p) for p in patterns]
    literal, combined = move_to_regex(
        configured, patterns, regexes, settings.get("allow_origin_regex")
    )
    if not _fullmatch(combined, origin):
        literal.append(origin)
    many = len(patterns) > 1
    cause = (
        f"allow_origins has {_fmt(patterns)}, written as {'patterns' if many else 'a pattern'};"
        f" allow_origins is compared literally, so {'they never match' if many else 'it never matches'},"
        f" and the origin {origin} is not among the other entries"
    )
    fix = f"allow_origins={_fmt(literal)}, allow_origin_regex={json.dumps(combined)}"
    return with_origin(causes, cause, fix)
