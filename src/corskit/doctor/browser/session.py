"""A real headless Chromium session: fake page origins, one ``fetch()`` per request, and
what the browser saw (console, network, DevTools issues)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from .discovery import INSTALL_HINT, LAUNCH_ARGS, BrowserUnavailable, find_chromium

# The page served at the fake origin. The data: favicon avoids a stray console error for
# /favicon.ico (docs/browser.md, "How a browser run works").
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


@dataclass(frozen=True)
class BrowserRequest:
    """One ``fetch(url, init)`` to run from a page.

    ``credentials`` is the Fetch credentials mode (``omit``, ``same-origin`` or ``include``);
    ``cache`` the request's cache mode: ``no-store`` (the default here) and ``reload`` make
    Chromium and Firefox skip the preflight cache, and Chromium also does so for ``no-cache``;
    ``headers`` keep their order (Chromium reports the first disallowed one, https://source.chromium.org/chromium/chromium/src/+/main:third_party/blink/renderer/platform/loader/cors/cors_error_string.cc); ``method`` is passed as written, so ``patch`` stays lower-case (https://fetch.spec.whatwg.org/#concept-method-normalize).
    """

    url: str
    method: str = "GET"
    headers: Sequence[tuple[str, str]] = ()
    credentials: str = "same-origin"
    body: str | None = None
    redirect: str = "follow"
    cache: str = "no-store"

    def init(self) -> dict[str, Any]:
        """The ``RequestInit`` dictionary passed to ``fetch``."""
        init: dict[str, Any] = {
            "method": self.method,
            "headers": [list(pair) for pair in self.headers],
            "credentials": self.credentials,
            "mode": "cors",
            "redirect": self.redirect,
            "cache": self.cache,
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
    that starts with ``Access to fetch at`` (https://source.chromium.org/chromium/chromium/src/+/main:third_party/blink/renderer/platform/loader/cors/cors_error_string.cc), if any. ``cors_error``
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
    browser: str = "chromium"

    @classmethod
    def from_page_result(
        cls,
        result: dict[str, Any],
        *,
        origin: str,
        request: BrowserRequest,
        console: tuple[str, ...],
        default_error: str,
        requests: tuple[tuple[str, str, int | None], ...],
        **details: Any,
    ) -> BrowserOutcome:
        """The outcome of the page's ``fetch()`` *result* (the dictionary the injected script
        returns), its *console* lines and the *requests* seen; *default_error* is the browser's
        own rejection text when the script gave none, *details* the browser's extra fields."""
        ok = bool(result.get("resolved"))
        status_code = result.get("status")
        return cls(
            origin=origin,
            url=request.url,
            method=request.method,
            resolved=ok,
            status=int(status_code) if isinstance(status_code, (int, float)) else None,
            error=None if ok else str(result.get("error") or default_error),
            final_url=result.get("url") if ok else None,
            redirected=bool(result.get("redirected")),
            response_headers=tuple((str(k), str(v)) for k, v in result.get("headers") or ()),
            body=result.get("body") if ok else None,
            console=console,
            requests=requests,
            elapsed_ms=float(result.get("elapsed") or 0.0),
            **details,
        )

    @property
    def browser_name(self) -> str:
        """``Chromium 156.0...`` or ``Firefox 140.5.0esr``: the browser and its version."""
        return f"{self.browser.capitalize()} {self.chromium_version}".strip()

    @property
    def cors_messages(self) -> tuple[str, ...]:
        """Every CORS console line, in order: Chromium prints one (``Access to fetch at ...
        blocked by CORS policy: ...``), Firefox one or two (``Cross-Origin Request Blocked:
        ...``, https://searchfox.org/mozilla-central/source/dom/locales/en-US/chrome/security/security.properties)."""
        return tuple(text for text in self.console if is_cors_line(text))

    @property
    def cors_message(self) -> str | None:
        """The first CORS console line (see :attr:`cors_messages`)."""
        lines = self.cors_messages
        return lines[0] if lines else None

    @property
    def console_message(self) -> str | None:
        """The console line the doctor predicts: the CORS message, or for a request that
        failed with a network error instead, ``Failed to load resource: net::ERR_…``."""
        if self.cors_message is not None:
            return self.cors_message
        for text in self.console:
            if text.startswith("Failed to load resource: net::"):
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
            "console_message": self.console_message,
            "cors_error": self.cors_error,
            "cors_error_parameter": self.cors_error_parameter,
            "net_error": self.net_error,
            "requests": [list(r) for r in self.requests],
            "issues": list(self.issues),
            "chromium_version": self.chromium_version,
            "browser": self.browser,
            "cors_messages": list(self.cors_messages),
        }


