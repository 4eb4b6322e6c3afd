"""The playground's HTTP server: one page to try cross-origin requests against an API.

``corskit playground --api URL [--origin ORIGIN]`` serves one small page
(``corskit/doctor/playground.html``) on a loopback port. A person composes a request there
(page origin, URL, method, headers, credentials mode, body) and presses **Send**. The server
then runs that request twice:

* in real headless Chromium, from a page whose origin is the one typed (any origin: the page is
  faked with request interception exactly as ``corskit check --browser`` does it, see
  :class:`corskit.doctor.browser.BrowserSession`), so a real front end's origin can be tested
  without adding the playground's own origin to the API's allow-list;
* through the doctor's Fetch simulation, which explains the outcome (the console message
  Chromium prints, why, and the fix).

The URL is sent exactly as typed: no query parameter is added. Each run uses a fresh browser
profile, so the preflight cache never hides a preflight. A request the doctor cannot simulate
(a URL outside the ``--api`` origin, with credentials in it, an invalid method or header, a body
on GET...) is refused before anything is sent, with a one-line reason shown in the page.

Safety: the server listens on loopback only; ``/api/run`` accepts only JSON (so other sites'
pages cannot post to it without a preflight, which it never grants), only requests whose
``Host`` is a loopback name (DNS-rebinding defence) and whose ``Origin``, if any, is its own,
and only URLs on the ``--api`` origin (it is not an open proxy).
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any, TextIO
from urllib.parse import urlsplit

from corskit.doctor.errors import for_pip_users

__all__ = [
    "LOOPBACK_HOSTS",
    "PlaygroundConfigError",
    "PlaygroundRequest",
    "PlaygroundServer",
    "RefusedRequest",
    "check_config",
    "make_server",
    "page_origin",
    "parse_request",
    "run_request",
    "serve",
]

MAX_REQUEST_BYTES = 64 * 1024
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
CREDENTIALS_MODES = ("same-origin", "include", "omit")

# A serialized http(s) origin whose host is safe to use in a request-interception pattern.
_ORIGIN_RE = re.compile(
    r"https?://(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::[0-9]+)?"
)


class RefusedRequest(ValueError):
    """The playground will not run this request; ``str()`` is one line saying why.

    Raised before anything is sent to the API or a browser is started."""


class PlaygroundConfigError(ValueError):
    """Bad ``corskit playground`` settings; ``problems`` lists every one of them."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class PlaygroundRequest:
    """One validated request from the page: ``fetch(url, {method, headers, credentials, body})``
    run from a page whose origin is ``origin`` (a serialized origin, or ``null``)."""

    url: str
    origin: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: str = "same-origin"
    body: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "url": self.url,
            "origin": self.origin,
            "method": self.method,
            "headers": [list(h) for h in self.headers],
            "credentials": self.credentials,
            "body": self.body,
        }


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def page_origin(text: str) -> str:
    """Normalise a page origin typed by a person (``https://App.example.com:443/``) into the
    serialized origin a browser sends (``https://app.example.com``); ``null`` stays ``null``.

    Raises :class:`RefusedRequest` for anything that is not an http(s) origin (or ``null``)."""
    text = text.strip()
    if text == "null":
        return "null"
    from corskit.doctor.spec import parse_origin

    try:
        origin = parse_origin(text).serialize()
    except ValueError as exc:
        raise RefusedRequest(f"page origin {text!r}: {_one_line(exc)}") from None
    if not _ORIGIN_RE.fullmatch(origin):
        raise RefusedRequest(
            f"page origin {text!r}: use http:// or https://, a host name or IP address, and an "
            "optional port (e.g. https://app.example.com)"
        )
    return origin


def _headers_of(raw: Any) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
        for pair in raw
    ):
        raise RefusedRequest("headers must be a list of [name, value] pairs of strings")
    return tuple((name, value) for name, value in raw)


def _string(data: dict[str, Any], key: str, default: str | None) -> str | None:
    value = data.get(key, default)
    if value is not None and not isinstance(value, str):
        raise RefusedRequest(f"{key} must be a string")
    return value


