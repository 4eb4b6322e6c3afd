"""A request to check, as recovered from a copy of what the browser sent.

DevTools' copies ("Copy as cURL", "Copy as fetch", a HAR entry) carry every header the browser
put on the wire.  Only the headers the page's *script* set decide whether a preflight is needed
(Fetch: "CORS-unsafe request-header names", https://fetch.spec.whatwg.org/#cors-unsafe-request-
header-names); the browser adds the others itself.  :func:`split_headers` sets those apart:

* forbidden request-headers (https://fetch.spec.whatwg.org/#forbidden-request-header: ``Cookie``,
  ``Origin``, ``Referer``, ``Host``, ``Connection``, ``Accept-Encoding``, ``User-Agent`` since
  a script cannot usefully set it in Chromium, ...), every ``Sec-`` and ``Proxy-`` header (client
  hints, ``Sec-Fetch-*``), and a preflight's ``Access-Control-Request-*``;
* ``Accept: */*``, fetch()'s default (any other value came from the script);
* ``Accept-Language``: the browser adds the user's languages to every request, and DevTools copies
  it either way; it is CORS-safelisted for any usual value, so counting it as the browser's never
  changes the verdict;
* ``Cache-Control: no-cache`` / ``Pragma: no-cache``: added by DevTools' "Disable cache".

A ``Cookie`` header (or curl's ``-b``) means the request was sent with credentials.  The page's
origin is the ``Origin`` header's value or else the origin of the ``Referer`` (Chromium copies a
request stopped by its preflight with provisional headers only, which have no ``Origin``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from corskit.doctor.errors import ToolError
from corskit.headers import FORBIDDEN_REQUEST_HEADER_NAMES

__all__ = [
    "CopiedRequest",
    "InputError",
    "mask",
    "origin_of",
    "scrub_secrets",
    "split_headers",
]

Credentials = Literal["omit", "same-origin", "include"]

#: the forbidden request-headers plus what the browser adds on its own to every request
_BROWSER_HEADERS = FORBIDDEN_REQUEST_HEADER_NAMES | {
    "accept-language",
    "priority",
    "upgrade-insecure-requests",
    "user-agent",
}

#: headers whose values are secrets: never printed in full
SENSITIVE = frozenset({"cookie", "authorization", "proxy-authorization", "set-cookie", "x-api-key"})


class InputError(ToolError, ValueError):
    """A copy that cannot be read (``str()`` is one line naming what was wrong)."""


def _browser_added(name: str, value: str) -> bool:
    lname = name.lower()
    if lname in _BROWSER_HEADERS or lname.startswith(("sec-", "proxy-", ":")):
        return True
    if lname == "accept":
        return value.strip() == "*/*"
    if lname in ("cache-control", "pragma"):
        return value.strip().lower() == "no-cache"
    return False


def split_headers(
    headers: list[tuple[str, str]] | tuple[tuple[str, str], ...],
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """``(script_headers, browser_headers)``: what the page's script set, and what the browser
    added itself (see the module docstring)."""
    script: list[tuple[str, str]] = []
    browser: list[tuple[str, str]] = []
    for name, value in headers:
        (browser if _browser_added(name, value) else script).append((name, value))
    return tuple(script), tuple(browser)


def origin_of(url: str) -> str | None:
    """The serialized origin of an http(s) *url*, ``"null"`` for ``null``, else None."""
    if url.strip() == "null":
        return "null"
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    suffix = f":{port}" if port is not None and port != default else ""
    return f"{parts.scheme}://{host}{suffix}"


def mask(name: str, value: str) -> str:
    """*value* with secrets masked: cookies keep their names, credentials their scheme."""
    lname = name.lower()
    if lname not in SENSITIVE:
        return value
    if lname in ("cookie", "set-cookie"):
        pairs = []
        for part in value.split(";"):
            key, sep, _ = part.strip().partition("=")
            pairs.append(f"{key}=***" if sep else key)
        return "; ".join(p for p in pairs if p)
    scheme, sep, _ = value.strip().partition(" ")
    return f"{scheme} ***" if sep else "***"


def scrub_secrets(text: str, headers: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> str:
    """*text* with the secret values of *headers* (cookies, credentials) masked wherever they
    appear, e.g. in ``corskit check -v`` output of a copied request."""
    for name, value in headers:
        masked = mask(name, value)
        if masked == value or not value:
            continue
        text = text.replace(value, masked)
        if name.lower() == "cookie":
            for part in value.split(";"):
                secret = part.strip().partition("=")[2]
                if len(secret) >= 4:
                    text = text.replace(secret, "***")
    return text


@dataclass(frozen=True)
class CopiedRequest:
    """A request recovered from a DevTools copy.

    ``headers`` are all the copied headers in order; ``script_headers`` those the page's script
    set (they go to ``corskit check -H``), ``browser_headers`` the rest.  ``origin`` is the
    page's origin (``origin_from`` says whether it came from ``Origin`` or ``Referer``; None
    when the copy names neither).  ``credentials`` is the fetch() credentials mode implied by
    the copy.  When the copy is of a preflight (``OPTIONS`` with
    ``Access-Control-Request-Method``), ``method`` and ``script_headers`` are the request it
    asked about (header values unknown: ``"x"``) and ``from_preflight`` is True."""

    url: str
    method: str
    headers: tuple[tuple[str, str], ...]
    script_headers: tuple[tuple[str, str], ...]
    browser_headers: tuple[tuple[str, str], ...]
    credentials: Credentials
    body: str | None
    origin: str | None
    origin_from: Literal["origin", "referer", "referrer"] | None
    cookie: str | None
    source: str
    from_preflight: bool = False
    notes: tuple[str, ...] = field(default=())

    def masked_headers(self) -> list[tuple[str, str]]:
        """``headers`` with cookies and credentials masked, for printing."""
        return [(n, mask(n, v)) for n, v in self.headers]

    def check_argv(self, *, origin: str | None = None) -> list[str]:
        """The ``corskit check`` arguments for this request (secrets included: for running,
        not for printing; see :meth:`check_command`)."""
        page = origin or self.origin
        if page is None:
            raise InputError("the copy names no page origin (no Origin or Referer): give --origin")
        argv = [self.url, "--origin", page]
        if self.method != "GET":
            argv += ["-X", self.method]
        for name, value in self.script_headers:
            argv += ["-H", f"{name}: {value}"]
        if self.credentials != "same-origin":
            argv += ["--credentials", self.credentials]
        if self.body is not None:
            argv += ["-d", self.body]
        if self.cookie is not None:
            argv += ["--cookie", self.cookie]
        return argv

    def check_command(self, *, origin: str | None = None) -> str:
        """The ``corskit check`` command line, with secrets masked (for printing)."""
        import shlex

        argv = self.check_argv(origin=origin)
        shown = []
        for i, arg in enumerate(argv):
            if i and argv[i - 1] == "-H":
                name, _, value = arg.partition(":")
                arg = f"{name}: {mask(name, value.strip())}"
            elif i and argv[i - 1] == "--cookie":
                arg = mask("cookie", arg)
            shown.append(shlex.quote(arg))
        return "corskit check " + " ".join(shown)


def build_request(
    *,
    url: str,
    method: str,
    headers: list[tuple[str, str]],
    body: str | None,
    source: str,
    cookie: str | None = None,
    credentials: Credentials | None = None,
    referrer: str | None = None,
) -> CopiedRequest:
    """Assemble a :class:`CopiedRequest` from parsed parts (shared by the parsers)."""
    if origin_of(url) is None or origin_of(url) == "null":
        raise InputError(f"the URL {url!r} is not an absolute http(s) URL")
    cookies = [v for n, v in headers if n.lower() == "cookie"]
    if cookie is not None:
        cookies.insert(0, cookie)
    cookie_value = "; ".join(cookies) if cookies else None
    origin, origin_from = _page_origin(headers, referrer)
    notes: list[str] = []
    from_preflight = False
    copied = tuple(headers)
    acrm = next((v for n, v in headers if n.lower() == "access-control-request-method"), None)
    if method.upper() == "OPTIONS" and acrm:
        method, headers, from_preflight = _asked_by_preflight(acrm, headers)
        notes.append(
            "this is the preflight: the request it asked about is checked (header values unknown)"
        )
    script, browser = split_headers(headers)
    if credentials is None or cookie_value is not None:
        credentials = "include" if cookie_value is not None else (credentials or "same-origin")
    return CopiedRequest(
        url=url,
        method=method,
        headers=copied,
        script_headers=script,
        browser_headers=browser,
        credentials=credentials,
        body=body,
        origin=origin,
        origin_from=origin_from,
        cookie=cookie_value,
        source=source,
        from_preflight=from_preflight,
        notes=tuple(notes),
    )


def _page_origin(
    headers: list[tuple[str, str]], referrer: str | None
) -> tuple[str | None, Literal["origin", "referer", "referrer"] | None]:
    for name, value in headers:
        if name.lower() == "origin" and origin_of(value):
            return origin_of(value), "origin"
    for name, value in headers:
        if name.lower() == "referer" and origin_of(value):
            return origin_of(value), "referer"
    if referrer and origin_of(referrer):
        return origin_of(referrer), "referrer"
    return None, None


def _asked_by_preflight(
    acrm: str, headers: list[tuple[str, str]]
) -> tuple[str, list[tuple[str, str]], bool]:
    """The method and headers a preflight asked about (ACRM, ACRH), plus its other headers."""
    acrh = next((v for n, v in headers if n.lower() == "access-control-request-headers"), "")
    kept = [(n, v) for n, v in headers if not n.lower().startswith("access-control-request-")]
    asked = [(name.strip(), "x") for name in acrh.split(",") if name.strip()]
    return acrm.strip(), kept + asked, True
