"""From a parsed console message to plain words, ranked causes and the command that decides.

A console message says *what* the browser refused, rarely *why*: "No 'Access-Control-Allow-
Origin' header" is what a missing middleware, an origin left out of the allow-list, a 500 raised
outside the CORS layer, a redirect and a proxy all look like.  :func:`likely_causes` ranks the
candidates from what the message carries (the status code, a redirect, the offending value) and
:func:`check_command` writes the ``corskit check`` command that replays the request and names
the one that applies.  Cause codes are the doctor's symptom codes (docs/doctor.md, "Recognised
symptoms"), plus ``proxy`` and ``wrong-url`` which only a look at the deployment can confirm.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

from .console import ACCESS_ERRORS as _ACCESS_BASES
from .console import ConsoleMessage

__all__ = [
    "LikelyCause",
    "check_command",
    "explain_console_message",
    "likely_causes",
    "render_console_explanation",
    "saw",
    "unknown_text",
]


@dataclass(frozen=True)
class LikelyCause:
    """One candidate cause: a symptom code and what it means for this request."""

    code: str
    text: str

    def to_json(self) -> dict[str, str]:
        """JSON-ready form."""
        return {"code": self.code, "text": self.text}


def _base(error: str | None) -> str:
    if error and error.startswith("Preflight") and error[9:] in _ACCESS_BASES:
        return error[9:]
    return error or "unknown"


# ------------------------------------------------------------------------------------------
# what the browser saw (plain words)

_SAW: dict[str, str] = {
    "MissingAllowOriginHeader": "the response had no Access-Control-Allow-Origin header",
    "WildcardOriginNotAllowed": (
        "the response allowed every origin (Access-Control-Allow-Origin: *), but the request was"
        " sent with credentials (cookies or HTTP authentication), and * never covers those"
    ),
    "MultipleAllowOriginValues": (
        "the response carried more than one Access-Control-Allow-Origin value{value}; exactly one"
        " origin is allowed"
    ),
    "InvalidAllowOriginValue": (
        "the response's Access-Control-Allow-Origin{value} is not an origin (scheme://host[:port])"
    ),
    "AllowOriginMismatch": (
        "the response's Access-Control-Allow-Origin{value} names another origin than the page's"
    ),
    "InvalidAllowCredentials": (
        "the request was sent with credentials, but the response's"
        " Access-Control-Allow-Credentials{value} is not 'true'"
    ),
    "PreflightInvalidStatus": (
        "the preflight (the OPTIONS request the browser sends first) was answered with an error"
        " status{status} instead of 2xx"
    ),
    "PreflightDisallowedRedirect": "the preflight was answered with a redirect (3xx)",
    "InvalidAllowMethodsPreflightResponse": (
        "the preflight's Access-Control-Allow-Methods could not be parsed (it must be a"
        " comma-separated list of methods)"
    ),
    "InvalidAllowHeadersPreflightResponse": (
        "the preflight's Access-Control-Allow-Headers could not be parsed (it must be a"
        " comma-separated list of header names)"
    ),
    "MethodDisallowedByPreflightResponse": (
        "the preflight answer does not list the method{method} in Access-Control-Allow-Methods"
    ),
    "HeaderDisallowedByPreflightResponse": (
        "the preflight answer does not list the request header{header} in"
        " Access-Control-Allow-Headers"
    ),
    "RedirectContainsCredentials": (
        "the request was redirected to a URL with a user name and password in it{location}"
    ),
    "DisallowedByMode": "the page asked for a same-origin request (mode: 'same-origin')",
    "CorsDisabledScheme": "the URL's scheme is not http or https, where CORS does not apply",
    "InvalidResponse": "the response was not a valid HTTP response",
    "InsecureLocalNetwork": (
        "a page that is not a secure context (plain http) called a more private address space{space}"
    ),
    "InvalidLocalNetworkAccess": (
        "the request named a target address space that does not match the server's{space}"
    ),
    "LocalNetworkAccessPermissionDenied": (
        "a page called a more private address space{space} (Local Network Access) and the"
        " permission was not granted"
    ),
    "PreflightMissingAllowPrivateNetwork": (
        "the preflight for a request into a more private address space{space} had no"
        " Access-Control-Allow-Private-Network: true (older Chromium)"
    ),
    "network-error": "the request failed before any response could be checked",
    "unknown": "the browser blocked the request for a CORS reason it did not name",
}

_TAIL: dict[bool | None, str] = {
    True: (
        "This happened on the preflight, so the real request was never sent and the server's"
        " route never ran."
    ),
    False: (
        "The request reached the server and it answered, but the browser kept the answer from the"
        " page's JavaScript (which only sees TypeError: Failed to fetch)."
    ),
    None: "",
}


def _fill(template: str, message: ConsoleMessage) -> str:
    def part(label: str, value: str | int | None) -> str:
        return f" {label}{value}" if value not in (None, "") else ""

    return template.format(
        value=part("", f"'{message.value}'" if message.value is not None else None),
        method=part("", message.method),
        header=part("", message.header),
        status=part("", message.status),
        location=part("", message.location),
        space=part("", f"`{message.space}`" if message.space else None),
    )


def saw(message: ConsoleMessage) -> str:
    """What the browser saw, in plain words."""
    who = f"The page at {message.origin}" if message.origin else "The page"
    target = f" called {message.url}" if message.url else " made a cross-origin request"
    if message.initial_url:
        target += f" (after a redirect from {message.initial_url})"
    text = f"{who}{target}; {_fill(_SAW.get(_base(message.cors_error), _SAW['unknown']), message)}."
    tail = _TAIL[message.preflight]
    return f"{text} {tail}".strip()


# ------------------------------------------------------------------------------------------
# ranked causes

_MIDDLEWARE_MISSING = LikelyCause(
    "cors-middleware-missing",
    "the app has no CORS middleware, or it does not cover this path (a sub-app, a mounted"
    " router, another port)",
)
_PROXY = LikelyCause(
    "proxy",
    "a proxy, CDN or API gateway in front of the app answered the request itself or dropped the"
    " app's CORS headers",
)
_SERVER_ERROR = LikelyCause(
    "server-error-without-cors",
    "the app failed (often a 500) and the error response was produced outside the CORS"
    " middleware, so it carries no CORS headers",
)
_PREFLIGHT_REJECTED = LikelyCause(
    "preflight-rejected",
    "an authentication layer or the route itself answered the OPTIONS preflight (401, 403, 404,"
    " 405) before the CORS middleware could; browsers never send credentials on a preflight",
)
_REDIRECT = LikelyCause(
    "preflight-redirect",
    "the URL redirects (a trailing slash, http to https, a login page) and the response"
    " redirected to has no CORS headers",
)
_WRONG_URL = LikelyCause(
    "wrong-url",
    "the URL is wrong (a 404 page from a server or proxy without CORS headers)",
)


def _origin_not_allowed(message: ConsoleMessage) -> LikelyCause:
    who = message.origin or "the page's origin"
    return LikelyCause(
        "origin-not-allowed",
        f"the CORS middleware is there but {who} is not in its allowed origins (CORS middleware"
        " then sends no CORS header at all)",
    )


def _missing_acao(message: ConsoleMessage) -> list[LikelyCause]:
    status = message.status or 0
    causes = [_origin_not_allowed(message), _MIDDLEWARE_MISSING, _SERVER_ERROR, _REDIRECT, _PROXY]
    first: list[LikelyCause] = []
    if message.initial_url:
        first.append(_REDIRECT)
    if status in (502, 503, 504):
        first.append(_PROXY)
    if status >= 500:
        first.append(_SERVER_ERROR)
    if status in (401, 403):
        first.append(_PREFLIGHT_REJECTED if message.preflight else _SERVER_ERROR)
    if status == 404:
        first.append(_WRONG_URL)
    if 300 <= status < 400:
        first.append(_REDIRECT)
    if message.browser == "safari":  # one Safari message for a missing and a wrong value
        causes.insert(
            1,
            LikelyCause(
                "origin-mismatch",
                "the server's Access-Control-Allow-Origin"
                " names another origin (Safari words both cases alike)",
            ),
        )
    if message.preflight:
        causes = [_PREFLIGHT_REJECTED, *causes]
        causes.insert(
            3,
            LikelyCause(
                "method-not-allowed",
                "the method or a request header is not allowed, and the CORS middleware answers"
                " such a preflight without any CORS header (corskit and Starlette do)",
            ),
        )
    return _unique([*first, *causes])


def _unique(causes: list[LikelyCause]) -> list[LikelyCause]:
    seen: set[str] = set()
    out = []
    for cause in causes:
        if cause.code not in seen:
            seen.add(cause.code)
            out.append(cause)
    return out


def _mismatch(message: ConsoleMessage) -> list[LikelyCause]:
    value = (message.value or "").strip()
    origin = message.origin or ""
    typo = LikelyCause(
        "origin-typo",
        f"the configured origin {value!r} is almost the page's origin: a trailing slash, upper"
        " case, a default port or a path; browsers compare the exact serialized origin",
    )
    localhost = LikelyCause(
        "localhost-vs-127",
        "localhost and 127.0.0.1 are different origins: configure the one the page really uses",
    )
    other = LikelyCause(
        "origin-mismatch",
        "the server answers with a fixed origin (another front end's) instead of echoing the"
        " allowed request origin",
    )
    cache = LikelyCause(
        "proxy",
        "a cache or CDN served a response made for another origin: the server must send"
        " Vary: Origin when Access-Control-Allow-Origin depends on the request",
    )
    causes = [other, cache, typo]
    if origin and value.rstrip("/").lower() == origin.lower():
        causes = [typo, other, cache]
    elif _host(value) != _host(origin) and {_host(value), _host(origin)} <= _LOOPBACK_NAMES:
        causes = [localhost, other, cache]
    elif value == "null":
        causes = [
            LikelyCause(
                "redirect-null-origin",
                "the server answered Origin: null, sent"
                " after a cross-origin redirect or from a sandboxed page",
            ),
            other,
        ]
    return causes


_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1"})


def _host(origin: str) -> str:
    rest = origin.split("://", 1)[-1]
    return rest.split(":", 1)[0].split("/", 1)[0].lower()


def _single(code: str, text: str) -> list[LikelyCause]:
    return [LikelyCause(code, text)]


def _method(message: ConsoleMessage) -> list[LikelyCause]:
    method = message.method or "the method"
    causes = [
        LikelyCause(
            "method-not-allowed",
            f"{method} is missing from the server's allowed methods (FastAPI's and Starlette's"
            " CORSMiddleware allow only GET by default)",
        )
    ]
    if message.method and message.method != message.method.upper():
        causes.insert(
            0,
            LikelyCause(
                "lowercase-method",
                f"the page wrote method: '{message.method}'; fetch() upper-cases only DELETE, GET,"
                " HEAD, OPTIONS, POST and PUT, so it sends this exact spelling, which"
                f" '{message.method.upper()}' in the allow-list does not match",
            ),
        )
    return causes


def _header(message: ConsoleMessage) -> list[LikelyCause]:
    header = message.header or "the header"
    causes = [
        LikelyCause(
            "header-not-allowed",
            f"the request header {header} set by the page's script is missing from the server's"
            " allowed headers",
        )
    ]
    if header.lower() == "authorization":
        causes.append(
            LikelyCause(
                "authorization-wildcard",
                'allow_headers=["*"] does not cover Authorization (Fetch standard); list it'
                " explicitly",
            )
        )
    return causes


def _static_causes(base: str) -> list[LikelyCause] | None:
    table: dict[str, tuple[str, str]] = {
        "WildcardOriginNotAllowed": (
            "wildcard-with-credentials",
            "the server allows every origin (*) while the page sends credentials"
            " (credentials: 'include' or withCredentials); list the origins explicitly",
        ),
        "MultipleAllowOriginValues": (
            "duplicate-acao",
            "two layers add Access-Control-Allow-Origin (a proxy such as nginx's add_header and"
            " the app), or the server sends its whole list of origins in one header",
        ),
        "InvalidAllowOriginValue": (
            "invalid-acao",
            "the server sends something that is not an origin (no scheme, a host name only)",
        ),
        "InvalidAllowCredentials": (
            "credentials-not-allowed",
            "the page sends credentials but the server does not allow them"
            " (allow_credentials=True sends Access-Control-Allow-Credentials: true)",
        ),
        "PreflightDisallowedRedirect": (
            "preflight-redirect",
            "the URL redirects (a trailing slash, http to https, a login page); call the final URL",
        ),
        "InvalidAllowMethodsPreflightResponse": (
            "allow-list-unparsable",
            "Access-Control-Allow-Methods is written with spaces or semicolons instead of commas",
        ),
        "InvalidAllowHeadersPreflightResponse": (
            "allow-list-unparsable",
            "Access-Control-Allow-Headers is written with spaces or semicolons instead of commas",
        ),
        "RedirectContainsCredentials": (
            "redirect-credentials",
            "the server redirects to a URL with user:password@ in it",
        ),
        "DisallowedByMode": (
            "mode-same-origin",
            "the page's fetch() uses mode: 'same-origin'; remove it to allow CORS",
        ),
        "CorsDisabledScheme": (
            "not-http",
            "the page or the URL uses file:, a custom scheme or a typo'd scheme; serve both over"
            " http(s)",
        ),
        "InvalidResponse": ("invalid-response", "the server sent a malformed HTTP response"),
        "network-error": (
            "network-error",
            "the server could not be reached (wrong host or port, server down, TLS error), or a"
            " redirect chain failed",
        ),
    }
    found = table.get(base)
    return _single(*found) if found else None


_LOCAL_NETWORK = (
    "InsecureLocalNetwork",
    "InvalidLocalNetworkAccess",
    "LocalNetworkAccessPermissionDenied",
    "PreflightMissingAllowPrivateNetwork",
    "PreflightInvalidAllowPrivateNetwork",
    "PreflightMissingPrivateNetworkAccessId",
    "PreflightMissingPrivateNetworkAccessName",
)


def likely_causes(message: ConsoleMessage) -> list[LikelyCause]:
    """The candidate causes, most likely first."""
    base = _base(message.cors_error)
    if base == "MissingAllowOriginHeader":
        return _missing_acao(message)
    if base == "AllowOriginMismatch":
        return _mismatch(message)
    if base == "MethodDisallowedByPreflightResponse":
        return _method(message)
    if base == "HeaderDisallowedByPreflightResponse":
        return _header(message)
    if base == "PreflightInvalidStatus":
        return [_PREFLIGHT_REJECTED, _WRONG_URL, _SERVER_ERROR, _PROXY]
    if base in _LOCAL_NETWORK:
        return _single(
            "local-network-access",
            "a public (or plain-http) page is calling a loopback or private address; Chromium's"
            " Local Network Access needs a secure page and the user's permission",
        )
    static = _static_causes(base)
    if static is not None:
        return static
    return _missing_acao(message)  # Safari's "due to access control checks" alone


# ------------------------------------------------------------------------------------------
# the command that decides

_CREDENTIAL_ERRORS = frozenset({"WildcardOriginNotAllowed", "InvalidAllowCredentials"})


def check_command(message: ConsoleMessage) -> tuple[str, list[str]]:
    """``(command, missing)``: the ``corskit check`` command for the request in *message*,
    and what the message did not say that the command needs (in words)."""
    missing: list[str] = []
    url = message.initial_url or message.url
    if url is None:
        url = "URL"
        missing.append("replace URL with the URL the page called")
    origin = message.origin
    if origin is None:
        origin = "ORIGIN"
        missing.append("replace ORIGIN with the page's origin (scheme://host:port)")
    parts = ["corskit check", shlex.quote(url), "--origin", shlex.quote(origin)]
    if message.method and message.method != "GET":
        parts += ["-X", shlex.quote(message.method)]
    elif message.preflight and message.method is None:
        missing.append("add -X METHOD and -H 'Name: value' for what the page's script sets")
    if message.header:
        parts += ["-H", shlex.quote(f"{message.header}: x")]
    if _base(message.cors_error) in _CREDENTIAL_ERRORS:
        parts += ["--credentials", "include"]
    if message.kind == "XMLHttpRequest":
        parts.append("--xhr")
    return " ".join(parts), missing


def explain_console_message(message: ConsoleMessage) -> dict[str, Any]:
    """Everything ``corskit explain`` shows for a console message, JSON-ready."""
    command, missing = check_command(message)
    return {
        "message": message.to_json(),
        "saw": saw(message),
        "causes": [c.to_json() for c in likely_causes(message)],
        "check": command,
        "check_needs": missing,
    }


def render_console_explanation(message: ConsoleMessage) -> str:
    """The text ``corskit explain "<message>"`` prints."""
    data = explain_console_message(message)
    error = message.cors_error or "reason not given"
    lines = [
        f"{message.browser.capitalize()} console message ({error})",
        "",
        "What the browser saw:",
    ]
    lines.append(f"  {data['saw']}")
    lines += ["", "Likely causes, most likely first:"]
    for i, cause in enumerate(data["causes"], 1):
        lines.append(f"  {i}. [{cause['code']}] {cause['text']}")
    lines += ["", "Confirm which one (the doctor replays the request and names the cause):"]
    lines.append(f"  {data['check']}")
    for need in data["check_needs"]:
        lines.append(f"  ({need})")
    return "\n".join(lines) + "\n"


def unknown_text(text: str, codes: list[str]) -> str:
    """The one-line answer for text that is neither a problem code nor a CORS console message
    corskit knows, with the problem codes listed."""
    shown = text.strip().splitlines()[0][:60] if text.strip() else ""
    return (
        f"{shown!r} is not a CORS console message I know, nor a problem code; paste the whole"
        f" console line, or one of: {', '.join(codes)}"
    )
