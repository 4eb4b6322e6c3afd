"""CORSPolicy: the settings, normalised, validated all at once, and compiled.

The keyword names and their meaning are Starlette's (``allow_origins``, ``allow_methods``,
``allow_headers``, ``allow_credentials``, ``allow_origin_regex``, ``allow_private_network``,
``expose_headers``, ``max_age``) wherever the Fetch standard agrees; ``docs/differences.md``
lists where it does not and why.

>>> policy = CORSPolicy(
...     allow_origins=["https://app.example.com", "http://localhost:*"],
...     allow_methods=["GET", "POST", "PATCH"],
...     allow_headers=["X-API-Key"],
...     allow_credentials=True,
... )
>>> policy.allow_headers
('x-api-key',)
>>> try:
...     CORSPolicy(allow_origins="https://app.example.com", allow_methods=["GET, POST"])
... except CORSConfigError as exc:
...     for problem in exc.problems:
...         print(problem.code, "->", problem.fix)
str-instead-of-list -> Use allow_origins=['https://app.example.com'].
method-invalid -> Use allow_methods=['GET', 'POST'].
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import headers as h
from .defaults import SETTING_NAMES, SETTINGS
from .dynamic import OriginFunction, as_origin_function
from .engine import Engine
from .environment import build, read_env
from .origins import (
    OriginMatcher,
    OriginPattern,
    check_regex,
    is_loopback_host,
    is_public_suffix,
    parse_pattern,
)
from .problems import CATALOGUE, CORSConfigError, CORSConfigWarning, Problem, escape

__all__ = ["SETTINGS", "SETTING_NAMES", "CORSPolicy"]

_DEFAULTS = SETTINGS


def _problem(code: str, field: str, value: object, fix: str | None = None) -> Problem:
    info = CATALOGUE[code]
    return Problem(code, field, escape(value), info.why, fix or info.fix, info.severity)


class CORSPolicy:
    """An immutable, validated CORS policy. Construction raises
    :class:`~corskit.CORSConfigError` listing every problem at once.

    Parameters keep Starlette's names and defaults:

    - ``allow_origins``: exact origins, ``"*"``, ``"https://*.example.com"`` (one or more
      subdomain labels) or ``"http://localhost:*"`` (any port).
    - ``allow_methods``: methods allowed on preflight; ``"*"`` allows any. GET, HEAD and
      POST never need allowing (Fetch: CORS-safelisted method).
    - ``allow_headers``: request headers allowed on preflight, case-insensitive; ``"*"``
      allows any except ``Authorization``, which must be listed (Fetch: CORS
      non-wildcard request-header name).
    - ``allow_credentials``: send ``Access-Control-Allow-Credentials: true``.
    - ``allow_origin_regex``: a full-match regular expression (patterns are safer).
    - ``allow_private_network``: answer legacy Private Network Access preflights.
    - ``expose_headers``: response headers scripts may read; ``"*"`` without credentials.
    - ``max_age``: preflight cache seconds, -1..86400 (-1 disables caching, ``None``
      sends no header).
    - ``preflight_status``: 204 (default) or 200 for legacy clients.
    - ``dangerously_*``: explicit opt-ins for choices that are risky but sometimes
      legitimate.
    - ``allow_origin_func``: a function ``(origin: str) -> bool`` (sync or async) or a
      :class:`corskit.dynamic.OriginFunction`, asked about origins the static settings
      do not allow (cached, with a timeout; see :mod:`corskit.dynamic`).

    :meth:`from_env` builds a policy from ``CORS_*`` environment variables.
    """

    __slots__ = (*SETTING_NAMES, "_frozen", "engine", "matcher", "warnings")

    allow_origins: tuple[str, ...]
    allow_methods: tuple[str, ...]
    allow_headers: tuple[str, ...]
    allow_credentials: bool
    allow_origin_regex: str | None
    allow_private_network: bool
    expose_headers: tuple[str, ...]
    max_age: int | None
    preflight_status: int
    dangerously_allow_null_origin: bool
    dangerously_tolerate_insecure_origins: bool
    dangerously_tolerate_public_suffix_wildcards: bool
    allow_origin_func: OriginFunction | None
    warnings: tuple[Problem, ...]
    matcher: OriginMatcher
    engine: Engine

    def __init__(
        self,
        allow_origins: Iterable[str] = (),
        allow_methods: Iterable[str] = ("GET",),
        allow_headers: Iterable[str] = (),
        allow_credentials: bool = False,
        allow_origin_regex: str | None = None,
        allow_private_network: bool = False,
        expose_headers: Iterable[str] = (),
        max_age: int | None = 600,
        *,
        preflight_status: int = 204,
        dangerously_allow_null_origin: bool = False,
        dangerously_tolerate_insecure_origins: bool = False,
        dangerously_tolerate_public_suffix_wildcards: bool = False,
        allow_origin_func: Callable[..., Any] | OriginFunction | None = None,
    ) -> None:
        given = {name: value for name, value in locals().items() if name in SETTINGS}
        values, checked = _validate(given)
        set_ = object.__setattr__
        for name, value in values.items():
            set_(self, name, value)
        found_warnings = tuple(p for p in checked.problems if p.severity == "warning")
        set_(self, "warnings", found_warnings)
        set_(self, "matcher", OriginMatcher(list(checked.patterns), checked.regex))
        set_(self, "engine", self._compile())
        set_(self, "_frozen", True)
        for w in found_warnings:
            warnings.warn(f"corskit: {w}", CORSConfigWarning, stacklevel=2)

    def _compile(self) -> Engine:
        """The engine for these (validated) settings, from explicit inputs."""
        return Engine(
            matcher=self.matcher,
            allow_origins=self.allow_origins,
            allow_methods=self.allow_methods,
            allow_headers=self.allow_headers,
            allow_credentials=self.allow_credentials,
            allow_private_network=self.allow_private_network,
            expose_headers=self.expose_headers,
            max_age=self.max_age,
            preflight_status=self.preflight_status,
            origin_func=self.allow_origin_func,
            null_to_func=self.dangerously_allow_null_origin,
        )

    @classmethod
    def from_env(
        cls, prefix: str = "CORS_", environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> CORSPolicy:
        """A policy from environment variables (``CORS_ALLOW_ORIGINS``, ``CORS_PROFILE``, ...).

        Lists are comma-separated (or JSON arrays), booleans ``true``/``false``/``1``/``0``,
        ``CORS_PROFILE=development|production`` picks a profile; *overrides* (keyword
        settings, e.g. ``allow_origin_func``) win over the environment. See
        :mod:`corskit.settings`.

        >>> CORSPolicy.from_env(environ={"CORS_ALLOW_ORIGINS": "https://a.example, https://b.example"}).allow_origins
        ('https://a.example', 'https://b.example')
        """
        source = read_env(prefix, environ)
        problems = list(source.problems)
        return build(
            source.values, source.profile, environ, overrides, problems, prefix=prefix, factory=cls
        )

    # -- immutability and value semantics ------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("CORSPolicy is immutable; use policy.replace(...) for a changed copy")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("CORSPolicy is immutable")

    def settings(self) -> dict[str, Any]:
        """The normalised settings as keyword arguments: ``CORSPolicy(**p.settings()) == p``."""
        return {name: getattr(self, name) for name in SETTING_NAMES}

    def replace(self, **changes: Any) -> CORSPolicy:
        """A new, validated policy with *changes* applied."""
        return CORSPolicy(**{**self.settings(), **changes})

    @property
    def allows_all_origins(self) -> bool:
        """True for ``allow_origins=["*"]``."""
        return self.matcher.allows_all

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CORSPolicy) and self.settings() == other.settings()

    def __hash__(self) -> int:
        return hash(tuple(sorted((k, repr(v)) for k, v in self.settings().items())))

    def __repr__(self) -> str:
        defaults = _DEFAULTS
        shown = []
        for name, value in self.settings().items():
            if name in defaults and defaults[name] == value:
                continue
            shown.append(f"{name}={list(value) if isinstance(value, tuple) else value!r}")
        return f"CORSPolicy({', '.join(shown)})"


def _string_list(field: str, value: object, problems: list[Problem]) -> list[str]:
    """Accept a collection of str; refuse a bare str (the substring-match trap)."""
    if isinstance(value, (str, bytes)):
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        items = [x.strip() for x in text.split(",") if x.strip()] or [text]
        problems.append(_problem("str-instead-of-list", field, text, f"Use {field}={items!r}."))
        return []
    try:
        items = list(value)  # type: ignore[call-overload]
    except TypeError:
        problems.append(_problem("wrong-type", field, value, f"Give {field} a list of strings."))
        return []
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        else:
            problems.append(
                _problem("wrong-type", field, item, f"Every item of {field} must be a str.")
            )
    return out


# --- one check per setting -------------------------------------------------------------


class _Checking:
    """The settings being validated: raw values in, problems and compiled parts out."""

    def __init__(self, given: dict[str, Any]) -> None:
        self.given = given
        self.problems: list[Problem] = []
        self.patterns: list[OriginPattern] = []
        self.regex: re.Pattern[str] | None = None
        self.lists: dict[str, list[str]] = {}

    def flag(self, name: str) -> bool:
        return self.given[name] is True

    def add(self, code: str, field: str, value: object, fix: str | None = None) -> None:
        self.problems.append(_problem(code, field, value, fix))


def _check_bool(c: _Checking, name: str, value: Any) -> Any:
    if not isinstance(value, bool):
        c.add("wrong-type", name, value, f"Use {name}={bool(value)!r} (a bool).")
    return value is True if name == "allow_credentials" else value


def _check_origins(c: _Checking, name: str, value: Any) -> tuple[str, ...]:
    for text in c.lists[name]:
        pattern, found = parse_pattern(text, allow_null=c.flag("dangerously_allow_null_origin"))
        c.problems += found
        if pattern is not None:
            c.patterns.append(pattern)
    if c.flag("allow_credentials"):
        _credentialed_origins(c)
    return tuple(dict.fromkeys(p.text for p in c.patterns))


def _credentialed_origins(c: _Checking) -> None:
    if any(p.kind == "any" for p in c.patterns):
        c.add(
            "wildcard-origin-with-credentials",
            "allow_origins",
            "*",
            "List the trusted origins, e.g. allow_origins=['https://app.example.com'], or set allow_credentials=False.",
        )
    for p in c.patterns:
        if p.kind == "null":
            c.add(
                "origin-null",
                "allow_origins",
                "null",
                "dangerously_allow_null_origin cannot be combined with allow_credentials=True: any page can "
                "send 'Origin: null' and would read your users' data. Remove 'null' or set allow_credentials=False.",
            )
            continue
        insecure = p.scheme != "https" and not is_loopback_host(p.host)
        if (
            p.kind in ("exact", "subdomains")
            and insecure
            and not c.given["dangerously_tolerate_insecure_origins"]
        ):
            c.add(
                "insecure-origin-with-credentials",
                "allow_origins",
                p.text,
                f"Use '{p.text.replace(p.scheme + '://', 'https://', 1)}', or opt in with "
                "dangerously_tolerate_insecure_origins=True.",
            )
        if (
            p.kind == "subdomains"
            and is_public_suffix(p.host)
            and not c.given["dangerously_tolerate_public_suffix_wildcards"]
        ):
            c.add("public-suffix-wildcard-with-credentials", "allow_origins", p.text)


def _check_regex(c: _Checking, name: str, value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        c.add("wrong-type", name, value, "Give a str or None.")
        return value
    c.regex, found = check_regex(
        value,
        credentials=c.flag("allow_credentials"),
        tolerate_insecure=c.flag("dangerously_tolerate_insecure_origins"),
        tolerate_public_suffix=c.flag("dangerously_tolerate_public_suffix_wildcards"),
    )
    c.problems += found
    return value


def _check_methods(c: _Checking, name: str, value: Any) -> tuple[str, ...]:
    out: list[str] = []
    for m in c.lists[name]:
        if m == "*":
            out.append(m)
        elif not h.is_token(m):
            fix = None
            if "," in m or " " in m:
                fix = f"Use allow_methods={[x for x in m.replace(',', ' ').split() if x]!r}."
            c.add("method-invalid", name, m, fix)
        elif m.upper() in h.FORBIDDEN_METHODS:
            c.add("method-forbidden", name, m)
        else:
            normalised = h.normalize_method(m)  # Fetch: normalize a method
            if normalised == m and m != m.upper():
                c.add(
                    "method-lowercase",
                    name,
                    m,
                    f"Use {m.upper()!r} (and write method: '{m.upper()}' in fetch()).",
                )
            out.append(normalised)
    return tuple(dict.fromkeys(out))


def _check_request_headers(c: _Checking, name: str, value: Any) -> tuple[str, ...]:
    out: list[str] = []
    for header in c.lists[name]:
        low = header.lower()
        if header == "*":
            out.append(header)
        elif not h.is_token(header):
            fix = None
            if "," in header:
                fix = f"Use allow_headers={[x.strip() for x in header.split(',') if x.strip()]!r}."
            c.add("header-invalid", name, header, fix)
        elif low in h.CORS_RESPONSE_HEADER_NAMES:
            c.add("header-response-only", name, header)
        elif h.is_forbidden_request_header(low):
            c.add("header-forbidden", name, header)
        else:
            if any(ch in header for ch in "*^$|") or ".+" in header:
                c.add("header-name-pattern", name, header)
            out.append(low)
    return tuple(dict.fromkeys(out))


def _check_exposed(c: _Checking, name: str, value: Any) -> tuple[str, ...]:
    out: list[str] = []
    for header in c.lists[name]:
        low = header.lower()
        if header == "*":
            if c.flag("allow_credentials"):
                c.add("expose-wildcard-with-credentials", name, header)
            else:
                out.append(header)
        elif not h.is_token(header):
            c.add("expose-header-invalid", name, header)
        elif low in h.FORBIDDEN_RESPONSE_HEADER_NAMES:
            c.add("expose-header-forbidden", name, header)
        elif low in h.NOT_EXPOSABLE_HEADER_NAMES:
            c.add("expose-header-prohibited", name, header)
        elif low not in h.SAFELISTED_RESPONSE_HEADER_NAMES:  # always readable anyway
            out.append(low)
    return tuple(dict.fromkeys(out))


def _check_origin_func(c: _Checking, name: str, value: Any) -> OriginFunction | None:
    origin_func, found = as_origin_function(value)
    c.problems += found
    if origin_func is None:
        return None
    allows_all = any(p.kind == "any" for p in c.patterns)
    credentials = c.flag("allow_credentials")
    if allows_all and not credentials:
        c.add("origin-func-unreachable", name, origin_func)
    elif credentials and not allows_all:
        # Start-up probe: origins nobody can own. A function allowing them allows
        # everyone, which with credentials is the '*' + credentials hole.
        allowed, failure = origin_func.probe(include_null=c.flag("dangerously_allow_null_origin"))
        if allowed:
            c.add(
                "origin-func-allows-everything",
                name,
                origin_func,
                f"It allowed {', '.join(repr(o) for o in allowed)} at start-up: return True only "
                "for origins you trust (or set allow_credentials=False).",
            )
        elif failure:
            fix = f"{CATALOGUE['origin-func-probe-failed'].fix} (probe: {failure})"
            c.add("origin-func-probe-failed", name, origin_func, fix)
    return origin_func


def _check_max_age(c: _Checking, name: str, value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        c.add("wrong-type", name, value, "Give an int from -1 to 86400, or None.")
    elif not -1 <= value <= 86400:
        c.add("max-age-out-of-range", name, value)
    elif value > 7200:
        c.add("max-age-above-chromium-cap", name, value)
    return value


def _check_preflight_status(c: _Checking, name: str, value: Any) -> Any:
    if value not in (200, 204) or isinstance(value, bool):
        c.add("preflight-status-invalid", name, value)
    return value


_Check = Callable[[_Checking, str, Any], Any]

# The order problems are found in: flags first (the others read them), then the lists.
_CHECKS: dict[str, _Check] = {
    "allow_credentials": _check_bool,
    "allow_private_network": _check_bool,
    "dangerously_allow_null_origin": _check_bool,
    "dangerously_tolerate_insecure_origins": _check_bool,
    "dangerously_tolerate_public_suffix_wildcards": _check_bool,
    "allow_origins": _check_origins,
    "allow_origin_regex": _check_regex,
    "allow_methods": _check_methods,
    "allow_headers": _check_request_headers,
    "expose_headers": _check_exposed,
    "allow_origin_func": _check_origin_func,
    "max_age": _check_max_age,
    "preflight_status": _check_preflight_status,
}
_LISTS = ("allow_origins", "allow_methods", "allow_headers", "expose_headers")


def _validate(given: dict[str, Any]) -> tuple[dict[str, Any], _Checking]:
    """Every setting checked and normalised; raises CORSConfigError with every problem."""
    c = _Checking(given)
    for name in _LISTS:
        c.lists[name] = _string_list(name, given[name], c.problems)
    values = {name: check(c, name, given[name]) for name, check in _CHECKS.items()}
    errors = [p for p in c.problems if p.severity == "error"]
    if (
        not c.patterns
        and given["allow_origin_regex"] is None
        and values["allow_origin_func"] is None
        and not errors
    ):
        c.add("no-origins-allowed", "allow_origins", "()")
    if errors:
        raise CORSConfigError(errors)
    return {name: values[name] for name in SETTINGS}, c
