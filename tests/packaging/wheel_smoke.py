"""A smoke test of an installed corskit, with the standard library only.

Run by cibuildwheel on every wheel it builds (``test-command`` in ``pyproject.toml``) and by
``tests/packaging/test_distribution.py`` in a fresh virtual environment:

    python wheel_smoke.py [--require-speedups]

It answers a preflight and an actual request through the ASGI and the WSGI middleware and
checks the headers. ``--require-speedups`` also requires the compiled C module
(``corskit._speedups``) to load and to be the one the ASGI middleware uses. Prints one line
per check; exits 1 at the first failure.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

ORIGIN = b"https://app.example.com"
PREFLIGHT = [
    (b"origin", ORIGIN),
    (b"access-control-request-method", b"PUT"),
    (b"access-control-request-headers", b"content-type"),
]
SETTINGS: dict[str, Any] = {
    "allow_origins": [ORIGIN.decode()],
    "allow_methods": ["GET", "PUT"],
    "allow_headers": ["Content-Type"],
}


def _asgi_headers(method: str, headers: list[tuple[bytes, bytes]]) -> dict[bytes, bytes]:
    from corskit import CORSMiddleware

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": "/items",
        "headers": headers,
        "query_string": b"",
        "scheme": "https",
        "http_version": "1.1",
    }

    async def call() -> None:  # the middleware returns an awaitable, not always a coroutine
        await CORSMiddleware(app, **SETTINGS)(scope, receive, send)

    asyncio.run(call())
    return dict(sent[0]["headers"])


def _wsgi_headers(method: str, headers: list[tuple[bytes, bytes]]) -> dict[bytes, bytes]:
    from corskit import WSGICORSMiddleware

    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": "/items",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "https",
    }
    for name, value in headers:
        environ["HTTP_" + name.decode().upper().replace("-", "_")] = value.decode("latin-1")
    answered: list[tuple[str, str]] = []

    def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> Any:
        answered.extend(response_headers)
        return answered.append  # PEP 3333's write(); never called here

    b"".join(WSGICORSMiddleware(app, **SETTINGS)(environ, start_response))
    return {k.lower().encode(): v.encode("latin-1") for k, v in answered}


def _check(label: str, condition: bool) -> None:
    print(f"{'ok' if condition else 'FAILED'}: {label}")
    if not condition:
        sys.exit(1)


def main(argv: list[str]) -> int:
    import corskit
    import corskit.asgi

    print(f"corskit {corskit.__version__} from {corskit.__file__}")
    if "--require-speedups" in argv:
        import corskit._speedups

        _check("corskit._speedups loads and serves the ASGI middleware", corskit.asgi.SPEEDUPS)
    for name, answer in (("ASGI", _asgi_headers), ("WSGI", _wsgi_headers)):
        preflight = answer("OPTIONS", PREFLIGHT)
        _check(
            f"{name} preflight allowed",
            preflight.get(b"access-control-allow-origin") == ORIGIN
            and b"PUT" in preflight.get(b"access-control-allow-methods", b""),
        )
        actual = answer("GET", [(b"origin", ORIGIN)])
        _check(
            f"{name} actual request allowed", actual.get(b"access-control-allow-origin") == ORIGIN
        )
        other = answer("GET", [(b"origin", b"https://evil.example")])
        _check(f"{name} other origin refused", b"access-control-allow-origin" not in other)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
