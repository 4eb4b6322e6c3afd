"""Origins: parsing configured patterns, and the compiled matcher used per request.

Accepted configuration forms (anything else is a :class:`~corskit.problems.Problem`):

- an exact serialised origin, ``scheme://host[:port]`` (Fetch: origin serialisation:
  lower-case scheme and host, no default port, no path, no trailing slash);
- ``*``: every origin;
- ``https://*.example.com``: one or more subdomain labels, never ``example.com`` itself;
- ``http://localhost:*``: any port, the default port included;
- both wildcards together: ``https://*.example.com:*``.

Matching is byte-exact against what browsers send, precomputed into sets and dicts so
a request costs one set lookup for exact origins and one dict lookup per host label for
patterns.
"""

from __future__ import annotations

import ipaddress
import re
import sys
from dataclasses import dataclass
from typing import Any

from .problems import CATALOGUE, Problem, escape
from .public_suffix import is_localhost_name, is_public_suffix
from .regex_linear import regex_linear_problem

if sys.version_info >= (3, 11):
    import re._constants as sre_constants
    import re._parser as sre_parse
else:  # pragma: no cover
    import sre_constants
    import sre_parse

__all__ = [
    "OriginMatcher",
    "OriginPattern",
    "is_localhost_name",
    "is_loopback_host",
    "is_public_suffix",
    "parse_pattern",
]

DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*")
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_\-]*[a-z0-9_])?")
MAX_ORIGIN_LENGTH = 512  # longer request Origin values are refused without parsing
# A request host a pattern may match: lower-case labels of [a-z0-9_-] (checked further by
# _is_request_host, in linear time), or a bracketed IPv6 literal. Found by the fuzz tests
# (tests/fuzz): without it "https://a b.example.com", "https://a\x00.example.com" or
# "https://evil.com/.example.com" matched "https://*.example.com" and were echoed.
_REQUEST_HOST_CHARS = re.compile(r"[a-z0-9_.\-]+|\[[0-9a-f:.]+\]")

_LOCALHOST_NAMES = ("localhost",)


def is_loopback_host(host: str) -> bool:
    """Loopback IP or an RFC 6761 localhost name: plain http is acceptable there."""
    if is_localhost_name(host):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class OriginPattern:
    """One parsed configured origin.

    ``kind`` is ``"any"`` (``*``), ``"exact"``, ``"subdomains"`` (``*.`` prefix) or
    ``"null"`` (the opt-in null origin). ``port`` is ``""`` for the default port and
    ``"*"`` for any port.
    """

    kind: str
    text: str
    scheme: str = ""
    host: str = ""
    port: str = ""


def _problem(code: str, field: str, value: str, fix: str | None = None) -> Problem:
    info = CATALOGUE[code]
    return Problem(code, field, escape(value), info.why, fix or info.fix, info.severity)


def parse_pattern(
    text: str, field: str = "allow_origins", *, allow_null: bool = False
) -> tuple[OriginPattern | None, list[Problem]]:
    """Parse one configured origin; return the pattern or the problems that stop it.

    >>> parse_pattern("https://*.example.com")[0]
    OriginPattern(kind='subdomains', text='https://*.example.com', scheme='https', host='example.com', port='')
    >>> [p.code for p in parse_pattern("https://Example.com/")[1]]
    ['origin-trailing-slash', 'origin-uppercase']
    """
    special = _special(text, field, allow_null)
    if special is not None:
        return special
    scheme, sep, rest = text.partition("://")
    if not sep:
        return None, [
            _problem("origin-missing-scheme", field, text, f"Use 'https://{text.rstrip('/')}'.")
        ]
    if scheme.lower() == "file":
        return None, [_problem("origin-file-scheme", field, text)]
    authority, problems = _shape(text, field, scheme, rest)
    if authority is None:
        return None, problems
    pattern = _host_and_port(text, field, scheme.lower(), authority, problems)
    return (pattern, []) if pattern is not None and not problems else (None, problems)


_Parsed = tuple[OriginPattern | None, list[Problem]]


