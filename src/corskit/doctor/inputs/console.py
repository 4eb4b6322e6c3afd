"""Pasted browser console messages -> what the browser saw.

:func:`parse_console_message` reads the CORS lines Chromium, Firefox and Safari print (the whole
line, or only Chromium's part after "has been blocked by CORS policy:"; several lines at once,
such as DevTools' ``GET <url> net::ERR_FAILED 404`` line or Safari's two lines for one failure)
and returns a :class:`ConsoleMessage`: Chromium's ``CorsError`` name for the failure, the URL,
the page's origin, the method and status when the text has them, and the offending value.
:mod:`.console_causes` turns it into plain words, ranked causes and a ``corskit check`` command.

The texts are the browsers' own: Chromium's ``cors_error_string.cc`` (frame: "Access to {kind}
at '{url}' [(redirected from '{url}') ]from origin '{origin}' has been blocked by CORS policy:
[Response to preflight request doesn't pass access control check: ]{detail}"), Firefox's
``security.properties`` ("Cross-Origin Request Blocked: ... (Reason: ...)"), and WebKit's
``CrossOriginAccessControl.cpp``.  docs/console-messages.md lists every recognised line.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

__all__ = [
    "ACCESS_ERRORS",
    "ConsoleMessage",
    "NotACORSMessage",
    "parse_console_message",
]

# ------------------------------------------------------------------------------------------
# the browsers' texts

#: Errors that take the "Response to preflight request doesn't pass access control check: "
#: prefix in Chromium get the ``Preflight`` name; the detail text is the same.
ACCESS_ERRORS = frozenset(
    {
        "MissingAllowOriginHeader",
        "WildcardOriginNotAllowed",
        "MultipleAllowOriginValues",
        "InvalidAllowOriginValue",
        "AllowOriginMismatch",
        "InvalidAllowCredentials",
    }
)

#: Errors that are always about the preflight (whether or not the text says so).
_ALWAYS_PREFLIGHT = frozenset(
    {
        "PreflightInvalidStatus",
        "PreflightDisallowedRedirect",
        "InvalidAllowMethodsPreflightResponse",
        "InvalidAllowHeadersPreflightResponse",
        "MethodDisallowedByPreflightResponse",
        "HeaderDisallowedByPreflightResponse",
        "PreflightMissingAllowPrivateNetwork",
        "PreflightInvalidAllowPrivateNetwork",
        "PreflightMissingPrivateNetworkAccessId",
        "PreflightMissingPrivateNetworkAccessName",
    }
)

_PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: "
_SPACE = r"`(?P<space>[^`]*)`"

#: Chromium's detail strings (cors_error_string.cc), matched at the start of the detail.
_CHROMIUM_DETAILS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        (
            "MissingAllowOriginHeader",
            r"No 'Access-Control-Allow-Origin' header is present on the requested resource",
        ),
        (
            "WildcardOriginNotAllowed",
            r"The value of the 'Access-Control-Allow-Origin' header in the response must not be"
            r" the wildcard '\*'",
        ),
        (
            "MultipleAllowOriginValues",
            r"The 'Access-Control-Allow-Origin' header contains multiple values '(?P<value>.*)',"
            r" but only one is allowed",
        ),
        (
            "InvalidAllowOriginValue",
            r"The 'Access-Control-Allow-Origin' header contains the invalid value '(?P<value>.*)'\.",
        ),
        (
            "AllowOriginMismatch",
            r"The 'Access-Control-Allow-Origin' header has a value '(?P<value>.*)' that is not"
            r" equal to the supplied origin",
        ),
        (
            "InvalidAllowCredentials",
            r"The value of the 'Access-Control-Allow-Credentials' header in the response is"
            r" '(?P<value>.*)' which must be 'true'",
        ),
        ("PreflightInvalidStatus", r"It does not have HTTP ok status"),
        ("PreflightDisallowedRedirect", r"Redirect is not allowed for a preflight request"),
        (
            "InvalidAllowMethodsPreflightResponse",
            r"Cannot parse Access-Control-Allow-Methods response header field",
        ),
        (
            "InvalidAllowHeadersPreflightResponse",
            r"Cannot parse Access-Control-Allow-Headers response header field",
        ),
        (
            "MethodDisallowedByPreflightResponse",
            r"Method (?P<method>\S+) is not allowed by Access-Control-Allow-Methods in preflight"
            r" response",
        ),
        (
            "HeaderDisallowedByPreflightResponse",
            r"Request header field (?P<header>\S+) is not allowed by Access-Control-Allow-Headers"
            r" in preflight response",
        ),
        (
            "RedirectContainsCredentials",
            r"Redirect location '(?P<location>.*)' contains a username and password",
        ),
        ("DisallowedByMode", r"Cross origin requests are not allowed by request mode"),
        (
            "CorsDisabledScheme",
            r"Cross origin requests are only supported for protocol schemes: (?P<value>[^.]*)",
        ),
        ("InvalidResponse", r"The response is invalid"),
        (
            "InsecureLocalNetwork",
            r"The request client is not a secure context and the resource is in more-private"
            r" address space " + _SPACE,
        ),
        (
            "InvalidLocalNetworkAccess",
            r"Request had a target IP address space of `(?P<target_space>[^`]*)` yet the resource"
            r" is in address space " + _SPACE,
        ),
        (
            "LocalNetworkAccessPermissionDenied",
            r"Permission was denied for this request to access the " + _SPACE + " address space",
        ),
        (
            "PreflightMissingAllowPrivateNetwork",
            r"No 'Access-Control-Allow-Private-Network' header was present in the preflight"
            r" response for this private network request targeting the " + _SPACE,
        ),
        (
            "PreflightInvalidAllowPrivateNetwork",
            r"The 'Access-Control-Allow-Private-Network' header in the preflight response for this"
            r" private network request targeting the " + _SPACE + r" address space had a value"
            r" of '(?P<value>.*)',\s+not 'true'",
        ),
        (
            "PreflightMissingPrivateNetworkAccessId",
            r"No 'Private-Network-Access-Id' header was present in the preflight response",
        ),
        (
            "PreflightMissingPrivateNetworkAccessName",
            r"No 'Private-Network-Access-Name' header was present in the preflight response",
        ),
        (
            "LocalNetworkAccessPermissionDenied",
            r"Unable to ask for permission to access the " + _SPACE + " IP address space",
        ),
    )
)

_CHROMIUM_FRAME = re.compile(
    r"Access to (?P<kind>[A-Za-z][\w ]*?) at '(?P<url>[^']*)' "
    r"(?:\(redirected from '(?P<initial_url>[^']*)'\) )?"
    r"from origin '(?P<origin>[^']*)' has been blocked by CORS policy: (?P<detail>.*)"
)
_CHROMIUM_SUMMARY = re.compile(r"Access blocked by CORS policy: (?P<detail>.*)")
_CHROMIUM_FAILED = re.compile(
    r"(?:^|\s)(?P<method>[A-Za-z]+) (?P<url>[a-z][\w+.-]*://\S+) net::ERR_FAILED(?: (?P<status>\d{3}))?"
)

_FIREFOX_FRAME = re.compile(
    r"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource"
    r" at (?P<url>\S+?)\.? \(Reason: (?P<reason>.*)\)(?:\.? *Status code: (?P<status>\S+?))?\.?\s*$"
)
_FIREFOX_REASON_ONLY = re.compile(
    r"\(?Reason: (?P<reason>.*)\)(?:\.? *Status code: (?P<status>\S+?))?\.?\s*$"
)

#: Firefox's reasons (security.properties), with the Chromium error of the same failure.
_FIREFOX_REASONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("MissingAllowOriginHeader", r"CORS header 'Access-Control-Allow-Origin' missing"),
        (
            "MultipleAllowOriginValues",
            r"Multiple CORS header 'Access-Control-Allow-Origin' not allowed",
        ),
        (
            "AllowOriginMismatch",
            r"CORS header 'Access-Control-Allow-Origin' does not match '(?P<value>.*)'",
        ),
        (
            "WildcardOriginNotAllowed",
            r"Credential is not supported if the CORS header 'Access-Control-Allow-Origin' is '\*'",
        ),
        (
            "MethodDisallowedByPreflightResponse",
            r"Did not find method in CORS header 'Access-Control-Allow-Methods'",
        ),
        (
            "InvalidAllowCredentials",
            r"expected 'true' in CORS header 'Access-Control-Allow-Credentials'",
        ),
        ("PreflightInvalidStatus", r"CORS preflight (?:response|channel) did not succeed"),
        (
            "InvalidAllowMethodsPreflightResponse",
            r"invalid token '(?P<token>.*)' in CORS header 'Access-Control-Allow-Methods'",
        ),
        (
            "InvalidAllowHeadersPreflightResponse",
            r"invalid token '(?P<token>.*)' in CORS header 'Access-Control-Allow-Headers'",
        ),
        (
            "HeaderDisallowedByPreflightResponse",
            r"header '(?P<header>.*)' is not allowed according to header"
            r" 'Access-Control-Allow-Headers'",
        ),
        (
            "HeaderDisallowedByPreflightResponse",
            r"missing token '(?P<header>.*)' in CORS header 'Access-Control-Allow-Headers'",
        ),
        ("PreflightDisallowedRedirect", r"CORS request external redirect not allowed"),
        ("network-error", r"CORS request did not succeed"),
        ("CorsDisabledScheme", r"CORS request not HTTP"),
    )
)

#: Safari / WebKit lines (CrossOriginAccessControl.cpp, CrossOriginPreflightResultCache.cpp).
_SAFARI_LINES: tuple[tuple[str | None, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        (
            "MissingAllowOriginHeader",
            r"Origin (?P<origin>\S+) is not allowed by Access-Control-Allow-Origin\.?"
            r"(?: Status code: (?P<status>\d+))?",
        ),
        (
            "PreflightInvalidStatus",
            r"Preflight response is not successful\.?(?: Status code: (?P<status>\d+))?",
        ),
        (
            "MethodDisallowedByPreflightResponse",
            r"Method (?P<method>\S+) is not allowed by Access-Control-Allow-Methods\.",
        ),
        (
            "HeaderDisallowedByPreflightResponse",
            r"Request header field (?P<header>\S+) is not allowed by Access-Control-Allow-Headers\.",
        ),
        (
            "WildcardOriginNotAllowed",
            r"Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true",
        ),
        (
            "InvalidAllowCredentials",
            r"Credentials flag is true, but Access-Control-Allow-Credentials is not \"true\"",
        ),
        (
            "MultipleAllowOriginValues",
            r"Access-Control-Allow-Origin cannot contain more than one origin",
        ),
        (
            None,
            r"(?P<kind>Fetch API|XMLHttpRequest) cannot load (?P<url>\S+?)\.?"
            r"(?: due to access control checks| |$)",
        ),
    )
)

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})

#: longest text accepted (a console line with a long URL is a few kB)
MAX_TEXT = 64 * 1024


# ------------------------------------------------------------------------------------------
# result


class NotACORSMessage(ValueError):
    """The text is not a CORS console message corskit knows (``str()`` is one line)."""


@dataclass(frozen=True)
class ConsoleMessage:
    """What one pasted console message says.

    ``cors_error`` is Chromium's ``CorsError`` name for the failure (for Firefox and Safari the
    name of the same failure), ``"network-error"`` for Firefox's "CORS request did not succeed",
    or None when the browser did not say why (Safari's "cannot load ... due to access control
    checks" alone).  ``preflight`` is True when the failure is on the preflight, False when on
    the response, None when the text does not tell.  Fields the text does not carry are None.
    """

    browser: str
    cors_error: str | None
    preflight: bool | None
    url: str | None = None
    initial_url: str | None = None
    origin: str | None = None
    method: str | None = None
    kind: str | None = None
    status: int | None = None
    value: str | None = None
    header: str | None = None
    location: str | None = None
    space: str | None = None
    target_space: str | None = None
    token: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


# ------------------------------------------------------------------------------------------
# parsing


def _status(text: str | None) -> int | None:
    if text is None or not text.isdigit():
        return None
    return int(text)


def _groups(match: re.Match[str]) -> dict[str, Any]:
    """The named groups that matched (``status`` as an int)."""
    found: dict[str, Any] = {k: v for k, v in match.groupdict().items() if v is not None}
    if "status" in found:
        found["status"] = _status(found["status"])
    return found


def _chromium_detail(detail: str) -> ConsoleMessage | None:
    detail = detail.strip()
    prefixed = detail.startswith(_PREFLIGHT_PREFIX)
    if prefixed:
        detail = detail[len(_PREFLIGHT_PREFIX) :]
    for name, pattern in _CHROMIUM_DETAILS:
        match = pattern.match(detail)
        if match is None:
            continue
        error = f"Preflight{name}" if prefixed and name in ACCESS_ERRORS else name
        preflight = prefixed or error in _ALWAYS_PREFLIGHT
        fields = _groups(match)
        return ConsoleMessage("chromium", error, preflight if preflight else False, **fields)
    return None


def _chromium_line(line: str) -> ConsoleMessage | None:
    frame = _CHROMIUM_FRAME.search(line)
    if frame is not None:
        found = _chromium_detail(frame["detail"])
        if found is None:
            return None
        fields = {k: v for k, v in _groups(frame).items() if k != "detail"}
        return replace(found, **fields)
    summary = _CHROMIUM_SUMMARY.search(line)
    if summary is not None:
        return _chromium_detail(summary["detail"])
    marker = "has been blocked by CORS policy:"
    if marker in line:
        line = line.split(marker, 1)[1]
    return _chromium_detail(line)


def _firefox_reason(reason: str) -> ConsoleMessage | None:
    for name, pattern in _FIREFOX_REASONS:
        match = pattern.match(reason.strip())
        if match is not None:
            preflight = True if name in _ALWAYS_PREFLIGHT else None
            return ConsoleMessage("firefox", name, preflight, **_groups(match))
    return None


def _firefox_line(line: str) -> ConsoleMessage | None:
    frame = _FIREFOX_FRAME.search(line) or _FIREFOX_REASON_ONLY.search(line)
    if frame is None:
        return _firefox_reason(line)
    found = _firefox_reason(frame["reason"])
    if found is None:
        return None
    url = frame.groupdict().get("url")
    if url is not None:
        url = url.strip("'\u2018\u2019")  # the credentials line quotes the URL
    if found.cors_error == "AllowOriginMismatch" and any(c in (found.value or "") for c in ", "):
        # Firefox words several values as a mismatch with their combined value.
        found = replace(found, cors_error="MultipleAllowOriginValues")
    return replace(found, url=url, status=_status(frame["status"]))


def _safari_line(line: str) -> ConsoleMessage | None:
    found: ConsoleMessage | None = None
    for name, pattern in _SAFARI_LINES:
        match = pattern.search(line)
        if match is None:
            continue
        fields = _groups(match)
        if name is None:
            fields["kind"] = "fetch" if fields.get("kind") == "Fetch API" else fields.get("kind")
        if found is None:
            preflight = True if name in _ALWAYS_PREFLIGHT else None
            found = ConsoleMessage("safari", name, preflight, **fields)
        else:
            found = _merge(found, ConsoleMessage("safari", name, None, **fields))
    return found


def _parse_line(line: str) -> ConsoleMessage | None:
    return _chromium_line(line) or _firefox_line(line) or _safari_line(line)


def _merge(primary: ConsoleMessage, other: ConsoleMessage) -> ConsoleMessage:
    """*primary* with the fields it lacks taken from *other* (and *other*'s error when
    *primary* names none)."""
    updates: dict[str, Any] = {}
    for key, value in asdict(other).items():
        if key in ("browser", "preflight"):
            continue
        if getattr(primary, key) is None and value is not None:
            updates[key] = value
    return replace(primary, **updates) if updates else primary


def _normalise(text: str) -> list[str]:
    text = text.translate(_QUOTES)
    lines = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        line = re.sub(r"^\[(?:Error|Warning)\]\s*", "", line)
        if line:
            lines.append(line)
    return lines


def _rank(message: ConsoleMessage) -> int:
    """Which of several parsed lines explains the failure best (lower is better)."""
    if message.cors_error is None:
        return 2
    if message.cors_error == "network-error":
        return 1
    return 0


def parse_console_message(text: str) -> ConsoleMessage:
    """Parse one pasted CORS console message (one or several lines).

    Raises :class:`NotACORSMessage` when no line is a CORS message corskit knows."""
    if len(text) > MAX_TEXT:
        raise NotACORSMessage(f"the text is {len(text)} characters long; paste one message")
    parsed: list[ConsoleMessage] = []
    failed: list[ConsoleMessage] = []
    for line in _normalise(text):
        found = _parse_line(line)
        if found is not None:
            parsed.append(found)
        devtools = _CHROMIUM_FAILED.search(line)
        if devtools is not None:
            failed.append(
                ConsoleMessage(
                    "chromium",
                    None,
                    None,
                    url=devtools["url"],
                    method=devtools["method"],
                    status=_status(devtools["status"]),
                )
            )
    if not parsed:
        raise NotACORSMessage("not a CORS console message corskit knows")
    parsed.sort(key=_rank)
    result = parsed[0]
    for other in [*parsed[1:], *failed]:
        result = _merge(result, other)
    return result
