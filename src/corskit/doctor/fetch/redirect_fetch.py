"""The HTTP-redirect fetch: what a browser checks and changes before following a redirect
(Fetch standard, HTTP-redirect fetch: https://fetch.spec.whatwg.org/#http-redirect-fetch).
Every hop is CORS-checked by the main fetch; here ``Origin`` becomes ``null`` once the chain
taints the request, ``Authorization`` is dropped on a cross-origin hop, 301/302 POST and 303
become GET, and at most 20 redirects are followed."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..transports import WireResponse
from .model import Outcome
from .spec import (
    CORS_NON_WILDCARD_REQUEST_HEADER_NAMES,
    REQUEST_BODY_HEADER_NAMES,
    Origin,
    origin_of_url,
)
from .url import parse_url

if TYPE_CHECKING:
    from .main_fetch import Hop, Simulation

__all__ = ["http_redirect_fetch"]


# Schemes Chromium refuses to redirect to at all (net::ERR_UNSAFE_REDIRECT); a redirect to
# ws: or wss: fails with net::ERR_UNKNOWN_URL_SCHEME, and any other scheme reaches the CORS
# check and fails it (CorsDisabledScheme), as observed in Chromium 150.
_UNSAFE_REDIRECT_SCHEMES = frozenset({"about", "blob", "chrome", "data", "file", "filesystem"})
_UNKNOWN_URL_SCHEMES = frozenset({"ws", "wss"})


def http_redirect_fetch(
    sim: Simulation, hop: Hop, response: WireResponse, location: str, target: Origin
) -> Outcome | None:
    """Prepare *hop* for the redirect to *location* (the ``Location`` value, resolved
    against the URL of the hop); the blocked outcome when the redirect may not be followed,
    None when the next hop may go."""
    hop.redirects += 1
    try:
        location_url = parse_url(location, hop.url).serialize()
    except ValueError:
        sim.step("redirect", f"redirect to a malformed URL '{location}'", False)
        return _network_error(sim, response, "net::ERR_INVALID_REDIRECT")
    refused = _refused(sim, hop, response, location_url)
    if refused is not None:
        return refused
    changes = _rewrite(sim, hop, response.status, target, origin_of_url(location_url))
    sim.step(
        "redirect",
        f"{response.status} redirect to {location_url}"
        + (f" ({'; '.join(changes)})" if changes else ""),
    )
    sim.url_list.append(location_url)
    hop.url = location_url
    return None


def _refused(
    sim: Simulation, hop: Hop, response: WireResponse, location_url: str
) -> Outcome | None:
    parts = urlsplit(location_url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return _other_scheme(sim, response, location_url, scheme)
    if hop.redirects > sim.max_redirects:
        sim.step("redirect", f"more than {sim.max_redirects} redirects", False)
        return _network_error(sim, response, "net::ERR_TOO_MANY_REDIRECTS")
    try:
        new_origin = origin_of_url(location_url)
    except ValueError:
        sim.step("redirect", f"redirect to a malformed URL '{location_url}'", False)
        return _network_error(sim, response, "net::ERR_INVALID_REDIRECT")
    has_credentials = bool(parts.username or parts.password)
    if has_credentials and (hop.tainting == "cors" or not sim.spec.origin.same_origin(new_origin)):
        sim.step(
            "redirect",
            f"the redirect location '{location_url}' contains a user name or password",
            False,
        )
        # Chromium 150 prints `Redirect location ''` and names the redirecting URL.
        return sim.outcome(
            "blocked",
            error="RedirectContainsCredentials",
            stage="redirect",
            params={"location": "", "redirect_to": location_url},
            response=response,
            message_url=hop.url,
        )
    if response.status != 303 and sim.spec.body_stream and hop.body is not None:
        sim.step("redirect", "a streamed body cannot be sent again after a redirect", False)
        return _network_error(
            sim, response, "net::ERR_FAILED (streamed body cannot follow a redirect)"
        )
    return None


def _other_scheme(
    sim: Simulation, response: WireResponse, location_url: str, scheme: str
) -> Outcome:
    """A redirect to a URL that is not http(s): refused by the network stack, or by the
    CORS check of the next hop (Fetch standard, main fetch: a "cors" request to a URL whose
    scheme is not HTTP(S) is a network error, https://fetch.spec.whatwg.org/#main-fetch)."""
    sim.step("redirect", f"redirect to '{location_url}', which is not http(s)", False)
    if scheme in _UNSAFE_REDIRECT_SCHEMES:
        return _network_error(sim, response, "net::ERR_UNSAFE_REDIRECT")
    if scheme in _UNKNOWN_URL_SCHEMES:
        return _network_error(sim, response, "net::ERR_UNKNOWN_URL_SCHEME")
    sim.url_list.append(location_url)
    return sim.outcome("blocked", error="CorsDisabledScheme", stage="redirect", response=response)


def _network_error(sim: Simulation, response: WireResponse, error: str) -> Outcome:
    return sim.outcome("blocked", stage="redirect", network_error=error, response=response)


def _rewrite(
    sim: Simulation, hop: Hop, status: int, target: Origin, new_origin: Origin
) -> list[str]:
    """Change the method, body, headers and request origin for the next hop; say what
    changed."""
    changes = []
    if (status in (301, 302) and hop.method == "POST") or (
        status == 303 and hop.method not in ("GET", "HEAD")
    ):
        changes.append(f"{status} turns {hop.method} into GET and drops the body")
        hop.method = "GET"
        hop.body = None
        hop.headers = [(n, v) for n, v in hop.headers if n.lower() not in REQUEST_BODY_HEADER_NAMES]
    if not target.same_origin(new_origin):
        if any(n.lower() in CORS_NON_WILDCARD_REQUEST_HEADER_NAMES for n, _ in hop.headers):
            changes.append("the Authorization header is removed on a cross-origin redirect")
            hop.headers = [
                (n, v)
                for n, v in hop.headers
                if n.lower() not in CORS_NON_WILDCARD_REQUEST_HEADER_NAMES
            ]
        if not sim.spec.origin.same_origin(target) and not sim.tainted:
            sim.tainted = True
            changes.append("the request origin is now tainted: Origin becomes 'null'")
    return changes
