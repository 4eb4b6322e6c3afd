"""HTTP token and header-name rules, and bounded header-list parsing.

Pure functions and constant sets; no I/O, no framework. Values from the network
arrive as ``bytes`` (ASGI) and are never decoded for matching.
"""

from __future__ import annotations

import re

__all__ = [
    "CORS_RESPONSE_HEADER_NAMES",
    "FORBIDDEN_METHODS",
    "FORBIDDEN_REQUEST_HEADER_NAMES",
    "FORBIDDEN_RESPONSE_HEADER_NAMES",
    "NORMALIZED_METHODS",
    "NOT_EXPOSABLE_HEADER_NAMES",
    "SAFELISTED_METHODS",
    "SAFELISTED_REQUEST_HEADER_NAMES",
    "SAFELISTED_RESPONSE_HEADER_NAMES",
    "is_forbidden_request_header",
    "is_token",
    "merge_vary",
    "normalize_method",
    "parse_header_list",
]

# RFC 9110 §5.6.2: token = 1*tchar
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# The lower-case token alphabet, for request header lists (browsers lower-case names).
_LOWER_TOKEN_LIST = re.compile(rb"[!#$%&'*+\-.^_`|~0-9a-z]+")

# Fetch: CORS-safelisted method.
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
# Fetch: normalize a method (only these six are upper-cased; PATCH is not).
NORMALIZED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})
# Fetch: forbidden method (matched case-insensitively).
FORBIDDEN_METHODS = frozenset({"CONNECT", "TRACE", "TRACK"})

# Fetch: the names of CORS-safelisted request-headers. Fetch safelists them only with
# certain values; a browser lists them in Access-Control-Request-Headers exactly when the
# value is not safelisted (e.g. Content-Type: application/json). corskit allows them in
# every preflight, as Starlette does (docs/differences.md, D19).
SAFELISTED_REQUEST_HEADER_NAMES = frozenset(
    {"accept", "accept-language", "content-language", "content-type"}
)

# Fetch: forbidden request-header names (plus the proxy- and sec- prefixes).
FORBIDDEN_REQUEST_HEADER_NAMES = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)

# Headers a CORS server sends; never meaningful as request headers.
CORS_RESPONSE_HEADER_NAMES = frozenset(
    {
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-allow-private-network",
        "access-control-max-age",
        "access-control-expose-headers",
    }
)

# Fetch: forbidden response-header names: scripts can never read them.
FORBIDDEN_RESPONSE_HEADER_NAMES = frozenset({"set-cookie", "set-cookie2"})
# Request-only or preflight-only names: exposing them does nothing.
NOT_EXPOSABLE_HEADER_NAMES = frozenset(
    {
        "origin",
        "access-control-request-method",
        "access-control-request-headers",
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-max-age",
    }
)
# Fetch: CORS-safelisted response-header names, always readable by scripts.
SAFELISTED_RESPONSE_HEADER_NAMES = frozenset(
    {
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)


def is_token(value: str) -> bool:
    """True when *value* is an RFC 9110 token (a valid method or header name)."""
    return _TOKEN.fullmatch(value) is not None


def is_forbidden_request_header(name: str) -> bool:
    """Fetch: forbidden request-header name (*name* already lower-cased)."""
    return (
        name in FORBIDDEN_REQUEST_HEADER_NAMES
        or name.startswith("proxy-")
        or name.startswith("sec-")
    )


def normalize_method(method: str) -> str:
    """Fetch: normalize a method. Only DELETE GET HEAD OPTIONS POST PUT are upper-cased.

    >>> normalize_method("post"), normalize_method("patch")
    ('POST', 'patch')
    """
    upper = method.upper()
    return upper if upper in NORMALIZED_METHODS else method


# Browsers send at most a few dozen names; hostile lists are cut off by length before
# any per-item work, so the cost is bounded and linear in the allowed configuration.
MAX_EMPTY_ITEMS = 16


def parse_header_list(lines: list[bytes], max_bytes: int) -> list[bytes] | None:
    """Parse Access-Control-Request-Headers lines into lower-case names.

    Accepts a list split over several header lines and optional whitespace around items
    (Fetch: get, decode, and split). Returns ``None`` for a malformed list: a non-token
    item, more than :data:`MAX_EMPTY_ITEMS` empty items, or more than *max_bytes* in
    total (checked first, so hostile input costs O(max_bytes) at most).

    >>> parse_header_list([b"content-type, X-Custom", b"authorization"], 100)
    [b'content-type', b'x-custom', b'authorization']
    """
    if len(lines) == 1:
        raw = lines[0]
    else:
        raw = b",".join(lines)
    if len(raw) > max_bytes:
        return None
    names: list[bytes] = []
    empty = 0
    for item in raw.lower().split(b","):
        item = item.strip(b" \t")
        if not item:
            empty += 1
            if empty > MAX_EMPTY_ITEMS:
                return None
            continue
        if _LOWER_TOKEN_LIST.fullmatch(item) is None:
            return None
        names.append(item)
    return names


def merge_vary(existing: bytes, extra: bytes) -> bytes:
    """Add the field names of *extra* to a ``Vary`` value, without duplicates.

    >>> merge_vary(b"Accept-Encoding", b"Origin")
    b'Accept-Encoding, Origin'
    >>> merge_vary(b"origin", b"Origin"), merge_vary(b"*", b"Origin")
    (b'origin', b'*')
    """
    present = {item.strip().lower() for item in existing.split(b",")}
    if b"*" in present:
        return existing
    missing = [item for item in extra.split(b", ") if item.lower() not in present]
    if not missing:
        return existing
    stripped = existing.strip()
    return b", ".join([stripped, *missing]) if stripped else b", ".join(missing)