def _check_url(url: str, api_origin: str) -> None:
    from corskit.doctor.transports import TransportError, validate_http_url

    try:
        validate_http_url(url)
    except TransportError as exc:
        raise RefusedRequest(str(exc)) from None
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise RefusedRequest(
            "the URL contains a user name or password; fetch() throws TypeError for such URLs "
            "(Request cannot be constructed from a URL that includes credentials)"
        )
    if _origin_of(url) != api_origin:
        raise RefusedRequest(
            f"only URLs on the API's origin {api_origin} can be sent from the playground "
            f"(this one is on {_origin_of(url)}); restart it with --api for another API"
        )


def parse_request(data: Any, api_origin: str, default_origin: str) -> PlaygroundRequest:
    """Validate one request from the page (a decoded JSON object) without sending anything.

    The same checks ``fetch()`` makes before it sends (the doctor's
    :func:`corskit.doctor.fetch.prepare`) plus the playground's own: the URL must be on
    *api_origin*. Raises :class:`RefusedRequest` with a one-line reason."""
    if not isinstance(data, dict):
        raise RefusedRequest("the request must be a JSON object")
    url = _string(data, "url", None)
    if not url or not url.strip():
        raise RefusedRequest("the URL is empty")
    url = url.strip()
    _check_url(url, api_origin)
    origin = page_origin(_string(data, "origin", None) or default_origin)
    credentials = _string(data, "credentials", None) or "same-origin"
    if credentials not in CREDENTIALS_MODES:
        raise RefusedRequest(f"unknown credentials mode {credentials!r}")
    request = PlaygroundRequest(
        url=url,
        origin=origin,
        method=(_string(data, "method", None) or "GET").strip() or "GET",
        headers=_headers_of(data.get("headers")),
        credentials=credentials,
        body=_string(data, "body", None) or None,
    )
    from corskit.doctor import fetch as fetch_sim

    try:
        fetch_sim.prepare(
            request.url,
            origin=request.origin,
            method=request.method,
            headers=request.headers,
            credentials=request.credentials,  # type: ignore[arg-type]
            body=request.body,
        )
    except fetch_sim.FetchInputError as exc:
        raise RefusedRequest(_one_line(exc)) from None
    return request


def local_network_note(url: str, origin: str) -> str | None:
    """What Chromium's Local Network Access rules would add outside the test run, if anything.

    The browser run declares loopback targets ``public`` (as ``check --browser`` does); a real
    page on a public origin calling a loopback or private API is stopped first (see
    docs/blocked.md, Local Network Access)."""
    from corskit.doctor.netspace import address_space, is_secure_context_origin, lna_applies
    from corskit.doctor.spec import parse_origin

    target = address_space(urlsplit(url).hostname or "")
    if target is None:
        return None
    page = parse_origin(origin)
    page_space = "public" if page.opaque else (address_space(page.host) or "public")
    if not lna_applies(page_space, target):
        return None
    if not is_secure_context_origin(page):
        return (
            f"in a real browser Chromium stops this request first: an http page on a public "
            f"origin may not call the `{target}` address space at all (InsecureLocalNetwork); "
            "this run declared the API public"
        )
    return (
        f"in a real browser Chromium first asks the user for the local-network permission "
        f"(the API is in the `{target}` address space); this run assumed it was granted"
    )


def _run_browser(
    request: PlaygroundRequest, chromium_path: str | None, timeout: float
) -> dict[str, Any]:
    from corskit.doctor.browser import BrowserRequest, BrowserSession, BrowserUnavailable

    try:
        # A fresh profile per run: the preflight cache starts empty, so the URL needs no
        # cache-busting parameter and is sent exactly as typed.
        with BrowserSession(chromium_path=chromium_path, targets=[request.url]) as session:
            outcome = session.page(request.origin).fetch(
                BrowserRequest(
                    url=request.url,
                    method=request.method,
                    headers=request.headers,
                    credentials=request.credentials,
                    body=request.body,
                ),
                timeout_ms=int(timeout * 1000),
            )
    except BrowserUnavailable as exc:
        return {"browser": None, "browser_error": for_pip_users(str(exc))}
    return {"browser": outcome.to_json(), "browser_error": None}


