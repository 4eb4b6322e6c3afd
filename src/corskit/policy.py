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

import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import headers as h
from .dynamic import OriginFunction, as_origin_function
from .engine import Engine
from .origins import (
    OriginMatcher,
    OriginPattern,
    check_regex,
    is_loopback_host,
    is_public_suffix,
    parse_pattern,
)
from .problems import CATALOGUE, CORSConfigError, CORSConfigWarning, Problem, escape

__all__ = ["SETTING_NAMES", "CORSPolicy"]

SETTING_NAMES = (
    "allow_origins",
    "allow_methods",
    "allow_headers",
    "allow_credentials",
    "allow_origin_regex",
    "allow_private_network",
    "expose_headers",
    "max_age",
    "preflight_status",
    "dangerously_allow_null_origin",
    "dangerously_tolerate_insecure_origins",
    "dangerously_tolerate_public_suffix_wildcards",
    "allow_origin_func",
)


_DEFAULTS: dict[str, Any] = {
    "allow_origins": (),
    "allow_methods": ("GET",),
    "allow_headers": (),
    "allow_credentials": False,
    "allow_origin_regex": None,
    "allow_private_network": False,
    "expose_headers": (),
    "max_age": 600,
    "preflight_status": 204,
    "dangerously_allow_null_origin": False,
    "dangerously_tolerate_insecure_origins": False,
    "dangerously_tolerate_public_suffix_wildcards": False,
    "allow_origin_func": None,
}


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
        problems: list[Problem] = []
        bools = {
            "allow_credentials": allow_credentials,
            "allow_private_network": allow_private_network,
            "dangerously_allow_null_origin": dangerously_allow_null_origin,
            "dangerously_tolerate_insecure_origins": dangerously_tolerate_insecure_origins,
            "dangerously_tolerate_public_suffix_wildcards": dangerously_tolerate_public_suffix_wildcards,
        }
        for name, value in bools.items():
            if not isinstance(value, bool):
                problems.append(_problem("wrong-type", name, value, f"Use {name}={bool(value)!r} (a bool)."))
        credentials = allow_credentials is True

        origins = _string_list("allow_origins", allow_origins, problems)
        methods = _string_list("allow_methods", allow_methods, problems)
        request_headers = _string_list("allow_headers", allow_headers, problems)
        exposed = _string_list("expose_headers", expose_headers, problems)

        # Origins ------------------------------------------------------------------------
        patterns: list[OriginPattern] = []
        for text in origins:
            pattern, found = parse_pattern(text, allow_null=dangerously_allow_null_origin is True)
            problems += found
            if pattern is not None:
                patterns.append(pattern)
        allows_all = any(p.kind == "any" for p in patterns)
        if credentials:
            if allows_all:
                problems.append(
                    _problem(
                        "wildcard-origin-with-credentials",
                        "allow_origins",
                        "*",
                        "List the trusted origins, e.g. allow_origins=['https://app.example.com'], "
                        "or set allow_credentials=False.",
                    )
                )
            for p in patterns:
                if p.kind == "null":
                    problems.append(
                        _problem(
                            "origin-null",
                            "allow_origins",
                            "null",
                            "dangerously_allow_null_origin cannot be combined with allow_credentials=True: "
                            "any page can send 'Origin: null' and would read your users' data. Remove "
                            "'null' or set allow_credentials=False.",
                        )
                    )
                    continue
                if (
                    p.kind in ("exact", "subdomains")
                    and p.scheme != "https"
                    and not is_loopback_host(p.host)
                    and not dangerously_tolerate_insecure_origins
                ):
                    problems.append(
                        _problem(
                            "insecure-origin-with-credentials",
                            "allow_origins",
                            p.text,
                            f"Use '{p.text.replace(p.scheme + '://', 'https://', 1)}', or opt in with "
                            "dangerously_tolerate_insecure_origins=True.",
                        )
                    )
                if (
                    p.kind == "subdomains"
                    and is_public_suffix(p.host)
                    and not dangerously_tolerate_public_suffix_wildcards
                ):
                    problems.append(_problem("public-suffix-wildcard-with-credentials", "allow_origins", p.text))

        regex = None
        if allow_origin_regex is not None:
            if not isinstance(allow_origin_regex, str):
                problems.append(_problem("wrong-type", "allow_origin_regex", allow_origin_regex, "Give a str or None."))
            else:
                regex, found = check_regex(
                    allow_origin_regex,
                    credentials=credentials,
                    tolerate_insecure=dangerously_tolerate_insecure_origins is True,
                    tolerate_public_suffix=dangerously_tolerate_public_suffix_wildcards is True,
                )
                problems += found

        # Methods ------------------------------------------------------------------------
        norm_methods: list[str] = []
        for m in methods:
            if m == "*":
                norm_methods.append(m)
            elif not h.is_token(m):
                fix = None
                if "," in m or " " in m:
                    parts = [x for x in m.replace(",", " ").split() if x]
                    fix = f"Use allow_methods={parts!r}."
                problems.append(_problem("method-invalid", "allow_methods", m, fix))
            elif m.upper() in h.FORBIDDEN_METHODS:
                problems.append(_problem("method-forbidden", "allow_methods", m))
            else:
                normalised = h.normalize_method(m)  # Fetch: normalize a method
                if normalised == m and m != m.upper():
                    problems.append(
                        _problem("method-lowercase", "allow_methods", m, f"Use {m.upper()!r} (and write "
                                 f"method: '{m.upper()}' in fetch()).")
                    )
                norm_methods.append(normalised)

        # Request headers ----------------------------------------------------------------
        norm_headers: list[str] = []
        for name in request_headers:
            low = name.lower()
            if name == "*":
                norm_headers.append(name)
            elif not h.is_token(name):
                fix = None
                if "," in name:
                    fix = f"Use allow_headers={[x.strip() for x in name.split(',') if x.strip()]!r}."
                problems.append(_problem("header-invalid", "allow_headers", name, fix))
            elif low in h.CORS_RESPONSE_HEADER_NAMES:
                problems.append(_problem("header-response-only", "allow_headers", name))
            elif h.is_forbidden_request_header(low):
                problems.append(_problem("header-forbidden", "allow_headers", name))
            else:
                norm_headers.append(low)

        # Exposed headers ----------------------------------------------------------------
        norm_exposed: list[str] = []
        for name in exposed:
            low = name.lower()
            if name == "*":
                if credentials:
                    problems.append(_problem("expose-wildcard-with-credentials", "expose_headers", name))
                else:
                    norm_exposed.append(name)
            elif not h.is_token(name):
                problems.append(_problem("expose-header-invalid", "expose_headers", name))
            elif low in h.FORBIDDEN_RESPONSE_HEADER_NAMES:
                problems.append(_problem("expose-header-forbidden", "expose_headers", name))
            elif low in h.NOT_EXPOSABLE_HEADER_NAMES:
                problems.append(_problem("expose-header-prohibited", "expose_headers", name))
            elif low not in h.SAFELISTED_RESPONSE_HEADER_NAMES:  # always readable anyway
                norm_exposed.append(low)

        # Dynamic origins (corskit.dynamic) ----------------------------------------------------
        origin_func, found = as_origin_function(allow_origin_func)
        problems += found
        if origin_func is not None:
            if allows_all and not credentials:
                problems.append(_problem("origin-func-unreachable", "allow_origin_func", origin_func))
            elif credentials and not allows_all:
                # Start-up probe: origins nobody can own. A function allowing them allows
                # everyone, which with credentials is the '*' + credentials hole.
                allowed, failure = origin_func.probe(include_null=dangerously_allow_null_origin is True)
                if allowed:
                    problems.append(
                        _problem(
                            "origin-func-allows-everything",
                            "allow_origin_func",
                            origin_func,
                            f"It allowed {', '.join(repr(o) for o in allowed)} at start-up: return True only "
                            "for origins you trust (or set allow_credentials=False).",
                        )
                    )
                elif failure:
                    problems.append(
                        _problem(
                            "origin-func-probe-failed",
                            "allow_origin_func",
                            origin_func,
                            f"{CATALOGUE['origin-func-probe-failed'].fix} (probe: {failure})",
                        )
                    )

        # max_age, preflight_status --------------------------------------------------------
        found_warnings: list[Problem] = [p for p in problems if p.severity == "warning"]
        problems = [p for p in problems if p.severity == "error"]
        if max_age is not None:
            if not isinstance(max_age, int) or isinstance(max_age, bool):
                problems.append(_problem("wrong-type", "max_age", max_age, "Give an int from -1 to 86400, or None."))
            elif not -1 <= max_age <= 86400:
                problems.append(_problem("max-age-out-of-range", "max_age", max_age))
            elif max_age > 7200:
                found_warnings.append(_problem("max-age-above-chromium-cap", "max_age", max_age))
        if preflight_status not in (200, 204) or isinstance(preflight_status, bool):
            problems.append(_problem("preflight-status-invalid", "preflight_status", preflight_status))
        if not patterns and allow_origin_regex is None and origin_func is None and not problems:
            found_warnings.append(_problem("no-origins-allowed", "allow_origins", "()"))

        if problems:
            raise CORSConfigError(problems)

        set_ = object.__setattr__
        set_(self, "allow_origins", tuple(dict.fromkeys(p.text for p in patterns)))
        set_(self, "allow_methods", tuple(dict.fromkeys(norm_methods)))
        set_(self, "allow_headers", tuple(dict.fromkeys(norm_headers)))
        set_(self, "allow_credentials", credentials)
        set_(self, "allow_origin_regex", allow_origin_regex)
        set_(self, "allow_private_network", allow_private_network)
        set_(self, "expose_headers", tuple(dict.fromkeys(norm_exposed)))
        set_(self, "max_age", max_age)
        set_(self, "preflight_status", preflight_status)
        set_(self, "dangerously_allow_null_origin", dangerously_allow_null_origin)
        set_(self, "dangerously_tolerate_insecure_origins", dangerously_tolerate_insecure_origins)
        set_(self, "dangerously_tolerate_public_suffix_wildcards", dangerously_tolerate_public_suffix_wildcards)
        set_(self, "allow_origin_func", origin_func)
        set_(self, "warnings", tuple(found_warnings))
        set_(self, "matcher", OriginMatcher(list(patterns), regex))
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
        from .settings import policy_from_env

        return policy_from_env(prefix=prefix, environ=environ, **overrides)

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
            problems.append(_problem("wrong-type", field, item, f"Every item of {field} must be a str."))
    return out