def _special(text: str, field: str, allow_null: bool) -> _Parsed | None:
    """``*``, ``null`` and blank-padded values; None for everything else."""
    if text == "*":
        return OriginPattern("any", text), []
    if text.strip() != text or not text:
        return None, [_problem("origin-invalid", field, text, f"Use {text.strip()!r}.")]
    if text.lower() == "null":
        if allow_null and text == "null":
            return OriginPattern("null", text), []
        return None, [_problem("origin-null", field, text)]
    return None


_TAIL_CODES = {"?": "origin-has-query", "#": "origin-has-fragment"}


def _shape(text: str, field: str, scheme: str, rest: str) -> tuple[str | None, list[Problem]]:
    """The lower-cased authority, and what is wrong around it: userinfo, a path, a query,
    a fragment, a trailing slash, upper case (each reported with the corrected origin)."""
    authority = rest
    for ch in "/?#":
        authority = authority.split(ch, 1)[0]
    tail = rest[len(authority) :]
    userinfo = "@" in authority
    if userinfo:
        authority = authority.rsplit("@", 1)[1]
    lowered = authority.lower()
    use = f"Use '{scheme.lower()}://{lowered}'."
    problems: list[Problem] = []
    if userinfo:
        problems.append(_problem("origin-has-userinfo", field, text, use))
    if tail:
        code = (
            "origin-trailing-slash" if tail == "/" else _TAIL_CODES.get(tail[0], "origin-has-path")
        )
        problems.append(_problem(code, field, text, use))
    if not _SCHEME.fullmatch(scheme):
        if not _SCHEME.fullmatch(scheme.lower()):
            code = "origin-bad-wildcard" if "*" in scheme else "origin-invalid"
            return None, [*problems, _problem(code, field, text)]
        problems.append(_problem("origin-uppercase", field, text, use))
    elif authority != lowered:
        problems.append(_problem("origin-uppercase", field, text, use))
    return lowered, problems


def _host_and_port(
    text: str, field: str, scheme: str, authority: str, problems: list[Problem]
) -> OriginPattern | None:
    """The pattern for a lower-case ``host[:port]``; problems are appended to *problems*."""
    host, port = _split_host_port(authority)
    if port is None:
        if "*" in authority.rpartition(":")[2]:
            problems.append(_problem("origin-bad-wildcard", field, text))
        else:
            problems.append(
                _problem("origin-invalid", field, text, "Use a port from 1 to 65535, or ':*'.")
            )
        return None
    if port and port == DEFAULT_PORTS.get(scheme):
        problems.append(_problem("origin-default-port", field, text, f"Use '{scheme}://{host}'."))
        port = ""
    kind = "exact"
    if host.startswith("*."):
        kind, host = "subdomains", host[2:]
    if "*" in host:
        problems.append(_problem("origin-bad-wildcard", field, text))
        return None
    fault = _host_fault(host, exact=kind == "exact")
    if fault is not None:
        if kind == "subdomains" and _valid_host(host, True):
            problems.append(_problem("origin-bad-wildcard", field, text))
        else:
            problems.append(_problem("origin-invalid", field, text, fault))
        return None
    return OriginPattern(kind, text, scheme, host, port)


def _split_host_port(authority: str) -> tuple[str, str | None]:
    """Split ``host[:port]``; the port is ``""`` when absent and ``None`` when invalid."""
    if authority.startswith("["):
        end = authority.find("]")
        host, after = authority[: end + 1], authority[end + 1 :]
        if end < 0 or (after and not after.startswith(":")):
            return authority, None
        port = after[1:] if after else ""
        if after and not port:
            return host, None
    else:
        host, colon, port = authority.partition(":")
        if colon and not port:
            return host, None
    if (
        port
        and port != "*"
        and not (port.isdigit() and port.isascii() and port[0] != "0" and int(port) <= 65535)
    ):
        return host, None
    return host, port


def _valid_host(host: str, allow_ip: bool) -> bool:
    return _host_fault(host, allow_ip) is None


# URL Standard, "ends in a number checker": such a host is parsed as IPv4 (or fails).
_NUMBER = re.compile(r"[0-9]+|0[xX][0-9a-fA-F]*")


