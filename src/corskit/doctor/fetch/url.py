"""URLs as Chromium parses and serialises them: the WHATWG URL Standard's basic URL parser
(https://url.spec.whatwg.org/#concept-basic-url-parser) for the special schemes, with the few
places where Chromium's URL library differs, as observed in Chromium 150:

* a percent-encoded space in a host is accepted (``ho%20st``), as are ``"`` and the other
  code points the standard forbids only in domains;
* a path also percent-encodes ``|`` and ``^``.

This module is the doctor's one owner of URL parsing: the target URL, every ``Location`` and
the validity of an ``Access-Control-Allow-Origin`` value go through it. Pure functions, no
I/O."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

__all__ = [
    "SPECIAL_SCHEMES",
    "URL",
    "canonical_host",
    "is_valid_url",
    "parse_url",
]

#: Special schemes and their default ports (https://url.spec.whatwg.org/#special-scheme).
SPECIAL_SCHEMES: dict[str, int | None] = {
    "ftp": 21,
    "file": None,
    "http": 80,
    "https": 443,
    "ws": 80,
    "wss": 443,
}

# Code points a host may not contain once percent-decoded (the URL Standard's forbidden
# domain code points without the space, which Chromium keeps as %20).
_FORBIDDEN_HOST = frozenset([chr(c) for c in range(0x20)] + list("#%/:<>?@[\\]^|") + ["\x7f"])
_ESCAPE_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


def _decode_host(text: str) -> str:
    """Percent-decode *text* as UTF-8; ValueError for a broken escape or invalid UTF-8."""
    if _ESCAPE_RE.search(text):
        raise ValueError(f"invalid percent-escape in host {text!r}")
    raw = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "%":
            raw.append(int(text[i + 1 : i + 3], 16))
            i += 3
        else:
            raw.extend(text[i].encode("utf-8"))
            i += 1
    return raw.decode("utf-8")  # UnicodeDecodeError is a ValueError


def _parse_ipv4_number(part: str) -> int | None:
    if not part:
        return None
    radix = 10
    if part[:2].lower() == "0x":
        radix, part = 16, part[2:]
    elif len(part) > 1 and part[0] == "0":
        radix, part = 8, part[1:]
    if part == "":
        return 0
    try:
        return int(part, radix)
    except ValueError:
        return None


def _parse_ipv4(host: str) -> str | None:
    """URL Standard IPv4 parser for hosts that end in a number; None if not IPv4-like."""
    parts = host.split(".")
    if parts and parts[-1] == "":
        parts = parts[:-1]
    if not parts or _parse_ipv4_number(parts[-1]) is None:
        return None
    if len(parts) > 4:
        raise ValueError("invalid IPv4 address")
    numbers = []
    for p in parts:
        value = _parse_ipv4_number(p)
        if value is None:
            raise ValueError("invalid IPv4 address")
        numbers.append(value)
    if any(v > 255 for v in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise ValueError("invalid IPv4 address")
    ipv4 = numbers[-1]
    for i, v in enumerate(numbers[:-1]):
        ipv4 += v * 256 ** (3 - i)
    return str(ipaddress.IPv4Address(ipv4))


def canonical_host(text: str) -> str:
    """The host of a special URL as Chromium serialises it (lower-case, IDNA, IPv4 and IPv6
    in canonical form, a space as ``%20``); ValueError when Chromium refuses it."""
    if text.startswith("["):
        if not text.endswith("]"):
            raise ValueError("invalid IPv6 address")
        return "[" + ipaddress.IPv6Address(text[1:-1]).compressed + "]"
    host = _decode_host(text)
    if not host:
        raise ValueError("empty host")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValueError(f"invalid host {text!r}") from exc
    host = host.lower()
    if any(c in _FORBIDDEN_HOST for c in host):
        raise ValueError(f"invalid host {text!r}")
    v4 = _parse_ipv4(host)
    return v4 if v4 is not None else host.replace(" ", "%20")


def _parse_port(text: str) -> int | None:
    """A port as written after the ``:`` (empty: none); ValueError unless digits <= 65535."""
    if text == "":
        return None
    if not text.isascii() or not text.isdigit() or int(text) > 65535:
        raise ValueError(f"invalid port {text!r}")
    return int(text)


def is_valid_url(value: str) -> bool:
    """Whether Chromium's ``GURL(value).is_valid()`` holds (used for the
    ``Access-Control-Allow-Origin`` error Chromium picks,
    https://fetch.spec.whatwg.org/#cors-check): a scheme, and for a special scheme a host
    and port Chromium accepts."""
    try:
        parse_url(value)
    except ValueError:
        return False
    return True


# Percent-encode sets (https://url.spec.whatwg.org/#percent-encoded-bytes); C0 controls, DEL
# and non-ASCII are always encoded. Chromium's path set adds | and ^ to the standard's.
_QUERY_SET = frozenset(' "#<>')
_SPECIAL_QUERY_SET = _QUERY_SET | {"'"}
_PATH_SET = _QUERY_SET | frozenset("?`{}|^")
_USERINFO_SET = _PATH_SET | frozenset("/:;=@[\\]")
_FRAGMENT_SET = frozenset(' "<>`')
_SINGLE_DOT = frozenset({".", "%2e"})
_DOUBLE_DOT = frozenset({"..", ".%2e", "%2e.", "%2e%2e"})


def _encode(text: str, encode_set: frozenset[str]) -> str:
    out = []
    for ch in text:
        if ch in encode_set or not " " < ch < "\x7f":
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")))
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class URL:
    """A parsed URL. For a special scheme every part is in the form Chromium sends it; for
    another scheme ``path`` holds everything after ``scheme:`` as written (``opaque``)."""

    scheme: str
    host: str = ""
    port: int | None = None
    path: str = ""
    query: str | None = None
    fragment: str | None = None
    userinfo: str = ""
    opaque: bool = False

    def serialize(self, *, fragment: bool = False) -> str:
        """The URL serializer (https://url.spec.whatwg.org/#concept-url-serializer); without
        *fragment* the fragment is left out, as on the wire and in Chromium's console."""
        if self.opaque:
            text = f"{self.scheme}:{self.path}"
        else:
            port = "" if self.port is None else f":{self.port}"
            user = f"{self.userinfo}@" if self.userinfo else ""
            text = f"{self.scheme}://{user}{self.host}{port}{self.path}"
            if self.query is not None:
                text += "?" + self.query
        if fragment and self.fragment is not None:
            text += "#" + self.fragment
        return text

    def __str__(self) -> str:
        return self.serialize()


def _normalize_path(path: str) -> str:
    """Percent-encode each segment and remove the dot segments of a special URL's path."""
    segments = path.replace("\\", "/").split("/")[1:]
    out: list[str] = []
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        lowered = segment.lower()
        if lowered in _DOUBLE_DOT:
            if out:
                out.pop()
            if last:
                out.append("")
        elif lowered in _SINGLE_DOT:
            if last:
                out.append("")
        else:
            out.append(_encode(segment, _PATH_SET))
    return "/" + "/".join(out)


def _split_rest(rest: str) -> tuple[str, str | None, str | None]:
    """-> (path, query, fragment) of what follows the authority."""
    fragment = None
    if "#" in rest:
        rest, fragment = rest.split("#", 1)
    query = None
    if "?" in rest:
        rest, query = rest.split("?", 1)
    return rest, query, fragment


def _with_tail(scheme: str, authority: tuple[str, str, int | None], path: str, tail: str) -> URL:
    _, query, fragment = _split_rest(tail)
    userinfo, host, port = authority
    return URL(
        scheme,
        host,
        port,
        _normalize_path(path or "/"),
        None if query is None else _encode(query, _SPECIAL_QUERY_SET),
        None if fragment is None else _encode(fragment, _FRAGMENT_SET),
        userinfo,
    )


def _authority(scheme: str, text: str) -> tuple[tuple[str, str, int | None], str]:
    """Parse ``userinfo@host:port`` at the start of *text*; -> (authority, the rest)."""
    end = len(text)
    for sep in "/\\?#":
        pos = text.find(sep)
        if pos != -1:
            end = min(end, pos)
    authority, rest = text[:end], text[end:]
    userinfo = ""
    if "@" in authority:
        raw_user, authority = authority.rsplit("@", 1)
        userinfo = _encode(raw_user, _USERINFO_SET - {":"})
    if authority.startswith("["):
        close = authority.find("]")
        raw_host, port_text = authority[: close + 1], authority[close + 1 :]
        if close == -1 or (port_text and not port_text.startswith(":")):
            raise ValueError(f"invalid IPv6 host in {text!r}")
        port_text = port_text[1:]
    else:
        raw_host, _, port_text = authority.partition(":")
    host = canonical_host(raw_host)
    port = _parse_port(port_text)
    if port == SPECIAL_SCHEMES[scheme]:
        port = None
    return (userinfo, host, port), rest


def _resolve(text: str, base: URL) -> URL:
    """A reference without a scheme (or with the base's special scheme) against *base*."""
    if base.opaque:
        raise ValueError(f"cannot resolve {text!r} against {base.serialize()!r}")
    authority = (base.userinfo, base.host, base.port)
    if text[:2] in ("//", "\\\\", "/\\", "\\/"):
        parsed, rest = _authority(base.scheme, text.lstrip("/\\"))
        path, _, _ = _split_rest(rest)
        return _with_tail(base.scheme, parsed, path, rest[len(path) :])
    if text.startswith(("/", "\\")):
        path, _, _ = _split_rest(text)
        return _with_tail(base.scheme, authority, path, text[len(path) :])
    if text.startswith("?") or text == "":
        tail = text if text else ("" if base.query is None else "?" + base.query)
        return _with_tail(base.scheme, authority, base.path, tail)
    if text.startswith("#"):
        query = "" if base.query is None else "?" + base.query
        return _with_tail(base.scheme, authority, base.path, query + text)
    path, _, _ = _split_rest(text)
    directory = base.path.rsplit("/", 1)[0]
    return _with_tail(base.scheme, authority, directory + "/" + path, text[len(path) :])


def parse_url(text: str, base: URL | str | None = None) -> URL:
    """Parse *text* (resolved against *base* when relative) as Chromium does; ValueError
    where the URL Standard's parser returns failure."""
    text = text.strip("".join(chr(c) for c in range(0x21)))
    text = text.replace("\t", "").replace("\n", "").replace("\r", "")
    if isinstance(base, str):
        base = parse_url(base)
    match = _SCHEME_RE.match(text)
    if match is None:
        if base is None:
            raise ValueError(f"not an absolute URL: {text!r}")
        return _resolve(text, base)
    scheme, rest = match.group(1).lower(), text[match.end() :]
    if scheme not in SPECIAL_SCHEMES or scheme == "file":
        return URL(scheme, path=rest, opaque=True)
    if base is not None and base.scheme == scheme and not rest.startswith(("/", "\\")):
        return _resolve(rest, base)
    parsed, rest = _authority(scheme, rest.lstrip("/\\"))
    path, _, _ = _split_rest(rest)
    return _with_tail(scheme, parsed, path, rest[len(path) :])
