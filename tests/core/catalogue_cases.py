"""One triggering configuration per code of ``corskit.problems.CATALOGUE``.

Used by ``test_problems.py`` (each code is raised, on the right field, with a concrete
fix) and by ``errors_doc.py``, which renders ``docs/errors.md`` from the catalogue and
these examples. A new catalogue code needs an entry here, or both fail.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from typing import Any

from corskit import CORSConfigError, CORSConfigWarning, Problem

APP = "https://app.example.com"


@dataclass(frozen=True)
class Case:
    """Code that triggers exactly one problem, and what to expect of it.

    ``snippet`` is self-contained Python; its last line is an expression (a policy, or
    anything that raises :class:`CORSConfigError`).
    ``value`` is None when it is not predictable (the repr of a function).
    """

    snippet: str
    field: str
    value: str | None
    fix_mentions: tuple[str, ...] = dataclasses.field(default=())


def _literal(value: Any) -> str:
    if isinstance(value, str) and "\\" in value and "'" not in value:
        return f"r'{value}'"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return repr(value)


def _policy(
    settings: dict[str, Any], field: str, value: str | None, fix_mentions: tuple[str, ...] = ()
) -> Case:
    args = ", ".join(f"{k}={_literal(v)}" for k, v in settings.items())
    return Case(f"from corskit import CORSPolicy\n\nCORSPolicy({args})", field, value, fix_mentions)


def run(snippet: str) -> tuple[tuple[Problem, ...], list[str]]:
    """Run *snippet*: the problems it raised (or the warnings its policy holds), and the
    messages of the :class:`CORSConfigWarning` warnings it issued."""
    namespace: dict[str, Any] = {}
    *body, last = snippet.strip().splitlines()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        exec("\n".join(body), namespace)
        try:
            result = eval(last, namespace)
        except CORSConfigError as exc:
            return exc.problems, []
    messages = [str(w.message) for w in seen if issubclass(w.category, CORSConfigWarning)]
    return tuple(getattr(result, "warnings", ())), messages


CASES: dict[str, Case] = {
    # --- types ---------------------------------------------------------------------------
    "str-instead-of-list": _policy(
        {"allow_origins": "https://app.example.com"},
        "allow_origins",
        "https://app.example.com",
        ("allow_origins=['https://app.example.com']",),
    ),
    "wrong-type": _policy(
        {"allow_origins": [APP], "allow_credentials": "yes"},
        "allow_credentials",
        "yes",
        ("allow_credentials=True",),
    ),
    # --- origins -------------------------------------------------------------------------
    "wildcard-origin-with-credentials": _policy(
        {"allow_origins": ["*"], "allow_credentials": True},
        "allow_origins",
        "*",
        ("allow_origins=['https://app.example.com']", "allow_credentials=False"),
    ),
    "origin-missing-scheme": _policy(
        {"allow_origins": ["app.example.com"]},
        "allow_origins",
        "app.example.com",
        ("'https://app.example.com'",),
    ),
    "origin-trailing-slash": _policy(
        {"allow_origins": ["https://app.example.com/"]},
        "allow_origins",
        "https://app.example.com/",
        ("'https://app.example.com'",),
    ),
    "origin-has-path": _policy(
        {"allow_origins": ["https://app.example.com/api"]},
        "allow_origins",
        "https://app.example.com/api",
        ("'https://app.example.com'",),
    ),
    "origin-has-query": _policy(
        {"allow_origins": ["https://app.example.com?next=1"]},
        "allow_origins",
        "https://app.example.com?next=1",
        ("'https://app.example.com'",),
    ),
    "origin-has-fragment": _policy(
        {"allow_origins": ["https://app.example.com#top"]},
        "allow_origins",
        "https://app.example.com#top",
        ("'https://app.example.com'",),
    ),
    "origin-has-userinfo": _policy(
        {"allow_origins": ["https://admin@app.example.com"]},
        "allow_origins",
        "https://admin@app.example.com",
        ("'https://app.example.com'",),
    ),
    "origin-uppercase": _policy(
        {"allow_origins": ["https://App.Example.com"]},
        "allow_origins",
        "https://App.Example.com",
        ("'https://app.example.com'",),
    ),
    "origin-default-port": _policy(
        {"allow_origins": ["https://app.example.com:443"]},
        "allow_origins",
        "https://app.example.com:443",
        ("'https://app.example.com'",),
    ),
    "origin-invalid": _policy(
        {"allow_origins": ["https://app.example.com:99999"]},
        "allow_origins",
        "https://app.example.com:99999",
        ("1 to 65535",),
    ),
    "origin-null": _policy(
        {"allow_origins": ["null"]},
        "allow_origins",
        "null",
        ("Remove 'null'", "dangerously_allow_null_origin=True"),
    ),
    "origin-file-scheme": _policy(
        {"allow_origins": ["file:///home/me/index.html"]},
        "allow_origins",
        "file:///home/me/index.html",
        ("http://localhost",),
    ),
    "origin-bad-wildcard": _policy(
        {"allow_origins": ["https://api.*.example.com"]},
        "allow_origins",
        "https://api.*.example.com",
        ("'https://*.example.com'", "'http://localhost:*'"),
    ),
    "public-suffix-wildcard-with-credentials": _policy(
        {"allow_origins": ["https://*.github.io"], "allow_credentials": True},
        "allow_origins",
        "https://*.github.io",
        ("dangerously_tolerate_public_suffix_wildcards=True",),
    ),
    "insecure-origin-with-credentials": _policy(
        {"allow_origins": ["http://app.example.com"], "allow_credentials": True},
        "allow_origins",
        "http://app.example.com",
        ("'https://app.example.com'", "dangerously_tolerate_insecure_origins=True"),
    ),
    "no-origins-allowed": _policy({}, "allow_origins", "()", ("allow_origins=[",)),
    # --- regex ---------------------------------------------------------------------------
    "regex-invalid": _policy(
        {"allow_origin_regex": r"https://(app|admin\.example\.com"},
        "allow_origin_regex",
        r"https://(app|admin\\.example\\.com",
        ("missing )", "'https://*.example.com'"),
    ),
    "regex-matches-everything": _policy(
        {"allow_origin_regex": "https://.*"},
        "allow_origin_regex",
        "https://.*",
        ("'https://*.example.com'",),
    ),
    "regex-unescaped-dot": _policy(
        {"allow_origin_regex": "https://.*.example.com"},
        "allow_origin_regex",
        "https://.*.example.com",
        ("'\\.'", "'https://*.example.com'"),
    ),
    "regex-matches-lookalike": _policy(
        {"allow_origin_regex": r"https://.*example\.com"},
        "allow_origin_regex",
        r"https://.*example\\.com",
        ("It matches", "'https://*.example.com'"),
    ),
    "regex-not-linear": _policy(
        {"allow_origin_regex": r"https://([a-z0-9]+)*\.example\.com"},
        "allow_origin_regex",
        r"https://([a-z0-9]+)*\\.example\\.com",
        ("'https://*.example.com'",),
    ),
    "regex-matches-null": _policy(
        {"allow_origin_regex": r"null|https://app\.example\.com"},
        "allow_origin_regex",
        r"null|https://app\\.example\\.com",
        ("'https://'",),
    ),
    # --- methods -------------------------------------------------------------------------
    "method-invalid": _policy(
        {"allow_origins": [APP], "allow_methods": ["GET, POST"]},
        "allow_methods",
        "GET, POST",
        ("allow_methods=['GET', 'POST']",),
    ),
    "method-forbidden": _policy(
        {"allow_origins": [APP], "allow_methods": ["GET", "TRACE"]},
        "allow_methods",
        "TRACE",
        ("Remove",),
    ),
    "method-lowercase": _policy(
        {"allow_origins": [APP], "allow_methods": ["patch"]}, "allow_methods", "patch", ("'PATCH'",)
    ),
    # --- request headers -----------------------------------------------------------------
    "header-invalid": _policy(
        {"allow_origins": [APP], "allow_headers": ["X-Token, X-Trace"]},
        "allow_headers",
        "X-Token, X-Trace",
        ("allow_headers=['X-Token', 'X-Trace']",),
    ),
    "header-name-pattern": _policy(
        {"allow_origins": [APP], "allow_headers": ["X-COMPANY-.*"]},
        "allow_headers",
        "X-COMPANY-.*",
        ("'*'",),
    ),
    "header-forbidden": _policy(
        {"allow_origins": [APP], "allow_headers": ["Cookie"]},
        "allow_headers",
        "Cookie",
        ("Remove",),
    ),
    "header-response-only": _policy(
        {"allow_origins": [APP], "allow_headers": ["Access-Control-Allow-Origin"]},
        "allow_headers",
        "Access-Control-Allow-Origin",
        ("Remove it from allow_headers",),
    ),
    # --- response headers ----------------------------------------------------------------
    "expose-header-invalid": _policy(
        {"allow_origins": [APP], "expose_headers": ["X Total Count"]},
        "expose_headers",
        "X Total Count",
        ("one header name per list item",),
    ),
    "expose-header-forbidden": _policy(
        {"allow_origins": [APP], "expose_headers": ["Set-Cookie"]},
        "expose_headers",
        "Set-Cookie",
        ("Remove",),
    ),
    "expose-header-prohibited": _policy(
        {"allow_origins": [APP], "expose_headers": ["Access-Control-Allow-Methods"]},
        "expose_headers",
        "Access-Control-Allow-Methods",
        ("Remove",),
    ),
    "expose-wildcard-with-credentials": _policy(
        {"allow_origins": [APP], "allow_credentials": True, "expose_headers": ["*"]},
        "expose_headers",
        "*",
        ("List the header names",),
    ),
    # --- max-age and the rest ------------------------------------------------------------
    "max-age-out-of-range": _policy(
        {"allow_origins": [APP], "max_age": 604800},
        "max_age",
        "604800",
        ("0 to 86400", "-1", "None"),
    ),
    "max-age-above-chromium-cap": _policy(
        {"allow_origins": [APP], "max_age": 86400}, "max_age", "86400", ("7200",)
    ),
    "preflight-status-invalid": _policy(
        {"allow_origins": [APP], "preflight_status": 201}, "preflight_status", "201", ("204", "200")
    ),
    # --- dynamic origins (corskit.dynamic) -----------------------------------------------
    "origin-func-invalid": _policy(
        {"allow_origins": [APP], "allow_origin_func": "https://partner.example.com"},
        "allow_origin_func",
        "https://partner.example.com",
        ("Give a function",),
    ),
    "origin-func-allows-everything": Case(
        "from corskit import CORSPolicy\n\n"
        "def trusted(origin: str) -> bool:\n"
        "    return True\n\n"
        "CORSPolicy(allow_origin_func=trusted, allow_credentials=True)",
        "allow_origin_func",
        None,
        ("It allowed", "allow_credentials=False"),
    ),
    "origin-func-probe-failed": Case(
        "from corskit import CORSPolicy\n\n"
        "def is_tenant(origin: str) -> bool:\n"
        "    raise ConnectionError('database not reachable')\n\n"
        "CORSPolicy(allow_origin_func=is_tenant, allow_credentials=True)",
        "allow_origin_func",
        None,
        ("return False for unknown origins",),
    ),
    "origin-func-unreachable": Case(
        "from corskit import CORSPolicy\n\n"
        "def is_partner(origin: str) -> bool:\n"
        "    return origin == 'https://partner.example.com'\n\n"
        "CORSPolicy(allow_origins=['*'], allow_origin_func=is_partner)",
        "allow_origin_func",
        None,
        ("Remove '*'",),
    ),
    # --- per-route policies (corskit.routing) ---------------------------------------------
    "route-prefix-invalid": Case(
        "from corskit import CORSPolicy\nfrom corskit.routing import RouteTable\n\n"
        "RouteTable({'api/v1': CORSPolicy(allow_origins=['*'])})",
        "routes['api/v1']",
        "api/v1",
        ("'/api/v1'",),
    ),
    # --- environment (corskit.settings) ----------------------------------------------------
    "env-value-invalid": Case(
        "from corskit import CORSPolicy\n\n"
        "CORSPolicy.from_env(environ={'CORS_ALLOW_ORIGINS': 'https://app.example.com', "
        "'CORS_ALLOW_CREDENTIALS': 'sometimes'})",
        "CORS_ALLOW_CREDENTIALS",
        "sometimes",
        ("true or false",),
    ),
    "env-profile-invalid": Case(
        "from corskit import CORSPolicy\n\n"
        "CORSPolicy.from_env(environ={'CORS_PROFILE': 'staging', 'CORS_ALLOW_ORIGINS': 'https://app.example.com'})",
        "CORS_PROFILE",
        "staging",
        ("CORS_PROFILE=production",),
    ),
    "env-production-needs-origins": Case(
        "from corskit import CORSPolicy\n\nCORSPolicy.from_env(environ={'CORS_PROFILE': 'production'})",
        "CORS_ALLOW_ORIGINS",
        "",
        ("CORS_ALLOW_ORIGINS=https://app.example.com",),
    ),
    "env-development-in-production": Case(
        "from corskit import CORSPolicy\n\n"
        "CORSPolicy.from_env(environ={'CORS_PROFILE': 'development', 'APP_ENV': 'production'})",
        "CORS_PROFILE",
        "development",
        ("APP_ENV=production", "CORS_PROFILE=production"),
    ),
    "env-localhost-in-production": Case(
        "from corskit import CORSPolicy\n\n"
        "CORSPolicy.from_env(environ={'CORS_PROFILE': 'production', "
        "'CORS_ALLOW_ORIGINS': 'https://app.example.com,http://localhost:3000'})",
        "CORS_ALLOW_ORIGINS",
        "http://localhost:3000",
        ("Remove the localhost",),
    ),
    "env-unknown-variable": Case(
        "from corskit import CORSPolicy\n\n"
        "CORSPolicy.from_env(environ={'CORS_ALLOW_ORIGINS': 'https://app.example.com', "
        "'CORS_ALLOWED_ORIGINS': 'https://app.example.com'})",
        "CORS_ALLOWED_ORIGINS",
        "https://app.example.com",
        ("Did you mean CORS_ALLOW_ORIGINS?",),
    ),
    # --- framework shapes ----------------------------------------------------------------
    "renamed-setting": Case(
        "from corskit.flask import CORS\n\n"
        "CORS(allow_origins=['https://app.example.com'], supports_credentials=True)",
        "supports_credentials",
        "True",
        ("Use allow_credentials=True",),
    ),
    "setting-not-needed": Case(
        "from corskit.flask import CORS\n\n"
        "CORS(allow_origins=['https://app.example.com'], vary_header=False)",
        "vary_header",
        "False",
        ("Remove vary_header=",),
    ),
    "middleware-order": Case(
        "from types import SimpleNamespace\n\n"
        "from corskit.django import load\n\n"
        "settings = SimpleNamespace(\n"
        "    CORSKIT={'allow_origins': ['https://app.example.com']},\n"
        "    MIDDLEWARE=['django.middleware.common.CommonMiddleware', 'corskit.django.CorsMiddleware'],\n"
        ")\n"
        "load(settings)",
        "MIDDLEWARE",
        "corskit.django.CorsMiddleware",
        ("above 'django.middleware.common.CommonMiddleware'",),
    ),
}
