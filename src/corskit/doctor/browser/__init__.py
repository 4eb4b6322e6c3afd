"""Run a cross-origin ``fetch()`` in real headless Chromium (or Firefox) and report what the
browser did.

This is the "proof" half of the doctor: the simulation in :mod:`corskit.doctor.fetch` says what
*should* happen; this module asks the real browser (Debian's ``chromium`` package driven by the
Python ``playwright`` package, never a downloaded build) what *does* happen.

The recipe (docs/browser.md, "How a browser run works") has four requirements; each is
essential, because without it Chromium silently gives a different answer:

1. Launch Debian's binary with a fixed set of quiet flags (no sandbox, GPU, QUIC, sync...).
2. Fake the page origin with ``page.route`` + ``fulfill``, then ``page.unroute_all(behavior="wait")``
   **before any fetch**: while a route is active Playwright answers every CORS preflight itself
   with a permissive 204, so disallowed requests would appear to succeed.
3. Neutralise Local Network Access (https://wicg.github.io/local-network-access/): a page whose origin is public or
   unknown may not fetch 127.0.0.1. https origins get the ``local-network-access`` permission;
   http (and ``null``) origins cannot be granted it, so the loopback target ports are declared
   ``public`` with ``--ip-address-space-overrides``.
4. A fresh profile (user-data-dir, removed afterwards) whose preferences allow third-party cookies
   (``cookie_controls_mode`` = 0), and a unique URL per request, so the preflight cache never hides
   a preflight.

Use :func:`run_in_browser` for one request, or :class:`BrowserSession` to batch many requests
from several origins through one browser launch.

Firefox (Debian's ``firefox-esr``) is driven over WebDriver BiDi with no third-party package:
:class:`FirefoxSession` mirrors :class:`BrowserSession` and gives the same
:class:`BrowserOutcome` (docs/browser.md, "Firefox").

Layout: :mod:`.discovery` (find Chromium), :mod:`.session` (drive it), :mod:`.websocket` and
:mod:`.bidi` (a WebDriver BiDi connection), :mod:`.firefox_profile` (find Firefox, its
profile), :mod:`.firefox` (drive it), :mod:`.serve` (serve an app for either) and
:mod:`.compare` (the same request through the simulation and the browser).
"""

from __future__ import annotations

from .compare import (
    BrowserCheck,
    SimulationUnavailable,
    SimulationView,
    browser_check,
    simulate_request,
)
from .discovery import (
    CHROMIUM_CANDIDATES,
    INSTALL_HINT,
    LAUNCH_ARGS,
    BrowserUnavailable,
    browser_available,
    find_chromium,
)
from .firefox import FirefoxPage, FirefoxSession
from .firefox_profile import FIREFOX_CANDIDATES, find_firefox, firefox_available
from .serve import serve_target
from .session import (
    BrowserOutcome,
    BrowserRequest,
    BrowserSession,
    OriginPage,
    _loopback_overrides,
    add_cache_buster,
    browser_session,
    run_in_browser,
)

__all__ = [
    "CHROMIUM_CANDIDATES",
    "FIREFOX_CANDIDATES",
    "INSTALL_HINT",
    "LAUNCH_ARGS",
    "BrowserCheck",
    "BrowserOutcome",
    "BrowserRequest",
    "BrowserSession",
    "BrowserUnavailable",
    "FirefoxPage",
    "FirefoxSession",
    "OriginPage",
    "SimulationUnavailable",
    "SimulationView",
    "_loopback_overrides",
    "add_cache_buster",
    "browser_available",
    "browser_check",
    "browser_session",
    "find_chromium",
    "find_firefox",
    "firefox_available",
    "run_in_browser",
    "serve_target",
    "simulate_request",
]
