"""Run a cross-origin ``fetch()`` in real headless Chromium and report what the browser did.

This is the "proof" half of the doctor: the simulation in :mod:`corskit.doctor.fetch` says what
*should* happen; this module asks the real browser (Debian's ``chromium`` package driven by the
Python ``playwright`` package, never a downloaded build) what *does* happen.

The recipe follows browser-and-load-testing.md ("A working browser recipe"); each of its four
requirements is essential, because without it Chromium silently gives a different answer:

1. Launch Debian's binary with a fixed set of quiet flags (no sandbox, GPU, QUIC, sync...).
2. Fake the page origin with ``page.route`` + ``fulfill``, then ``page.unroute_all(behavior="wait")``
   **before any fetch**: while a route is active Playwright answers every CORS preflight itself
   with a permissive 204, so disallowed requests would appear to succeed.
3. Neutralise Local Network Access (fetch-cors-rules.md §1.14): a page whose origin is public or
   unknown may not fetch 127.0.0.1. https origins get the ``local-network-access`` permission;
   http (and ``null``) origins cannot be granted it, so the loopback target ports are declared
   ``public`` with ``--ip-address-space-overrides``.
4. A fresh profile (user-data-dir, removed afterwards) whose preferences allow third-party cookies
   (``cookie_controls_mode`` = 0), and a unique URL per request, so the preflight cache never hides
   a preflight.

Use :func:`run_in_browser` for one request, or :class:`BrowserSession` to batch many requests
from several origins through one browser launch.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "BrowserCheck",
    "BrowserOutcome",
    "BrowserRequest",
    "BrowserSession",
    "BrowserUnavailable",
    "OriginPage",
    "SimulationUnavailable",
    "SimulationView",
    "add_cache_buster",
    "browser_available",
    "browser_check",
    "browser_session",
    "find_chromium",
    "run_in_browser",
    "serve_target",
    "simulate_request",
]

INSTALL_HINT = "run `bash scripts/ensure-browser.sh` (installs Debian's chromium and playwright)"

# Candidate binaries, most direct first. /usr/lib/chromium/chromium avoids the Debian wrapper's
# harmless `[: ... unexpected operator` shell error (browser-and-load-testing.md, recipe step 1).
CHROMIUM_CANDIDATES: tuple[str, ...] = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")

LAUNCH_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

# The page served at the fake origin. The data: favicon avoids a stray console error for
# /favicon.ico (browser-and-load-testing.md, "Minimal core of the recipe").
_PAGE_HTML = (
    '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">'
    "<title>corskit probe</title></head><body>corskit browser probe</body></html>"
)

# Run inside the page: performs the fetch and returns a JSON-able description of the result.
_FETCH_JS = """
async ({url, init, timeout}) => {
  const started = performance.now();
  try {
    init.signal = AbortSignal.timeout(timeout);
    const r = await fetch(url, init);
    let body = null;
    try { body = (await r.text()).slice(0, 4096); } catch (e) { body = null; }
    return {resolved: true, status: r.status, type: r.type, url: r.url,
            redirected: r.redirected, headers: [...r.headers], body: body,
            elapsed: performance.now() - started};
  } catch (e) {
    return {resolved: false, error: String(e), elapsed: performance.now() - started};
  }
}
"""


class BrowserUnavailable(RuntimeError):
    """Chromium or the playwright package is missing, or the browser failed to start.

    ``str()`` is a one-line message that says how to fix it.
    """


@dataclass(frozen=True)
class BrowserRequest:
    """One ``fetch(url, init)`` to run from a page.

    ``credentials`` is the Fetch credentials mode (``omit``, ``same-origin`` or ``include``);
    ``headers`` keep their order (Chromium reports the first disallowed one, chromium-messages.md
    §2.2); ``method`` is passed as written, so ``patch`` stays lower-case (fetch-cors-rules.md §1.1).
    """

    url: str
    method: str = "GET"
    headers: Sequence[tuple[str, str]] = ()
    credentials: str = "same-origin"
    body: str | None = None
    redirect: str = "follow"

    def init(self) -> dict[str, Any]:
        """The ``RequestInit`` dictionary passed to ``fetch``."""
        init: dict[str, Any] = {
            "method": self.method,
            "headers": [list(pair) for pair in self.headers],
            "credentials": self.credentials,
            "mode": "cors",
            "redirect": self.redirect,
            "cache": "no-store",
        }
        if self.body is not None:
            init["body"] = self.body
        return init


@dataclass(frozen=True)
class BrowserOutcome:
    """What Chromium did with one request.

    ``resolved`` is True when the JS promise resolved (the response was readable); otherwise
    ``error`` holds the JS error (``TypeError: Failed to fetch``). ``console`` holds every
    console message logged for this request (Chromium's own text), and ``cors_message`` the one
    that starts with ``Access to fetch at`` (chromium-messages.md §2.1), if any. ``cors_error``
    and ``cors_error_parameter`` come from CDP ``Network.loadingFailed.corsErrorStatus`` and
    ``net_error`` from its ``errorText`` (``net::ERR_FAILED``, ``net::ERR_CONNECTION_REFUSED``...).
    ``requests`` lists the requests the browser started for this case (method, URL and the
    status received, None when no response came), preflights included, from CDP
    ``Network.requestWillBeSent`` / ``Network.responseReceived``. ``issues`` are the DevTools
    Issues raised meanwhile (CDP ``Audits.issueAdded``), e.g.
    ``DeprecationIssue: AuthorizationCoveredByWildcard``.
    """

    origin: str
    url: str
    method: str
    resolved: bool
    status: int | None = None
    error: str | None = None
    final_url: str | None = None
    redirected: bool = False
    response_headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    console: tuple[str, ...] = ()
    cors_error: str | None = None
    cors_error_parameter: str | None = None
    net_error: str | None = None
    requests: tuple[tuple[str, str, int | None], ...] = ()
    issues: tuple[str, ...] = ()
    chromium_version: str = ""
    elapsed_ms: float = 0.0

    @property
    def cors_message(self) -> str | None:
        """The CORS console message (``Access to fetch at ... blocked by CORS policy: ...``)."""
        for text in self.console:
            if text.startswith("Access to ") and "has been blocked by CORS policy" in text:
                return text
        return None

    @property
    def verdict(self) -> str:
        """``"allowed"`` when the promise resolved, otherwise ``"blocked"``."""
        return "allowed" if self.resolved else "blocked"

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dictionary of every field."""
        return {
            "origin": self.origin,
            "url": self.url,
            "method": self.method,
            "verdict": self.verdict,
            "resolved": self.resolved,
            "status": self.status,
            "error": self.error,
            "final_url": self.final_url,
            "redirected": self.redirected,
            "response_headers": [list(h) for h in self.response_headers],
            "console": list(self.console),
            "cors_message": self.cors_message,
            "cors_error": self.cors_error,
            "cors_error_parameter": self.cors_error_parameter,
            "net_error": self.net_error,
            "requests": [list(r) for r in self.requests],
            "issues": list(self.issues),
            "chromium_version": self.chromium_version,
        }


def find_chromium(override: str | None = None) -> str:
    """Locate the Chromium binary.

    Order: *override* (``--chromium PATH``), the ``CORSKIT_CHROMIUM`` environment variable,
    ``/usr/lib/chromium/chromium``, ``/usr/bin/chromium``, then ``chromium`` /
    ``chromium-browser`` on ``PATH``. Raises :class:`BrowserUnavailable`.
    """
    from_env = not override and bool(os.environ.get("CORSKIT_CHROMIUM"))
    override = override or os.environ.get("CORSKIT_CHROMIUM") or None
    if override:
        path = os.path.expanduser(override)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
        found = shutil.which(path)
        if found:
            return found
        source = "CORSKIT_CHROMIUM" if from_env else "--chromium"
        raise BrowserUnavailable(f"{source} {override!r} is not an executable file")
    for candidate in CHROMIUM_CANDIDATES:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise BrowserUnavailable(f"Chromium not found; {INSTALL_HINT}, or pass --chromium PATH")


def browser_available(chromium_path: str | None = None) -> str | None:
    """Return ``None`` when a browser run is possible, else a one-line reason."""
    try:
        find_chromium(chromium_path)
    except BrowserUnavailable as exc:
        return str(exc)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return f"the Python package playwright is not installed; {INSTALL_HINT}"
    return None


def add_cache_buster(url: str, token: str | None = None) -> str:
    """Append ``corskit-case=<token>`` to the query, so no preflight-cache entry applies.

    (fetch-cors-rules.md §1.10: cache entries are keyed by URL; browser-and-load-testing.md step 4.)
    """
    token = token or uuid.uuid4().hex[:12]
    parts = urlsplit(url)
    query = f"{parts.query}&corskit-case={token}" if parts.query else f"corskit-case={token}"
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, parts.fragment))


