"""Fetch-standard primitives the browser simulation is built from (pure functions, no I/O).

Each function follows one algorithm of the WHATWG Fetch standard (or the WHATWG URL / MIME
Sniffing standards it calls); each docstring links the algorithm.  This module is the
*browser's* side: it shares the middleware's tables of header names (one list in
:mod:`corskit.headers`) but makes its own decisions, so the two can be tested against each
other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...headers import FORBIDDEN_REQUEST_HEADER_NAMES, FORBIDDEN_RESPONSE_HEADER_NAMES
from ...headers import SAFELISTED_RESPONSE_HEADER_NAMES as _SAFELISTED_RESPONSE
from .url import parse_url

__all__ = [
    "CHROMIUM_EXTRA_SAFELISTED",
    "CORS_NON_WILDCARD_REQUEST_HEADER_NAMES",
    "FORBIDDEN_METHODS",
    "FORBIDDEN_RESPONSE_HEADER_NAMES",
    "NORMALIZED_METHODS",
    "REQUEST_BODY_HEADER_NAMES",
    "SAFELISTED_METHODS",
    "SAFELISTED_RESPONSE_HEADER_NAMES",
    "Origin",
    "chromium_extra_safelisted",
    "collect_quoted_string",
    "cors_unsafe_request_header_names",
    "extract_list",
    "get_decode_split",
    "is_cors_safelisted_request_header",
    "is_forbidden_method",
    "is_forbidden_request_header",
    "is_token",
    "normalize_method",
    "origin_of_url",
    "parse_mime_type",
    "parse_origin",
    "parse_single_range",
]

# Fetch: CORS-safelisted method (https://fetch.spec.whatwg.org/#cors-safelisted-method).
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
# Fetch: normalize a method: only these are upper-cased; PATCH is not (https://fetch.spec.whatwg.org/#concept-method-normalize).
NORMALIZED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})
# Fetch: forbidden method, matched case-insensitively (https://fetch.spec.whatwg.org/#forbidden-method).
FORBIDDEN_METHODS = frozenset({"CONNECT", "TRACE", "TRACK"})
# Fetch: CORS non-wildcard request-header name (https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name).
CORS_NON_WILDCARD_REQUEST_HEADER_NAMES = frozenset({"authorization"})
# Fetch: request-body-header name (dropped when a redirect turns the request into GET,
# https://fetch.spec.whatwg.org/#request-body-header-name).
REQUEST_BODY_HEADER_NAMES = frozenset(
    {"content-encoding", "content-language", "content-location", "content-type"}
)
# Method-override headers: Fetch forbids them when they name a forbidden method.
_METHOD_OVERRIDE_NAMES = frozenset({"x-http-method", "x-http-method-override", "x-method-override"})
# Fetch: CORS-safelisted response-header names (https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name), in a stable order for output.
SAFELISTED_RESPONSE_HEADER_NAMES = tuple(sorted(_SAFELISTED_RESPONSE))

_TOKEN_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HTTP_WS = " \t"
_HTTP_WS_ALL = " \t\r\n"


def is_token(value: str) -> bool:
    """RFC 9110 ``token`` (what a method or header name must be)."""
    return _TOKEN_RE.fullmatch(value) is not None


def normalize_method(method: str) -> str:
    """Fetch "normalize a method" (https://fetch.spec.whatwg.org/#concept-method-normalize): upper-case DELETE GET HEAD OPTIONS POST PUT when
    they match case-insensitively; leave everything else (``patch``!) as written."""
    upper = method.upper()
    return upper if upper in NORMALIZED_METHODS else method


def is_forbidden_method(method: str) -> bool:
    """Fetch "forbidden method": CONNECT, TRACE, TRACK in any case (fetch() throws)."""
    return method.upper() in FORBIDDEN_METHODS


def is_forbidden_request_header(name: str, value: str = "") -> bool:
    """Fetch "forbidden request-header": names scripts may not set (the browser drops them).

    Includes the ``proxy-``/``sec-`` prefixes and the method-override headers when their
    value names a forbidden method."""
    lname = name.lower()
    if lname in FORBIDDEN_REQUEST_HEADER_NAMES or lname.startswith(("proxy-", "sec-")):
        return True
    if lname in _METHOD_OVERRIDE_NAMES:
        values = get_decode_split(value) or []
        return any(is_forbidden_method(v) for v in values)
    return False


# ---------------------------------------------------------------------------------------
# Header value parsing (https://fetch.spec.whatwg.org/#http-new-header-syntax)


def collect_quoted_string(
    text: str, position: int, *, extract_value: bool = False
) -> tuple[str, int]:
    """Fetch "collect an HTTP quoted string" starting at ``text[position] == '"'``.

    Returns ``(result, new_position)``; without *extract_value* the result is the raw slice,
    quotes and backslashes included."""
    start = position
    value = []
    assert text[position] == '"'
    position += 1
    while True:
        while position < len(text) and text[position] not in '"\\':
            value.append(text[position])
            position += 1
        if position >= len(text):
            break
        char = text[position]
        position += 1
        if char == "\\":
            if position >= len(text):
                value.append("\\")
                break
            value.append(text[position])
            position += 1
        else:
            break
    if extract_value:
        return "".join(value), position
    return text[start:position], position


def get_decode_split(value: str | None) -> list[str] | None:
    """Fetch "get, decode, and split" (fetch.bs:702-861) applied to an already combined value
    (the result of "get"): split on commas outside quoted strings, trim tabs and spaces.

    >>> get_decode_split('"1,2", 3')
    ['"1,2"', '3']
    """
    if value is None:
        return None
    text = value
    position = 0
    values: list[str] = []
    temporary = ""
    while True:
        start = position
        while position < len(text) and text[position] not in '",':
            position += 1
        temporary += text[start:position]
        if position < len(text) and text[position] == '"':
            quoted, position = collect_quoted_string(text, position)
            temporary += quoted
            if position < len(text):
                continue
        values.append(temporary.strip(_HTTP_WS))
        temporary = ""
        if position >= len(text):
            return values
        position += 1  # the comma


def extract_list(value: str | None) -> list[str] | None:
    """Parse a ``#token`` list header (ACAM, ACAH, ACEH) the way Chromium's
    ``ParseAccessControlAllowList`` does (https://fetch.spec.whatwg.org/#http-new-header-syntax): split the combined value on commas, trim
    white space, skip empty items; any non-token item makes the whole header fail.

    Returns None when absent and raises :class:`ValueError` (with the bad item) on failure."""
    if value is None:
        return None
    items: list[str] = []
    for raw in value.split(","):
        item = raw.strip(_HTTP_WS)
        if not item:
            continue
        if not is_token(item):
            raise ValueError(item)
        items.append(item)
    return items


# ---------------------------------------------------------------------------------------
# CORS-safelisted request-headers (https://fetch.spec.whatwg.org/#cors-safelisted-request-header)

_UNSAFE_BYTES = frozenset('"():<>?@[\\]{}\x7f')
_LANGUAGE_RE = re.compile(r"[0-9A-Za-z *,\-.;=]*")
_SAFE_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)


def _has_unsafe_byte(value: str) -> bool:
    """Fetch "CORS-unsafe request-header byte" (fetch.bs:1097-1107)."""
    return any((ord(c) < 0x20 and c != "\t") or c in _UNSAFE_BYTES for c in value)


@dataclass(frozen=True)
class MimeType:
    """A parsed MIME type (WHATWG MIME Sniffing)."""

    type: str
    subtype: str
    parameters: tuple[tuple[str, str], ...]

    @property
    def essence(self) -> str:
        """``type/subtype``, lower-case."""
        return f"{self.type}/{self.subtype}"


def _is_quoted_string_token_char(c: str) -> bool:
    return c == "\t" or " " <= c <= "~" or "\x80" <= c <= "\xff"


def parse_mime_type(value: str) -> MimeType | None:
    """WHATWG "parse a MIME type" (strict; used by the Content-Type safelist rule, https://fetch.spec.whatwg.org/#cors-safelisted-request-header).

    Returns None on failure.  Bad parameters are skipped, never a failure."""
    text = value.strip(_HTTP_WS_ALL)
    slash = text.find("/")
    if slash <= 0:
        return None
    type_ = text[:slash]
    if any(c not in _TOKEN_CHARS for c in type_):
        return None
    position = slash + 1
    end = text.find(";", position)
    end = len(text) if end < 0 else end
    subtype = text[position:end].rstrip(_HTTP_WS_ALL)
    if not subtype or any(c not in _TOKEN_CHARS for c in subtype):
        return None
    position = end
    params: dict[str, str] = {}
    while position < len(text):
        position += 1  # skip ';'
        while position < len(text) and text[position] in _HTTP_WS_ALL:
            position += 1
        start = position
        while position < len(text) and text[position] not in ";=":
            position += 1
        name = text[start:position].lower()
        if position < len(text):
            if text[position] == ";":
                continue
            position += 1  # '='
        if position >= len(text):
            break
        if text[position] == '"':
            pvalue, position = collect_quoted_string(text, position, extract_value=True)
            while position < len(text) and text[position] != ";":
                position += 1
        else:
            start = position
            while position < len(text) and text[position] != ";":
                position += 1
            pvalue = text[start:position].rstrip(_HTTP_WS_ALL)
            if not pvalue:
                continue
        if (
            name
            and all(c in _TOKEN_CHARS for c in name)
            and all(_is_quoted_string_token_char(c) for c in pvalue)
            and name not in params
        ):
            params[name] = pvalue
    return MimeType(type_.lower(), subtype.lower(), tuple(params.items()))


def parse_single_range(
    value: str, *, allow_whitespace: bool = False
) -> tuple[int | None, int | None] | None:
    """Fetch "parse a single range header value" (fetch.bs:1368-1432); None on failure.

    The unit is the byte sequence ``bytes``, compared case-sensitively: ``BYTES=0-1`` fails
    to parse, so that request header is not CORS-safelisted (Chromium agrees).
    """
    match = (_RANGE_WS if allow_whitespace else _RANGE).fullmatch(value)
    if match is None:
        return None
    start, end = (int(x) if x else None for x in match.groups())
    if start is None and end is None:
        return None
    if start is not None and end is not None and start > end:
        return None
    return start, end


_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")
_RANGE_WS = re.compile(r"bytes[ \t]*=[ \t]*([0-9]*)[ \t]*-[ \t]*([0-9]*)")


def is_cors_safelisted_request_header(name: str, value: str) -> bool:
    """Fetch "CORS-safelisted request-header" (fetch.bs:1011-1094, https://fetch.spec.whatwg.org/#cors-safelisted-request-header), the spec's list only."""
    if len(value.encode("latin-1", "replace")) > 128:
        return False
    lname = name.lower()
    if lname == "accept":
        return not _has_unsafe_byte(value)
    if lname in ("accept-language", "content-language"):
        return _LANGUAGE_RE.fullmatch(value) is not None
    if lname == "content-type":
        if _has_unsafe_byte(value):
            return False
        mime = parse_mime_type(value)
        return mime is not None and mime.essence in _SAFE_CONTENT_TYPES
    if lname == "range":
        parsed = parse_single_range(value)
        return parsed is not None and parsed[0] is not None
    return False


# Chromium-only safelisted names that scripts can set (cors.cc IsCorsSafelistedHeader, https://fetch.spec.whatwg.org/#cors-safelisted-request-header).
CHROMIUM_EXTRA_SAFELISTED = frozenset(
    {"save-data", "dpr", "width", "viewport-width", "rtt", "downlink", "ect", "device-memory"}
)


def chromium_extra_safelisted(name: str, value: str) -> bool:
    """True when Chromium (not the spec) safelists *name*: *value* (client hints, Save-Data).

    The value grammars are approximations of Chromium's (numbers, ``on``, ECT tokens)."""
    lname = name.lower()
    if lname not in CHROMIUM_EXTRA_SAFELISTED or len(value) > 128:
        return False
    v = value.strip()
    if lname == "save-data":
        return v.lower() == "on"
    if lname == "ect":
        return v in ("slow-2g", "2g", "3g", "4g")
    if lname in ("width", "viewport-width", "rtt"):
        return v.isdigit()
    try:
        float(v)
    except ValueError:
        return False
    return re.fullmatch(r"[0-9]*\.?[0-9]+", v) is not None


def cors_unsafe_request_header_names(
    headers: list[tuple[str, str]], *, chromium: bool = False
) -> list[str]:
    """Fetch "CORS-unsafe request-header names" (fetch.bs:1111-1138, https://fetch.spec.whatwg.org/#cors-safelisted-request-header).

    *headers* are the author headers (forbidden ones already removed).  Returns the unsafe
    names byte-lower-cased and de-duplicated **in first-appearance order** (Chromium reports
    the first of them in its error; sort the result for the ACRH value).  The 1,024-byte rule
    applies: when the safelisted values add up to more than 1,024 bytes, they all become
    unsafe.  With *chromium*, Chromium's extra safelisted names count as safe too."""
    unsafe: list[str] = []
    potentially: list[str] = []
    safelist_size = 0
    for name, value in headers:
        safe = is_cors_safelisted_request_header(name, value) or (
            chromium and chromium_extra_safelisted(name, value)
        )
        if not safe:
            unsafe.append(name.lower())
        else:
            potentially.append(name.lower())
            safelist_size += len(value.encode("latin-1", "replace"))
    if safelist_size > 1024:
        unsafe.extend(potentially)
    seen: set[str] = set()
    result = []
    for n in unsafe:
        if n not in seen:
            seen.add(n)
            result.append(n)
    return result


# ---------------------------------------------------------------------------------------
# Origins (https://fetch.spec.whatwg.org/#http-new-header-syntax "Origin serialization grammar")


@dataclass(frozen=True)
class Origin:
    """A tuple origin (scheme, host, port) or the opaque origin (``opaque=True``)."""

    scheme: str = ""
    host: str = ""
    port: int | None = None
    opaque: bool = False

    def serialize(self) -> str:
        """HTML "serialization of an origin": ``scheme://host[:port]`` or ``null``."""
        if self.opaque:
            return "null"
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = "" if self.port is None else f":{self.port}"
        return f"{self.scheme}://{host}{port}"

    def same_origin(self, other: Origin) -> bool:
        """HTML "same origin" (an opaque origin is never same origin with another one here)."""
        if self.opaque or other.opaque:
            return False
        return (self.scheme, self.host, self.port) == (other.scheme, other.host, other.port)

    def __str__(self) -> str:
        return self.serialize()


def origin_of_url(url: str) -> Origin:
    """The origin of an absolute URL (WHATWG URL "origin", parsed by :mod:`.url` as Chromium
    parses it); opaque for schemes other than http(s), ws(s) and ftp.  Raises
    :class:`ValueError` for a malformed URL."""
    parsed = parse_url(url)
    if parsed.opaque:
        return Origin(opaque=True)
    host = parsed.host[1:-1] if parsed.host.startswith("[") else parsed.host
    return Origin(parsed.scheme, host, parsed.port)


def parse_origin(text: str) -> Origin:
    """Parse an origin as a person writes it (``https://Example.com:443/``, ``null``) into an
    :class:`Origin`; the result's :meth:`Origin.serialize` is what a browser sends."""
    if text.strip() == "null":
        return Origin(opaque=True)
    origin = origin_of_url(text)
    if origin.opaque:
        raise ValueError(f"{text!r} is not a web origin (use http:// or https://)")
    return origin
