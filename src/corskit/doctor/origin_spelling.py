"""How a configured origin can differ from the origin a browser sends: spelt another way
(trailing slash, upper case, default port, a path, no scheme), or a regular expression written
into a list of literal origins. Browsers send an origin as ``scheme://host[:port]`` and CORS
layers compare it byte for byte (Fetch standard, CORS check:
https://fetch.spec.whatwg.org/#cors-check)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from .fetch.spec import origin_of_url

__all__ = [
    "host_port",
    "move_to_regex",
    "normalise_config_origin",
    "regex_fix",
    "regexes_matching",
    "spelling_differences",
    "without_scheme",
]


def normalise_config_origin(entry: str) -> str | None:
    """What a configured origin would have to be (scheme/host lower-cased, no path, no default
    port); None when it cannot be read as a URL."""
    if entry in ("*", "null") or "*" in entry:
        return None
    try:
        return origin_of_url(entry.strip()).serialize()
    except ValueError:
        return None


def without_scheme(entry: str, origin: str) -> str | None:
    """What a configured origin written without its scheme (``localhost:3000``, as older
    CORS libraries took them) reads as with the page's scheme; None when it has one."""
    if "://" in entry or entry in ("*", "null") or "*" in entry:
        return None
    return normalise_config_origin(f"{origin.split('://', 1)[0]}://{entry}")


def spelling_differences(entry: str) -> list[str]:
    """How a configured origin that means the page's origin is spelt differently."""
    what = []
    if "://" not in entry:
        what.append("no scheme (http:// or https://)")
    if entry.rstrip("/") != entry:
        what.append("a trailing slash")
    if entry.lower() != entry:
        what.append("upper-case letters")
    if re.search(r":(80|443)(/|$)", entry):
        what.append("the default port")
    path = urlsplit(entry if "://" in entry else f"http://{entry}").path
    if path.strip("/"):
        what.append("a path")
    return what


_REGEX_SYNTAX = re.compile(r"[\^$()|\\\[\]+?{}]|\.\*")


def regexes_matching(configured: list[str], origin: str) -> list[str]:
    """The entries of a literal origin list that are regular expressions matching *origin*."""
    found = []
    for entry in configured:
        if len(entry) > 512 or not _REGEX_SYNTAX.search(entry):
            continue
        try:
            if re.fullmatch(entry, origin):
                found.append(entry)
        except re.error:
            continue
    return found


def host_port(origin: str) -> tuple[str, str, str]:
    """(scheme, host, port) of *origin* read as browsers read it; empty when unreadable."""
    try:
        parsed = origin_of_url(origin)
    except ValueError:
        return "", "", ""
    return parsed.scheme, parsed.host, str(parsed.port or "")


def regex_fix(
    configured: list[str], regexes: list[str], existing: Any, origin: str
) -> tuple[str, str]:
    """(cause, fix) for regular expressions written into allow_origins, which the layer
    compares with the origin as literal strings: the fix moves them to allow_origin_regex
    (joined with one already there)."""
    shown = ", ".join(f"'{r}'" for r in regexes)
    cause = (
        f"allow_origins has {shown}, a regular expression that matches {origin}, but"
        " allow_origins entries are compared with the origin as literal strings; patterns"
        " belong in allow_origin_regex"
    )
    keep, pattern = move_to_regex(configured, regexes, regexes, existing)
    return cause, f"allow_origins={json.dumps(keep)}, allow_origin_regex={json.dumps(pattern)}"


def move_to_regex(
    configured: list[str], entries: list[str], regexes: list[str], existing: Any
) -> tuple[list[str], str]:
    """(the literal list without *entries*, one regex): *regexes* (what *entries* mean as
    regular expressions) joined with the regex setting already there, if any."""
    parts = [str(existing), *regexes] if existing else regexes
    pattern = parts[0] if len(parts) == 1 else "|".join(f"(?:{p})" for p in parts)
    return [e for e in configured if e not in entries], pattern