def _loopback_overrides(targets: Iterable[str]) -> list[str]:
    """``--ip-address-space-overrides`` entries that make loopback targets ``public``."""
    entries: list[str] = []
    for target in targets:
        parts = urlsplit(target if "://" in target else f"http://{target}")
        host = (parts.hostname or "").lower()
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            continue
        if host in ("localhost", "127.0.0.1") or host.startswith("127."):
            ips = ["127.0.0.1"] if host == "localhost" or host == "127.0.0.1" else [host]
            entries.extend(f"{ip}:{port}=public" for ip in ips)
            entries.append(f"[::1]:{port}=public")
        elif host in ("::1", "[::1]"):
            entries.append(f"[::1]:{port}=public")
    return sorted(set(entries))


class OriginPage:
    """One browser tab whose document has a given origin; runs fetches from it."""

    def __init__(self, session: BrowserSession, origin: str, page: Any, cdp: Any) -> None:
        self.session = session
        self.origin = origin
        self._page = page
        self._cdp = cdp
        self._console: list[tuple[float, str, str]] = []  # (time, type, text)
        self._failures: dict[str, dict[str, Any]] = {}  # requestId -> corsErrorStatus
        self._sent: list[tuple[str, str, str]] = []  # (requestId, method, url)
        self._statuses: dict[str, int] = {}  # requestId -> HTTP status received
        self._issues: list[str] = []  # DevTools Issues ("Kind: detail")
        page.on("console", self._on_console)
        cdp.on("Network.requestWillBeSent", self._on_request)
        cdp.on("Network.responseReceived", self._on_response)
        cdp.on("Network.loadingFailed", self._on_failed)
        cdp.on("Audits.issueAdded", self._on_issue)

    # -- event handlers (run on the Playwright dispatcher, inside our own calls) ---------------
    def _on_console(self, message: Any) -> None:
        self._console.append((time.monotonic(), str(message.type), str(message.text)))

    def _on_request(self, params: dict[str, Any]) -> None:
        request = params.get("request", {})
        self._sent.append(
            (
                str(params.get("requestId", "")),
                str(request.get("method", "")),
                str(request.get("url", "")),
            )
        )

    def _on_response(self, params: dict[str, Any]) -> None:
        status = params.get("response", {}).get("status")
        if isinstance(status, (int, float)):
            self._statuses[str(params.get("requestId", ""))] = int(status)

    def _on_issue(self, params: dict[str, Any]) -> None:
        issue = params.get("issue", {})
        code = str(issue.get("code", ""))
        details = issue.get("details", {})
        kind = ""
        if code == "DeprecationIssue":
            kind = str(details.get("deprecationIssueDetails", {}).get("type", ""))
        elif code == "CorsIssue":
            status = details.get("corsIssueDetails", {}).get("corsErrorStatus", {})
            kind = str(status.get("corsError", ""))
        self._issues.append(f"{code}: {kind}" if kind else code)

    def _on_failed(self, params: dict[str, Any]) -> None:
        self._failures[str(params.get("requestId", ""))] = dict(params)

    def fetch(
        self,
        request: BrowserRequest,
        *,
        settle_ms: int = 1500,
        timeout_ms: int = 15000,
    ) -> BrowserOutcome:
        """Run *request* from this page and collect the result.

        The URL is used as given; callers make it unique per case (see :func:`add_cache_buster`).
        When the fetch is rejected, waits up to *settle_ms* for Chromium's console message,
        which arrives asynchronously after the promise settles. A request still pending after
        *timeout_ms* is aborted (``TimeoutError: signal timed out``).
        """
        console_start = len(self._console)
        sent_start = len(self._sent)
        issues_start = len(self._issues)
        try:
            result = self._page.evaluate(
                _FETCH_JS, {"url": request.url, "init": request.init(), "timeout": timeout_ms}
            )
        except Exception as exc:  # page crashed or evaluate timed out
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            result = {"resolved": False, "error": f"browser error: {text}", "elapsed": 0.0}
        ok = bool(result.get("resolved"))
        path_token = urlsplit(request.url).query or request.url

        def related(text: str) -> bool:
            return request.url in text or (bool(path_token) and path_token in text)

        if not ok:
            # Chromium logs the console message and CDP reports loadingFailed shortly after the
            # promise rejects; wait (bounded) until both are in.
            deadline = time.monotonic() + settle_ms / 1000
            while time.monotonic() < deadline:
                ids = {rid for rid, _, _ in self._sent[sent_start:]}
                # The fetch's own failure (CDP type "Fetch"), not a preflight's.
                main = [
                    self._failures[rid]
                    for rid in ids
                    if rid in self._failures and self._failures[rid].get("type") != "Preflight"
                ]
                has_message = any(
                    related(text) and "blocked by CORS policy" in text
                    for _, _, text in self._console[console_start:]
                )
                if main and (has_message or not any(f.get("corsErrorStatus") for f in main)):
                    break
                if not ids and time.monotonic() > deadline - settle_ms / 1000 + 0.3:
                    break  # rejected before anything went on the wire (e.g. a GET with a body)
                self._page.wait_for_timeout(20)
        else:
            # Console messages for a resolved request are rare (warnings); give one tick.
            self._page.wait_for_timeout(5)

        console = tuple(text for _, _, text in self._console[console_start:] if related(text))
        sent = self._sent[sent_start:]
        cors_error: str | None = None
        cors_parameter: str | None = None
        net_error: str | None = None
        for rid, _, _ in sent:
            failure = self._failures.get(rid)
            if not failure:
                continue
            net_error = net_error or (str(failure.get("errorText") or "") or None)
            status = failure.get("corsErrorStatus")
            if status and cors_error is None:
                cors_error = str(status.get("corsError") or "") or None
                cors_parameter = str(status.get("failedParameter") or "") or None
        headers = tuple((str(k), str(v)) for k, v in result.get("headers") or ())
        status_code = result.get("status")
        return BrowserOutcome(
            origin=self.origin,
            url=request.url,
            method=request.method,
            resolved=ok,
            status=int(status_code) if isinstance(status_code, (int, float)) else None,
            error=None if ok else str(result.get("error") or "TypeError: Failed to fetch"),
            final_url=result.get("url") if ok else None,
            redirected=bool(result.get("redirected")),
            response_headers=headers,
            body=result.get("body") if ok else None,
            console=console,
            cors_error=cors_error,
            cors_error_parameter=cors_parameter,
            net_error=net_error,
            requests=tuple((m, u, self._statuses.get(rid)) for rid, m, u in sent),
            issues=tuple(self._issues[issues_start:]),
            chromium_version=self.session.version,
            elapsed_ms=float(result.get("elapsed") or 0.0),
        )

    def close(self) -> None:
        """Close the tab."""
        with contextlib.suppress(Exception):
            self._page.close()