def is_cors_line(text: str) -> bool:
    """Whether *text* is a browser's CORS console line (Chromium's or Firefox's)."""
    if text.startswith("Access to ") and "has been blocked by CORS policy" in text:
        return True
    return text.startswith("Cross-Origin Request Blocked: ")


def add_cache_buster(url: str, token: str | None = None) -> str:
    """Append ``corskit-case=<token>`` to the query, so no preflight-cache entry applies.

    (https://fetch.spec.whatwg.org/#cors-preflight-cache: cache entries are keyed by URL; docs/browser.md.)
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


def _as_chromium_shows(url: str) -> str:
    """*url* as Chromium serialises it in console messages (a space as %20...)."""
    from ..fetch.url import parse_url

    try:
        return parse_url(url).serialize()
    except ValueError:
        return url


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

    def _failed_line(self, net_error: str, console_start: int) -> tuple[str, ...]:
        """A network error (net::ERR_UNSAFE_REDIRECT...) is logged without the URL."""
        line = f"Failed to load resource: {net_error}"
        return (line,) if any(t == line for _, _, t in self._console[console_start:]) else ()

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

        needles = [t for t in (request.url, _as_chromium_shows(request.url), path_token) if t]

        def related(text: str) -> bool:
            return any(t in text for t in needles)

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
        if net_error and cors_error is None:
            console += self._failed_line(net_error, console_start)
        return BrowserOutcome.from_page_result(
            result,
            origin=self.origin,
            request=request,
            console=console,
            default_error="TypeError: Failed to fetch",
            requests=tuple((m, u, self._statuses.get(rid)) for rid, m, u in sent),
            cors_error=cors_error,
            cors_error_parameter=cors_parameter,
            net_error=net_error,
            issues=tuple(self._issues[issues_start:]),
            chromium_version=self.session.version,
        )

    def close(self) -> None:
        """Close the tab."""
        with contextlib.suppress(Exception):
            self._page.close()


_Session = TypeVar("_Session", bound="BrowserLaunch")


class BrowserLaunch:
    """What every browser session holds (its binary, the targets, the cookies to set, extra
    command-line arguments, the version once started), and the context manager that starts
    it and closes it."""

    def __init__(
        self,
        executable: str,
        targets: Iterable[str],
        cookies: Sequence[dict[str, Any]],
        extra_args: Sequence[str],
    ) -> None:
        self.executable = executable
        self.targets = list(targets)
        self.cookies = list(cookies)
        self.extra_args = list(extra_args)
        self.version = ""

    def start(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self: _Session) -> _Session:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class BrowserSession(BrowserLaunch):
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
        super().__init__(find_chromium(chromium_path), targets, cookies, extra_args)
        self._playwright_cm: Any = None
        self._context: Any = None
        self._profile: str | None = None
        self._pages: dict[str, OriginPage] = {}
        self._spare: Any = None

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
        # (docs/browser.md).
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
            # (https://fetch.spec.whatwg.org/#concept-request-tainted-origin).
            page.goto("data:text/html," + _PAGE_HTML.replace("#", "%23"))
        else:
            if origin.startswith("https://"):
                # Local Network Access (https://wicg.github.io/local-network-access/) for a secure fake origin.
                with contextlib.suppress(Exception):
                    context.grant_permissions(["local-network-access"], origin=origin)

            def fulfil(route: Any) -> None:
                route.fulfill(status=200, content_type="text/html", body=_PAGE_HTML)

            page.route(origin.rstrip("/") + "/**", fulfil)
            page.goto(origin.rstrip("/") + "/")
            # Mandatory: with any route active Playwright fakes every preflight with a
            # permissive 204 (docs/browser.md).
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
