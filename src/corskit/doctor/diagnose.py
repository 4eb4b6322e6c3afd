"""From what the browser did to *why*, and what to change.

:func:`diagnose` takes an :class:`~corskit.doctor.fetch.Outcome` and, when the target is an app
object, the CORS middleware found in it (:func:`corskit.doctor.appinfo.find_cors_settings`),
and names the symptom (a stable code), the cause in plain words and the fix: the concrete
keyword change (``allow_methods=["GET", "POST"]``) when the settings are known, otherwise what
the server must send.

Recognised symptoms (codes in :data:`SYMPTOMS`): origin not allowed, CORS middleware missing,
a configured origin with a trailing slash / wrong case / default port, ``localhost`` versus
``127.0.0.1``, wildcard origin with credentials, credentials not allowed, a preflight rejected
with 401/403/405 by a route or by middleware outside CORS, a method missing from
``allow_methods`` (FastAPI's default is GET only), a lower-case ``patch``, a header missing from
``allow_headers``, ``Authorization`` with ``allow_headers=["*"]``, duplicate
``Access-Control-Allow-Origin`` (proxy + app), a redirect on the preflight (trailing slash),
``Origin: null`` after a redirect, a 500 without CORS headers, unparsable allow lists,
``Access-Control-Max-Age`` above a browser's cap, a cookie that will not be sent, and Local
Network Access.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .allcauses import invalid_config
from .appinfo import CORSSettings
from .causes import SYMPTOMS, Causes, Finding
from .culprits import function_name
from .fetch import Outcome
from .layers import Fix, Layer, advice

if TYPE_CHECKING:
    from .verify import Verification

__all__ = ["SYMPTOMS", "Diagnosis", "Finding", "diagnose"]


@dataclass
class Diagnosis:
    """The findings, most important first.  ``symptom``/``cause``/``fix`` are the first
    error's (or None when the request is allowed and nothing needs fixing)."""

    findings: list[Finding] = field(default_factory=list)
    settings: CORSSettings | None = None
    verification: Verification | None = None  # whether the primary finding's fix was checked

    @property
    def primary(self) -> Finding | None:
        """The finding that explains the verdict (an error), else the first warning."""
        for f in self.findings:
            if f.severity == "error":
                return f
        return self.findings[0] if self.findings else None

    @property
    def symptom(self) -> str | None:
        """Code of the primary finding."""
        p = self.primary
        return p.code if p else None

    @property
    def cause(self) -> str | None:
        """Cause of the primary finding."""
        p = self.primary
        return p.cause if p else None

    @property
    def fix(self) -> str | None:
        """Fix of the primary finding."""
        p = self.primary
        return p.fix if p else None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "symptom": self.symptom,
            "cause": self.cause,
            "fix": self.fix,
            "findings": [f.to_json() for f in self.findings],
            "settings": _settings_json(self.settings),
        }


def _settings_json(s: CORSSettings | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "middleware": s.kind,
        "layer": s.class_name,
        "where": s.where,
        "outside": s.outside,
        "settings": {
            k: _setting_json(v)
            for k, v in s.settings.items()
            if not k.startswith("dangerously") or v
        },
    }