class BrowserSession:
    """One headless Chromium launch with a fresh, temporary profile.

    ``targets`` lists the base URLs (or ``host:port``) the pages will fetch; loopback ones are
    declared ``public`` so Local Network Access does not block pages with http or ``null``
    origins. Use as a context manager; :meth:`page` opens a tab for an origin. The profile
    directory is deleted on exit.
    """

    def __init__(
        self,
        *,
        chromium_path: str | None = None,
        targets: Iterable[str] = (),
        cookies: Sequence[dict[str, Any]] = (),
        extra_args: Sequence[str] = (),
    ) -> None:
        self.executable = find_chromium(chromium_path)
        self.targets = list(targets)
        self.cookies = list(cookies)
        self.extra_args = list(extra_args)
        self.version = ""
        self._playwright_cm: Any = None
        self._context: Any = None
        self._profile: str | None = None
        self._pages: dict[str, OriginPage] = {}
        self._spare: Any = None

    def __enter__(self) -> BrowserSession:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> None:
        """Launch the browser (idempotent)."""
        if self._context is not None:
            return
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:
            raise BrowserUnavailable(
                f"the Python package playwright is not installed; {INSTALL_HINT}"
            ) from exc
        self._profile = tempfile.mkdtemp(prefix="corskit-browser-profile-")
        default = os.path.join(self._profile, "Default")
        os.makedirs(default, exist_ok=True)
        # Third-party cookies allowed, so credentials: 'include' really sends cookies
        # (browser-and-load-testing.md step 4).
        with open(os.path.join(default, "Preferences"), "w", encoding="utf-8") as fh:
            json.dump({"profile": {"cookie_controls_mode": 0}}, fh)
        args = list(LAUNCH_ARGS)
        overrides = _loopback_overrides(self.targets)
        if overrides:
            args.append("--ip-address-space-overrides=" + ",".join(overrides))
        args.extend(self.extra_args)
        try:
            self._playwright_cm = sync_playwright()
            playwright = self._playwright_cm.__enter__()
            self._context = playwright.chromium.launch_persistent_context(
                self._profile,
                executable_path=self.executable,
                headless=True,
                args=args,
            )
        except Exception as exc:
            self.close()
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BrowserUnavailable(
                f"Chromium failed to start ({self.executable}): {first}"
            ) from exc
        browser = self._context.browser
        self.version = str(browser.version) if browser is not None else ""
        # A persistent context opens with one blank tab; keep it for the first origin (closing
        # the last tab of a persistent context also drops its session cookies).
        self._spare = self._context.pages[0] if self._context.pages else None
        if self.cookies:
            self._context.add_cookies(self.cookies)

    def page(self, origin: str) -> OriginPage:
        """A tab whose document has *origin* (``scheme://host[:port]`` or ``null``), reused."""
        if self._context is None:
            self.start()
        existing = self._pages.get(origin)
        if existing is not None:
            return existing
        context = self._context
        page, self._spare = (self._spare or context.new_page()), None
        cdp = context.new_cdp_session(page)
        probe = OriginPage(self, origin, page, cdp)
        cdp.send("Network.enable")
        cdp.send("Audits.enable")
        if origin == "null":
            # A data: document has an opaque origin, so its fetches carry `Origin: null`
            # (fetch-cors-rules.md §1.11).
            page.goto("data:text/html," + _PAGE_HTML.replace("#", "%23"))
        else:
            if origin.startswith("https://"):
                # Local Network Access (fetch-cors-rules.md §1.14) for a secure fake origin.
                with contextlib.suppress(Exception):
                    context.grant_permissions(["local-network-access"], origin=origin)

            def fulfil(route: Any) -> None:
                route.fulfill(status=200, content_type="text/html", body=_PAGE_HTML)

            page.route(origin.rstrip("/") + "/**", fulfil)
            page.goto(origin.rstrip("/") + "/")
            # Mandatory: with any route active Playwright fakes every preflight with a
            # permissive 204 (browser-and-load-testing.md step 2).
            page.unroute_all(behavior="wait")
        actual = page.evaluate("self.origin")
        if actual != origin:
            raise BrowserUnavailable(f"could not open a page with origin {origin} (got {actual})")
        self._pages[origin] = probe
        return probe

    def open(self, url: str, *, width: int = 1280, height: int = 900) -> Any:
        """A new tab showing a real *url* (no fake origin); returns the Playwright page."""
        if self._context is None:
            self.start()
        page, self._spare = (self._spare or self._context.new_page()), None
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        return page

    def close(self) -> None:
        """Close the browser and delete the temporary profile."""
        for probe in self._pages.values():
            probe.close()
        self._pages.clear()
        if self._context is not None:
            with contextlib.suppress(Exception):
                self._context.close()
            self._context = None
        if self._playwright_cm is not None:
            with contextlib.suppress(Exception):
                self._playwright_cm.__exit__(None, None, None)
            self._playwright_cm = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None


