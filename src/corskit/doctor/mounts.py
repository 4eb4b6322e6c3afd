"""Who added the second ``Access-Control-Allow-Origin``: an application mounted inside the app.

A response with two ``Access-Control-Allow-Origin`` headers fails the CORS check (Fetch
standard, CORS check: https://fetch.spec.whatwg.org/#cors-check). Behind a server, a reverse
proxy adding its own is the usual reason; for an app checked in-process there is no proxy, so
the other one comes from the app itself, most often from an ASGI application mounted inside it
that handles CORS on its own (python-socketio's ``ASGIApp(..., cors_allowed_origins=...)``
mounted with ``app.mount("/ws", ...)`` behind ``CORSMiddleware``). The doctor runs each
mounted application on the request's path alone, with the same request, and names the one that
answers with the header.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .fetch import Outcome
from .wire import WireRequest

__all__ = ["MountedSource", "mounted_source"]

_LIMIT = 32  # mounts looked at, at most


class MountedSource:
    """A mounted application that adds ``Access-Control-Allow-Origin`` by itself."""

    def __init__(self, path: str, name: str, value: str) -> None:
        self.path = path
        self.name = name
        self.value = value


def _mounts(app: Any) -> Iterator[tuple[str, Any]]:
    """(mount path, mounted app) of a Starlette/FastAPI app's ``Mount`` routes."""
    routes = getattr(getattr(app, "router", None), "routes", None) or getattr(app, "routes", None)
    for route in list(routes or ())[:_LIMIT]:
        module = type(route).__module__ or ""
        if type(route).__name__ == "Mount" and module.startswith("starlette"):
            yield str(getattr(route, "path", "")), getattr(route, "app", None)


def _inner_apps(app: Any) -> Iterator[Any]:
    """*app* and the objects it wraps (``.app``), outermost first."""
    seen: set[int] = set()
    while app is not None and id(app) not in seen and len(seen) < _LIMIT:
        seen.add(id(app))
        yield app
        app = getattr(app, "app", None)


def _name(obj: Any) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def _last_request(outcome: Outcome) -> WireRequest | None:
    for step in reversed(outcome.steps):
        if step.request is not None:
            return step.request
    return None


def _acao(sub: Any, request: WireRequest, mount: str, timeout: float) -> str | None:
    """The Access-Control-Allow-Origin the mounted app *sub* answers alone, or None."""
    from urllib.parse import urlsplit

    from .transports import transport_for_app

    parts = urlsplit(request.url)
    path = parts.path[len(mount) :] or "/"
    url = f"{parts.scheme}://{parts.netloc}{path}" + (f"?{parts.query}" if parts.query else "")
    transport = transport_for_app(sub, timeout=timeout)
    try:
        response = transport.send(WireRequest(request.method, url, request.headers, request.body))
    finally:
        transport.close()
    return response.get("access-control-allow-origin")


def mounted_source(app: Any, outcome: Outcome, *, timeout: float = 5.0) -> MountedSource | None:
    """The application mounted in *app* on the request's path that adds
    Access-Control-Allow-Origin by itself, or None (any failure: None)."""
    request = _last_request(outcome)
    if request is None:
        return None
    from urllib.parse import urlsplit

    path = urlsplit(request.url).path or "/"
    for outer in _inner_apps(app):
        for mount, sub in _mounts(outer):
            if sub is None or not (path == mount or path.startswith(mount.rstrip("/") + "/")):
                continue
            try:
                value = _acao(sub, request, mount, timeout)
            except Exception:
                continue
            if value is not None:
                return MountedSource(mount, _name(sub), value)
    return None