def _host_fault(host: str, exact: bool) -> str | None:
    """None for a host a page's origin can have (URL Standard, host parsing), else why not."""
    if host.startswith("["):
        return _ipv6_fault(host) if exact else "Wildcards apply to domain names only."
    if exact and host.endswith(".") and not host.endswith(".."):
        host = host[:-1]  # a fully qualified name ('example.com.'): a page's own origin
    if not host or len(host) > 253 or not host.isascii():
        return "Write the host in ASCII (punycode for international names)."
    labels = host.split(".")
    if _NUMBER.fullmatch(labels[-1]):
        try:
            if exact and str(ipaddress.IPv4Address(host)) == host:
                return None
        except ValueError:
            pass
        return "A host ending in a number is read as an IPv4 address; no page has this origin (URL Standard)."
    for label in labels:
        if not _LABEL.fullmatch(label):
            return "Use a host name of letters, digits and '-', e.g. 'https://app.example.com'."
        if label.startswith("xn--") and not _valid_punycode(label[4:]):
            return f"{label!r} is not valid punycode, so no page has this origin: write the name's real ASCII form."
    return None


def _ipv6_fault(host: str) -> str | None:
    if not host.endswith("]"):
        return "Close the IPv6 address with ']'."
    if "%" in host:
        return "An IPv6 zone ID ('%...') is never part of an origin (URL Standard): remove it."
    try:
        address = ipaddress.IPv6Address(host[1:-1])
    except ValueError:
        return "Write a valid IPv6 address, e.g. 'http://[::1]:8000'."
    # RFC 5952 compressed form only, as browsers serialise it; no IPv4-mapped forms.
    if address.compressed != host[1:-1] or address.ipv4_mapped is not None:
        return f"Write it as browsers serialise it: '[{address.compressed}]'."
    return None


def _valid_punycode(encoded: str) -> bool:
    try:
        decoded = encoded.encode("ascii").decode("punycode")
    except (UnicodeError, ValueError):
        return False
    return bool(decoded) and not decoded.isascii()


# --- regular expressions ------------------------------------------------------------------

# Two unrelated hosts an attacker could register: a regex matching both matches anyone.
_EVERYTHING_PROBES = (
    ("https://corskit-probe.example", "https://attacker.invalid"),
    ("http://corskit-probe.example", "http://attacker.invalid"),
)
# Top-level domains anyone can register names under: a regex matching a name directly
# under one of them lets anyone in (like 'https://*.com').
_PROBE_TLDS = (
    "com",
    "net",
    "org",
    "io",
    "dev",
    "app",
    "co",
    "uk",
    "de",
    "xyz",
    "info",
    "top",
    "ai",
    "me",
    "cloud",
)
_HOST_IN_REGEX = re.compile(r"[a-z0-9-]+(?:\\\.[a-z0-9-]+)+")
_PORT_IN_REGEX = re.compile(r":(\d{1,5})")


def check_regex(
    source: str,
    field: str = "allow_origin_regex",
    *,
    credentials: bool = False,
    tolerate_insecure: bool = False,
    tolerate_public_suffix: bool = False,
) -> tuple[re.Pattern[str] | None, list[Problem]]:
    """Compile *source* and refuse the ways a regex lets attackers in.

    Besides analysing the expression (it must provably match in linear time), it is run
    against look-alikes of the host names written in it (``example\\.com`` ->
    ``https://corskitexample.com``, ``https://example.com.corskit-probe.test``), against
    names anyone can register under public suffixes and top-level domains, and, with
    credentials, against plain-http origins, as an attacker would.
    """
    try:
        compiled = re.compile(source)
    except (re.error, TypeError, ValueError, RecursionError, OverflowError) as exc:
        return None, [
            _problem("regex-invalid", field, source, f"{CATALOGUE['regex-invalid'].fix} ({exc})")
        ]
    why = regex_linear_problem(source)
    if why is not None:
        return None, [
            _problem(
                "regex-not-linear", field, source, f"{CATALOGUE['regex-not-linear'].fix} ({why}.)"
            )
        ]
    problems: list[Problem] = []
    if any(all(compiled.fullmatch(p) for p in pair) for pair in _EVERYTHING_PROBES):
        problems.append(_problem("regex-matches-everything", field, source))
    elif _has_unescaped_host_dot(source):
        problems.append(_problem("regex-unescaped-dot", field, source))
    else:
        problems += _lookalike_problems(compiled, source, field)
        if credentials and not tolerate_public_suffix:
            problems += _public_suffix_problems(compiled, source, field)
    if (
        credentials
        and not tolerate_insecure
        and not any(p.code == "regex-matches-everything" for p in problems)
    ):
        problems += _insecure_problems(compiled, source, field)
    if compiled.fullmatch("null"):
        problems.append(_problem("regex-matches-null", field, source))
    return compiled, problems