def run_in_browser(
    target_url: str,
    origin: str,
    method: str = "GET",
    headers: Sequence[tuple[str, str]] = (),
    credentials: str = "same-origin",
    body: str | None = None,
    chromium_path: str | None = None,
    *,
    cache_buster: bool = True,
) -> BrowserOutcome:
    """Fetch *target_url* from a headless-Chromium page whose origin is *origin*.

    Launches a fresh browser (about a second), runs one ``fetch`` and closes it again. With
    *cache_buster* a ``corskit-case`` query parameter makes the URL unique. Raises
    :class:`BrowserUnavailable` when Chromium or playwright is missing.
    """
    url = add_cache_buster(target_url) if cache_buster else target_url
    with BrowserSession(chromium_path=chromium_path, targets=[target_url]) as session:
        page = session.page(origin)
        return page.fetch(
            BrowserRequest(
                url=url, method=method, headers=tuple(headers), credentials=credentials, body=body
            )
        )


@contextlib.contextmanager
def browser_session(**kwargs: Any) -> Iterator[BrowserSession]:
    """Context-manager shorthand for :class:`BrowserSession` (same keywords)."""
    session = BrowserSession(**kwargs)
    try:
        session.start()
        yield session
    finally:
        session.close()


# -- the doctor's side: the same request through the Fetch simulation ------------------------


