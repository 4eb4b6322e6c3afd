"""Probe origins for ``corskit audit``: what to send, derived from what the server trusts.

Look-alike probes (prefix, suffix, substring, unescaped dot, special characters, subdomains,
plain http) are derived from the *known-good* origins, the ones the server is meant to trust,
because that is the string the server's check compares against.  Given
``https://app.example.com`` (registrable domain ``example.com``) and the random token ``r``:

=====================  =================================================  ====================
class                  probe origin                                       accepted by
=====================  =================================================  ====================
prefix-match           ``https://app.example.com.corskit-r.test``         ``startswith``,
                                                                          ``re.match`` w/o ``$``
suffix-match           ``https://corskitrexample.com``,                   ``endswith``,
                       ``https://qexample.com``                           ``re.search`` w/o ``^``
substring-match        ``https://corskitrapp.example.com.corskit-r.test``  ``in``, no anchors
                       ``https://app.example.co``, ``https://xample.com``  ``origin in "<str>"``
unescaped-dot          ``https://appxexample.com``,                       ``app.example.com``
                       ``https://app.examplexcom``                        as a regex
special-characters     ``https://app.example.com_.corskit-r.test`` (and   host extracted with
                       `` ` ! ~ $ & ' ( ) * + , ; = { } | ^ "`` ``-``)    ``[a-z0-9.-]+``
any-subdomain          ``https://corskit-r.app.example.com``,             ``*.example.com``
                       ``https://corskit-r.example.com``
http-origin-trusted    ``http://app.example.com``                         http in the list
=====================  =================================================  ====================

An attacker can only exploit a suffix probe if it can register the name, so suffix probes
are built from the *registrable* domain (``corskitrexample.com``), never from the full host
(``evilapp.example.com`` is a subdomain of the victim's own domain: that is the
any-subdomain class).  Host-independent probes (a random unrelated origin, ``null``, pages on
shared hosting platforms) need no known-good origin.  Sources: PortSwigger's CORS research (https://portswigger.net/web-security/cors) and the
probes of the public scanners compared in docs/audit.md.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ...origins import is_loopback_host
from ..fetch.netspace import registrable_domain

__all__ = [
    "DEV_ORIGINS",
    "SPECIAL_CHARACTERS",
    "THIRD_PARTY_HOSTS",
    "Probe",
    "attack_preflight_probes",
    "attacker_domain",
    "discovery_probes",
    "is_loopback_or_ip",
    "is_serialized_origin",
    "known_preflight_probes",
    "lookalike_probes",
    "split_origin",
    "third_party_probes",
]

#: Origins front-end dev servers commonly run on; used to discover what the server trusts.
DEV_ORIGINS: tuple[str, ...] = (
    "http://localhost:3000",
    "http://localhost:5173",
    "http://localhost:8080",
    "http://localhost:4200",
    "http://localhost:8000",
    "http://127.0.0.1:3000",
    "http://127.0.0.1:5173",
)

#: Characters that some host parsers stop at (CORScanner's list; corben.io "advanced CORS
#: techniques"): Safari puts them in Origin, Chrome and Firefox only ``_``.
SPECIAL_CHARACTERS: tuple[str, ...] = (
    "_", "-", "~", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", "`", "%60", "{", "}",
    "|", "^", '"',
)  # fmt: skip

#: Hosting platforms where anyone can publish a page.  ``{r}`` becomes a random label.
THIRD_PARTY_HOSTS: tuple[str, ...] = (
    "https://{r}.github.io",
    "https://{r}.gitlab.io",
    "https://codepen.io",
    "https://cdpn.io",
    "https://jsfiddle.net",
    "https://fiddle.jshell.net",
    "http://jsbin.com",
    "https://jsbin.com",
    "https://repl.it",
    "https://{r}.repl.co",
    "https://{r}.vercel.app",
    "https://{r}.netlify.app",
    "https://{r}.herokuapp.com",
    "https://{r}.pages.dev",
    "https://{r}.workers.dev",
    "https://{r}.web.app",
    "https://{r}.firebaseapp.com",
    "https://{r}.glitch.me",
    "https://{r}.csb.app",
    "https://stackblitz.com",
    "https://{r}.ngrok-free.app",
    "https://{r}.onrender.com",
    "https://{r}.azurewebsites.net",
    "https://{r}.s3.amazonaws.com",
    "https://{r}.appspot.com",
    "http://www.webdevout.net",
)

_ORIGIN = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.\-]*)://(?P<host>\[[0-9a-f:.]+\]|[^\s/:?#\[\]@]+)(?::(?P<port>[0-9]{1,5}))?"
)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def split_origin(text: str) -> tuple[str, str, str | None]:
    """Split a serialized origin into ``(scheme, host, port or None)``.

    Raises :class:`ValueError` with a one-line reason when *text* is not a serialized
    http(s) origin (fetch.bs:3648-3682: lower case, no default port, no path, no slash).
    """
    m = _ORIGIN.fullmatch(text)
    if m is None:
        if text.endswith("/") and _ORIGIN.fullmatch(text.rstrip("/")):
            raise ValueError(f"{text!r} is not an origin: remove the trailing slash")
        raise ValueError(f"{text!r} is not an origin (expected scheme://host[:port])")
    scheme, host, port = m.group("scheme"), m.group("host"), m.group("port")
    if scheme not in ("http", "https"):
        raise ValueError(f"{text!r}: only http and https origins can be audited")
    if text != text.lower():
        raise ValueError(f"{text!r} is not a serialized origin: browsers send it in lower case")
    if port is not None and (
        port == _DEFAULT_PORTS[scheme] or port.startswith("0") or int(port) > 65535
    ):
        raise ValueError(f"{text!r} is not a serialized origin: drop the port {port}")
    return scheme, host, port


def is_serialized_origin(text: str) -> bool:
    """True for a byte-exact serialized origin of any scheme (``chrome-extension://id``
    included): lower case, no path, no trailing slash, no default http(s) port."""
    m = _ORIGIN.fullmatch(text)
    if m is None or text != text.lower():
        return False
    port = m.group("port")
    if port is None:
        return True
    return (
        port != _DEFAULT_PORTS.get(m.group("scheme"))
        and not port.startswith("0")
        and int(port) <= 65535
    )


def is_loopback_or_ip(host: str) -> bool:
    """True for IP literals and localhost names (no registrable domain, no look-alikes)."""
    h = host.strip("[]").lower()
    if is_loopback_host(h):
        return True
    try:
        ipaddress.ip_address(h)
        return True
    except ValueError:
        return False


def _is_loopback(host: str) -> bool:
    return is_loopback_host(host.lower())


def attacker_domain(rand: str) -> str:
    """The attacker-owned registrable name used in probes (``.test`` is reserved: it can
    never collide with a real site)."""
    return f"corskit-{rand}.test"


@dataclass(frozen=True)
class Probe:
    """One request the audit sends.

    ``role`` is one of ``baseline`` (no Origin), ``discovery`` (a candidate trusted origin),
    ``known`` (a known-good origin), ``attack`` (a forged origin testing class ``cls``),
    ``preflight-attack`` / ``preflight-known`` (OPTIONS with Access-Control-Request-Method)
    and ``pna-attack`` / ``pna-known`` (preflights asking for Private Network Access).
    ``base`` is the known-good origin an attack probe was derived from; ``registrable`` says
    whether an attacker could actually own the probe origin.
    """

    role: str
    method: str
    origin: str | None
    cls: str = ""
    base: str | None = None
    note: str = ""
    registrable: bool = True
    headers: tuple[tuple[str, str], ...] = field(default=())

    @property
    def key(self) -> tuple[str, str, str, str | None, tuple[tuple[str, str], ...]]:
        """Identity used to avoid sending the same request twice."""
        return (self.role, self.cls, self.method, self.origin, self.headers)


def discovery_probes(target_origin: str | None, rand: str) -> list[Probe]:
    """Candidates for the trusted origin (the target's own origin, common dev origins), and
    the random unrelated origins that reveal plain reflection."""
    probes: list[Probe] = []
    seen: set[str] = set()
    for origin in ((target_origin,) if target_origin else ()) + DEV_ORIGINS:
        if origin not in seen:
            seen.add(origin)
            probes.append(Probe("discovery", "GET", origin, note="trusted-origin discovery"))
    evil = attacker_domain(rand)
    for scheme in ("https", "http"):
        probes.append(
            Probe(
                "attack", "GET", f"{scheme}://{evil}", "origin-reflection", note="unrelated origin"
            )
        )
    return probes


def third_party_probes(rand: str, known: Sequence[str]) -> list[Probe]:
    """``null`` and pages on shared hosting platforms (host-independent)."""
    probes = [Probe("attack", "GET", "null", "null-origin", note="sandboxed iframe / data: URL")]
    known_sites = {registrable_domain(split_origin(k)[1]) for k in known}
    for template in THIRD_PARTY_HOSTS:
        origin = template.replace("{r}", f"corskit-{rand}")
        host = origin.split("://", 1)[1]
        if origin in known or registrable_domain(host) in known_sites - {None}:
            continue
        probes.append(Probe("attack", "GET", origin, "third-party-origin", note="shared hosting"))
    return probes


def lookalike_probes(base: str, rand: str) -> list[Probe]:
    """Every look-alike of the trusted origin *base* (see the module table)."""
    scheme, host, port = split_origin(base)
    evil = attacker_domain(rand)
    suffix_port = f":{port}" if port else ""
    out: list[Probe] = []

    def add(cls: str, origin: str, note: str, registrable: bool = True) -> None:
        if origin != base:
            out.append(Probe("attack", "GET", origin, cls, base, note, registrable))

    add("prefix-match", f"{scheme}://{host}.{evil}", "trusted origin + attacker suffix")
    if port:
        add(
            "prefix-match",
            f"{scheme}://{host}.{evil}{suffix_port}",
            "trusted host + attacker suffix, same port",
        )
    for c in SPECIAL_CHARACTERS:
        add("special-characters", f"{scheme}://{host}{c}.{evil}", f"host followed by {c!r}")
    domain = registrable_domain(host.strip("[]")) if not is_loopback_or_ip(host) else None
    if domain:
        add(
            "suffix-match",
            f"{scheme}://corskit{rand}{domain}{suffix_port}",
            "attacker name ending with the domain",
        )
        add("suffix-match", f"{scheme}://q{domain}{suffix_port}", "one letter before the domain")
        add(
            "substring-match",
            f"{scheme}://corskit{rand}{host}.{evil}",
            "trusted host inside an attacker name",
        )
        if not host[:-1].endswith("."):
            add(
                "substring-match",
                f"{scheme}://{host[:-1]}{suffix_port}",
                "trusted origin minus its last letter",
            )
        if "." in domain[1:] and domain[1:] != host[:-1]:
            add(
                "substring-match",
                f"{scheme}://{domain[1:]}{suffix_port}",
                "domain minus its first letter",
            )
        dots = [i for i, ch in enumerate(host) if ch == "."]
        last = dots[-1] if dots else -1
        for i in dots[:4]:
            replaced = host[:i] + "x" + host[i + 1 :]
            add(
                "unescaped-dot",
                f"{scheme}://{replaced}{suffix_port}",
                f"dot {dots.index(i) + 1} replaced by a letter",
                registrable=i != last,
            )
        add(
            "any-subdomain",
            f"{scheme}://corskit-{rand}.{host}{suffix_port}",
            "new subdomain of the trusted host",
        )
        if host != domain:
            add(
                "any-subdomain",
                f"{scheme}://corskit-{rand}.{domain}{suffix_port}",
                "new subdomain of the domain",
            )
    if scheme == "https" and not _is_loopback(host):
        add(
            "http-origin-trusted",
            f"http://{host}{suffix_port}",
            "the trusted origin over plain http",
        )
    return out


def attack_preflight_probes(rand: str) -> list[Probe]:
    """Preflights from an unrelated origin: a credentialed JSON PUT, and a Private Network
    Access request."""
    origin = f"https://{attacker_domain(rand)}"
    return [
        Probe(
            "preflight-attack",
            "OPTIONS",
            origin,
            "preflight-reflection",
            note="JSON PUT from an unrelated origin",
            headers=(
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "content-type"),
            ),
        ),
        Probe(
            "pna-attack",
            "OPTIONS",
            origin,
            "private-network",
            note="Private Network Access from an unrelated origin",
            headers=(
                ("access-control-request-method", "GET"),
                ("access-control-request-private-network", "true"),
            ),
        ),
    ]


def known_preflight_probes(base: str, rand: str) -> list[Probe]:
    """Preflights from the trusted origin: does it echo any header (Authorization included)?
    Does it grant Private Network Access?"""
    return [
        Probe(
            "preflight-known",
            "OPTIONS",
            base,
            "preflight-reflection",
            base,
            note="arbitrary request headers from the trusted origin",
            headers=(
                ("access-control-request-method", "GET"),
                ("access-control-request-headers", f"authorization,x-corskit-{rand}"),
            ),
        ),
        Probe(
            "pna-known",
            "OPTIONS",
            base,
            "private-network",
            base,
            note="Private Network Access from the trusted origin",
            headers=(
                ("access-control-request-method", "GET"),
                ("access-control-request-private-network", "true"),
            ),
        ),
    ]


def unique(probes: Iterable[Probe]) -> list[Probe]:
    """Drop repeated probes, keeping the first."""
    seen: set[object] = set()
    out = []
    for p in probes:
        if p.key not in seen:
            seen.add(p.key)
            out.append(p)
    return out
