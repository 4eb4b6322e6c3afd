"""The keyword settings of a :class:`~corskit.CORSPolicy`, typed for the adapters.

``CORSMiddleware`` (ASGI and WSGI) and :func:`corskit.outermost` declare Starlette's
eight settings as parameters (positional too, in Starlette's order) and take corskit's
own as typed keywords, so a type checker reports a misspelt keyword (``allow_origin=``)
as it would with Starlette's middleware, through ``app.add_middleware(...)`` and
``Middleware(...)`` as well. A Django project may annotate its ``CORSKIT`` dict::

    from corskit.options import PolicyOptions

    CORSKIT: PolicyOptions = {"allow_origins": ["https://app.example.com"]}

At run time nothing here is checked: :class:`~corskit.CORSPolicy` validates the values
(and Python itself refuses an unknown keyword).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict

from .policy import SETTING_NAMES

if TYPE_CHECKING:
    from .dynamic import OriginFunction

__all__ = ["CorskitOptions", "PolicyOptions", "RoutesSetting", "collect_settings"]

# The defaults of Starlette's eight settings, as the adapters' signatures use them: an
# argument that *is* its default object was not given (see collect_settings).
NO_NAMES: tuple[str, ...] = ()
GET_ONLY: tuple[str, ...] = ("GET",)
MAX_AGE = 600
STARLETTE_NAMES = SETTING_NAMES[:8]  # allow_origins ... max_age, in their positional order
_DEFAULTS = (NO_NAMES, GET_ONLY, NO_NAMES, False, None, False, NO_NAMES, MAX_AGE)


class CorskitOptions(TypedDict, total=False):
    """corskit's keyword-only settings (meanings in :class:`corskit.CORSPolicy`)."""

    preflight_status: int
    dangerously_allow_null_origin: bool
    dangerously_tolerate_insecure_origins: bool
    dangerously_tolerate_public_suffix_wildcards: bool
    allow_origin_func: Callable[..., Any] | OriginFunction | None


class PolicyOptions(CorskitOptions, total=False):
    """Every keyword of :class:`corskit.CORSPolicy`, all optional."""

    allow_origins: Iterable[str]
    allow_methods: Iterable[str]
    allow_headers: Iterable[str]
    allow_credentials: bool
    allow_origin_regex: str | None
    allow_private_network: bool
    expose_headers: Iterable[str]
    max_age: int | None


#: ``routes=``: path prefix (or FastAPI router / Starlette Mount) -> a
#: :class:`~corskit.CORSPolicy` or a dict of its keywords (see :mod:`corskit.routing`).
RoutesSetting = Mapping[Any, Any] | Iterable[tuple[Any, Any]]


def collect_settings(starlette: tuple[object, ...], extra: Mapping[str, Any]) -> dict[str, Any]:
    """The policy keywords an adapter was given: Starlette's eight (in order) unless left
    at their default, and corskit's keyword-only ones.

    >>> collect_settings((NO_NAMES, ["GET", "PUT"], NO_NAMES, True, None, False, NO_NAMES, MAX_AGE), {})
    {'allow_methods': ['GET', 'PUT'], 'allow_credentials': True}
    """
    given = {
        n: v for n, v, d in zip(STARLETTE_NAMES, starlette, _DEFAULTS, strict=True) if v is not d
    }
    given.update(extra)
    return given