def _lookalike_problems(compiled: re.Pattern[str], source: str, field: str) -> list[Problem]:
    for probe in _lookalikes(source):
        if compiled.fullmatch(probe):
            fix = (
                f"It matches {probe!r}. Anchor host names on a dot, e.g. "
                "'https://([a-z0-9-]+\\.)*example\\.com', or use 'https://*.example.com' in allow_origins."
            )
            return [_problem("regex-matches-lookalike", field, source, fix)]
    return []


def _regex_hosts(source: str) -> list[str]:
    return [m.group().replace("\\.", ".") for m in _HOST_IN_REGEX.finditer(source)]


def _public_suffix_problems(compiled: re.Pattern[str], source: str, field: str) -> list[Problem]:
    """A name anyone can register directly under a public suffix or a TLD matches."""
    suffixes = list(_PROBE_TLDS)
    for host in _regex_hosts(source):
        labels = host.split(".")
        suffixes += [".".join(labels[i:]) for i in range(len(labels))]
    for suffix in dict.fromkeys(suffixes):
        if not is_public_suffix(suffix):
            continue
        for scheme in ("https", "http"):
            probe = f"{scheme}://corskit-probe.{suffix}"
            if compiled.fullmatch(probe) or compiled.fullmatch(f"{scheme}://corskitprobe.{suffix}"):
                fix = (
                    f"It matches {probe!r}: anyone can register a name under {suffix!r}. Match your own "
                    "sites only, or opt in with dangerously_tolerate_public_suffix_wildcards=True."
                )
                return [_problem("public-suffix-wildcard-with-credentials", field, source, fix)]
    return []


def _insecure_problems(compiled: re.Pattern[str], source: str, field: str) -> list[Problem]:
    """With credentials, a plain-http origin (not loopback) matches."""
    hosts = [h for h in _regex_hosts(source) if not is_loopback_host(h)] + ["corskit-probe.example"]
    ports = ["", *(":" + p for p in _PORT_IN_REGEX.findall(source))]
    for host in hosts:
        for prefix in ("", "corskitprobe.", "www."):
            for port in ports:
                probe = f"http://{prefix}{host}{port}"
                if compiled.fullmatch(probe):
                    fix = (
                        f"It matches {probe!r}. Require 'https://' in the regex, or opt in with "
                        "dangerously_tolerate_insecure_origins=True."
                    )
                    return [_problem("insecure-origin-with-credentials", field, source, fix)]
    return []


def _lookalikes(source: str) -> list[str]:
    probes = []
    for match in _HOST_IN_REGEX.finditer(source):
        host = match.group().replace("\\.", ".")
        for scheme in ("https", "http"):
            probes += [
                f"{scheme}://corskitprobe{host}",
                f"{scheme}://corskitprobe-{host}",
                f"{scheme}://{host}.corskit-probe.test",
                f"{scheme}://{host}corskitprobe.test",
            ]
    return probes


def _has_unescaped_host_dot(source: str) -> bool:
    """A bare ``.`` (ANY, not repeated) next to a letter or digit: ``example.com``."""
    try:
        parsed = sre_parse.parse(source)
    except Exception:  # pragma: no cover - compile() succeeded already
        return False
    return _scan(list(parsed))  # type: ignore[call-overload]


