"""Who did it: the names the diagnosis gives the code behind a failure (the user's origin
function, the framework feature behind a redirect)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from .wire import WireResponse

__all__ = ["function_name", "redirect_cause"]

# Who answers a URL with a different trailing slash with a redirect, and the other way out.
_SLASH_REDIRECTS = {
    "asgi": (
        "the route is declared with a different trailing slash, and Starlette/FastAPI's"
        " redirect_slashes answers with a redirect",
        "or declare the route with the URL the page calls, or set redirect_slashes=False",
    ),
    "flask": (
        "the route is declared with a trailing slash, and Werkzeug's strict_slashes redirects"
        " the URL without it",
        "or declare the route with strict_slashes=False, so both URLs are answered",
    ),
    "django": (
        "Django's APPEND_SLASH: CommonMiddleware redirects a URL without its trailing slash",
        "or declare the URL pattern without the slash; APPEND_SLASH=False stops the redirect",
    ),
}


def function_name(origin_func: Any) -> str | None:
    """The name of the user's origin function (``allow_origin_func``), or None."""
    if origin_func is None:
        return None
    func = getattr(origin_func, "func", origin_func)
    return str(getattr(func, "__name__", None) or type(func).__name__)


def redirect_cause(resp: WireResponse, url: str, framework: str | None) -> tuple[str, str]:
    """(cause, fix) for a preflight answered with a redirect from *url*: a preflight never
    follows one (Fetch standard, CORS-preflight fetch); a trailing-slash redirect is named by
    the framework feature that sends it."""
    loc = resp.get("location") or ""
    target = loc
    try:
        target = urljoin(url, loc)
    except ValueError:
        pass
    cause = f"the preflight got a {resp.status} redirect to {target}; a preflight never follows redirects"
    fix = f"call the final URL directly: {target}"
    if target.rstrip("/") == url.rstrip("/") and target != url:
        source, other = _SLASH_REDIRECTS.get(framework or "", _SLASH_REDIRECTS["asgi"])
        cause += f" ({source})"
        fix += f" ({other})"
    return cause, fix