def _run_simulation(request: PlaygroundRequest, timeout: float) -> dict[str, Any]:
    from corskit.doctor.browser import SimulationUnavailable, simulate_request

    try:
        view = simulate_request(
            request.url,
            request.origin,
            method=request.method,
            headers=request.headers,
            credentials=request.credentials,
            body=request.body,
            timeout=timeout,
            check_local_network=False,  # compare like with like: the browser run's API is public
        )
    except SimulationUnavailable as exc:
        return {"simulation": None, "simulation_error": str(exc)}
    return {"simulation": view.to_json(), "simulation_error": None}


def run_request(
    request: PlaygroundRequest,
    *,
    timeout: float = 10.0,
    chromium_path: str | None = None,
    browser: bool = True,
) -> dict[str, Any]:
    """Run *request* in headless Chromium (unless *browser* is False) and through the doctor's
    simulation; return the JSON the page shows.

    Keys: ``request``, ``browser`` (:meth:`BrowserOutcome.to_json` or None) and
    ``browser_error``, ``simulation`` (:meth:`SimulationView.to_json` or None) and
    ``simulation_error``, ``agree`` (None unless both ran) and ``note`` (Local Network Access)."""
    result: dict[str, Any] = {"refused": False, "request": request.to_json()}
    if browser:
        result.update(_run_browser(request, chromium_path, timeout))
    else:
        result.update({"browser": None, "browser_error": "the browser run is switched off"})
    result.update(_run_simulation(request, timeout))
    b, s = result["browser"], result["simulation"]
    result["agree"] = (
        None
        if b is None or s is None
        else b["verdict"] == s["verdict"] and b["cors_message"] == s["message"]
    )
    result["note"] = local_network_note(request.url, request.origin)
    return result


class PlaygroundServer(ThreadingHTTPServer):
    """The playground's HTTP server (standard library; one thread per request).

    Browser runs are serialised (one headless Chromium at a time)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        api: str,
        *,
        origin: str | None = None,
        timeout: float = 10.0,
        chromium_path: str | None = None,
        browser: bool = True,
    ) -> None:
        super().__init__(address, _Handler)
        self.api = api
        self.api_origin = _origin_of(api)
        self.default_origin = origin  # None: the playground's own origin
        self.timeout_s = timeout
        self.chromium_path = chromium_path
        self.browser = browser
        self.browser_lock = threading.Lock()
        self.page = resources.files("corskit.doctor").joinpath("playground.html").read_bytes()

    @property
    def url(self) -> str:
        """The page's URL."""
        host = self.server_address[0]
        name = host.decode() if isinstance(host, bytes) else str(host)
        port = int(self.server_address[1])
        return f"http://[{name}]:{port}/" if ":" in name else f"http://{name}:{port}/"

    @property
    def own_origin(self) -> str:
        """The origin of the playground's own page."""
        return self.url.rstrip("/")

    def run(self, data: Any, own_origin: str) -> dict[str, Any]:
        """Validate and run one request from the page (raises :class:`RefusedRequest`)."""
        request = parse_request(data, self.api_origin, self.default_origin or own_origin)
        with self.browser_lock:
            return run_request(
                request,
                timeout=self.timeout_s,
                chromium_path=self.chromium_path,
                browser=self.browser,
            )


class _Handler(BaseHTTPRequestHandler):
    server: PlaygroundServer
    server_version = "corskit-playground"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: dict[str, Any]) -> None:
        self._send(status, json.dumps(data).encode(), "application/json")

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").lower()
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        return name in LOOPBACK_HOSTS

    def _own_origin(self) -> str:
        return f"http://{self.headers.get('Host') or '127.0.0.1'}"

    def do_GET(self) -> None:
        if not self._host_ok():
            self._json(403, {"error": "the playground only answers on loopback host names"})
            return
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            self._send(200, self.server.page, "text/html; charset=utf-8")
        elif path == "/api/config":
            own = self._own_origin()
            self._json(
                200,
                {
                    "api": self.server.api,
                    "own_origin": own,
                    "origin": self.server.default_origin or own,
                    "browser": self.server.browser,
                },
            )
        else:
            self._json(404, {"error": "not found"})

    def _guard_post(self) -> str | None:
        """The refusal of a POST that is not a same-origin JSON call on a loopback host."""
        if self.path.split("?", 1)[0] != "/api/run":
            return "not found"
        if not self._host_ok():
            return "the playground only answers on loopback host names"
        origin = self.headers.get("Origin")
        if origin is not None and origin != self._own_origin():
            return "cross-origin calls to the playground are refused"
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return "send application/json"
        return None

    def do_POST(self) -> None:
        problem = self._guard_post()
        if problem is not None:
            status = {"not found": 404, "send application/json": 415}.get(problem, 403)
            self._json(status, {"error": problem})
            return
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            length = -1
        if not 0 < length <= MAX_REQUEST_BYTES:
            self._json(413, {"error": "request body missing or too large"})
            return
        try:
            data = json.loads(self.rfile.read(length))
        except ValueError as exc:
            self._json(400, {"error": f"bad JSON: {_one_line(exc)}"})
            return
        try:
            result = self.server.run(data, self._own_origin())
        except RefusedRequest as exc:
            self._json(422, {"refused": True, "error": str(exc)})
            return
        except Exception as exc:  # never a dropped connection: the page shows one line
            self._json(500, {"error": f"internal error: {type(exc).__name__}: {_one_line(exc)}"})
            return
        self._json(200, result)


