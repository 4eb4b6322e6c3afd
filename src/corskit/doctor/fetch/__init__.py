"""A Fetch-standard *client*: what a browser does with one cross-origin ``fetch()``.

The verdict follows **Chromium 156**; where Chromium departs from the WHATWG Fetch standard
the outcome carries a warning with the spec's verdict (e.g. ``Access-Control-Allow-Headers: *``
covering ``Authorization``: Chromium allows it and reports the deprecation
``AuthorizationCoveredByWildcard``; Fetch forbids it).  References are to the Fetch standard
(https://fetch.spec.whatwg.org/) and to Chromium's sources (``services/network/public/cpp/cors``
and ``third_party/blink/renderer/platform/loader/cors``).

Public API (stable; other tools import it)::

    from corskit.doctor.fetch import simulate, Outcome
    from corskit.doctor.transports import open_transport

    transport, url = open_transport("http://127.0.0.1:8000/api")   # or "pkg.mod:app"
    outcome = simulate(
        transport, url,
        origin="http://localhost:5173",          # the page's origin ("null" allowed)
        method="POST",                           # as the page's JavaScript writes it
        headers=[("Content-Type", "application/json")],
        credentials="include",                   # "omit" | "same-origin" (default) | "include"
        body_stream=False,                       # a ReadableStream body (always preflighted)
    )
    outcome.verdict            # "allowed" | "blocked"
    outcome.preflight          # True when a preflight was sent
    outcome.cors_error         # Chromium CorsError name, e.g. "PreflightMissingAllowOriginHeader"
    outcome.chromium_message   # the exact console line, or None
    outcome.firefox_message    # Firefox's line for the same failure, or None
    outcome.steps              # list[Step]: what happened, in order
    outcome.warnings           # list[Note]: Chromium-vs-spec departures, caps, dropped headers
    outcome.readable_headers   # response header names JavaScript may read
    outcome.status             # status of the last response received (None if none)
    outcome.to_json()          # a JSON-ready dict

Layout, after Fetch's own algorithms: :mod:`.request` (what ``fetch()`` checks and sends),
:mod:`.cors_check` (the CORS check and the preflight response check), :mod:`.main_fetch` (the
driver, one hop at a time), :mod:`.preflight_fetch` (CORS-preflight fetch),
:mod:`.redirect_fetch` (HTTP-redirect fetch), :mod:`.model` (results); beside them the URL and
header tables (:mod:`.spec`), address spaces (:mod:`.netspace`), cookies (:mod:`.cookies`) and
the browsers' console messages (:mod:`.messages`).

Design: pure functions over :class:`~corskit.doctor.transports.WireRequest` /
:class:`~corskit.doctor.transports.WireResponse` (:func:`build_request`,
:func:`build_preflight`, :func:`cors_check`, :func:`check_preflight_response`,
:func:`readable_response_headers`, :func:`preflight_reasons`) plus the driver
:func:`simulate`, which sends the requests through a
:class:`~corskit.doctor.transports.Transport` and follows redirects itself (https://fetch.spec.whatwg.org/#http-redirect-fetch): every hop is
CORS-checked, ``Origin`` becomes ``null`` once the redirect chain taints the request,
``Authorization`` is dropped on a cross-origin hop, 301/302 POST and 303 become GET, a preflight
never follows a redirect, at most 20 redirects.

Bad input that would make ``fetch()`` throw (invalid or forbidden method, invalid header name
or value, a body on GET/HEAD) raises :class:`FetchInputError`; a request that cannot be sent
raises :class:`~corskit.doctor.transports.TransportError`.
"""

from __future__ import annotations

from . import messages
from .cors_check import (
    check_preflight_response,
    cors_check,
    max_age_per_browser,
    readable_response_headers,
)
from .main_fetch import simulate
from .model import (
    CHROMIUM_UA,
    MAX_AGE_CAPS,
    MAX_AGE_DEFAULT,
    MAX_COOKIES,
    MAX_REDIRECTS,
    MAX_SHOWN_HEADERS,
    MAX_SHOWN_VALUE,
    REDIRECT_STATUSES,
    CheckResult,
    Credentials,
    FetchInputError,
    Note,
    Outcome,
    PreflightResult,
    RequestSpec,
    Step,
    Verdict,
    shown_headers,
    shown_names,
)
from .request import build_preflight, build_request, preflight_reasons, prepare

__all__ = [
    "CHROMIUM_UA",
    "MAX_AGE_CAPS",
    "MAX_AGE_DEFAULT",
    "MAX_COOKIES",
    "MAX_REDIRECTS",
    "MAX_SHOWN_HEADERS",
    "MAX_SHOWN_VALUE",
    "REDIRECT_STATUSES",
    "CheckResult",
    "Credentials",
    "FetchInputError",
    "Note",
    "Outcome",
    "PreflightResult",
    "RequestSpec",
    "Step",
    "Verdict",
    "build_preflight",
    "build_request",
    "check_preflight_response",
    "cors_check",
    "max_age_per_browser",
    "messages",
    "preflight_reasons",
    "prepare",
    "readable_response_headers",
    "shown_headers",
    "shown_names",
    "simulate",
]