def _setting_json(value: Any) -> Any:
    """A setting's value in JSON: lists as lists, an origin function by its name."""
    if isinstance(value, tuple | list):
        return [_setting_json(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return function_name(value)


def diagnose(
    outcome: Outcome,
    settings: list[CORSSettings] | CORSSettings | None = None,
    *,
    in_process: bool = False,
    app: Any = None,
) -> Diagnosis:
    """Name the symptom, the cause and the fix for *outcome*.

    *settings* are the CORS middleware found in the app (outermost first) when the target is an
    app object; *in_process* tells that the whole app was inspected (so "no settings found"
    means "no CORS middleware"); *app* is the app object, used to word the fix for its
    framework."""
    if isinstance(settings, list):
        primary = _for_path(settings, urlsplit(outcome.url).path or "/")
    else:
        primary = settings
    if primary is not None and primary.kind == "handwritten":
        # a hand-written layer's settings are unknown: judge what came over the wire
        ctx = Causes(outcome, None, False, _framework(app))
    else:
        ctx = Causes(outcome, primary, in_process, _framework(app))
    findings: list[Finding] = []
    if outcome.verdict == "blocked":
        findings += _blocked(outcome, ctx, settings, in_process, app)
        if in_process and findings and findings[0].code == "duplicate-acao":
            findings[0] = _second_header(findings[0], app, outcome, primary)
    elif not outcome.cross_origin:
        findings.append(
            Finding(
                "same-origin",
                "the page and the URL have the same origin, so CORS does not apply",
                "nothing to fix",
                None,
                "warning",
            )
        )
    findings += _warnings(outcome, ctx)
    if outcome.verdict == "allowed":
        # cookie problems do not block the response; keep them as warnings on an allowed request
        findings = [
            Finding(f.code, f.cause, f.fix, f.setting, "warning")
            if f.code == "cookie-not-sent"
            else f
            for f in findings
        ]
    return Diagnosis(_in_layer_words(findings, primary, outcome), primary)


def _second_header(
    finding: Finding, app: Any, outcome: Outcome, primary: CORSSettings | None
) -> Finding:
    """A duplicate Access-Control-Allow-Origin in an app called in-process: no proxy added
    it; name the mounted application that does, when one does."""
    from .mounts import mounted_source

    resp = outcome.failed_response
    lines = resp.get_all("access-control-allow-origin") if resp is not None else []
    if app is None or len(lines) < 2:
        return finding
    layer = primary.class_name if primary is not None else "the app"
    shown = " and ".join(f"'{v}'" for v in lines)
    head = f"the response has {len(lines)} Access-Control-Allow-Origin headers ({shown})"
    source = mounted_source(app, outcome)
    if source is None:
        cause = (
            f"{head}: the app was called in-process, so no proxy added one; something in the"
            f" app besides {layer} adds it too (a route, a hook, a second CORS layer)"
        )
        return replace(finding, cause=cause, fix="handle CORS in one place only")
    cause = (
        f"{head}: the application mounted at {source.path!r} ({source.name}) adds one itself"
        f" (run alone, it answers Access-Control-Allow-Origin: {source.value}) and {layer}"
        " adds the other"
    )
    fix = (
        f"handle CORS in one place: turn off the CORS of the application mounted at"
        f" {source.path!r} (python-socketio: cors_allowed_origins=[]) and keep {layer}, or"
        " mount it outside the CORS middleware"
    )
    return replace(finding, cause=cause, fix=fix)


def _for_path(settings: list[CORSSettings], path: str) -> CORSSettings | None:
    """The outermost layer that handles *path* (a flask-cors resource, a blueprint's policy)."""
    for found in settings:
        if found.layer is None or found.layer.applies_to(path):
            return found
    return settings[0] if settings else None


def _in_layer_words(
    findings: list[Finding], primary: CORSSettings | None, outcome: Outcome
) -> list[Finding]:
    """The findings in the words of the layer found (its syntax, its setting names), with
    what the layer model noticed in its configuration (a misspelt option, a middleware order)."""
    layer = primary.layer if primary is not None else None
    if layer is None:
        return [_with_change(f, f, None) for f in findings]
    findings = [_with_change(advice.reword(f, layer), f, layer) for f in findings]
    first = findings[0] if findings and findings[0].severity == "error" else None
    code, setting = (first.code, first.setting) if first else (None, None)
    status = outcome.failed_response.status if outcome.failed_response is not None else None
    for note in layer.notes:
        change = Fix(layer.model, note.changes, note.fix) if note.changes else None
        if advice.note_severity(note, layer, code, setting, status) == "error":
            findings.insert(0, Finding(note.code, note.message, note.fix, None, "error", change))
        else:
            findings.append(Finding(note.code, note.message, note.fix, None, "warning", change))
    return findings


def _with_change(finding: Finding, written: Finding, layer: Layer | None) -> Finding:
    """*finding* with its fix as a change of the layer's settings (:class:`Fix`, in the
    library's own names) when *written* (the finding in corskit's words) changes settings;
    without a layer (a URL target) the names are corskit's."""
    if finding.change is not None or written.code in (
        "cors-middleware-missing",
        "cors-config-invalid",
    ):
        return finding
    changes = advice.changes_in(written.fix)
    if not changes:
        return finding
    pairs = layer.fix(changes).changes if layer is not None else tuple(changes.items())
    return replace(finding, change=Fix(layer.model if layer else "", pairs, finding.fix))


def _framework(app: Any) -> str | None:
    if app is None:
        return None
    if hasattr(app, "wsgi_app"):
        return "flask"
    from .layers.base import qualname, walk
    from .transports import TransportError, detect_app_kind

    if any(qualname(n.obj)[0].startswith("django.core.handlers") for n in walk(app)):
        return "django"

    try:
        return detect_app_kind(app)
    except TransportError:
        return None


_MALFORMED_ANSWER = (
    "the server's answer is malformed HTTP; fix the server (or the proxy in front of it) so"
    " that it sends a status line and headers without NUL bytes"
)
_NETWORK_ERROR_FIXES = {
    "net::ERR_UNSAFE_REDIRECT": "redirect only to http:// or https:// URLs",
    "net::ERR_INVALID_HTTP_RESPONSE": _MALFORMED_ANSWER,
    "net::ERR_RESPONSE_HEADERS_TRUNCATED": "send the whole header block before closing",
    "net::ERR_EMPTY_RESPONSE": "answer the request: the server closed the connection without a byte",
    "net::ERR_RESPONSE_HEADERS_TOO_BIG": "send less than 256 KiB of response headers",
    "net::ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH": (
        "send one Content-Length (or none with Transfer-Encoding: chunked)"
    ),
    "net::ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION": "send one Location header",
    "net::ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_DISPOSITION": "send one Content-Disposition",
    "net::ERR_METHOD_NOT_SUPPORTED": "answer with an HTTP/1.x status line and headers",
    "net::ERR_CONNECTION_RESET": "find why the server (or a proxy) resets the connection",
    "net::ERR_UNEXPECTED_PROXY_AUTH": (
        "answer 401 (or, for a preflight, 204 without asking for credentials): 407 is for"
        " proxies, and a browser refuses it from the server itself"
    ),
}

_LNA_ERRORS = (
    "LocalNetworkAccessPermissionDenied",
    "InsecureLocalNetwork",
    "InvalidLocalNetworkAccess",
)


def _blocked(
    outcome: Outcome,
    ctx: Causes,
    settings: list[CORSSettings] | CORSSettings | None,
    in_process: bool,
    app: Any,
) -> list[Finding]:
    if outcome.cors_error in _LNA_ERRORS:
        findings = [_local_network(outcome)]
        if outcome.if_permitted is not None and outcome.if_permitted.verdict == "blocked":
            extra = diagnose(outcome.if_permitted, settings, in_process=in_process, app=app)
            findings.extend(
                Finding(
                    f.code, "even with the permission: " + f.cause, f.fix, f.setting, f.severity
                )
                for f in extra.findings
                if f.severity == "error"
            )
        return findings
    invalid = invalid_config(ctx.s)
    if invalid is not None:
        return [Finding(*invalid)]
    if outcome.network_error:
        return [
            Finding(
                "network-error",
                f"the request failed before CORS applied: {outcome.network_error}",
                _NETWORK_ERROR_FIXES.get(
                    outcome.network_error.split(" ", 1)[0], "fix the redirect chain"
                ),
                None,
            )
        ]
    if outcome.failed_stage == "preflight":
        return [ctx.preflight_failure()]
    return [ctx.actual_failure()]


def _local_network(outcome: Outcome) -> Finding:
    space = outcome.failure_params.get("space", "local")
    if outcome.cors_error == "InsecureLocalNetwork":
        cause = (
            f"a page that is not a secure context (plain http) is calling the `{space}` address"
            " space; Chromium's Local Network Access blocks it before sending anything, and no"
            " response header can change that"
        )
        fix = (
            "serve the page over https (then the user can grant the local-network permission), or"
            " serve the page and the API from the same address space (both on localhost in"
            " development)"
        )
    else:
        cause = (
            f"a public page is calling the `{space}` address space: Chromium's Local Network Access"
            " asks the user for permission first and sends nothing until it is granted; no"
            " response header (not even the old Access-Control-Allow-Private-Network) can fix it"
        )
        fix = (
            "the user must allow 'local network access' for the page's site (the page must be a"
            ' secure context, https); cross-origin iframes need allow="local-network"; or put'
            " the API on a public address"
        )
    return Finding("local-network-access", cause, fix, None)


def _warnings(outcome: Outcome, ctx: Causes) -> list[Finding]:
    """Findings from the outcome's warnings and cookie issues."""
    findings: list[Finding] = []
    for note in outcome.warnings:
        if note.code == "AuthorizationCoveredByWildcard":
            findings.append(ctx.authorization_finding("warning"))
        elif note.code == "max-age-capped":
            findings.append(
                Finding(
                    "max-age-capped",
                    note.text,
                    "max_age=600 (Safari keeps preflights 600 s at most, Chromium 7200 s, Firefox 86400 s)",
                    "max_age",
                    "warning",
                )
            )
    for issue in outcome.cookie_issues:
        findings.append(
            Finding(
                "cookie-not-sent",
                issue.text,
                issue.fix,
                "allow_credentials" if issue.code == "cookie-credentials-mode" else None,
                "error" if issue.severity == "error" else "warning",
            )
        )
    return findings
