"""Django: a middleware class for ``MIDDLEWARE``, configured in ``settings.py``.

::

    INSTALLED_APPS = [..., "corskit.django"]   # registers the system check
    MIDDLEWARE = [
        "corskit.django.CorsMiddleware",        # as high as possible, above CommonMiddleware
        "django.middleware.common.CommonMiddleware",
        ...,
    ]
    CORSKIT = {
        "allow_origins": ["https://app.example.com"],
        "allow_methods": ["GET", "POST", "PATCH"],
        "allow_headers": ["Content-Type", "X-CSRFToken"],
        "allow_credentials": True,
    }

``CORSKIT`` takes the keywords of :class:`corskit.CORSPolicy` and of the WSGI middleware
(``routes``, ``debug``), plus ``urls_regex``: only paths it matches at their start
(``re.match`` on ``request.path_info``) get CORS handling, as django-cors-headers'
``CORS_URLS_REGEX`` does. Annotate it with :class:`DjangoOptions` to have misspelt
keys reported by a type checker.

django-cors-headers' ``CORS_*`` settings are read too (so a project moves over
unchanged), each with a ``renamed-setting`` warning giving the ``CORSKIT`` spelling; a
``CORSKIT`` key wins over the ``CORS_*`` name for the same setting. When ``CORS_*`` names
are read, methods and request headers not set either way default to django-cors-headers'
defaults (``docs/migrate-django-cors-headers.md`` lists every difference).

The configuration is validated at start-up twice over: ``manage.py check`` (and
``runserver``, ``migrate``) runs a system check that reports every problem with its
corskit code (ids ``corskit.<code>``, e.g. ``corskit.wildcard-origin-with-credentials``;
``corskit explain <code>`` says more), and the middleware raises ``ImproperlyConfigured``
listing every problem when Django loads it. It works under WSGI and ASGI (sync and async
capable) and holds no CORS rules: requests go through :class:`corskit.wsgi.CORSMiddleware`
(see :mod:`corskit.inline`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async

# Django ships no type information (django-stubs is a separate project): its names are Any here.
# Django's settings object is reached through its module, not bound here: it is a lazy
# object that raises ImproperlyConfigured on any attribute until settings are configured,
# which breaks tools that inspect this module's globals (doctest, debuggers).
from django import conf as django_conf  # type: ignore[import-untyped]
from django.core import checks  # type: ignore[import-untyped]
from django.core.exceptions import ImproperlyConfigured  # type: ignore[import-untyped]
from django.http import HttpRequest, HttpResponse  # type: ignore[import-untyped]
from django.http.response import HttpResponseBase, ResponseHeaders  # type: ignore[import-untyped]

from .inline import Early, InlineCORS, Pending
from .options import PolicyOptions, RoutesSetting
from .policy import SETTING_NAMES
from .problems import CATALOGUE, CORSConfigError, CORSConfigWarning, Problem, escape

if TYPE_CHECKING:
    from collections.abc import Awaitable

__all__ = ["CorsMiddleware", "DjangoOptions", "check_settings", "load", "read_settings"]

MIDDLEWARE_PATH = "corskit.django.CorsMiddleware"
COMMON_MIDDLEWARE = "django.middleware.common.CommonMiddleware"
_ADAPTER_KEYS = ("routes", "debug", "urls_regex")

# django-cors-headers' defaults, used for what CORS_* settings leave unset.
PEER_DEFAULT_METHODS = ("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT")
PEER_DEFAULT_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
)


class DjangoOptions(PolicyOptions, total=False):
    """The keys of ``settings.CORSKIT``: :class:`corskit.CORSPolicy`'s, and the adapter's."""

    routes: RoutesSetting
    debug: bool
    urls_regex: str | re.Pattern[str] | None


def _list(value: Any) -> Any:
    return list(value) if isinstance(value, (list, tuple)) else value


def _all_origins(value: Any) -> Any:
    return ["*"] if value is True else value  # anything else: let the policy report it


def _regexes(value: Any) -> Any:
    if isinstance(value, (str, re.Pattern)) or not isinstance(value, (list, tuple)):
        value = [value]
    texts = [v.pattern if isinstance(v, re.Pattern) else v for v in value]
    if not all(isinstance(t, str) for t in texts):
        return value  # the policy reports the wrong type
    return texts[0] if len(texts) == 1 else "|".join(f"(?:{t})" for t in texts)


def _max_age(value: Any) -> Any:
    return None if value == 0 and not isinstance(value, bool) else value  # 0: no header


# django-cors-headers' name -> (corskit key, conversion); the second name of a pair is
# the older alias, read only without the newer one (as django-cors-headers does).
PEER_SETTINGS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "CORS_ALLOWED_ORIGINS": ("allow_origins", _list),
    "CORS_ORIGIN_WHITELIST": ("allow_origins", _list),
    "CORS_ALLOW_ALL_ORIGINS": ("allow_origins", _all_origins),
    "CORS_ORIGIN_ALLOW_ALL": ("allow_origins", _all_origins),
    "CORS_ALLOWED_ORIGIN_REGEXES": ("allow_origin_regex", _regexes),
    "CORS_ORIGIN_REGEX_WHITELIST": ("allow_origin_regex", _regexes),
    "CORS_ALLOW_CREDENTIALS": ("allow_credentials", lambda v: v),
    "CORS_ALLOW_METHODS": ("allow_methods", _list),
    "CORS_ALLOW_HEADERS": ("allow_headers", _list),
    "CORS_EXPOSE_HEADERS": ("expose_headers", _list),
    "CORS_PREFLIGHT_MAX_AGE": ("max_age", _max_age),
    "CORS_ALLOW_PRIVATE_NETWORK": ("allow_private_network", lambda v: v),
    "CORS_URLS_REGEX": ("urls_regex", lambda v: v),
}
_NEWER = {
    "CORS_ORIGIN_WHITELIST": "CORS_ALLOWED_ORIGINS",
    "CORS_ORIGIN_ALLOW_ALL": "CORS_ALLOW_ALL_ORIGINS",
    "CORS_ORIGIN_REGEX_WHITELIST": "CORS_ALLOWED_ORIGIN_REGEXES",
}


@dataclass(frozen=True)
class DjangoSettings:
    """What ``settings.py`` says: the options to build from and the adapter's warnings."""

    options: dict[str, Any]
    urls_regex: re.Pattern[str] | None
    notes: tuple[Problem, ...]