class SimulationUnavailable(RuntimeError):
    """The doctor's simulation (:mod:`corskit.doctor.fetch`) cannot run this request;
    ``str()`` is one line."""


@dataclass(frozen=True)
class SimulationView:
    """The parts of the simulation's outcome that are shown beside the browser's.

    ``message`` is the console line the simulation predicts Chromium prints; ``title``,
    ``why`` and ``fix`` explain it (from :mod:`corskit.doctor.diagnose` when available, else
    from the failing step); ``steps`` is the wire-level story; ``outcome`` the raw
    :class:`corskit.doctor.fetch.Outcome`.
    """

    verdict: str
    status: int | None
    cors_error: str | None
    message: str | None
    title: str
    why: str
    fix: str
    steps: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    outcome: Any = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (without the raw outcome)."""
        return {
            "verdict": self.verdict,
            "status": self.status,
            "cors_error": self.cors_error,
            "message": self.message,
            "title": self.title,
            "why": self.why,
            "fix": self.fix,
            "steps": list(self.steps),
            "warnings": list(self.warnings),
        }


def _explain(outcome: Any) -> tuple[str, str, str]:
    """(title, why, fix) for *outcome*, from the doctor's diagnosis when it is available."""
    try:
        from corskit.doctor.diagnose import diagnose

        primary = diagnose(outcome).primary
        if primary is not None:
            return str(primary.title), str(primary.cause), str(primary.fix)
    except Exception:  # the explanation is optional; the verdict and message are not
        pass
    if outcome.verdict == "allowed":
        return "The browser lets the page read the response.", "", ""
    failing = [s.text for s in outcome.steps if s.ok is False]
    title = f"Blocked: {outcome.cors_error or outcome.network_error or 'request failed'}"
    return title, failing[-1] if failing else "", ""


