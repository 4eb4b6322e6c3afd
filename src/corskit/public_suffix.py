"""The Public Suffix List, shipped with corskit and read once, on first use.

``public_suffix_list.dat`` (next to this module) is the official list
(https://publicsuffix.org/list/), ICANN and private sections; ``scripts/refresh-psl.sh``
replaces it with the newest copy and prints its version line. The list's own date is
:func:`list_version`. Nothing is downloaded at run time.

A name is a public suffix when a rule of the list says so (``co.uk``, ``github.io``,
``r2.dev``), when a wildcard rule covers it (``*.ck``) and no exception rule (``!www.ck``)
takes it out, or when it has one label (the list's implicit ``*`` rule: every top-level
domain). Names are compared in their ASCII (punycode) form, as browsers serialise hosts.
Public Suffix List, format and algorithm: https://github.com/publicsuffix/list/wiki/Format
"""

from __future__ import annotations

import threading
from importlib import resources
from typing import NamedTuple

__all__ = ["is_localhost_name", "is_public_suffix", "list_version"]

_FILE = "public_suffix_list.dat"


class _Rules(NamedTuple):
    plain: frozenset[str]
    wildcards: frozenset[str]  # "ck" for the rule "*.ck"
    exceptions: frozenset[str]  # "www.ck" for the rule "!www.ck"
    version: str


_rules: _Rules | None = None
_lock = threading.Lock()


def _ascii(name: str) -> str:
    """A rule or host in its lower-case ASCII form (each non-ASCII label as punycode)."""
    labels = []
    for label in name.lower().split("."):
        if label.isascii():
            labels.append(label)
        else:
            labels.append("xn--" + label.encode("punycode").decode("ascii"))
    return ".".join(labels)


def _parse(text: str) -> _Rules:
    plain: set[str] = set()
    wildcards: set[str] = set()
    exceptions: set[str] = set()
    version = "unknown"
    for line in text.splitlines():
        rule = line.strip().split(" ", 1)[0]
        if line.startswith("// VERSION:"):
            version = line.split(":", 1)[1].strip()
        if not rule or rule.startswith("//"):
            continue
        if rule.startswith("!"):
            exceptions.add(_ascii(rule[1:]))
        elif rule.startswith("*."):
            wildcards.add(_ascii(rule[2:]))
        else:
            plain.add(_ascii(rule))
    return _Rules(frozenset(plain), frozenset(wildcards), frozenset(exceptions), version)


def _load() -> _Rules:
    global _rules
    if _rules is None:
        with _lock:
            if _rules is None:
                text = resources.files("corskit").joinpath(_FILE).read_text(encoding="utf-8")
                _rules = _parse(text)
    return _rules


def is_localhost_name(host: str) -> bool:
    """``localhost`` or a name under it (RFC 6761): browsers resolve these to loopback."""
    return host == "localhost" or host.endswith(".localhost")


def is_public_suffix(domain: str) -> bool:
    """True when anyone can register names directly under *domain*.

    >>> [is_public_suffix(d) for d in ("co.uk", "github.io", "r2.dev", "com", "example.com")]
    [True, True, True, True, False]
    """
    name = domain.lower().rstrip(".")
    if is_localhost_name(name):
        return False  # RFC 6761: every name under localhost is this machine; nobody registers them
    if "." not in name:
        return True  # the implicit "*" rule: every top-level domain
    rules = _load()
    if name in rules.exceptions:
        return False
    if name in rules.plain:
        return True
    return name.split(".", 1)[1] in rules.wildcards


def list_version() -> str:
    """The ``VERSION`` line of the shipped list (its publication date and time)."""
    return _load().version
