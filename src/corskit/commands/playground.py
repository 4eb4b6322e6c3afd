"""``corskit playground --api URL``: a local page to try cross-origin requests against an API.

The playground serves one small page (``corskit/doctor/playground.html``) on a loopback port.
A person composes a request there (method, headers, credentials mode, body); the page sends it
with a real ``fetch()`` from its own origin (``http://127.0.0.1:PORT``), shows what the browser
did, and asks the playground server to replay the same request through the doctor's Fetch
simulation, which explains the outcome (the console message Chromium prints, why, and the fix).
Scripts never see why a CORS request failed, so this side-by-side is the point of the page.

Safety: the server listens on loopback only; ``/api/simulate`` accepts only JSON (so other
sites' pages cannot post to it without a preflight, which it never grants), only requests whose
``Host`` is a loopback name (DNS-rebinding defence), and only URLs on the ``--api`` origin.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

__all__ = ["PlaygroundServer", "make_server", "register", "run"]

MAX_REQUEST_BYTES = 64 * 1024
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


def register(subparsers: Any) -> None:
    """Add the ``playground`` subcommand."""
    parser = subparsers.add_parser(
        "playground",
        help="serve a local page to try cross-origin requests against your API",
        description=(
            "Serve a small page on a loopback port where you compose a request (method, "
            "headers, credentials, body) against your API, see what the browser really did, "
            "and read the corskit doctor's explanation beside it."
        ),
    )
    parser.add_argument(
        "--api",
        required=True,
        metavar="URL",
        help="base URL of your API, e.g. http://127.0.0.1:8000/items",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8377,
        metavar="N",
        help="port of the playground page (default 8377; 0 = any free port)",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="timeout of the doctor's requests (default 10 s)",
    )
    parser.set_defaults(func=run)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class PlaygroundServer(ThreadingHTTPServer):
    """The playground's HTTP server (standard library; one thread per request)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], api: str, timeout: float = 10.0) -> None:
        super().__init__(address, _Handler)
        self.api = api
        self.api_origin = _origin(api)
        self.timeout_s = timeout
        self.page = resources.files("corskit.doctor").joinpath("playground.html").read_bytes()

    @property
    def url(self) -> str:
        """The page's URL."""
        host = self.server_address[0]
        name = host.decode() if isinstance(host, bytes) else str(host)
        port = int(self.server_address[1])
        return f"http://[{name}]:{port}/" if ":" in name else f"http://{name}:{port}/"


class _Handler(BaseHTTPRequestHandler):
    server: PlaygroundServer
    server_version = "corskit-playground"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # -- helpers ---------------------------------------------------------------------------
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
        return name in _LOOPBACK_HOSTS

    def _page_origin(self) -> str:
        return f"http://{self.headers.get('Host') or '127.0.0.1'}"

    # -- routes ----------------------------------------------------------------------------
    def do_GET(self) -> None:
        if not self._host_ok():
            self._json(403, {"error": "the playground only answers on loopback host names"})
            return
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            self._send(200, self.server.page, "text/html; charset=utf-8")
        elif path == "/api/config":
            self._json(200, {"api": self.server.api, "origin": self._page_origin()})
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self) -> None:
        if self.path.split("?", 1)[0] != "/api/simulate":
            self._json(404, {"error": "not found"})
            return
        if not self._host_ok():
            self._json(403, {"error": "the playground only answers on loopback host names"})
            return
        origin = self.headers.get("Origin")
        if origin is not None and origin != self._page_origin():
            self._json(403, {"error": "cross-origin calls to the playground are refused"})
            return
        if (self.headers.get("Content-Type") or "").split(";")[
            0
        ].strip().lower() != "application/json":
            self._json(415, {"error": "send application/json"})
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
            result = self._simulate(data)
        except (ValueError, TypeError, KeyError) as exc:
            self._json(400, {"available": False, "error": f"bad request: {_one_line(exc)}"})
            return
        self._json(200, result)

    def _simulate(self, data: dict[str, Any]) -> dict[str, Any]:
        url = str(data["url"])
        if _origin(url) != self.server.api_origin:
            raise ValueError(f"only URLs on {self.server.api_origin} can be simulated")
        method = str(data.get("method") or "GET")
        headers = [(str(k), str(v)) for k, v in data.get("headers") or []]
        credentials = str(data.get("credentials") or "same-origin")
        if credentials not in ("omit", "same-origin", "include"):
            raise ValueError(f"unknown credentials mode {credentials!r}")
        body = data.get("body")
        from corskit.doctor.browser import SimulationUnavailable, simulate_request

        try:
            view = simulate_request(
                url,
                self._page_origin(),
                method=method,
                headers=headers,
                credentials=credentials,
                body=None if body is None else str(body),
                timeout=self.server.timeout_s,
            )
        except SimulationUnavailable as exc:
            return {"available": False, "error": str(exc)}
        result = view.to_json()
        result["available"] = True
        return result


def make_server(
    api: str, *, host: str = "127.0.0.1", port: int = 0, timeout: float = 10.0
) -> PlaygroundServer:
    """Create (but do not start) the playground server for *api*."""
    return PlaygroundServer((host, port), api, timeout)


def run(args: argparse.Namespace) -> int:
    """Handler of ``corskit playground``: serve until interrupted."""
    from corskit.cli import CLIError
    from corskit.doctor.transports import TransportError, validate_http_url

    try:
        validate_http_url(args.api)
    except TransportError as exc:
        raise CLIError(str(exc)) from None
    if args.host not in _LOOPBACK_HOSTS:
        raise CLIError(
            f"--host must be a loopback address (127.0.0.1, ::1 or localhost), not {args.host!r}"
        )
    if not 0 <= args.port <= 65535:
        raise CLIError(f"--port must be between 0 and 65535, not {args.port}")
    try:
        server = make_server(args.api, host=args.host, port=args.port, timeout=args.timeout)
    except OSError as exc:
        raise CLIError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    print(f"corskit playground: open {server.url}  (API {args.api}; Ctrl-C stops it)", flush=True)
    print(
        f"  requests from the page carry Origin: {server.url.rstrip('/')}; allow it in your API's "
        "CORS settings to see allowed requests.",
        flush=True,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        thread.join()
    except KeyboardInterrupt:
        print("corskit playground: stopped", file=sys.stderr)
    finally:
        server.shutdown()
        server.server_close()
    return 0