def _note(code: str, field: str, value: object, fix: str) -> Problem:
    info = CATALOGUE[code]
    return Problem(code, field, escape(value), info.why, fix, info.severity)


def _peer_options(project: object, own: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """The corskit options the ``CORS_*`` names give (those ``CORSKIT`` does not set)."""
    found: dict[str, Any] = {}
    notes: list[Problem] = []
    for name, (key, convert) in PEER_SETTINGS.items():
        if not hasattr(project, name) or (name in _NEWER and hasattr(project, _NEWER[name])):
            continue
        value = convert(getattr(project, name))
        if key == "allow_origins" and value is False:  # CORS_ALLOW_ALL_ORIGINS = False
            fix = f"Remove {name} (False is the default)."
        elif key in own:
            fix = f"Remove {name}: CORSKIT[{key!r}] is set and wins."
        else:
            fix = f"Write CORSKIT = {{{key!r}: {value!r}}} instead of {name}."
            found[key] = value
        notes.append(_note("renamed-setting", name, getattr(project, name), fix))
    if notes:
        for key, default in (
            ("allow_methods", PEER_DEFAULT_METHODS),
            ("allow_headers", PEER_DEFAULT_HEADERS),
        ):
            if key not in own and key not in found:
                found[key] = list(default)
    return found, notes


def _order_notes(project: object) -> list[Problem]:
    stack = getattr(project, "MIDDLEWARE", None)
    if (
        not isinstance(stack, (list, tuple))
        or MIDDLEWARE_PATH not in stack
        or COMMON_MIDDLEWARE not in stack
    ):
        return []
    if stack.index(COMMON_MIDDLEWARE) > stack.index(MIDDLEWARE_PATH):
        return []
    fix = f"Move {MIDDLEWARE_PATH!r} above {COMMON_MIDDLEWARE!r} in MIDDLEWARE."
    return [_note("middleware-order", "MIDDLEWARE", MIDDLEWARE_PATH, fix)]


def read_settings(project: object) -> DjangoSettings:
    """Read ``CORSKIT`` and the ``CORS_*`` names from a settings object (nothing built yet).

    Raises ``TypeError`` for a ``CORSKIT`` that is not a dict or has an unknown key.
    """
    own = getattr(project, "CORSKIT", {})
    if not isinstance(own, Mapping):
        raise TypeError(
            f"settings.CORSKIT must be a dict of corskit settings, not {type(own).__name__}"
        )
    unknown = sorted(set(own) - {*SETTING_NAMES, *_ADAPTER_KEYS})
    if unknown:
        raise TypeError(
            f"settings.CORSKIT has no setting {', '.join(map(repr, unknown))}; "
            f"the keys are {', '.join((*SETTING_NAMES, *_ADAPTER_KEYS))}"
        )
    peer, notes = _peer_options(project, own)
    options = {**peer, **own}
    pattern = options.pop("urls_regex", None)
    if isinstance(pattern, str):
        try:
            pattern = re.compile(pattern)
        except re.error as exc:
            info = CATALOGUE["regex-invalid"]
            raise CORSConfigError(
                [
                    Problem(
                        "regex-invalid",
                        "urls_regex",
                        escape(pattern),
                        info.why,
                        f"Fix the regular expression: {exc}.",
                    )
                ]
            ) from None
    elif pattern is not None and not isinstance(pattern, re.Pattern):
        raise TypeError(
            f"urls_regex must be a regular expression (str), not {type(pattern).__name__}"
        )
    return DjangoSettings(options, pattern, tuple(notes + _order_notes(project)))


@dataclass(frozen=True)
class Loaded:
    """The built configuration: the inline adapter, the path filter and every warning."""

    cors: InlineCORS
    urls_regex: re.Pattern[str] | None
    warnings: tuple[Problem, ...]


def load(project: object) -> Loaded:
    """Read and build the configuration (raises :class:`~corskit.CORSConfigError` listing
    every problem); the adapter's warnings are issued as :class:`~corskit.CORSConfigWarning`."""
    read = read_settings(project)
    cors = InlineCORS(**read.options)
    for note in read.notes:
        warnings.warn(f"corskit: {note}", CORSConfigWarning, stacklevel=2)
    return Loaded(cors, read.urls_regex, read.notes + cors.warnings)


# -- the system check ---------------------------------------------------------------------


def _message(problem: Problem) -> checks.CheckMessage:
    kind = checks.Error if problem.severity == "error" else checks.Warning
    title = CATALOGUE[problem.code].title if problem.code in CATALOGUE else problem.code
    return kind(
        f"{title} ({problem.field}: {problem.value})",
        hint=f"{problem.fix} (corskit explain {problem.code})",
        obj="settings",
        id=f"corskit.{problem.code}",
    )


def check_settings(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Django system check: every problem of the CORS settings, with corskit's codes."""
    try:
        read = read_settings(django_conf.settings)
    except CORSConfigError as exc:
        return [_message(p) for p in exc.problems]
    except TypeError as exc:
        return [checks.Error(str(exc), obj="settings", id="corskit.wrong-type")]
    found = list(read.notes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CORSConfigWarning)  # reported here instead
        try:
            found += InlineCORS(**read.options).warnings
        except CORSConfigError as exc:
            found += exc.problems
        except TypeError as exc:
            return [checks.Error(str(exc), obj="settings", id="corskit.wrong-type")]
    return [_message(p) for p in found]


checks.register(check_settings)


# -- the middleware -----------------------------------------------------------------------


def _environ(request: HttpRequest, routed: bool) -> dict[str, Any]:
    """The request's WSGI environ (read only). Django keeps the decoded path in PATH_INFO;
    per-route policies match the WSGI form (UTF-8 bytes as latin-1), as a server sends it."""
    meta: dict[str, Any] = request.META
    if not routed:
        return meta
    return {**meta, "PATH_INFO": request.path_info.encode("utf-8").decode("latin-1")}


def _early_response(early: Early) -> HttpResponse:
    response = HttpResponse(early.body, status=early.status)
    response.headers = ResponseHeaders(dict(early.headers))
    return response


def _finish(pending: Pending, response: HttpResponseBase) -> HttpResponseBase:
    response.headers = ResponseHeaders(
        dict(pending.finish(response.status_code, list(response.items())))
    )
    return response


class CorsMiddleware:
    """The middleware for ``MIDDLEWARE`` (``"corskit.django.CorsMiddleware"``), sync and async."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
        try:
            loaded = load(django_conf.settings)
        except (CORSConfigError, TypeError) as exc:
            raise ImproperlyConfigured(f"corskit.django: {exc}") from exc
        self.cors = loaded.cors
        self.urls_regex = loaded.urls_regex
        self._routed = bool(loaded.cors.middleware.routes)
        self._dynamic = loaded.cors.dynamic

    def _begin(self, request: HttpRequest) -> Early | Pending | None:
        if self.urls_regex is not None and not self.urls_regex.match(request.path_info):
            return None
        return self.cors.begin(_environ(request, self._routed))

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self.__acall__(request)
        started = self._begin(request)
        if isinstance(started, Early):
            return _early_response(started)
        response: HttpResponseBase = self.get_response(request)
        return response if started is None else _finish(started, response)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        # A policy asking a function about origins may block: run that part in a thread.
        started = (
            await sync_to_async(self._begin)(request) if self._dynamic else self._begin(request)
        )
        if isinstance(started, Early):
            return _early_response(started)
        response: HttpResponseBase = await self.get_response(request)
        return response if started is None else _finish(started, response)
