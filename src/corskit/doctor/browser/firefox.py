"""A real headless Firefox session over WebDriver BiDi (https://w3c.github.io/webdriver-bidi/):
fake page origins, one ``fetch()`` per request, and what the browser printed.

Firefox speaks BiDi itself, so no geckodriver and no third-party package is needed: the
browser is started with ``--remote-debugging-port``, and :mod:`.bidi` talks to it through the
small WebSocket client in :mod:`.websocket`. The interface mirrors the Chromium session
(:class:`FirefoxSession` ~ :class:`~.session.BrowserSession`, :class:`FirefoxPage` ~
:class:`~.session.OriginPage`), and a fetch gives the same
:class:`~.session.BrowserOutcome`, with ``browser="firefox"``.

How a page gets its origin: ``network.addIntercept`` stops every request to the fake origin's
host and ``network.provideResponse`` answers it with a small page, so nothing is sent to that
host. A ``null`` origin is a page served with ``Content-Security-Policy: sandbox
allow-scripts`` (an opaque origin, https://html.spec.whatwg.org/#sandboxing). The profile
(:mod:`.firefox_profile`) keeps every other connection on loopback.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from .bidi import BiDiConnection, BiDiError
from .discovery import BrowserUnavailable
from .firefox_profile import find_firefox, user_js
from .serve import _free_port
from .session import (
    _FETCH_JS,
    _PAGE_HTML,
    BrowserLaunch,
    BrowserOutcome,
    BrowserRequest,
    is_cors_line,
)

__all__ = ["FirefoxPage", "FirefoxSession"]

#: Seconds allowed for Firefox to start and open its BiDi port.
START_TIMEOUT = 45.0


def _origin_pattern(origin: str) -> dict[str, str]:
    """A BiDi URL pattern matching every URL of *origin*."""
    parts = urlsplit(origin)
    pattern = {"type": "pattern", "protocol": parts.scheme, "hostname": parts.hostname or ""}
    if parts.port is not None:
        pattern["port"] = str(parts.port)
    return pattern


def _header(name: str, value: str) -> dict[str, Any]:
    return {"name": name, "value": {"type": "string", "value": value}}


class FirefoxPage:
    """One Firefox tab whose document has a given origin; runs fetches from it."""

    def __init__(self, session: FirefoxSession, origin: str, context: str) -> None:
        self.session = session
        self.origin = origin
        self.context = context

    def fetch(
        self,
        request: BrowserRequest,
        *,
        settle_ms: int = 1500,
        timeout_ms: int = 15000,
    ) -> BrowserOutcome:
        """Run *request* from this page and collect the result (see
        :meth:`.session.OriginPage.fetch`). Firefox may print two lines for one failure; the
        wait for them is bounded by *settle_ms* (see :meth:`_settle`)."""
        session = self.session
        log_start, sent_start = len(session.log), len(session.sent)
        args = json.dumps({"url": request.url, "init": request.init(), "timeout": timeout_ms})
        expression = f"({_FETCH_JS})({args}).then(r => JSON.stringify(r))"
        result: dict[str, Any]
        try:
            reply = session.bidi.command(
                "script.evaluate",
                {
                    "expression": expression,
                    "target": {"context": self.context},
                    "awaitPromise": True,
                },
                timeout=timeout_ms / 1000 + 10,
            )
            reply = reply if isinstance(reply, dict) else {}
            value = (reply.get("result") or {}).get("value")
            parsed = json.loads(value) if isinstance(value, str) else {}
            result = parsed if isinstance(parsed, dict) else {}
            if reply.get("type") == "exception" or not result:
                text = str((reply.get("exceptionDetails") or {}).get("text") or "no result")
                result = {"resolved": False, "error": f"browser error: {text}"}
        except (BiDiError, ValueError) as exc:
            result = {"resolved": False, "error": f"browser error: {exc}"}
        ok = bool(result.get("resolved"))
        token = urlsplit(request.url).query or request.url
        console = self._settle(log_start, sent_start, token, ok, settle_ms)
        sent = session.sent[sent_start:]
        return BrowserOutcome.from_page_result(
            result,
            origin=self.origin,
            request=request,
            console=console,
            default_error="TypeError: NetworkError",
            requests=tuple((m, u, session.statuses.get(rid)) for rid, m, u in sent),
            chromium_version=session.version,
            browser="firefox",
        )

    def _settle(
        self, log_start: int, sent_start: int, token: str, ok: bool, settle_ms: int
    ) -> tuple[str, ...]:
        """The console lines about this request, waiting (bounded) for late ones: Firefox
        prints one CORS line per failed request (``network.fetchError``), so a preflight that
        fails prints one and the actual request it stops another, a few milliseconds later; a
        response refused by the CORS check completes (``network.responseCompleted``) and
        gets one line."""
        session = self.session

        def lines() -> list[str]:
            return [
                text
                for context, text in session.log[log_start:]
                if token in text and context in ("", self.context)
            ]

        if ok:
            session.bidi.pump(0.02)
            return tuple(lines())
        started = time.monotonic()
        deadline = started + settle_ms / 1000
        while time.monotonic() < deadline:
            sent = session.sent[sent_start:]
            if not sent and time.monotonic() > started + 0.3:
                break  # rejected before anything went on the wire
            ids = {rid for rid, _, _ in sent}
            settled = all(rid in session.failed or rid in session.statuses for rid in ids)
            failed = len(ids & session.failed)
            shown = sum(1 for t in lines() if is_cors_line(t))
            if sent and settled and shown >= max(failed, 1):
                break
            session.bidi.pump(0.02)
        session.bidi.pump(0.02)
        return tuple(lines())


class FirefoxSession(BrowserLaunch):
    """One headless Firefox with a fresh, temporary profile, driven over WebDriver BiDi.

    Mirrors :class:`~.session.BrowserSession`: a context manager; :meth:`page` opens a tab
    for an origin; the profile is deleted on exit. ``targets`` is accepted for the same
    signature (Firefox needs no address-space override for loopback targets). ``cookies``
    take Playwright's shape (``name``, ``value``, ``domain``, ``path``, ``secure``,
    ``sameSite``).
    """

    def __init__(
        self,
        *,
        firefox_path: str | None = None,
        targets: Iterable[str] = (),
        cookies: Sequence[dict[str, Any]] = (),
        extra_args: Sequence[str] = (),
    ) -> None:
        super().__init__(find_firefox(firefox_path), targets, cookies, extra_args)
        self.log: list[tuple[str, str]] = []  # (context, text)
        self.sent: list[tuple[str, str, str]] = []  # (request id, method, url)
        self.statuses: dict[str, int] = {}
        self.failed: set[str] = set()  # request ids of network.fetchError
        self._pages: dict[str, FirefoxPage] = {}
        self._served: dict[str, str] = {}  # intercepted host pattern key -> origin
        self._process: subprocess.Popen[bytes] | None = None
        self._profile: str | None = None
        self._bidi: BiDiConnection | None = None
        self._stderr: list[str] = []

    @property
    def bidi(self) -> BiDiConnection:
        if self._bidi is None:
            self.start()
        assert self._bidi is not None
        return self._bidi

    def start(self) -> None:
        """Launch Firefox and open a BiDi session (idempotent)."""
        if self._bidi is not None:
            return
        try:
            url = self._launch()
            self._bidi = BiDiConnection(url + "/session", timeout=30.0)
            caps = self._bidi.command("session.new", {"capabilities": {}})
            self.version = str((caps or {}).get("capabilities", {}).get("browserVersion", ""))
            self._bidi.listeners.append(self._on_event)
            events = [
                "log.entryAdded",
                "network.beforeRequestSent",
                "network.responseCompleted",
                "network.fetchError",
            ]
            self._bidi.command("session.subscribe", {"events": events})
            for cookie in self.cookies:
                self._set_cookie(cookie)
        except (BiDiError, OSError) as exc:
            tail = " | ".join(self._stderr[-3:])
            self.close()
            raise BrowserUnavailable(
                f"Firefox failed to start ({self.executable}): {exc}"
                + (f" [{tail}]" if tail else "")
            ) from None

    def _launch(self) -> str:
        """Start the process; return the ``ws://`` address it prints."""
        self._profile = tempfile.mkdtemp(prefix="corskit-firefox-profile-")
        with open(os.path.join(self._profile, "user.js"), "w", encoding="utf-8") as fh:
            fh.write(user_js(_free_port()))
        port = _free_port()
        args = [self.executable, "--headless", "--no-remote", "--profile", self._profile]
        args += ["--remote-debugging-port", str(port), *self.extra_args, "about:blank"]
        env = dict(os.environ, MOZ_HEADLESS="1")
        self._process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        found = threading.Event()
        address: list[str] = []

        def drain(stream: Any) -> None:
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", "replace").strip()
                if len(self._stderr) < 200:
                    self._stderr.append(line)
                if "WebDriver BiDi listening on " in line and not found.is_set():
                    address.append(line.split("listening on ", 1)[1].strip())
                    found.set()

        threading.Thread(target=drain, args=(self._process.stderr,), daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while not found.wait(0.1):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise BiDiError("no WebDriver BiDi address was printed")
        return address[0]

    def _set_cookie(self, cookie: dict[str, Any]) -> None:
        same_site = str(cookie.get("sameSite", "None")).lower()
        self.bidi.command(
            "storage.setCookie",
            {
                "cookie": {
                    "name": cookie["name"],
                    "value": {"type": "string", "value": cookie["value"]},
                    "domain": cookie["domain"],
                    "path": cookie.get("path", "/"),
                    "secure": bool(cookie.get("secure", False)),
                    "httpOnly": bool(cookie.get("httpOnly", False)),
                    "sameSite": same_site if same_site in ("strict", "lax") else "none",
                }
            },
        )

    # -- events ------------------------------------------------------------------------------
    def _on_event(self, method: str, params: dict[str, Any]) -> None:
        if method == "log.entryAdded":
            context = str((params.get("source") or {}).get("context") or "")
            self.log.append((context, str(params.get("text") or "")))
            return
        request = params.get("request") or {}
        rid = str(request.get("request", ""))
        if method == "network.beforeRequestSent":
            if params.get("isBlocked") and self._serve_page(rid, str(request.get("url", ""))):
                return
            self.sent.append((rid, str(request.get("method", "")), str(request.get("url", ""))))
        elif method == "network.fetchError":
            self.failed.add(rid)
        elif method == "network.responseCompleted":
            status = (params.get("response") or {}).get("status")
            if isinstance(status, int):
                self.statuses[rid] = status

    def _serve_page(self, rid: str, url: str) -> bool:
        """Answer an intercepted request to a fake origin with the probe page."""
        parts = urlsplit(url)
        origin = self._served.get(f"{parts.scheme}://{parts.netloc}")
        if origin is None:
            return False
        headers = [_header("content-type", "text/html; charset=utf-8")]
        if origin == "null":
            headers.append(_header("content-security-policy", "sandbox allow-scripts"))
        self.bidi.send(
            "network.provideResponse",
            {
                "request": rid,
                "statusCode": 200,
                "reasonPhrase": "OK",
                "headers": headers,
                "body": {"type": "string", "value": _PAGE_HTML},
            },
        )
        return True

    # -- pages -------------------------------------------------------------------------------
    def page(self, origin: str) -> FirefoxPage:
        """A tab whose document has *origin* (``scheme://host[:port]`` or ``null``), reused."""
        existing = self._pages.get(origin)
        if existing is not None:
            return existing
        bidi = self.bidi
        # A null origin: a sandboxed page from a host of its own, which is never contacted.
        base = "http://null-origin.corskit.invalid" if origin == "null" else origin.rstrip("/")
        self._served[base] = origin
        bidi.command(
            "network.addIntercept",
            {"phases": ["beforeRequestSent"], "urlPatterns": [_origin_pattern(base)]},
        )
        context = str(bidi.command("browsingContext.create", {"type": "tab"})["context"])
        try:
            bidi.command(
                "browsingContext.navigate",
                {"context": context, "url": base + "/", "wait": "complete"},
                timeout=30.0,
            )
            reply = bidi.command(
                "script.evaluate",
                {
                    "expression": "self.origin",
                    "target": {"context": context},
                    "awaitPromise": False,
                },
            )
        except BiDiError as exc:
            raise BrowserUnavailable(f"could not open a page with origin {origin}: {exc}") from None
        actual = (reply or {}).get("result", {}).get("value")
        if actual != origin:
            raise BrowserUnavailable(f"could not open a page with origin {origin} (got {actual})")
        probe = FirefoxPage(self, origin, context)
        self._pages[origin] = probe
        return probe

    def close(self) -> None:
        """End the session, stop Firefox and delete the temporary profile."""
        if self._bidi is not None:
            with contextlib.suppress(BiDiError):
                self._bidi.command("session.end", {}, timeout=5.0)
            with contextlib.suppress(Exception):
                self._bidi.close()
            self._bidi = None
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(10)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait(5)
            self._process = None
        self._pages.clear()
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None