def check_config(api: str, *, origin: str | None, host: str, port: int) -> str | None:
    """Validate the settings; return the normalised page origin (or None).

    Raises :class:`PlaygroundConfigError` listing every problem."""
    from corskit.doctor.transports import TransportError, validate_http_url

    problems: list[str] = []
    try:
        validate_http_url(api)
    except TransportError as exc:
        problems.append(f"--api: {exc}")
    if host not in LOOPBACK_HOSTS:
        problems.append(
            f"--host must be a loopback address (127.0.0.1, ::1 or localhost), not {host!r}"
        )
    if not 0 <= port <= 65535:
        problems.append(f"--port must be between 0 and 65535, not {port}")
    normalised: str | None = None
    if origin is not None:
        try:
            normalised = page_origin(origin)
        except RefusedRequest as exc:
            problems.append(f"--origin: {exc}")
    if problems:
        raise PlaygroundConfigError(problems)
    return normalised


def make_server(
    api: str,
    *,
    origin: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    timeout: float = 10.0,
    chromium_path: str | None = None,
    browser: bool = True,
) -> PlaygroundServer:
    """Create (but do not start) the playground server for *api*.

    *origin* is the page origin the form starts with (default: the playground's own).
    Raises :class:`PlaygroundConfigError` for bad settings and :class:`OSError` when the
    port cannot be bound."""
    normalised = check_config(api, origin=origin, host=host, port=port)
    return PlaygroundServer(
        (host, port),
        api,
        origin=normalised,
        timeout=timeout,
        chromium_path=chromium_path,
        browser=browser,
    )


def _announce(server: PlaygroundServer, out: TextIO) -> None:
    from corskit.doctor.browser import browser_available

    origin = server.default_origin or server.own_origin
    print(f"corskit playground: open {server.url}  (API {server.api}; Ctrl-C stops it)", file=out)
    print(
        f"  requests run in headless Chromium from a page at {origin} (change it in the page's "
        "Page origin field); the API's allow-list needs no extra entry.",
        file=out,
    )
    reason = browser_available(server.chromium_path)
    if reason is not None:
        print(
            f"  note: the browser run is unavailable: {for_pip_users(reason)}."
            " The doctor's simulation still runs.",
            file=out,
        )
    out.flush()


def serve(
    api: str,
    *,
    origin: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8377,
    timeout: float = 10.0,
    chromium_path: str | None = None,
    out: TextIO | None = None,
    ready: Callable[[PlaygroundServer], None] | None = None,
) -> int:
    """Serve the playground until interrupted (Ctrl-C); returns the exit status 0.

    Raises :class:`PlaygroundConfigError` (all problems) and :class:`OSError` (port busy) at
    start-up. *ready*, if given, is called with the server once it listens."""
    server = make_server(
        api, origin=origin, host=host, port=port, timeout=timeout, chromium_path=chromium_path
    )
    _announce(server, out or sys.stdout)
    thread = threading.Thread(target=server.serve_forever, name="corskit-playground", daemon=True)
    thread.start()
    if ready is not None:
        ready(server)
    try:
        thread.join()
    except KeyboardInterrupt:
        print("corskit playground: stopped", file=sys.stderr)
    finally:
        server.shutdown()
        server.server_close()
    return 0
