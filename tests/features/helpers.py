"""Helpers for the issue-6 feature tests: raw HTTP requests (paths sent byte for byte),
small apps, and CORS header extraction."""

from __future__ import annotations

import http.client
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from tests.servers import send_response

ROOT = Path(__file__).resolve().parents[2]
APP = "https://app.example.com"
ADMIN = "https://admin.example.com"
EVIL = "https://evil.example"

CORS_HEADERS = (
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-expose-headers",
    "access-control-max-age",
)


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def get(self, name: str) -> str | None:
        values = [v for n, v in self.headers if n == name]
        return ", ".join(values) if values else None

    def cors(self) -> dict[str, str]:
        """The CORS response headers present (Vary excluded)."""
        return {n: v for n, v in self.headers if n in CORS_HEADERS}

    @property
    def acao(self) -> str | None:
        return self.get("access-control-allow-origin")


def raw_request(
    base: str, method: str, target: str, headers: dict[str, str] | None = None
) -> Reply:
    """Send *target* exactly as given (no client-side path normalisation)."""
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=15)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
        return Reply(response.status, [(n.lower(), v) for n, v in response.getheaders()], body)
    finally:
        conn.close()


def get(base: str, target: str, origin: str | None = None, **headers: str) -> Reply:
    h = {k.replace("_", "-"): v for k, v in headers.items()}
    if origin is not None:
        h["Origin"] = origin
    return raw_request(base, "GET", target, h)


def preflight(
    base: str, target: str, origin: str, method: str = "PUT", request_headers: str | None = None
) -> Reply:
    h = {"Origin": origin, "Access-Control-Request-Method": method}
    if request_headers is not None:
        h["Access-Control-Request-Headers"] = request_headers
    return raw_request(base, "OPTIONS", target, h)


def load_example(relative: str, name: str) -> ModuleType:
    """Import an example file by path (examples/ is not a package)."""
    path = ROOT / "examples" / relative
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def text_app(label: str) -> Any:
    """A bare ASGI app answering ``label: <path>`` (200)."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = f"{label}: {scope['path']}".encode()
        await send_response(send, body, b"text/plain")

    return app
