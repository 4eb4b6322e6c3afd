"""A Fetch-standard *client*: what a browser does with one cross-origin ``fetch()``.

The verdict follows **Chromium 156**; where Chromium departs from the WHATWG Fetch standard
the outcome carries a warning with the spec's verdict (e.g. ``Access-Control-Allow-Headers: *``
covering ``Authorization``: Chromium allows it and reports the deprecation
``AuthorizationCoveredByWildcard``; Fetch forbids it).  References are to
``fetch-cors-rules.md`` (§1.x) and ``chromium-messages.md`` (§2.x).

Public API (stable; other tools import it)::

    from corskit.doctor.fetch import simulate, Outcome
    from corskit.doctor.transports import open_transport

    transport, url = open_transport("http://127.0.0.1:8000/api")   # or "pkg.mod:app"
    outcome = simulate(
        transport, url,
        origin="http://localhost:5173",          # the page's origin ("null" allowed)
        method="POST",                           # as the page's JavaScript writes it
        headers=[("Content-Type", "application/json")],
        credentials="include",                   # "omit" | "same-origin" (default) | "include"
        body_stream=False,                       # a ReadableStream body (always preflighted)
    )
    outcome.verdict            # "allowed" | "blocked"
    outcome.preflight          # True when a preflight was sent
    outcome.cors_error         # Chromium CorsError name, e.g. "PreflightMissingAllowOriginHeader"
    outcome.chromium_message   # the exact console line, or None
    outcome.firefox_message    # Firefox's line for the same failure, or None
    outcome.steps              # list[Step]: what happened, in order
    outcome.warnings           # list[Note]: Chromium-vs-spec departures, caps, dropped headers
    outcome.readable_headers   # response header names JavaScript may read
    outcome.status             # status of the last response received (None if none)
    outcome.to_json()          # a JSON-ready dict

Design: pure functions over :class:`~corskit.doctor.transports.WireRequest` /
:class:`~corskit.doctor.transports.WireResponse` (:func:`build_request`,
:func:`build_preflight`, :func:`cors_check`, :func:`check_preflight_response`,
:func:`readable_response_headers`, :func:`preflight_reasons`) plus the driver
:func:`simulate`, which sends the requests through a
:class:`~corskit.doctor.transports.Transport` and follows redirects itself (§1.12): every hop is
CORS-checked, ``Origin`` becomes ``null`` once the redirect chain taints the request,
``Authorization`` is dropped on a cross-origin hop, 301/302 POST and 303 become GET, a preflight
never follows a redirect, at most 20 redirects.

Bad input that would make ``fetch()`` throw (invalid or forbidden method, invalid header name
or value, a body on GET/HEAD) raises :class:`FetchInputError`; a request that cannot be sent
raises :class:`~corskit.doctor.transports.TransportError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from ..transports import (
    Transport,
    TransportError,
    WireRequest,
    WireResponse,
    time_budget,
    validate_http_url,
)
from . import messages
from .cookies import CookieIssue, analyse_set_cookie
from .netspace import (
    AddressSpace,
    address_space,
    is_secure_context_origin,
    lna_applies,
    same_site,
)
from .spec import (
    CORS_NON_WILDCARD_REQUEST_HEADER_NAMES,
    FORBIDDEN_RESPONSE_HEADER_NAMES,
    REQUEST_BODY_HEADER_NAMES,
    SAFELISTED_METHODS,
    SAFELISTED_RESPONSE_HEADER_NAMES,
    Origin,
    chromium_extra_safelisted,
    cors_unsafe_request_header_names,
    extract_list,
    is_cors_safelisted_request_header,
    is_forbidden_method,
    is_forbidden_request_header,
    is_token,
    normalize_method,
    origin_of_url,
    parse_mime_type,
    parse_origin,
)

__all__ = [
    "CHROMIUM_UA",
    "MAX_AGE_CAPS",
    "CheckResult",
    "Credentials",
    "FetchInputError",
    "Note",
    "Outcome",
    "PreflightResult",
    "RequestSpec",
    "Step",
    "build_preflight",
    "build_request",
    "check_preflight_response",
    "cors_check",
    "max_age_per_browser",
    "preflight_reasons",
    "prepare",
    "readable_response_headers",
    "simulate",
]

Credentials = Literal["omit", "same-origin", "include"]
Verdict = Literal["allowed", "blocked"]

#: The User-Agent the simulated browser sends (Chromium 156 on Linux).
CHROMIUM_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)
#: Access-Control-Max-Age caps in seconds (§1.9).
MAX_AGE_CAPS = {"chromium": 7200, "firefox": 86400, "safari": 600}
#: Default preflight cache lifetime when the header is absent or invalid (§1.9).
MAX_AGE_DEFAULT = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 20
#: What a hostile server sends must not make the report unbounded: at most this many header
#: lines of one message are shown (text and JSON), each value cut after MAX_SHOWN_VALUE
#: characters, and at most MAX_COOKIES Set-Cookie values are analysed per simulation.
MAX_SHOWN_HEADERS = 50
MAX_SHOWN_VALUE = 500
MAX_COOKIES = 20


def shown_headers(headers: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], int]:
    """The header lines a report shows, values cut to MAX_SHOWN_VALUE characters, and how
    many lines were left out."""
    shown = [
        (
            k[:MAX_SHOWN_VALUE],
            v if len(v) <= MAX_SHOWN_VALUE else f"{v[:MAX_SHOWN_VALUE]}... ({len(v)} characters)",
        )
        for k, v in headers[:MAX_SHOWN_HEADERS]
    ]
    return shown, max(0, len(headers) - MAX_SHOWN_HEADERS)


def shown_names(names: list[str], limit: int = 30) -> str:
    """*names* joined with ", ", at most *limit* of them and then how many more."""
    text = ", ".join(names[:limit])
    return text + (f" and {len(names) - limit} more" if len(names) > limit else "")


class FetchInputError(ValueError):
    """The request could not even be made: ``fetch()`` would throw a ``TypeError`` (or the
    origin/URL is malformed).  ``str()`` is one line."""


# ------------------------------------------------------------------------------------------
# result types


@dataclass
class Step:
    """One thing the browser did or checked, in order.

    ``kind``: ``plan`` (decisions), ``preflight`` / ``request`` (sent), ``response``
    (received), ``check`` (a CORS check), ``redirect``, ``note``.  ``ok`` is True/False for
    checks and None otherwise."""

    kind: str
    text: str
    ok: bool | None = None
    request: WireRequest | None = None
    response: WireResponse | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (requests and responses as method/url/headers/status)."""
        data: dict[str, Any] = {"kind": self.kind, "text": self.text, "ok": self.ok}
        if self.request is not None:
            data["request"] = {"method": self.request.method, "url": self.request.url}
            _put_headers(data["request"], self.request.headers)
        if self.response is not None:
            data["response"] = {"status": self.response.status, "url": self.response.url}
            _put_headers(data["response"], self.response.headers)
        return data


