"""What one simulated fetch produces: steps, notes, check results and the outcome, plus the
limits that keep a report small whatever a server sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..transports import (
    WireRequest,
    WireResponse,
)
from .cookies import CookieIssue
from .spec import (
    Origin,
)

Credentials = Literal["omit", "same-origin", "include"]
Verdict = Literal["allowed", "blocked"]

#: The User-Agent the simulated browser sends (Chromium 156 on Linux).
CHROMIUM_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)
#: Access-Control-Max-Age caps in seconds (https://fetch.spec.whatwg.org/#http-access-control-max-age).
MAX_AGE_CAPS = {"chromium": 7200, "firefox": 86400, "safari": 600}
#: Default preflight cache lifetime when the header is absent or invalid (https://fetch.spec.whatwg.org/#http-access-control-max-age).
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
    written_url: str = ""
    page_url: str | None = None


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
    #: Every CORS line Firefox prints, in order (one or two; ``firefox_message`` is the first).
    firefox_messages: tuple[str, ...] = ()
    #: Firefox's verdict where it differs from Chromium's (None: the same as ``verdict``):
    #: ``"allowed"``, ``"blocked"`` or ``"unknown"``.
    firefox_differs: str | None = None

    @property
    def firefox_verdict(self) -> str:
        """What Firefox does with the request: Chromium's verdict unless Firefox differs.
        Firefox does not enforce Local Network Access, so where Chromium stops there, Firefox's
        verdict is the one with the permission granted, or ``"unknown"`` when Chromium refuses
        without asking (the doctor then sends nothing, as Chromium does)."""
        return self.firefox_differs or self.verdict

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
            "firefox_messages": list(self.firefox_messages),
            "firefox_verdict": self.firefox_verdict,
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
