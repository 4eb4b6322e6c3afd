"""Slow, obviously-correct reference implementations, written from the rules, not the code.

They are deliberately naive (character loops, no caches, no precomputed sets) so that a
disagreement with the fast implementation in ``corskit`` points at a real bug in one of
them. Rules: the Fetch standard (origin serialisation, header lists) and the pattern
semantics documented in ``corskit.origins``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LOWER = "abcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"
# RFC 9110 tchar
TCHAR = set("!#$%&'*+-.^_`|~" + DIGITS + LOWER + LOWER.upper())
DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


@dataclass(frozen=True)
class RefPattern:
    """One configured origin: ``*``, ``null``, an exact origin, or with wildcards."""

    any: bool = False
    null: bool = False
    scheme: str = ""
    host: str = ""
    subdomains: bool = False  # "*." before host
    port: str = ""  # "" = default port, "*" = any port


def is_label(label: str) -> bool:
    """A host label as corskit accepts it: [a-z0-9_], inner '-' allowed, not at the ends."""
    if not label:
        return False
    allowed = set(LOWER + DIGITS + "_")
    if label[0] not in allowed or label[-1] not in allowed:
        return False
    return all(c in allowed or c == "-" for c in label)


def is_port(text: str) -> bool:
    """1..65535, decimal, no leading zero."""
    if not text or any(c not in DIGITS for c in text) or text[0] == "0":
        return False
    return 1 <= int(text) <= 65535


def is_scheme(text: str) -> bool:
    if not text or text[0] not in LOWER:
        return False
    return all(c in LOWER + DIGITS + "+.-" for c in text)


def parse_origin(text: str) -> tuple[str, str, str] | None:
    """A request ``Origin`` as a browser serialises it: (scheme, host, port) or None.

    Only DNS names (labels joined by dots) are considered; the port is never written with
    a leading zero. An explicit default port is kept as written: it matches a pattern with
    any port (``http://localhost:*``), never one without a port.
    """
    if "://" not in text:
        return None
    scheme, rest = text.split("://", 1)
    if not is_scheme(scheme):
        return None
    if ":" in rest:
        host, port = rest.split(":", 1)
        if not is_port(port):
            return None
    else:
        host, port = rest, ""
    labels = host.split(".")
    if not all(is_label(label) for label in labels):
        return None
    return scheme, host, port


def ref_matches(patterns: list[RefPattern], origin: bytes) -> bool:
    """Does any pattern allow the request *origin*? Byte-exact, as browsers send it."""
    for p in patterns:
        if p.any:
            return True
    try:
        text = origin.decode("ascii")
    except UnicodeDecodeError:
        return False
    if text == "null":
        return any(p.null for p in patterns)
    parsed = parse_origin(text)
    if parsed is None:
        return False
    scheme, host, port = parsed
    for p in patterns:
        if p.any or p.null or p.scheme != scheme:
            continue
        if p.port != "*" and p.port != port:
            continue
        if p.subdomains:
            suffix = "." + p.host
            if host.endswith(suffix) and len(host) > len(suffix):
                return True
        elif host == p.host:
            return True
    return False


def ref_parse_header_list(lines: list[bytes], max_bytes: int, max_empty: int) -> list[bytes] | None:
    """Access-Control-Request-Headers -> lower-cased names, or None when refused.

    Lines are combined with "," (Fetch: get, decode, and split), the whole value must not
    exceed *max_bytes*, each item is trimmed of spaces and tabs, empty items are skipped
    but at most *max_empty* of them are tolerated, and every other item must be a token.
    """
    combined = b",".join(lines)
    if len(combined) > max_bytes:
        return None
    names: list[bytes] = []
    empty = 0
    item = bytearray()
    for ch in combined + b",":
        if ch != ord(","):
            item.append(ch)
            continue
        start, end = 0, len(item)
        while start < end and item[start] in (0x20, 0x09):
            start += 1
        while end > start and item[end - 1] in (0x20, 0x09):
            end -= 1
        token = bytes(item[start:end])
        item = bytearray()
        if not token:
            empty += 1
            if empty > max_empty:
                return None
            continue
        if not all(chr(c) in TCHAR for c in token):
            return None
        names.append(token.lower())
    return names


SERIALISED_ORIGIN = re.compile(r"[a-z][a-z0-9+.\-]*://[a-z0-9_.\-]+(:[1-9][0-9]{0,4})?")