def _put_headers(data: dict[str, Any], headers: list[tuple[str, str]]) -> None:
    shown, omitted = shown_headers(headers)
    data["headers"] = [list(h) for h in shown]
    if omitted:
        data["headers_omitted"] = omitted


@dataclass(frozen=True)
class Note:
    """A warning: a Chromium-vs-spec departure, a browser cap, a dropped header, a cookie...

    ``spec_verdict`` is set when Fetch would decide differently from Chromium."""

    code: str
    text: str
    spec_verdict: Verdict | None = None
    spec_message: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "code": self.code,
            "text": self.text,
            "spec_verdict": self.spec_verdict,
            "spec_message": self.spec_message,
        }


@dataclass(frozen=True)
class CheckResult:
    """Result of a CORS check or of a preflight check: ``error`` is a Chromium ``CorsError``
    name (None when it passed); ``params`` fill the message (value, method, header, ...)."""

    error: str | None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the check passed."""
        return self.error is None


@dataclass(frozen=True)
class PreflightResult:
    """What a successful preflight allowed (parsed ACAM/ACAH, Max-Age) plus any failure."""

    check: CheckResult
    methods: list[str] | None = None
    headers: list[str] | None = None
    max_age: str | None = None
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class RequestSpec:
    """The request as the page's script asks for it, after fetch()'s own processing:
    normalised method, author headers (forbidden ones removed, duplicates combined, sorted
    by name as Chromium's header list keeps them)."""

    url: str
    origin: Origin
    method: str
    headers: tuple[tuple[str, str], ...]
    credentials: Credentials = "same-origin"
    body: bytes | None = None
    body_stream: bool = False
    kind: str = "fetch"
    cookie: str | None = None
    written_method: str = ""
    dropped_headers: tuple[str, ...] = ()


@dataclass
class Outcome:
    """Everything the simulation found (see the module docstring)."""

    verdict: Verdict
    preflight: bool
    cors_error: str | None
    chromium_message: str | None
    firefox_message: str | None
    steps: list[Step]
    warnings: list[Note]
    readable_headers: list[str]
    status: int | None
    request: RequestSpec
    url: str
    final_url: str
    origin: str
    failed_stage: str | None = None
    failure_params: dict[str, str] = field(default_factory=dict)
    failed_response: WireResponse | None = None
    network_error: str | None = None
    preflight_reasons: list[str] = field(default_factory=list)
    exchanges: list[tuple[str, WireRequest, WireResponse | None]] = field(default_factory=list)
    max_age: dict[str, int] | None = None
    cookie_issues: list[CookieIssue] = field(default_factory=list)
    spec_verdict: Verdict | None = None
    redirected: bool = False
    cross_origin: bool = True
    if_permitted: Outcome | None = None
    app_errors: list[str] = field(default_factory=list)
    request_origin: str = ""

    @property
    def responses(self) -> list[WireResponse]:
        """Every response received, in order."""
        return [r for _, _, r in self.exchanges if r is not None]

    def preflight_responses(self) -> list[WireResponse]:
        """The responses to preflights."""
        return [r for k, _, r in self.exchanges if k == "preflight" and r is not None]

    def actual_responses(self) -> list[WireResponse]:
        """The responses to the actual request (one per redirect hop)."""
        return [r for k, _, r in self.exchanges if k != "preflight" and r is not None]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the outcome."""
        return {
            "verdict": self.verdict,
            "spec_verdict": self.spec_verdict or self.verdict,
            "preflight": self.preflight,
            "preflight_reasons": self.preflight_reasons,
            "cors_error": self.cors_error,
            "chromium_message": self.chromium_message,
            "firefox_message": self.firefox_message,
            "network_error": self.network_error,
            "failed_stage": self.failed_stage,
            "status": self.status,
            "url": self.url,
            "final_url": self.final_url,
            "origin": self.origin,
            "request_origin": self.request_origin,
            "method": self.request.method,
            "credentials": self.request.credentials,
            "readable_headers": self.readable_headers,
            "max_age": self.max_age,
            "warnings": [w.to_json() for w in self.warnings],
            "cookie_issues": [
                {
                    "cookie": c.cookie,
                    "code": c.code,
                    "severity": c.severity,
                    "text": c.text,
                    "fix": c.fix,
                }
                for c in self.cookie_issues
            ],
            "steps": [s.to_json() for s in self.steps],
            "if_local_network_permitted": self.if_permitted.to_json()
            if self.if_permitted
            else None,
        }


# ------------------------------------------------------------------------------------------
# pure functions


def prepare(
    url: str,
    *,
    origin: str,
    method: str = "GET",
    headers: list[tuple[str, str]] | tuple[tuple[str, str], ...] = (),
    credentials: Credentials = "same-origin",
    body: bytes | str | None = None,
    body_stream: bool = False,
    kind: str = "fetch",
    cookie: str | None = None,
) -> RequestSpec:
    """Do what ``fetch(url, init)`` does before anything is sent, and validate the inputs.

    Raises :class:`FetchInputError` where ``fetch()`` throws (or the inputs are malformed)."""
    try:
        validate_http_url(url)
        origin_of_url(url)
    except (TransportError, ValueError) as exc:
        raise FetchInputError(str(exc)) from None
    try:
        page = parse_origin(origin)
    except ValueError as exc:
        raise FetchInputError(f"malformed origin {origin!r}: {exc}") from None
    if credentials not in ("omit", "same-origin", "include"):
        raise FetchInputError(
            f"credentials must be omit, same-origin or include, not {credentials!r}"
        )
    if not is_token(method):
        raise FetchInputError(
            f"fetch() would throw TypeError: '{method}' is not a valid HTTP method"
        )
    if is_forbidden_method(method):
        raise FetchInputError(
            f"fetch() would throw TypeError: '{method}' HTTP method is unsupported"
        )
    norm = normalize_method(method)
    combined: dict[str, tuple[str, list[str]]] = {}
    dropped: list[str] = []
    for name, value in headers:
        if not is_token(name):
            raise FetchInputError(
                f"fetch() would throw TypeError: '{name}' is not a valid HTTP header name"
            )
        value = value.strip(" \t\r\n")
        if any(c in value for c in "\x00\r\n"):
            raise FetchInputError(
                f"fetch() would throw TypeError: the value of '{name}' is not a valid header value"
            )
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise FetchInputError(
                f"fetch() would throw TypeError: the value of '{name}' has characters outside Latin-1"
            ) from None
        if is_forbidden_request_header(name, value):
            dropped.append(name)
            continue
        key = name.lower()
        if key in combined:
            combined[key][1].append(value)
        else:
            combined[key] = (name, [value])
    body_bytes: bytes | None = None
    if isinstance(body, str):
        body_bytes = body.encode("utf-8")
        if "content-type" not in combined:
            combined["content-type"] = ("Content-Type", ["text/plain;charset=UTF-8"])
    elif body is not None:
        body_bytes = body
    if (body_bytes is not None or body_stream) and norm in ("GET", "HEAD"):
        raise FetchInputError(
            "fetch() would throw TypeError: Request with GET/HEAD method cannot have body"
        )
    # Chromium's FetchHeaderList keeps headers sorted by name, duplicates combined with ", ".
    final = tuple((orig, ", ".join(values)) for _, (orig, values) in sorted(combined.items()))
    return RequestSpec(
        url=url,
        origin=page,
        method=norm,
        headers=final,
        credentials=credentials,
        body=body_bytes,
        body_stream=body_stream,
        kind=kind,
        cookie=cookie,
        written_method=method,
        dropped_headers=tuple(dropped),
    )


def preflight_reasons(
    method: str,
    headers: list[tuple[str, str]] | tuple[tuple[str, str], ...],
    body_stream: bool = False,
) -> list[str]:
    """Why a CORS request needs a preflight (§1.1, §1.2), in plain words; empty = no preflight
    (Chromium's rules: its extra safelisted client-hint names do not count)."""
    reasons: list[str] = []
    if body_stream:
        reasons.append("the body is a ReadableStream (streamed bodies are always preflighted)")
    if method not in SAFELISTED_METHODS:
        if method != method.upper():
            reasons.append(
                f"the method '{method}' is not CORS-safelisted (only GET, HEAD and POST are; method names are case-sensitive)"
            )
        else:
            reasons.append(
                f"the method {method} is not CORS-safelisted (only GET, HEAD and POST are)"
            )
    unsafe = cors_unsafe_request_header_names(list(headers), chromium=True)
    total = sum(
        len(v.encode("latin-1", "replace"))
        for n, v in headers
        if is_cors_safelisted_request_header(n, v) or chromium_extra_safelisted(n, v)
    )
    for name in sorted(unsafe):
        value = next((v for n, v in headers if n.lower() == name), "")
        lname = name.lower()
        safelisted_value = is_cors_safelisted_request_header(
            name, value
        ) or chromium_extra_safelisted(name, value)
        if safelisted_value and total > 1024:
            reasons.append(
                f"the header '{lname}' is safelisted on its own, but the safelisted header values add"
                f" up to {total} bytes (more than 1,024)"
            )
        elif len(value.encode("latin-1", "replace")) > 128 and lname in (
            "accept",
            "accept-language",
            "content-language",
            "content-type",
            "range",
        ):
            reasons.append(f"the value of '{lname}' is longer than 128 bytes")
        elif lname == "content-type":
            mime = parse_mime_type(value)
            if mime is None:
                reasons.append(f"the Content-Type value '{value}' is not a valid MIME type")
            elif mime.essence not in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "text/plain",
            ):
                reasons.append(
                    f"Content-Type '{value}' is not one of application/x-www-form-urlencoded,"
                    " multipart/form-data, text/plain"
                )
            else:
                reasons.append(
                    f"the Content-Type value '{value}' contains a byte that is not allowed (e.g. a quote)"
                )
        elif lname in ("accept", "accept-language", "content-language", "range"):
            reasons.append(f"the value '{value}' of '{lname}' is not a CORS-safelisted value")
        else:
            reasons.append(f"the header '{lname}' is not CORS-safelisted")
    return reasons


def _sec_fetch_site(page: Origin, target: Origin) -> str:
    if page.same_origin(target):
        return "same-origin"
    return "same-site" if same_site(page, target) else "cross-site"


def build_preflight(
    url: str,
    *,
    method: str,
    unsafe_names: list[str],
    request_origin: str,
    page: Origin,
    user_agent: str = CHROMIUM_UA,
) -> WireRequest:
    """The CORS-preflight request exactly as Chromium sends it (§1.3): ``OPTIONS``, no
    cookies, no Authorization, ``Accept: */*``, ``Access-Control-Request-Method`` as the
    normalised method, ``Access-Control-Request-Headers`` lower-case, sorted, joined with ","
    (no spaces; omitted when empty), ``Origin`` (``null`` when tainted), ``Sec-Fetch-*``."""
    headers = [("accept", "*/*"), ("access-control-request-method", method)]
    acrh = ",".join(sorted({n.lower() for n in unsafe_names}))
    if acrh:
        headers.append(("access-control-request-headers", acrh))
    headers.append(("origin", request_origin))
    headers.append(("user-agent", user_agent))
    headers.append(("sec-fetch-mode", "cors"))
    try:
        headers.append(("sec-fetch-site", _sec_fetch_site(page, origin_of_url(url))))
    except ValueError:
        pass
    headers.append(("sec-fetch-dest", "empty"))
    return WireRequest("OPTIONS", url, headers)


def build_request(
    url: str,
    spec: RequestSpec,
    *,
    method: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
    request_origin: str | None,
    send_cookie: bool,
    user_agent: str = CHROMIUM_UA,
) -> WireRequest:
    """The actual request on the wire: the author headers, ``Origin`` (when a CORS request or
    a non-GET/HEAD same-origin one), ``Accept: */*`` unless set, the cookie only when the
    credentials mode lets it travel, and the ``Sec-Fetch-*`` metadata."""
    wire: list[tuple[str, str]] = []
    names = {n.lower() for n, _ in headers}
    if "accept" not in names:
        wire.append(("accept", "*/*"))
    wire.extend(headers)
    if request_origin is not None:
        wire.append(("origin", request_origin))
    wire.append(("user-agent", user_agent))
    if send_cookie and spec.cookie:
        wire.append(("cookie", spec.cookie))
    wire.append(("sec-fetch-mode", "cors"))
    try:
        wire.append(("sec-fetch-site", _sec_fetch_site(spec.origin, origin_of_url(url))))
    except ValueError:
        pass
    wire.append(("sec-fetch-dest", "empty"))
    return WireRequest(method, url, wire, body or b"")


def _gurl_valid(value: str) -> bool:
    """Rough model of Chromium's ``GURL(value).is_valid()`` for an ACAO value."""
    import re

    m = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):(.*)\Z", value, re.S)
    if not m:
        return False
    scheme, rest = m.group(1).lower(), m.group(2)
    if scheme in ("http", "https", "ws", "wss", "ftp"):
        rest = rest.lstrip("/\\")
        host = re.split(r"[/\\?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1]
        if host.startswith("["):
            return host.find("]") > 1
        host = host.split(":", 1)[0]
        return bool(host) and not any(c in host for c in ' <>^|%"')
    return True


def cors_check(
    response: WireResponse, request_origin: str, credentials: Credentials
) -> CheckResult:
    """Chromium's ``CheckAccess`` (§2.3), which implements Fetch's CORS check (§1.6).

    ACAO is read with "get" (duplicates joined by ", ") and trimmed.  Errors are the
    non-preflight names; :func:`check_preflight_response` maps them to their ``Preflight`` twins."""
    acao = response.get("access-control-allow-origin")
    if acao is not None:
        acao = acao.strip(" \t")
    include = credentials == "include"
    if acao == "*":
        if include:
            return CheckResult("WildcardOriginNotAllowed", {"value": acao})
    elif acao is None:
        return CheckResult("MissingAllowOriginHeader")
    elif acao != request_origin:
        if " " in acao or "," in acao:
            return CheckResult("MultipleAllowOriginValues", {"value": acao})
        if acao == "null":
            return CheckResult("AllowOriginMismatch", {"value": acao})
        if not _gurl_valid(acao):
            return CheckResult("InvalidAllowOriginValue", {"value": acao})
        return CheckResult("AllowOriginMismatch", {"value": acao})
    if include:
        acac = response.get("access-control-allow-credentials")
        if acac != "true":
            return CheckResult("InvalidAllowCredentials", {"value": acac or ""})
    return CheckResult(None)


def max_age_per_browser(value: str | None) -> dict[str, int]:
    """How long each engine caches this preflight (§1.9): Chromium default 5, non-integer → 5,
    negative → 0, cap 7200; Firefox non-digits → not cached (0), cap 86400; Safari cap 600."""
    result: dict[str, int] = {}
    text = (value or "").strip()
    # Chromium: StringToInt64
    try:
        parsed = int(text) if text and text.lstrip("-").isdigit() else None
    except ValueError:
        parsed = None
    if parsed is None:
        result["chromium"] = MAX_AGE_DEFAULT
    else:
        result["chromium"] = max(0, min(parsed, MAX_AGE_CAPS["chromium"]))
    # Firefox: any non-digit -> not cached; absent -> default
    if value is None:
        result["firefox"] = MAX_AGE_DEFAULT
    elif text.isdigit():
        result["firefox"] = min(int(text), MAX_AGE_CAPS["firefox"])
    else:
        result["firefox"] = 0
    # WebKit: parseInteger, failure -> 5
    if parsed is None:
        result["safari"] = MAX_AGE_DEFAULT
    else:
        result["safari"] = max(0, min(parsed, MAX_AGE_CAPS["safari"]))
    return result


def check_preflight_response(
    response: WireResponse,
    *,
    request_origin: str,
    credentials: Credentials,
    method: str,
    unsafe_names: list[str],
    use_cors_preflight: bool = False,
) -> PreflightResult:
    """Process a preflight response in Chromium's order (§1.4, §2.3):

    1. a redirect → ``PreflightDisallowedRedirect`` (the preflight loader refuses it first);
    2. the CORS check on ACAO/ACAC with the original request's credentials mode;
    3. the status must be ok (200-299) → else ``PreflightInvalidStatus``;
    4. parse ``Access-Control-Allow-Methods`` then ``-Headers`` ("Cannot parse ...");
    5. the method check (case-sensitive; ``*`` only without credentials);
    6. the header check; ``*`` (without credentials) covers everything in Chromium 156,
       ``Authorization`` included (spec: never), reported as ``AuthorizationCoveredByWildcard``.
    """
    if response.status in REDIRECT_STATUSES and response.get("location"):
        return PreflightResult(
            CheckResult("PreflightDisallowedRedirect", {"status": str(response.status)})
        )
    access = cors_check(response, request_origin, credentials)
    if not access.ok:
        assert access.error is not None
        return PreflightResult(CheckResult("Preflight" + access.error, access.params))
    if not 200 <= response.status <= 299:
        return PreflightResult(
            CheckResult("PreflightInvalidStatus", {"status": str(response.status)})
        )
    try:
        methods = extract_list(response.get("access-control-allow-methods"))
    except ValueError as exc:
        return PreflightResult(
            CheckResult(
                "InvalidAllowMethodsPreflightResponse",
                {
                    "bad_token": str(exc),
                    "value": response.get("access-control-allow-methods") or "",
                },
            )
        )
    try:
        allowed_headers = extract_list(response.get("access-control-allow-headers"))
    except ValueError as exc:
        return PreflightResult(
            CheckResult(
                "InvalidAllowHeadersPreflightResponse",
                {
                    "bad_token": str(exc),
                    "value": response.get("access-control-allow-headers") or "",
                },
            )
        )
    max_age = response.get("access-control-max-age")
    include = credentials == "include"
    method_list = methods if methods is not None else ([method] if use_cors_preflight else [])
    if not (
        method in SAFELISTED_METHODS
        or method in method_list
        or (not include and "*" in method_list)
    ):
        return PreflightResult(
            CheckResult("MethodDisallowedByPreflightResponse", {"method": method}),
            methods,
            allowed_headers,
            max_age,
        )
    lower = {h.lower() for h in (allowed_headers or [])}
    notes: list[Note] = []
    if not include and "*" in lower:
        for name in unsafe_names:
            if name in CORS_NON_WILDCARD_REQUEST_HEADER_NAMES and name not in lower:
                notes.append(
                    Note(
                        "AuthorizationCoveredByWildcard",
                        "Chromium 156 lets 'Access-Control-Allow-Headers: *' cover Authorization"
                        " (DevTools reports the deprecation AuthorizationCoveredByWildcard); the Fetch"
                        " standard does not, and Chromium will stop allowing it. List"
                        " 'authorization' explicitly.",
                        spec_verdict="blocked",
                        spec_message=messages.chromium_detail(
                            "HeaderDisallowedByPreflightResponse", header=name
                        ),
                    )
                )
        return PreflightResult(CheckResult(None), methods, allowed_headers, max_age, tuple(notes))
    refused = [n.lower() for n in unsafe_names if n.lower() not in lower]
    if len(refused) > 1:
        notes.append(
            Note(
                "several-headers-disallowed",
                f"{len(refused)} request headers are not allowed ({', '.join(refused)}); Chromium"
                " names only one of them, picked in its internal hash-map order, so its message may"
                f" name another one than '{refused[0]}'",
            )
        )
    for name in unsafe_names:
        if name.lower() not in lower:
            return PreflightResult(
                CheckResult(
                    "HeaderDisallowedByPreflightResponse",
                    {"header": name.lower(), "all": ",".join(refused)},
                ),
                methods,
                allowed_headers,
                max_age,
                tuple(notes),
            )
    return PreflightResult(CheckResult(None), methods, allowed_headers, max_age)


def readable_response_headers(
    response: WireResponse, *, cors: bool, credentials: Credentials
) -> list[str]:
    """Response header names JavaScript can read with ``response.headers.get()`` (§1.5):
    for a CORS response the safelisted names plus ``Access-Control-Expose-Headers`` (``*``
    means all, but only without credentials); never ``Set-Cookie``."""
    present = []
    for name, _ in response.headers:
        if name not in present and name not in FORBIDDEN_RESPONSE_HEADER_NAMES:
            present.append(name)
    if not cors:
        return present
    try:
        exposed = extract_list(response.get("access-control-expose-headers")) or []
    except ValueError:
        exposed = []
    exposed_l = {e.lower() for e in exposed}
    if credentials != "include" and "*" in exposed_l:
        return present
    allowed = set(SAFELISTED_RESPONSE_HEADER_NAMES) | exposed_l
    return [n for n in present if n in allowed]


# ------------------------------------------------------------------------------------------
# the driver


def _cors_headers_text(response: WireResponse) -> str:
    shown = [
        f"{k}: {v}"
        for k, v in response.headers
        if k.startswith("access-control-") or k in ("vary", "location")
    ]
    return "; ".join(shown) if shown else "no CORS headers"


def _describe_check(
    result: CheckResult, response: WireResponse, request_origin: str, credentials: Credentials
) -> str:
    acao = response.get("access-control-allow-origin")
    if result.ok:
        if acao is not None and acao.strip() == "*":
            return "Access-Control-Allow-Origin is '*', which is fine without credentials"
        if credentials == "include":
            return f"Access-Control-Allow-Origin is '{request_origin}' and Access-Control-Allow-Credentials is 'true'"
        return f"Access-Control-Allow-Origin matches the request origin '{request_origin}'"
    err = (result.error or "").removeprefix("Preflight")
    if err == "MissingAllowOriginHeader":
        return "no Access-Control-Allow-Origin header"
    if err == "WildcardOriginNotAllowed":
        return "Access-Control-Allow-Origin is '*' but the request is credentialed (credentials: 'include')"
    if err == "MultipleAllowOriginValues":
        return f"Access-Control-Allow-Origin has several values: '{result.params.get('value')}'"
    if err == "InvalidAllowOriginValue":
        return f"Access-Control-Allow-Origin '{result.params.get('value')}' is not a valid origin"
    if err == "AllowOriginMismatch":
        return f"Access-Control-Allow-Origin '{result.params.get('value')}' is not the request origin '{request_origin}'"
    if err == "InvalidAllowCredentials":
        v = result.params.get("value")
        return f"Access-Control-Allow-Credentials is {repr(v) if v else 'absent'}, but must be 'true' for a credentialed request"
    return err


class _Sim:
    """State of one simulated fetch (the driver behind :func:`simulate`)."""

    def __init__(
        self,
        transport: Transport,
        spec: RequestSpec,
        *,
        user_agent: str,
        max_redirects: int,
        local_network_permission: bool,
        target_address_space: AddressSpace | Literal["auto"] | None,
        resolve_dns: bool,
    ) -> None:
        self.transport = transport
        self.spec = spec
        self.ua = user_agent
        self.max_redirects = max_redirects
        self.lna_permission = local_network_permission
        self.target_space = target_address_space
        self.resolve_dns = resolve_dns
        self.steps: list[Step] = []
        self.notes: list[Note] = []
        self.exchanges: list[tuple[str, WireRequest, WireResponse | None]] = []
        self.url_list: list[str] = [spec.url]
        self.tainted = False
        self.preflighted = False
        self.reasons: list[str] = []
        self.max_age: dict[str, int] | None = None
        self.cookie_issues: list[CookieIssue] = []
        self.cookies_seen = 0
        self.cookies_skipped = 0
        self.last_status: int | None = None
        self.cross_origin = False
        self._errors_start = len(getattr(transport, "errors", []) or [])

    # -- helpers
    @property
    def request_origin(self) -> str:
        return "null" if self.tainted else self.spec.origin.serialize()

    def step(
        self,
        kind: str,
        text: str,
        ok: bool | None = None,
        *,
        request: WireRequest | None = None,
        response: WireResponse | None = None,
    ) -> None:
        self.steps.append(Step(kind, text, ok, request, response))

    def cookies(self, response: WireResponse, url: str, page: Origin) -> None:
        """Explain the first MAX_COOKIES Set-Cookie values; count the rest in a note."""
        for value in response.get_all("set-cookie"):
            if self.cookies_seen >= MAX_COOKIES:
                self.cookies_skipped += 1
                continue
            self.cookies_seen += 1
            for issue in analyse_set_cookie(
                value, response_url=url, page=page, credentials=self.spec.credentials
            ):
                if issue not in self.cookie_issues:
                    self.cookie_issues.append(issue)

    def send(self, kind: str, request: WireRequest) -> WireResponse:
        response = self.transport.send(request)
        self.exchanges.append((kind, request, response))
        self.last_status = response.status
        return response

    def outcome(
        self,
        verdict: Verdict,
        *,
        error: str | None = None,
        stage: str | None = None,
        params: dict[str, str] | None = None,
        response: WireResponse | None = None,
        message_url: str | None = None,
        readable: list[str] | None = None,
        network_error: str | None = None,
    ) -> Outcome:
        params = dict(params or {})
        chromium = firefox = None
        final_url = self.url_list[-1]
        if self.cookies_skipped:
            self.notes.append(
                Note(
                    "cookies-not-analysed",
                    f"{self.cookies_skipped} more Set-Cookie headers were not analysed "
                    f"(the doctor explains the first {MAX_COOKIES})",
                )
            )
            self.cookies_skipped = 0
        if error is not None:
            last = message_url or final_url
            chromium = messages.chromium_message(
                error,
                url=last,
                # Chromium names the page's origin even when the request carried `Origin: null`
                # after a tainting redirect (seen in Chromium 150, tests/browser).
                origin=self.spec.origin.serialize(),
                initial_url=self.url_list[0] if last != self.url_list[0] else None,
                kind=self.spec.kind,
                **{
                    k: v
                    for k, v in params.items()
                    if k in ("value", "method", "header", "location", "space", "target_space")
                },
            )
            firefox = messages.firefox_message(
                error,
                url=last,
                status=response.status if response is not None else None,
                value=params.get("value", ""),
                header=params.get("header", ""),
                bad_token=params.get("bad_token", ""),
            )
        spec_verdict: Verdict = verdict
        if verdict == "allowed" and any(n.spec_verdict == "blocked" for n in self.notes):
            spec_verdict = "blocked"
        return Outcome(
            verdict=verdict,
            preflight=self.preflighted,
            cors_error=error,
            chromium_message=chromium,
            firefox_message=firefox,
            steps=self.steps,
            warnings=self.notes,
            readable_headers=readable or [],
            status=self.last_status,
            request=self.spec,
            url=self.spec.url,
            final_url=final_url,
            origin=self.spec.origin.serialize(),
            failed_stage=stage,
            failure_params=params,
            failed_response=response,
            network_error=network_error,
            preflight_reasons=self.reasons,
            exchanges=self.exchanges,
            max_age=self.max_age,
            cookie_issues=self.cookie_issues,
            spec_verdict=spec_verdict,
            redirected=len(self.url_list) > 1,
            cross_origin=self.cross_origin,
            app_errors=list(getattr(self.transport, "errors", []) or [])[self._errors_start :],
            request_origin=self.request_origin,
        )

    # -- Local Network Access (§1.14)
    def lna(self, url: str) -> Outcome | None:
        page = self.spec.origin
        if self.target_space is None:
            return None
        page_space: AddressSpace = "public"
        if not page.opaque:
            page_space = address_space(page.host) or "public"
        if page_space == "loopback":
            return None  # nothing is more private than loopback
        host = urlsplit(url).hostname or ""
        target = (
            self.target_space
            if self.target_space != "auto"
            else address_space(host, resolve=self.resolve_dns)
        )
        if target is None:
            return None
        if not lna_applies(page_space, target):
            return None
        if not is_secure_context_origin(page):
            self.step(
                "check",
                f"Local Network Access: the page ({page_space} address space) is not a secure context"
                f" and the server is in the more private `{target}` address space; Chromium blocks"
                " the request before sending it and no permission can allow it",
                False,
            )
            return self.outcome(
                "blocked",
                error="InsecureLocalNetwork",
                stage="local-network",
                params={"space": target},
                message_url=url,
            )
        if not self.lna_permission:
            self.step(
                "check",
                f"Local Network Access: a {page_space} page is calling the `{target}` address"
                " space; Chromium asks the user for the local-network permission first and sends"
                " nothing until it is granted (assumed denied here)",
                False,
            )
            return self.outcome(
                "blocked",
                error="LocalNetworkAccessPermissionDenied",
                stage="local-network",
                params={"space": target},
                message_url=url,
            )
        self.step(
            "note",
            f"Local Network Access: the `{target}` address space needs the user's"
            " local-network permission; assumed granted",
        )
        return None

    def run(self) -> Outcome:
        spec = self.spec
        page = spec.origin
        method = spec.method
        headers = list(spec.headers)
        body = spec.body
        use_cors_preflight = spec.body_stream
        tainting = "basic"
        url = spec.url
        redirects = 0
        for name in spec.dropped_headers:
            self.notes.append(
                Note(
                    "forbidden-header",
                    f"'{name}' is a forbidden request header: scripts cannot set it, so the browser drops it",
                )
            )
        if spec.written_method != method:
            self.step(
                "plan", f"fetch() normalises the method '{spec.written_method}' to '{method}'"
            )
        elif method.upper() != method:
            self.step(
                "plan",
                f"fetch() sends the method '{method}' as written: only DELETE, GET, HEAD,"
                " OPTIONS, POST and PUT are upper-cased, PATCH is not",
            )
        if spec.body_stream:
            self.notes.append(
                Note(
                    "stream-needs-http2",
                    "Chromium sends streamed request bodies only over"
                    " HTTP/2 or QUIC (https); over HTTP/1.1 fetch() fails with"
                    " net::ERR_H2_OR_QUIC_REQUIRED",
                )
            )
        while True:
            target = origin_of_url(url)
            blocked = self.lna(url)
            if blocked is not None:
                return blocked
            same = page.same_origin(target) and tainting == "basic" and not self.tainted
            if same:
                self.step("plan", f"same-origin request ({page.serialize()}): CORS does not apply")
            else:
                if tainting == "basic":
                    self.step(
                        "plan",
                        f"cross-origin request: the page {page.serialize()} calls {target.serialize()}",
                    )
                tainting = "cors"
                self.cross_origin = True
                unsafe = cors_unsafe_request_header_names(headers, chromium=True)
                spec_unsafe = cors_unsafe_request_header_names(headers, chromium=False)
                extra = [n for n in spec_unsafe if n not in unsafe]
                if extra and not any(n.code == "chromium-extra-safelisted" for n in self.notes):
                    self.notes.append(
                        Note(
                            "chromium-extra-safelisted",
                            f"Chromium does not preflight for {', '.join(extra)} (it safelists these client-hint"
                            " headers); the Fetch standard and Firefox do",
                        )
                    )
                reasons = preflight_reasons(method, headers, use_cors_preflight)
                if not self.reasons:
                    self.reasons = reasons
                if reasons:
                    self.step("plan", "a preflight is needed: " + "; ".join(reasons))
                    failed = self.preflight(url, method, unsafe, use_cors_preflight)
                    if failed is not None:
                        return failed
                else:
                    self.step(
                        "plan",
                        f"no preflight: {method} is CORS-safelisted and every header is"
                        ' CORS-safelisted (a "simple request"), so the request goes straight to the server',
                    )
            send_cookie = spec.credentials == "include" or (
                spec.credentials == "same-origin" and same
            )
            origin_header: str | None = self.request_origin
            if same and method in ("GET", "HEAD"):
                origin_header = None
            request = build_request(
                url,
                spec,
                method=method,
                headers=headers,
                body=body,
                request_origin=origin_header,
                send_cookie=send_cookie,
                user_agent=self.ua,
            )
            extra_text = []
            if origin_header is not None:
                extra_text.append(f"Origin: {origin_header}")
            if spec.cookie:
                extra_text.append(
                    "with the cookie" if send_cookie and spec.cookie else "without cookies"
                )
            self.step(
                "request",
                f"{method} {url}" + (f" ({', '.join(extra_text)})" if extra_text else ""),
                request=request,
            )
            response = self.send("actual", request)
            self.step(
                "response",
                f"{response.status} from {url}: {_cors_headers_text(response)}",
                response=response,
            )
            self.cookies(response, url, page)
            location = response.get("location")
            is_redirect = response.status in REDIRECT_STATUSES and location is not None
            location_url: str | None = None
            if is_redirect:
                location_url = urljoin(url, location or "")
            if tainting == "cors" and response.status not in (304, 407):
                result = cors_check(response, self.request_origin, spec.credentials)
                self.step(
                    "check",
                    _describe_check(result, response, self.request_origin, spec.credentials),
                    result.ok,
                )
                if not result.ok:
                    return self.outcome(
                        "blocked",
                        error=result.error,
                        stage="redirect" if is_redirect else "actual",
                        params=result.params,
                        response=response,
                        # the message names the URL that answered (the Location is never
                        # requested), as Chromium 150 does
                        message_url=url,
                    )
            if not is_redirect:
                readable = readable_response_headers(
                    response, cors=tainting == "cors", credentials=spec.credentials
                )
                if not 200 <= response.status <= 399:
                    self.step(
                        "note",
                        f"CORS lets the page read this response, but the server answered"
                        f" {response.status}: that is an application error, not a CORS one",
                    )
                if tainting == "cors":
                    self.step(
                        "note",
                        "JavaScript can read the status, the body and these response headers: "
                        + (shown_names(readable) if readable else "(none)"),
                    )
                return self.outcome("allowed", readable=readable)
            # --- HTTP-redirect fetch (§1.12)
            assert location_url is not None
            redirects += 1
            parts = urlsplit(location_url)
            if parts.scheme.lower() not in ("http", "https"):
                self.step("redirect", f"redirect to '{location_url}', which is not http(s)", False)
                return self.outcome(
                    "blocked",
                    stage="redirect",
                    network_error="net::ERR_UNSAFE_REDIRECT",
                    response=response,
                )
            if redirects > self.max_redirects:
                self.step("redirect", f"more than {self.max_redirects} redirects", False)
                return self.outcome(
                    "blocked",
                    stage="redirect",
                    network_error="net::ERR_TOO_MANY_REDIRECTS",
                    response=response,
                )
            try:
                new_origin = origin_of_url(location_url)
            except ValueError:
                self.step("redirect", f"redirect to a malformed URL '{location_url}'", False)
                return self.outcome(
                    "blocked",
                    stage="redirect",
                    network_error="net::ERR_INVALID_REDIRECT",
                    response=response,
                )
            has_credentials = bool(parts.username or parts.password)
            if has_credentials and (tainting == "cors" or not page.same_origin(new_origin)):
                self.step(
                    "redirect",
                    f"the redirect location '{location_url}' contains a user name or password",
                    False,
                )
                # Chromium 150 prints `Redirect location ''` and names the redirecting URL.
                return self.outcome(
                    "blocked",
                    error="RedirectContainsCredentials",
                    stage="redirect",
                    params={"location": "", "redirect_to": location_url},
                    response=response,
                    message_url=url,
                )
            if response.status != 303 and spec.body_stream and body is not None:
                self.step(
                    "redirect", "a streamed body cannot be sent again after a redirect", False
                )
                return self.outcome(
                    "blocked",
                    stage="redirect",
                    network_error="net::ERR_FAILED (streamed body cannot follow a redirect)",
                    response=response,
                )
            changes = []
            if (response.status in (301, 302) and method == "POST") or (
                response.status == 303 and method not in ("GET", "HEAD")
            ):
                changes.append(f"{response.status} turns {method} into GET and drops the body")
                method = "GET"
                body = None
                headers = [(n, v) for n, v in headers if n.lower() not in REQUEST_BODY_HEADER_NAMES]
            if not target.same_origin(new_origin):
                if any(n.lower() in CORS_NON_WILDCARD_REQUEST_HEADER_NAMES for n, _ in headers):
                    changes.append("the Authorization header is removed on a cross-origin redirect")
                    headers = [
                        (n, v)
                        for n, v in headers
                        if n.lower() not in CORS_NON_WILDCARD_REQUEST_HEADER_NAMES
                    ]
                if not page.same_origin(target) and not self.tainted:
                    self.tainted = True
                    changes.append("the request origin is now tainted: Origin becomes 'null'")
            self.step(
                "redirect",
                f"{response.status} redirect to {location_url}"
                + (f" ({'; '.join(changes)})" if changes else ""),
            )
            self.url_list.append(location_url)
            url = location_url

    def preflight(
        self, url: str, method: str, unsafe: list[str], use_cors_preflight: bool
    ) -> Outcome | None:
        spec = self.spec
        pre = build_preflight(
            url,
            method=method,
            unsafe_names=unsafe,
            request_origin=self.request_origin,
            page=spec.origin,
            user_agent=self.ua,
        )
        acrh = pre.get("access-control-request-headers")
        self.step(
            "preflight",
            f"OPTIONS {url} (Origin: {self.request_origin}; Access-Control-Request-Method: {method}"
            + (f"; Access-Control-Request-Headers: {acrh}" if acrh else "")
            + "; no cookies, no Authorization)",
            request=pre,
        )
        self.preflighted = True
        response = self.send("preflight", pre)
        self.step(
            "response",
            f"preflight answered {response.status}: {_cors_headers_text(response)}",
            response=response,
        )
        result = check_preflight_response(
            response,
            request_origin=self.request_origin,
            credentials=spec.credentials,
            method=method,
            unsafe_names=unsafe,
            use_cors_preflight=use_cors_preflight,
        )
        self.notes.extend(n for n in result.notes if n not in self.notes)
        err = result.check.error
        # describe the checks in order
        if err == "PreflightDisallowedRedirect":
            self.step(
                "check",
                f"the preflight was answered with a {response.status} redirect; a preflight never follows redirects",
                False,
            )
        else:
            access = cors_check(response, self.request_origin, spec.credentials)
            self.step(
                "check",
                _describe_check(access, response, self.request_origin, spec.credentials),
                access.ok,
            )
            if access.ok:
                ok_status = 200 <= response.status <= 299
                self.step(
                    "check",
                    f"status {response.status} "
                    + (
                        "is an ok status (200-299)"
                        if ok_status
                        else "is not an ok status (200-299)"
                    ),
                    ok_status,
                )
                if ok_status and err in (
                    "InvalidAllowMethodsPreflightResponse",
                    "InvalidAllowHeadersPreflightResponse",
                ):
                    which = "Methods" if "Methods" in err else "Headers"
                    self.step(
                        "check",
                        f"Access-Control-Allow-{which} cannot be parsed: '{result.check.params.get('bad_token')}' is not a token (use commas between items)",
                        False,
                    )
                elif ok_status:
                    acam = response.get("access-control-allow-methods")
                    if err == "MethodDisallowedByPreflightResponse":
                        self.step(
                            "check",
                            f"method {method} is not in Access-Control-Allow-Methods ({acam if acam is not None else 'absent'}); the comparison is case-sensitive",
                            False,
                        )
                        return self.fail_preflight(result.check, response, url)
                    self.step(
                        "check",
                        f"method {method} is allowed"
                        + (
                            " (CORS-safelisted)"
                            if method in SAFELISTED_METHODS
                            else f" by Access-Control-Allow-Methods: {acam}"
                        ),
                        True,
                    )
                    acah = response.get("access-control-allow-headers")
                    if err == "HeaderDisallowedByPreflightResponse":
                        self.step(
                            "check",
                            f"request header '{result.check.params.get('header')}' is not in Access-Control-Allow-Headers ({acah if acah is not None else 'absent'})",
                            False,
                        )
                    elif unsafe:
                        self.step(
                            "check",
                            f"request headers {', '.join(sorted(unsafe))} are allowed by Access-Control-Allow-Headers: {acah}",
                            True,
                        )
        if err is not None:
            return self.fail_preflight(result.check, response, url)
        ages = max_age_per_browser(result.max_age)
        self.max_age = ages
        raw = result.max_age
        if raw is not None and raw.strip().isdigit():
            seconds = int(raw.strip())
            over = [f"{b} {cap} s" for b, cap in MAX_AGE_CAPS.items() if seconds > cap]
            if over:
                self.notes.append(
                    Note(
                        "max-age-capped",
                        f"Access-Control-Max-Age: {seconds} is more than some browsers"
                        f" keep a preflight ({', '.join(over)}); 600 is the largest value every engine honours in full",
                    )
                )
        self.step(
            "note",
            "preflight passed; cached for " + ", ".join(f"{b} {s} s" for b, s in ages.items()),
        )
        return None

    def fail_preflight(self, check: CheckResult, response: WireResponse, url: str) -> Outcome:
        return self.outcome(
            "blocked",
            error=check.error,
            stage="preflight",
            params=check.params,
            response=response,
            message_url=url,
        )


def simulate(
    transport: Transport,
    url: str,
    *,
    origin: str,
    method: str = "GET",
    headers: list[tuple[str, str]] | tuple[tuple[str, str], ...] = (),
    credentials: Credentials = "same-origin",
    body: bytes | str | None = None,
    body_stream: bool = False,
    kind: str = "fetch",
    cookie: str | None = None,
    max_redirects: int = MAX_REDIRECTS,
    local_network_permission: bool = False,
    target_address_space: AddressSpace | Literal["auto"] | None = "auto",
    resolve_dns: bool = False,
    user_agent: str = CHROMIUM_UA,
) -> Outcome:
    """Simulate ``fetch(url, {method, headers, credentials, body})`` from a page at *origin*.

    *kind* is ``"fetch"`` or ``"XMLHttpRequest"`` (only the console text differs).  *cookie*
    is a ``Cookie`` header value the browser would attach when the credentials mode allows.
    Local Network Access: the target's address space comes from its host (``"auto"``: IP
    literals and ``localhost``; with *resolve_dns* also DNS) or is given; ``None`` disables the
    check.  When a public page calls a more private space, Chromium needs the user's permission:
    by default it is assumed denied and :attr:`Outcome.if_permitted` holds the outcome with the
    permission granted.  The transport's timeout bounds the whole simulation, every request and
    redirect together.  See the module docstring for the result."""
    spec = prepare(
        url,
        origin=origin,
        method=method,
        headers=headers,
        credentials=credentials,
        body=body,
        body_stream=body_stream,
        kind=kind,
        cookie=cookie,
    )

    def run(permission: bool) -> Outcome:
        return _Sim(
            transport,
            spec,
            user_agent=user_agent,
            max_redirects=max_redirects,
            local_network_permission=permission,
            target_address_space=target_address_space,
            resolve_dns=resolve_dns,
        ).run()

    with time_budget(transport):
        outcome = run(local_network_permission)
        if outcome.cors_error == "LocalNetworkAccessPermissionDenied":
            outcome.if_permitted = run(True)
    return outcome
