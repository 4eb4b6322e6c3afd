"""django-cors-headers: ``corsheaders.middleware.CorsMiddleware`` in ``settings.MIDDLEWARE``,
configured by the ``CORS_*`` settings.

Its place in ``MIDDLEWARE`` matters: below ``CommonMiddleware``, a request to a URL without
its trailing slash gets ``APPEND_SLASH``'s redirect before django-cors-headers runs, so the
redirect has no CORS headers (django-cors-headers' README: "as high as possible, especially
before any middleware that can generate responses such as Django's CommonMiddleware").
Predictions run django-cors-headers' own middleware on a request built with Django's
``RequestFactory``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from .base import Fix, Layer, LayerNote, LayerRequest, Node, fmt_value

NAME = "django-cors-headers"
MIDDLEWARE_PATH = "corsheaders.middleware.CorsMiddleware"
COMMON_MIDDLEWARE = "django.middleware.common.CommonMiddleware"

NATIVE = {
    "allow_origins": "CORS_ALLOWED_ORIGINS",
    "allow_origin_regex": "CORS_ALLOWED_ORIGIN_REGEXES",
    "allow_methods": "CORS_ALLOW_METHODS",
    "allow_headers": "CORS_ALLOW_HEADERS",
    "allow_credentials": "CORS_ALLOW_CREDENTIALS",
    "expose_headers": "CORS_EXPOSE_HEADERS",
    "max_age": "CORS_PREFLIGHT_MAX_AGE",
    "allow_private_network": "CORS_ALLOW_PRIVATE_NETWORK",
}


def _conf() -> Any:
    from corsheaders.conf import conf

    return conf


def _pattern_text(pattern: Any) -> str:
    return str(getattr(pattern, "pattern", pattern))


def read_settings() -> tuple[dict[str, Any], dict[str, Any]]:
    """(settings in corskit's vocabulary, the ``CORS_*`` values) from Django's settings."""
    conf = _conf()
    regexes = [_pattern_text(r) for r in conf.CORS_ALLOWED_ORIGIN_REGEXES]
    native = {
        name: getattr(conf, name)
        for name in (*NATIVE.values(), "CORS_ALLOW_ALL_ORIGINS", "CORS_URLS_REGEX")
    }
    settings = {
        "allow_origins": ("*",)
        if conf.CORS_ALLOW_ALL_ORIGINS
        else tuple(conf.CORS_ALLOWED_ORIGINS),
        "allow_origin_regex": "|".join(f"(?:{r})" for r in regexes)
        if len(regexes) > 1
        else (regexes[0] if regexes else None),
        "allow_methods": tuple(conf.CORS_ALLOW_METHODS),
        "allow_headers": tuple(conf.CORS_ALLOW_HEADERS),
        "allow_credentials": bool(conf.CORS_ALLOW_CREDENTIALS),
        "expose_headers": tuple(conf.CORS_EXPOSE_HEADERS),
        "max_age": conf.CORS_PREFLIGHT_MAX_AGE,
        "allow_private_network": bool(conf.CORS_ALLOW_PRIVATE_NETWORK),
    }
    return settings, native


def _assignment(name: str, value: Any) -> str:
    if name == "CORS_ALLOW_HEADERS" and isinstance(value, (list, tuple)):
        from corsheaders.defaults import default_headers

        lowered = [str(v).lower() for v in value]
        if set(default_headers) <= set(lowered):
            extra = [v for v in lowered if v not in default_headers]
            return (
                f"CORS_ALLOW_HEADERS = (*default_headers, {', '.join(fmt_value(v) for v in extra)})"
                + ("  # from corsheaders.defaults import default_headers")
            )
    if name == "CORS_ALLOWED_ORIGIN_REGEXES" and isinstance(value, str):
        value = [value]
    return f"{name} = {fmt_value(value)}"


@dataclass
class DjangoCorsHeadersLayer(Layer):
    def native_name(self, setting: str) -> str:
        return NATIVE.get(setting, setting)

    def applies_to(self, path: str) -> bool:
        """django-cors-headers handles a path ``CORS_URLS_REGEX`` matches (``re.match``)."""
        regex = self.native.get("CORS_URLS_REGEX")
        try:
            return regex is None or re.match(_pattern_text(regex), path) is not None
        except re.error:
            return True

    def cover_path(self, path: str, origin: str) -> tuple[str, Fix] | None:
        regex = _pattern_text(self.native.get("CORS_URLS_REGEX", ""))
        wider = f"(?:{regex})|(?:^{re.escape(path)}$)"
        why = (
            f"CORS_URLS_REGEX = {regex!r} does not match {path}, so CorsMiddleware leaves it alone"
        )
        return why, Fix(
            NAME, (("CORS_URLS_REGEX", wider),), f"in settings.py: CORS_URLS_REGEX = {wider!r}"
        )

    def predict(self, request: LayerRequest) -> dict[str, str] | None:
        try:
            from corsheaders.middleware import CorsMiddleware
            from django.http import HttpResponse  # type: ignore[import-untyped]
            from django.test import RequestFactory  # type: ignore[import-untyped]

            extra = {"HTTP_ORIGIN": request.origin}
            if request.preflight:
                extra["HTTP_ACCESS_CONTROL_REQUEST_METHOD"] = request.method
                if request.headers:
                    extra["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = ",".join(request.headers)
            method = "OPTIONS" if request.preflight else request.method
            built = RequestFactory().generic(method, request.path, **extra)
            response: Any = CorsMiddleware(lambda _request: HttpResponse())(built)
        except Exception:
            return None
        return {
            k.lower(): v
            for k, v in response.items()
            if k.lower().startswith("access-control-") or k.lower() == "vary"
        }

    def fix(self, changes: Mapping[str, Any]) -> Fix:
        pairs: list[tuple[str, Any]] = []
        for key, value in changes.items():
            if key == "allow_origins" and "*" in (value or ()):
                pairs.append(("CORS_ALLOW_ALL_ORIGINS", True))
            elif key == "allow_origin_regex" and isinstance(value, str):
                pairs.append(("CORS_ALLOWED_ORIGIN_REGEXES", [value]))  # a list in Django
            else:
                pairs.append(
                    (self.native_name(key), list(value) if isinstance(value, tuple) else value)
                )
        lines = "; ".join(_assignment(name, value) for name, value in pairs)
        return Fix(NAME, tuple(pairs), f"in settings.py: {lines}")

    def copy_with(self, app: Any, changes: Mapping[str, Any]) -> AbstractContextManager[Any]:
        """django-cors-headers reads its ``CORS_*`` settings on every request: the app runs
        as it is, with the settings overridden for the time of the check."""

        @contextmanager
        def overridden() -> Iterator[Any]:
            from django.test import override_settings

            with override_settings(**dict(changes)):
                yield app

        return overridden()


def _order_note(stack: list[str]) -> list[LayerNote]:
    if COMMON_MIDDLEWARE not in stack or stack.index(COMMON_MIDDLEWARE) > stack.index(
        MIDDLEWARE_PATH
    ):
        return []
    return [
        LayerNote(
            "cors-middleware-order",
            f"{MIDDLEWARE_PATH!r} comes after {COMMON_MIDDLEWARE!r} in MIDDLEWARE: CommonMiddleware's"
            " APPEND_SLASH redirect (301) and its other responses leave without CORS headers",
            f"In settings.py, move {MIDDLEWARE_PATH!r} above {COMMON_MIDDLEWARE!r} in MIDDLEWARE"
            " (as high as possible).",
        )
    ]


def find(node: Node, nodes: list[Node]) -> list[Layer]:
    """django-cors-headers' middleware, when *node* is its ``MIDDLEWARE`` entry."""
    if node.kind != "entry" or node.obj != MIDDLEWARE_PATH:
        return []
    stack = [
        str(n.obj) for n in nodes if n.kind == "entry" and n.where.startswith("settings.MIDDLEWARE")
    ]
    try:
        settings, native = read_settings()
    except Exception:
        settings, native = {}, {}
    return [
        DjangoCorsHeadersLayer(
            NAME, MIDDLEWARE_PATH, node.where, settings, native, _order_note(stack), obj=node.obj
        )
    ]
