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

if sys.version_info >= (3, 11):
    import re._constants as sre_constants
    import re._parser as sre_parse
else:  # pragma: no cover
    import sre_constants
    import sre_parse

__all__ = [
    "OriginMatcher",
    "OriginPattern",
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

# Multi-label public suffixes (and single-label rules are applied generically: every
# TLD is a public suffix). Curated from the Public Suffix List's ICANN and PRIVATE
# sections: country second levels and the hosting platforms where anyone can get a
# subdomain. When the optional `publicsuffixlist` package is installed it is used too.
_PUBLIC_SUFFIXES = frozenset(
    """
    co.uk org.uk me.uk ltd.uk plc.uk net.uk ac.uk gov.uk sch.uk nhs.uk
    com.au net.au org.au edu.au gov.au id.au co.nz org.nz net.nz ac.nz govt.nz
    co.jp ne.jp or.jp ac.jp go.jp gr.jp ed.jp co.kr or.kr ne.kr go.kr ac.kr
    com.br net.br org.br gov.br com.cn net.cn org.cn gov.cn edu.cn com.hk org.hk net.hk
    com.tw org.tw net.tw com.sg org.sg net.sg edu.sg com.my org.my net.my co.in net.in
    org.in firm.in gen.in ind.in ac.in gov.in co.za org.za net.za gov.za ac.za
    com.mx org.mx net.mx gob.mx com.ar net.ar org.ar gob.ar com.tr org.tr net.tr gov.tr
    co.il org.il net.il ac.il gov.il com.ua org.ua net.ua in.ua com.pl net.pl org.pl
    co.id or.id web.id ac.id go.id com.ph net.ph org.ph com.vn net.vn org.vn co.th in.th
    com.sa net.sa org.sa com.eg org.eg com.ng org.ng co.ke or.ke com.pk org.pk net.pk
    com.ru org.ru net.ru msk.ru spb.ru com.es org.es nom.es com.pt org.pt co.at or.at
    co.it gov.it edu.it com.gr org.gr co.hu com.ro org.ro com.co net.co nom.co com.pe
    com.ve com.ec com.uy com.py com.bo eu.org us.org
    github.io githubusercontent.com gitlab.io codeberg.page bitbucket.io
    herokuapp.com herokussl.com vercel.app now.sh netlify.app netlify.com pages.dev
    workers.dev web.app firebaseapp.com appspot.com cloudfunctions.net run.app
    azurewebsites.net azurestaticapps.net cloudapp.net blob.core.windows.net
    trafficmanager.net azureedge.net cloudfront.net amazonaws.com s3.amazonaws.com
    elasticbeanstalk.com awsapps.com amplifyapp.com on-aws.com
    ngrok.io ngrok.app ngrok-free.app ngrok.dev ngrok-free.dev loca.lt localtunnel.me
    trycloudflare.com glitch.me repl.co replit.app replit.dev onrender.com fly.dev
    railway.app up.railway.app deno.dev surge.sh neocities.org blogspot.com
    wordpress.com wixsite.com squarespace.com webflow.io myshopify.com
    readthedocs.io rtfd.io pythonanywhere.com digitaloceanspaces.com ondigitalocean.app
    fastly.net global.ssl.fastly.net edgecompute.app stackblitz.io csb.app codesandbox.io
    jsfiddle.net codepen.io jsbin.com webcontainer.io gitpod.io github.dev app.github.dev
    streamlit.app hf.space huggingface.co
    """.split()
)

_LOCALHOST_NAMES = ("localhost",)


def is_loopback_host(host: str) -> bool:
    """Loopback IP or an RFC 6761 localhost name: plain http is acceptable there."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_public_suffix(domain: str) -> bool:
    """True when anyone can register names directly under *domain*.

    >>> is_public_suffix("co.uk"), is_public_suffix("github.io"), is_public_suffix("example.com")
    (True, True, False)
    """
    if domain == "localhost" or domain.endswith(".localhost"):
        return False  # RFC 6761: every name under localhost is this machine; nobody registers them
    if "." not in domain or domain in _PUBLIC_SUFFIXES:
        return True
    try:  # optional, more complete list
        from publicsuffixlist import PublicSuffixList  # type: ignore[import-not-found]
    except ImportError:
        return False
    return bool(PublicSuffixList().is_public(domain))  # pragma: no cover


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
    if text == "*":
        return OriginPattern("any", text), []
    if text.strip() != text or not text:
        return None, [_problem("origin-invalid", field, text, f"Use {text.strip()!r}.")]
    if text.lower() == "null":
        if allow_null and text == "null":
            return OriginPattern("null", text), []
        return None, [_problem("origin-null", field, text)]
    problems: list[Problem] = []
    scheme, sep, rest = text.partition("://")
    if not sep:
        return None, [
            _problem("origin-missing-scheme", field, text, f"Use 'https://{text.rstrip('/')}'.")
        ]
    if scheme.lower() == "file":
        return None, [_problem("origin-file-scheme", field, text)]
    fixed = scheme.lower()
    # Path, query, fragment, trailing slash: report what is there and the corrected origin.
    authority = rest
    for ch in "/?#":
        authority = authority.split(ch, 1)[0]
    tail = rest[len(authority) :]
    userinfo = "@" in authority
    if userinfo:
        authority = authority.rsplit("@", 1)[1]
    lowered_authority = authority.lower()
    suggestion = f"{fixed}://{lowered_authority}"
    if userinfo:
        problems.append(_problem("origin-has-userinfo", field, text, f"Use '{suggestion}'."))
    if tail:
        if tail == "/":
            code = "origin-trailing-slash"
        elif tail.startswith("?"):
            code = "origin-has-query"
        elif tail.startswith("#"):
            code = "origin-has-fragment"
        else:
            code = "origin-has-path"
        problems.append(_problem(code, field, text, f"Use '{suggestion}'."))
    if not _SCHEME.fullmatch(scheme):
        if _SCHEME.fullmatch(scheme.lower()):
            problems.append(_problem("origin-uppercase", field, text, f"Use '{suggestion}'."))
        else:
            code = "origin-bad-wildcard" if "*" in scheme else "origin-invalid"
            return None, [*problems, _problem(code, field, text)]
    elif authority != lowered_authority:
        problems.append(_problem("origin-uppercase", field, text, f"Use '{suggestion}'."))
    host, port = _split_host_port(lowered_authority)
    if port is None:
        if "*" in lowered_authority.rpartition(":")[2]:
            problems.append(_problem("origin-bad-wildcard", field, text))
        else:
            problems.append(
                _problem("origin-invalid", field, text, "Use a port from 1 to 65535, or ':*'.")
            )
        return None, problems
    if port and port == DEFAULT_PORTS.get(fixed):
        problems.append(_problem("origin-default-port", field, text, f"Use '{fixed}://{host}'."))
        port = ""
    kind = "exact"
    if host.startswith("*."):
        kind, host = "subdomains", host[2:]
    if "*" in host:
        problems.append(_problem("origin-bad-wildcard", field, text))
        return None, problems
    if not _valid_host(host, allow_ip=kind == "exact"):
        code = (
            "origin-bad-wildcard"
            if kind == "subdomains" and _valid_host(host, True)
            else "origin-invalid"
        )
        problems.append(_problem(code, field, text))
        return None, problems
    if problems:
        return None, problems
    return OriginPattern(kind, text, fixed, host, port), []


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
    if host.startswith("["):
        if not allow_ip or not host.endswith("]"):
            return False
        try:
            address = ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        # RFC 5952 compressed form only, as browsers serialise it; no IPv4-mapped forms.
        return address.compressed == host[1:-1] and address.ipv4_mapped is None
    if not host or len(host) > 253 or not host.isascii():
        return False
    if host.replace(".", "").isdigit():
        if not allow_ip:
            return False
        try:
            return str(ipaddress.IPv4Address(host)) == host
        except ValueError:
            return False
    return all(_LABEL.fullmatch(label) for label in host.split("."))


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


# --- linear-time proof for allow_origin_regex ------------------------------------------------
#
# Python's re backtracks: nested or overlapping quantifiers ('([a-z0-9]+)*', '(\w+\.?)+',
# '.*\..*') cost exponential or polynomial time on a crafted Origin (ReDoS). A regex is
# accepted only when every repeated part provably ends at a character it cannot contain
# (or where nothing else repeated can take over), so a failed match backtracks a bounded
# number of steps per character. Anything the analysis does not understand (back-
# references, lookarounds, conditionals) is refused: allow_origins patterns need no regex.

_ALPHABET = range(128)  # request Origins are ASCII (non-ASCII ones are refused before)
_MAX_CONTINUATIONS = 64
_UNPROVABLE_OPS = ("GROUPREF", "GROUPREF_EXISTS", "ASSERT", "ASSERT_NOT", "GROUPREF_IGNORE")


class _NotLinear(Exception):
    """Why a regex cannot be shown to match in linear time."""


def regex_linear_problem(source: str) -> str | None:
    """None when *source* (a valid regex) provably matches in linear time, else why not.

    >>> regex_linear_problem(r"https://([a-z0-9-]+\\.)*example\\.com") is None
    True
    >>> regex_linear_problem(r"https://([a-z0-9]+)*\\.example\\.com")
    "the repeated part '[a-z0-9]+' can also be matched by the repetition around or after it"
    """
    try:
        parsed: Any = sre_parse.parse(source)
        _Linear(source, parsed).check(list(parsed), [[]], in_loop=False)
    except _NotLinear as exc:
        return str(exc)
    except RecursionError:
        return "it is nested too deeply to analyse"
    return None


class _Linear:
    def __init__(self, source: str, parsed: Any) -> None:
        self.state = parsed.state
        self.source = source
        self._leaf: dict[str, frozenset[int]] = {}

    # -- character sets -------------------------------------------------------------------

    def leaf(self, node: tuple[Any, Any]) -> frozenset[int]:
        key = repr(node)
        found = self._leaf.get(key)
        if found is None:
            sub = sre_parse.SubPattern(self.state, [node])
            compiled = _sre_compile(sub, re.IGNORECASE)  # case-folded: a superset, conservative
            found = frozenset(c for c in _ALPHABET if compiled.fullmatch(chr(c)))
            self._leaf[key] = found
        return found

    def chars(self, items: list[tuple[Any, Any]]) -> frozenset[int]:
        out: set[int] = set()
        for op, av in items:
            name = str(op)
            if name in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
                out |= self.leaf((op, av))
            elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
                out |= self.chars(list(av[-1]))
            elif name == "BRANCH":
                for branch in av[1]:
                    out |= self.chars(list(branch))
            elif _is_repeat(name):
                out |= self.chars(list(av[2]))
        return frozenset(out)

    def first(self, items: list[tuple[Any, Any]]) -> frozenset[int]:
        out: set[int] = set()
        for node in items:
            out |= self.first_of(node)
            if not self.nullable([node]):
                break
        return frozenset(out)

    def first_of(self, node: tuple[Any, Any]) -> frozenset[int]:
        op, av = node
        name = str(op)
        if name in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
            return self.leaf(node)
        if name in ("SUBPATTERN", "ATOMIC_GROUP"):
            return self.first(list(av[-1]))
        if name == "BRANCH":
            return frozenset().union(*(self.first(list(b)) for b in av[1]))
        if _is_repeat(name):
            return self.first(list(av[2]))
        return frozenset()

    def nullable(self, items: list[tuple[Any, Any]]) -> bool:
        for op, av in items:
            name = str(op)
            if name in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
                return False
            if name in ("SUBPATTERN", "ATOMIC_GROUP") and not self.nullable(list(av[-1])):
                return False
            if name == "BRANCH" and not any(self.nullable(list(b)) for b in av[1]):
                return False
            if _is_repeat(name) and av[0] > 0 and not self.nullable(list(av[2])):
                return False
        return True

    # -- the proof ------------------------------------------------------------------------

    def check(
        self, items: list[tuple[Any, Any]], follows: list[list[tuple[Any, Any]]], in_loop: bool
    ) -> None:
        """Check the sequence *items*, followed by any one of *follows* (continuations)."""
        if len(follows) > _MAX_CONTINUATIONS:
            raise _NotLinear("it nests repetitions too deeply to analyse")
        for i, (op, av) in enumerate(items):
            name = str(op)
            rest = [items[i + 1 :] + f for f in follows]
            if name in _UNPROVABLE_OPS:
                raise _NotLinear(
                    "back-references and lookarounds cannot be shown to match in linear time"
                )
            if name in ("SUBPATTERN", "ATOMIC_GROUP"):
                self.check(list(av[-1]), rest, in_loop)
            elif name == "BRANCH":
                self._branch((op, av), rest, in_loop)
            elif _is_repeat(name):
                self._repeat((op, av), rest)
            elif name not in ("LITERAL", "NOT_LITERAL", "ANY", "IN", "AT"):
                raise _NotLinear(
                    f"it uses {name.lower()}, which the linear-time check does not know"
                )

    def _branch(
        self, node: tuple[Any, Any], rest: list[list[tuple[Any, Any]]], in_loop: bool
    ) -> None:
        branches = [list(b) for b in node[1][1]]
        if in_loop:
            seen: set[int] = set()
            for branch in branches:
                first = self.first(branch)
                if first & seen or self.nullable(branch):
                    raise _NotLinear(
                        f"the alternatives in {self._show([node])!r} can start alike under a repetition"
                    )
                seen |= first
        for branch in branches:
            self.check(branch, rest, in_loop)

    def _repeat(self, node: tuple[Any, Any], rest: list[list[tuple[Any, Any]]]) -> None:
        high, body = node[1][1], list(node[1][2])
        if high <= 1:  # '?': no repetition, only a choice
            self.check(body, rest, in_loop=False)
            return
        if self.nullable(body):
            raise _NotLinear(f"the repeated part {self._show([node])!r} can match the empty string")
        mine = self.chars(body)
        for follow in rest:
            self._ends_cleanly(mine, node, follow)
        # Inside the body, what follows is either one more round of the body or the rest.
        self.check(body, [body + f for f in rest] + rest, in_loop=True)

    def _ends_cleanly(
        self, mine: frozenset[int], repeat: tuple[Any, Any], follow: list[tuple[Any, Any]]
    ) -> None:
        for node in follow:
            if not self.first_of(node) & mine:
                # The repetition cannot run into this part: it ends right before it (when
                # the part is mandatory) or the part is absent (a bounded choice).
                if not self.nullable([node]):
                    return
                continue
            if _has_repeat(node):
                raise _NotLinear(
                    f"the repeated part {self._show([repeat])!r} can also be matched by the repetition around or after it"
                )
            # overlapping, fixed length: a bounded number of retries per character

    def _show(self, items: list[tuple[Any, Any]]) -> str:
        return _unparse(items)


def _is_repeat(name: str) -> bool:
    return name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _has_repeat(node: tuple[Any, Any]) -> bool:
    op, av = node
    name = str(op)
    if _is_repeat(name):
        return bool(av[1] > 1) or any(_has_repeat(n) for n in av[2])
    if name in ("SUBPATTERN", "ATOMIC_GROUP"):
        return any(_has_repeat(n) for n in av[-1])
    if name == "BRANCH":
        return any(_has_repeat(n) for b in av[1] for n in b)
    return False


def _sre_compile(sub: Any, flags: int) -> re.Pattern[str]:
    if sys.version_info >= (3, 11):
        import re._compiler as sre_compile
    else:  # pragma: no cover
        import sre_compile
    return sre_compile.compile(sub, flags)


_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
}


def _unparse(items: Any) -> str:
    """A readable regex for a parsed fragment (for problem messages)."""
    return "".join(_unparse_node(op, av) for op, av in items)


def _unparse_node(op: Any, av: Any) -> str:
    name = str(op)
    if name == "LITERAL":
        return re.escape(chr(av))
    if name == "NOT_LITERAL":
        return f"[^{re.escape(chr(av))}]"
    if name == "ANY":
        return "."
    if name == "IN":
        parts = [_unparse_set_item(o, a) for o, a in av]
        if len(parts) == 1 and parts[0].startswith("\\") and len(parts[0]) == 2:
            return parts[0]
        return "[" + "".join(parts) + "]"
    if name in ("SUBPATTERN", "ATOMIC_GROUP"):
        return "(" + _unparse(av[-1]) + ")"
    if name == "BRANCH":
        return "|".join(_unparse(b) for b in av[1])
    if _is_repeat(name):
        low, high = av[0], av[1]
        body = _unparse(av[2])
        quantifier = {
            (0, 1): "?",
            (0, sre_constants.MAXREPEAT): "*",
            (1, sre_constants.MAXREPEAT): "+",
        }.get((low, high), f"{{{low},{'' if high == sre_constants.MAXREPEAT else high}}}")
        return body + quantifier
    if name == "AT":
        return {"AT_BEGINNING": "^", "AT_END": "$"}.get(str(av), "")
    return "…"


def _unparse_set_item(op: Any, av: Any) -> str:
    name = str(op)
    if name == "LITERAL":
        return re.escape(chr(av))
    if name == "RANGE":
        return f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}"
    if name == "NEGATE":
        return "^"
    if name == "CATEGORY":
        return _CATEGORIES.get(str(av), "…")
    return "…"