def _scan(items: list[tuple[Any, Any]]) -> bool:
    ANY, LITERAL = sre_constants.ANY, sre_constants.LITERAL
    for i, (op, arg) in enumerate(items):
        if op is ANY:
            before = items[i - 1] if i else None
            after = items[i + 1] if i + 1 < len(items) else None
            for neighbour in (before, after):
                if neighbour and neighbour[0] is LITERAL and chr(neighbour[1]).isalnum():
                    return True
        elif op is sre_constants.SUBPATTERN:
            if _scan(list(arg[-1])):
                return True
        elif op is sre_constants.BRANCH:
            if any(_scan(list(branch)) for branch in arg[1]):
                return True
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            if _scan(list(arg[2])):
                return True
    return False


# --- the compiled matcher -----------------------------------------------------------------


class OriginMatcher:
    """Decides whether a request's ``Origin`` (as bytes) is allowed. Built once.

    >>> m = OriginMatcher([parse_pattern(p)[0] for p in ["https://a.com", "https://*.b.com", "http://localhost:*"]])
    >>> [m.matches(o) for o in [b"https://a.com", b"https://x.y.b.com", b"https://b.com", b"http://localhost:5173"]]
    [True, True, False, True]
    """

    __slots__ = ("_any_port", "_exact", "_regex", "_subdomains", "allows_all", "has_patterns")

    def __init__(
        self, patterns: list[OriginPattern | None], regex: re.Pattern[str] | None = None
    ) -> None:
        self._exact: frozenset[bytes] = frozenset()
        exact: set[bytes] = set()
        any_port: set[tuple[str, str]] = set()
        subdomains: set[tuple[str, str, str]] = set()
        self.allows_all = False
        for p in patterns:
            if p is None:
                continue
            if p.kind == "any":
                self.allows_all = True
            elif p.kind == "null":
                exact.add(b"null")
            elif p.kind == "exact" and p.port != "*":
                exact.add(_serialise(p.scheme, p.host, p.port).encode("ascii"))
            elif p.kind == "exact":
                any_port.add((p.scheme, p.host))
            else:
                subdomains.add((p.scheme, p.host, p.port))
        self._exact = frozenset(exact)
        self._any_port = frozenset(any_port)
        self._subdomains = frozenset(subdomains)
        self._regex = regex
        self.has_patterns = bool(any_port or subdomains or regex)

    def matches(self, origin: bytes) -> bool:
        """True when *origin* (the raw header value) is allowed."""
        if self.allows_all or origin in self._exact:
            return True
        if not self.has_patterns or len(origin) > MAX_ORIGIN_LENGTH:
            return False
        try:
            text = origin.decode("ascii")
        except UnicodeDecodeError:
            return False
        if self._regex is not None and self._regex.fullmatch(text):
            return True
        scheme, sep, authority = text.partition("://")
        if not sep:
            return False
        host, port = _split_host_port(authority)
        if port is None or port == "*" or not _is_request_host(host):
            return False  # not a serialised origin: browsers never send it
        if (scheme, host) in self._any_port:
            return True
        if self._subdomains and ".." not in host:
            # Walk the host's proper suffixes: a.b.example.com -> b.example.com, example.com, com.
            dot = host.find(".")
            while dot > 0:  # dot > 0: an empty leading label never matches
                suffix = host[dot + 1 :]
                if (scheme, suffix, port) in self._subdomains or (
                    scheme,
                    suffix,
                    "*",
                ) in self._subdomains:
                    return True
                dot = host.find(".", dot + 1)
        return False


def _is_request_host(host: str) -> bool:
    """True for a host as browsers serialise it (no empty label, no label edge '-')."""
    if not _REQUEST_HOST_CHARS.fullmatch(host):
        return False
    if host.startswith("["):
        return True
    return not (".." in host or ".-" in host or "-." in host or host[0] in ".-" or host[-1] in ".-")


def _serialise(scheme: str, host: str, port: str) -> str:
    return f"{scheme}://{host}:{port}" if port else f"{scheme}://{host}"
