"""Where a page and a server live: secure contexts, sites, and IP address spaces.

* :func:`is_secure_context_origin` — HTML "potentially trustworthy origin" (https, or http on a
  loopback host): decides whether a page may use Local Network Access at all.
* :func:`site_of` / :func:`same_site` — "schemeful site" (scheme + registrable domain), used for
  ``SameSite`` cookies and ``Sec-Fetch-Site``.  The registrable domain uses the curated public
  suffix list in :mod:`corskit.origins` (an approximation of the full PSL).
* :func:`address_space` — Local Network Access address spaces ``public`` / ``local`` /
  ``loopback`` (https://wicg.github.io/local-network-access/), from an IP literal, ``localhost``, or (optionally)
  a DNS lookup.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Literal

from ...origins import is_localhost_name
from .spec import Origin

__all__ = [
    "AddressSpace",
    "address_space",
    "address_space_of_ip",
    "is_loopback_name",
    "is_secure_context_origin",
    "lna_applies",
    "registrable_domain",
    "same_site",
    "site_of",
]

AddressSpace = Literal["public", "local", "loopback"]
_RANK = {"loopback": 0, "local": 1, "public": 2}

# LNA "local" ranges (RFC 1918, link-local, CGNAT, unique-local and link-local IPv6).
_LOCAL_NETS = [
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "100.64.0.0/10",
        "fc00::/7",
        "fe80::/10",
    )
]


def is_loopback_name(host: str) -> bool:
    """``localhost`` and ``*.localhost`` (RFC 6761; browsers resolve them to loopback)."""
    return is_localhost_name(host.lower().rstrip("."))


def address_space_of_ip(ip: str) -> AddressSpace:
    """The LNA address space of an IP address (``0.0.0.0`` counts as loopback)."""
    addr = ipaddress.ip_address(ip.strip("[]"))
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if addr.is_loopback or addr.is_unspecified:
        return "loopback"
    if any(addr in net for net in _LOCAL_NETS):
        return "local"
    return "public"


def address_space(host: str, *, resolve: bool = False) -> AddressSpace | None:
    """The address space of *host*: from an IP literal or a localhost name, else (with
    *resolve*) from DNS.  None when unknown."""
    host = host.strip("[]")
    if is_loopback_name(host):
        return "loopback"
    try:
        return address_space_of_ip(host)
    except ValueError:
        pass
    if not resolve:
        return None
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None
    spaces = {address_space_of_ip(str(info[4][0])) for info in infos}
    if not spaces:
        return None
    # The browser connects to the first address; several spaces is unusual; take the most private.
    return min(spaces, key=lambda s: _RANK[s])


def is_secure_context_origin(origin: Origin) -> bool:
    """HTML "potentially trustworthy origin": https/wss, or a loopback host over http."""
    if origin.opaque:
        return False
    if origin.scheme in ("https", "wss"):
        return True
    return address_space(origin.host) == "loopback"


def lna_applies(page_space: AddressSpace, target_space: AddressSpace) -> bool:
    """LNA gates a request when the target is in a *more private* space than the page."""
    return _RANK[target_space] < _RANK[page_space]


def registrable_domain(host: str) -> str | None:
    """The registrable domain ("eTLD+1") of *host*; None for IP addresses and for hosts that
    are themselves public suffixes (then the host is its own site)."""
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return None
    except ValueError:
        pass
    from corskit.origins import is_public_suffix

    labels = host.split(".")
    for i in range(len(labels)):
        if is_public_suffix(".".join(labels[i:])):
            return ".".join(labels[i - 1 :]) if i > 0 else None
    return host


def site_of(origin: Origin) -> str:
    """HTML "obtain a site" (schemeful): ``scheme://registrable-domain`` or the host."""
    if origin.opaque:
        return "null"
    return f"{origin.scheme}://{registrable_domain(origin.host) or origin.host}"


def same_site(a: Origin, b: Origin) -> bool:
    """HTML "same site" (schemeful: http and https pages are different sites)."""
    if a.opaque or b.opaque:
        return False
    return site_of(a) == site_of(b)