def simulate_request(
    url: str,
    origin: str,
    method: str = "GET",
    headers: Sequence[tuple[str, str]] = (),
    credentials: str = "same-origin",
    body: str | None = None,
    *,
    transport: Any = None,
    timeout: float = 10.0,
    local_network_permission: bool = True,
    check_local_network: bool = True,
) -> SimulationView:
    """Run the doctor's Fetch simulation for the same request a browser run makes.

    *transport* defaults to an HTTP transport for *url*. Local Network Access (fetch-cors-rules.md
    §1.14) is treated as granted by default (*local_network_permission*); with
    *check_local_network* False it is not simulated at all, which is what a
    :class:`BrowserSession` run amounts to (its loopback targets are declared ``public``).
    Raises :class:`SimulationUnavailable` when the simulation is missing or refuses the input.
    """
    try:
        from corskit.doctor import fetch as fetch_sim
        from corskit.doctor.transports import HTTPTransport, TransportError
    except ImportError as exc:
        raise SimulationUnavailable(f"the doctor's simulation is not available ({exc})") from None
    own = transport is None
    if own:
        try:
            transport = HTTPTransport(timeout=timeout)
        except ImportError as exc:
            raise SimulationUnavailable(f"httpx is needed for the simulation ({exc})") from None
    try:
        outcome = fetch_sim.simulate(
            transport,
            url,
            origin=origin,
            method=method,
            headers=list(headers),
            credentials=credentials,  # type: ignore[arg-type]
            body=body,
            local_network_permission=local_network_permission,
            target_address_space="auto" if check_local_network else None,
        )
    except (fetch_sim.FetchInputError, TransportError) as exc:
        raise SimulationUnavailable(str(exc)) from None
    finally:
        if own:
            transport.close()
    title, why, fix = _explain(outcome)
    return SimulationView(
        verdict=str(outcome.verdict),
        status=outcome.status,
        cors_error=outcome.cors_error,
        message=outcome.chromium_message,
        title=title,
        why=why,
        fix=fix,
        steps=tuple(s.text for s in outcome.steps),
        warnings=tuple(w.text for w in outcome.warnings),
        outcome=outcome,
    )


