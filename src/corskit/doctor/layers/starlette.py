"""Starlette's ``CORSMiddleware`` (1.x), modelled once for the doctor and the audit.

What it does, from ``starlette/middleware/cors.py``: an origin is allowed when
``allow_origins`` contains ``"*"``, when ``allow_origin_regex`` matches the whole origin
(``re.fullmatch``) or when ``origin in allow_origins`` (a substring test when a string is
passed instead of a list); a preflight's method is compared case-sensitively with
``allow_methods`` (``"*"``: every method); a requested header must be in ``allow_headers``
(lower-cased, ``"*"``: every header) or be one of the four CORS-safelisted names Starlette
always adds.  Source: https://github.com/encode/starlette/blob/master/starlette/middleware/cors.py
"""

from __future__ import annotations

import re
from typing import Any, Protocol

__all__ = [
    "ALL_METHODS",
    "ALWAYS_ALLOWED_HEADERS",
    "as_list",
    "decide",
    "origin_allowed",
    "regex_accepts",
]

#: What ``allow_methods=["*"]`` expands to.
ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY")
#: Header names Starlette allows in every preflight, whatever ``allow_headers`` says.
ALWAYS_ALLOWED_HEADERS = frozenset(
    {"accept", "accept-language", "content-language", "content-type"}
)


class Settings(Protocol):
    """Where a setting's value is read from: a dict of keywords, or the doctor's
    :class:`~corskit.doctor.appinfo.CORSSettings` (which fills in Starlette's defaults)."""

    def get(self, name: str, /) -> Any:
        """The value of setting *name*, or None."""
        ...


def as_list(value: Any) -> list[str]:
    """A setting's value as a list of strings (a lone string is one item)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        return [str(v) for v in value]
    except TypeError:
        return [str(value)]


def regex_accepts(regex: Any, origin: str) -> bool:
    """``allow_origin_regex`` matches the whole *origin*; False for no or a broken regex."""
    if not regex:
        return False
    try:
        return re.fullmatch(str(regex), origin) is not None
    except re.error:
        return False


def origin_allowed(settings: Settings, origin: str) -> bool:
    """Whether Starlette answers *origin* with ``Access-Control-Allow-Origin``."""
    origins = settings.get("allow_origins") or ()
    if "*" in origins or origin in origins:
        return True
    return regex_accepts(settings.get("allow_origin_regex"), origin)


def decide(
    settings: Settings, origin: str, method: str, unsafe: list[str], preflight: bool
) -> tuple[str, str]:
    """How Starlette decides this request: ``(reason, detail)`` with corskit's reason names
    (``origin-not-allowed``, ``method-not-allowed``, ``header-not-allowed``), or ``("", "")``
    when it allows it."""
    if not origin_allowed(settings, origin):
        return "origin-not-allowed", ""
    if not preflight:
        return "", ""
    methods = as_list(settings.get("allow_methods"))
    if "*" in methods:
        methods = list(ALL_METHODS)
    if method not in methods:
        return "method-not-allowed", method
    headers = [h.lower() for h in as_list(settings.get("allow_headers"))]
    if "*" not in headers:
        for name in sorted(unsafe):
            if name not in headers and name not in ALWAYS_ALLOWED_HEADERS:
                return "header-not-allowed", name
    return "", ""