# -- `corskit check --browser` ------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve_target(target: str, path: str = "/") -> Iterator[tuple[str, str | None]]:
    """Yield ``(url, served_base)`` for a ``corskit check`` TARGET.

    A URL is used as it is (``served_base`` is None; *path*, when not ``/``, replaces its path).
    A ``package.module:app`` target is imported and served on a free loopback port for the
    duration (uvicorn for ASGI, the standard library's threaded WSGI server for WSGI).
    Raises :class:`BrowserUnavailable` with a one-line message when that is impossible.
    """
    import threading

    from corskit.doctor.transports import (
        TransportError,
        detect_app_kind,
        load_app,
        validate_http_url,
    )

    if not path.startswith("/"):
        path = "/" + path
    if "://" in target or target.lower().startswith(("http:", "https:")):
        try:
            validate_http_url(target)
        except TransportError as exc:
            raise BrowserUnavailable(str(exc)) from None
        url = target
        if path != "/":
            parts = urlsplit(target)
            url = f"{parts.scheme}://{parts.netloc}{path}"
        yield url, None
        return
    try:
        app = load_app(target)
        kind = detect_app_kind(app)
    except TransportError as exc:
        raise BrowserUnavailable(str(exc)) from None
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    if kind == "asgi":
        try:
            import uvicorn
        except ImportError:
            raise BrowserUnavailable(
                "serving an ASGI app for --browser needs uvicorn (pip install uvicorn)"
            ) from None
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="error", access_log=False, lifespan="auto"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="corskit-serve", daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                raise BrowserUnavailable(f"could not serve {target} with uvicorn on {base}")
            time.sleep(0.02)
        try:
            yield base + path, base
        finally:
            server.should_exit = True
            thread.join(10)
    else:
        from socketserver import ThreadingMixIn
        from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

        class _Server(ThreadingMixIn, WSGIServer):
            daemon_threads = True

        class _Quiet(WSGIRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

        wsgi = make_server("127.0.0.1", port, app, server_class=_Server, handler_class=_Quiet)
        thread = threading.Thread(target=wsgi.serve_forever, name="corskit-serve", daemon=True)
        thread.start()
        try:
            yield base + path, base
        finally:
            wsgi.shutdown()
            wsgi.server_close()
            thread.join(10)


@dataclass(frozen=True)
class BrowserCheck:
    """The browser half of ``corskit check --browser``: what Chromium did, what the simulation
    says for the very same URL, and whether they agree."""

    target: str
    url: str
    served_base: str | None
    browser: BrowserOutcome
    simulation: SimulationView | None
    simulation_error: str | None = None
    local_network_note: str | None = None

    @property
    def agree(self) -> bool | None:
        """True/False, or None when the simulation could not run."""
        if self.simulation is None:
            return None
        return (
            self.simulation.verdict == self.browser.verdict
            and self.simulation.message == self.browser.cors_message
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (added under ``"browser"`` in ``corskit check --json``)."""
        return {
            "target": self.target,
            "url": self.url,
            "served_at": self.served_base,
            "chromium": self.browser.to_json(),
            "simulation": self.simulation.to_json() if self.simulation else None,
            "simulation_error": self.simulation_error,
            "agree": self.agree,
            "local_network_note": self.local_network_note,
        }

    def render_text(self, colour: bool = False) -> str:
        """Human-readable report, printed after the simulation's."""

        def paint(text: str, code: str) -> str:
            return f"\033[{code}m{text}\033[0m" if colour else text

        b = self.browser
        lines = ["", paint(f"In a real browser: Chromium {b.chromium_version} (headless)", "1")]
        lines.append(f"  page origin {b.origin}")
        if self.served_base:
            lines.append(f"  served {self.target} on {self.served_base} for this run")
        lines.append(f"  fetch {b.method} {b.url}")
        if b.resolved:
            lines.append("  " + paint(f"RESOLVED: status {b.status}", "32"))
        else:
            lines.append("  " + paint(f"REJECTED: {b.error}", "31"))
        # Preflights first: CDP announces the actual request before its preflight.
        ordered = sorted(b.requests, key=lambda r: r[0] != "OPTIONS")
        preflight_failed = (
            not b.resolved
            and any(m == "OPTIONS" for m, _, _ in ordered)
            and b.cors_error is not None
            and (b.cors_error.startswith("Preflight") or "PreflightResponse" in b.cors_error)
        )

        def show(method: str, url: str, status: int | None) -> str:
            if status is not None:
                result = str(status)
            elif method != "OPTIONS" and preflight_failed:
                result = "not sent (the preflight failed)"
            else:
                result = "no response"
            return f"{method} {urlsplit(url).path} -> {result}"

        sent = ", ".join(show(m, u, status) for m, u, status in ordered)
        if sent:
            lines.append(f"  on the wire: {sent}")
        for text in b.console:
            lines.append(f"  console: {text}")
        if b.cors_error:
            lines.append(f"  DevTools corsError: {b.cors_error}")
        for issue in b.issues:
            if not issue.startswith("CorsIssue"):  # CORS issues repeat the console message
                lines.append(f"  DevTools issue: {issue}")
        if self.local_network_note:
            lines.append(f"  note: {self.local_network_note}")
        sim = self.simulation
        if sim is None:
            lines.append(
                paint(f"  simulation of the same URL unavailable: {self.simulation_error}", "33")
            )
        elif self.agree:
            lines.append(
                paint(
                    f"  AGREE: the browser and the simulation both say {b.verdict}"
                    + (", with the same console message." if b.cors_message else "."),
                    "32",
                )
            )
        else:
            lines.append(
                paint(
                    "  DISAGREE: the browser and the simulation differ (a corskit bug; please report it)",
                    "1;31",
                )
            )
            lines.append(f"    Chromium:   {b.verdict}  {b.cors_message or ''}")
            lines.append(f"    simulation: {sim.verdict}  {sim.message or ''}")
        return "\n".join(lines) + "\n"


def browser_check(
    target: str,
    *,
    origin: str,
    method: str = "GET",
    headers: Sequence[tuple[str, str]] = (),
    credentials: str = "same-origin",
    body: str | None = None,
    path: str | None = None,
    chromium_path: str | None = None,
    timeout: float = 10.0,
) -> BrowserCheck:
    """Run one ``corskit check`` request in Chromium and through the simulation of the same URL.

    Raises :class:`BrowserUnavailable` (one line) when the browser cannot run.
    """
    find_chromium(chromium_path)  # fail fast, before serving anything
    with serve_target(target, path or "/") as (url, served):
        url = add_cache_buster(url)
        with BrowserSession(chromium_path=chromium_path, targets=[url]) as session:
            outcome = session.page(origin).fetch(
                BrowserRequest(
                    url=url,
                    method=method,
                    headers=tuple(headers),
                    credentials=credentials,
                    body=body,
                )
            )
        simulation: SimulationView | None = None
        error: str | None = None
        note: str | None = None
        try:
            # The browser run neutralises Local Network Access, so compare like with like...
            simulation = simulate_request(
                url,
                origin,
                method,
                headers,
                credentials,
                body,
                timeout=timeout,
                check_local_network=False,
            )
            # ...and say so when a real browser would also have asked (or refused) LNA.
            if served is None:
                real = simulate_request(
                    url,
                    origin,
                    method,
                    headers,
                    credentials,
                    body,
                    timeout=timeout,
                    local_network_permission=False,
                )
                if real.cors_error in (
                    "LocalNetworkAccessPermissionDenied",
                    "InsecureLocalNetwork",
                    "InvalidLocalNetworkAccess",
                ):
                    note = (
                        f"outside this test run Chromium would stop here first: {real.cors_error} "
                        "(Local Network Access; the browser run declared the target public)"
                    )
        except SimulationUnavailable as exc:
            error = str(exc)
    return BrowserCheck(target, url, served, outcome, simulation, error, note)
