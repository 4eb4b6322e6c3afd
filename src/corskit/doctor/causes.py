"""The causes behind a CORS failure and their fixes, worded for the CORS layer found in the
app (corskit's own engine is asked; Starlette is modelled in :mod:`corskit.doctor.layers`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from ..origins import is_loopback_host
from .allcauses import combined_fix, listed_origin_gaps, moved_patterns, with_origin
from .appinfo import CORSSettings
from .culprits import function_name, redirect_cause
from .fetch import Outcome
from .fetch.spec import SAFELISTED_METHODS, cors_unsafe_request_header_names
from .layers import Fix, config_reason, server_reason_from_body, starlette
from .listing import joined_names_fix, uncovered_path
from .origin_spelling import (
    host_port,
    normalise_config_origin,
    regex_fix,
    regexes_matching,
    spelling_differences,
    without_scheme,
)
from .symptoms import SYMPTOMS
from .wire import WireResponse

__all__ = ["SYMPTOMS", "Causes", "Finding"]


@dataclass(frozen=True)
class Finding:
    """One recognised symptom: ``code`` (see :data:`SYMPTOMS`), the cause, the fix, the
    setting the fix changes (a keyword name, or None), and ``error``/``warning``."""

    code: str
    cause: str
    fix: str
    setting: str | None = None
    severity: Literal["error", "warning"] = "error"
    #: The fix as settings of the layer found (its own names, complete new values), when the
    #: fix is a change of settings; None otherwise (move a middleware, call another URL).
    change: Fix | None = None

    @property
    def title(self) -> str:
        """Short name of the symptom."""
        return SYMPTOMS.get(self.code, self.code)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "code": self.code,
            "title": self.title,
            "cause": self.cause,
            "fix": self.fix,
            "setting": self.setting,
            "severity": self.severity,
        }


# helpers

_ALL_METHODS = starlette.ALL_METHODS
_SAFELISTED_NAMES = starlette.ALWAYS_ALLOWED_HEADERS
_as_list = starlette.as_list


def _fmt(values: list[str] | tuple[str, ...]) -> str:
    return json.dumps(list(values))


def _kw(name: str, values: list[str]) -> str:
    return f"{name}={_fmt(values)}"


def _with(values: list[str], item: str) -> list[str]:
    out = [v for v in values if v != "*"] if item != "*" else list(values)
    if item not in out:
        out.append(item)
    return out


# ------------------------------------------------------------------------------------------
# the findings


class Causes:
    """Every cause this outcome can have, each with its fix in the words of the CORS layer
    found (the explanation step of :func:`corskit.doctor.diagnose.diagnose`)."""

    def __init__(
        self,
        outcome: Outcome,
        settings: CORSSettings | None,
        in_process: bool,
        framework: str | None,
    ) -> None:
        self.framework = framework
        self.o = outcome
        self.s = settings
        self.in_process = in_process
        self.origin = outcome.request.origin.serialize()
        self.method = outcome.request.method
        self.unsafe = cors_unsafe_request_header_names(list(outcome.request.headers), chromium=True)
        self.mw = settings.class_name if settings else "your CORS middleware"
        self.path = urlsplit(outcome.url).path or "/"

    def setting(self, name: str) -> list[str]:
        return _as_list(self.s.get(name)) if self.s else []

    # -- individual symptoms
    def origin_finding(self) -> Finding:
        o = self.origin
        if o == "null":
            return Finding(
                "origin-not-allowed",
                "the page has an opaque origin and sends Origin: null (a sandboxed iframe, a file://"
                " page or a data: URL); allowing 'null' would let every sandboxed page on the web in",
                "serve the page from a real origin (e.g. http://localhost:5173 in development) and"
                " allow that origin in allow_origins; do not add 'null'",
                "allow_origins",
            )
        if self.s is None:
            if self.in_process:
                return self.missing_middleware()
            return Finding(
                "origin-not-allowed",
                f"the server sent no Access-Control-Allow-Origin for the origin {o}: either CORS is not"
                " enabled on this path or it does not list this origin",
                f'allow the origin in the server\'s CORS settings, e.g. allow_origins=["{o}"]'
                " (with corskit's or Starlette's CORSMiddleware)",
                "allow_origins",
            )
        configured = self.setting("allow_origins")
        if isinstance(self.s.get("allow_origins"), str):
            return Finding(
                "origin-typo",
                f"allow_origins is the string {self.s.get('allow_origins')!r}, not a list; Starlette then"
                " matches origins by substring",
                f"pass a list: {_kw('allow_origins', [o])}",
                "allow_origins",
            )
        for entry in configured:
            norm = normalise_config_origin(entry) if "://" in entry else without_scheme(entry, o)
            if norm == o and entry != o:
                detail = " and ".join(spelling_differences(entry)) or "a different spelling"
                fixed = [o if e == entry else e for e in configured]
                return Finding(
                    "origin-typo",
                    f"allow_origins has '{entry}', with {detail}; browsers send exactly '{o}' and the"
                    " comparison is byte for byte",
                    f"{_kw('allow_origins', fixed)}",
                    "allow_origins",
                )
        scheme, host, port = host_port(o)
        if is_loopback_host(host):
            for entry in configured:
                es, eh, ep = host_port(entry) if "://" in entry else ("", "", "")
                if is_loopback_host(eh) and eh != host and es == scheme and ep == port:
                    return Finding(
                        "localhost-vs-127",
                        f"allow_origins has '{entry}' but the page is at '{o}': {host} and {eh} are"
                        " different origins to the browser, even on the same machine",
                        f"{_kw('allow_origins', _with(configured, o))} (or open the page at {entry})",
                        "allow_origins",
                    )
        return self.unlisted_origin(configured)

    def unlisted_origin(self, configured: list[str]) -> Finding:
        """The origin is not allowed: everything else the request lacks joins its fix (or,
        when the origin is listed after all, what the layer refused instead)."""
        assert self.s is not None
        o = self.origin
        if o in configured or "*" in configured:
            gaps = listed_origin_gaps(self)
            if gaps is not None:
                return Finding(*gaps)
        regexes = regexes_matching(configured, o)
        if regexes:
            moved = regex_fix(configured, regexes, self.s.get("allow_origin_regex"), o)
            cause, fix = with_origin(self, *moved)
            return Finding("origin-not-allowed", cause, fix, "allow_origins")
        patterns = moved_patterns(self, configured)
        if patterns is not None:
            return Finding("origin-not-allowed", *patterns, "allow_origins")
        func = function_name(self.s.get("allow_origin_func"))
        cause, fix = with_origin(
            self,
            f"the origin {o} is not in allow_origins ({_fmt(configured) if configured else 'empty'})"
            + (
                f" and does not match allow_origin_regex {self.s.get('allow_origin_regex')!r}"
                if self.s.get("allow_origin_regex")
                else ""
            )
            + (f", and your origin function {func} did not accept it" if func else ""),
            _kw("allow_origins", _with(configured, o)),
        )
        if func:
            fix = f"have {func} accept {o} (e.g. add it to the data it reads), or list it: {fix}"
        return Finding("origin-not-allowed", cause, fix, "allow_origins")

    def path_not_covered(self) -> Finding | None:
        """The layer found does not handle this path: nothing it allows applies."""
        found = uncovered_path(self.s.layer if self.s else None, self.path, self.origin)
        if found is None:
            return None
        cause = f"{self.mw} does not handle {self.path}: {found[0]}"
        return Finding("path-not-covered", cause, found[1].text, None, change=found[1])

    def missing_middleware(self) -> Finding:
        o = self.origin
        methods = ["GET"] if self.method in ("GET", "HEAD") else ["GET", self.method]
        unsafe = [h for h in self.unsafe if h not in _SAFELISTED_NAMES]
        include = self.o.request.credentials == "include"
        flask = self.framework == "flask"
        # flask-cors and Starlette/corskit name the same settings differently.
        methods_kw, credentials_kw = (
            ("methods", "supports_credentials") if flask else ("allow_methods", "allow_credentials")
        )
        if flask:
            fix = f'add CORS with flask-cors: CORS(app, origins=["{o}"]'
        else:
            fix = f'add CORS: app.add_middleware(CORSMiddleware, allow_origins=["{o}"]'
        if methods != ["GET"]:
            fix += f", {methods_kw}={_fmt(methods)}"
        if unsafe:
            fix += f", allow_headers={_fmt(unsafe)}"
        if include:
            fix += f", {credentials_kw}=True"
        fix += ")"
        if not flask:
            fix += " (corskit.CORSMiddleware takes the same keywords as Starlette's)"
            if self.framework in ("wsgi", "django"):
                fix += "; for a WSGI app use your framework's CORS extension with the same settings"
        status = self.o.status
        where = ""
        if self.o.failed_stage == "preflight" and status is not None:
            where = f"; the preflight reached your routes and got {status}"
        return Finding(
            "cors-middleware-missing",
            f"no CORS middleware was found in the app{where}",
            fix,
            "allow_origins",
        )

    def method_finding(self, method: str) -> Finding:
        if method != method.upper():
            return self.lowercase_finding(method)
        every = self.every_cause("method-not-allowed", "allow_methods")
        if every is not None:
            return every
        configured = self.setting("allow_methods")
        default_note = ""
        if (
            self.s is not None
            and self.s.kind == "starlette"
            and (self.s.given is None or "allow_methods" not in self.s.given)
        ):
            default_note = " (Starlette's and FastAPI's default is GET only)"
        if self.s is None and self.o.failed_response is not None:
            kept = combined_fix(self, minimum=1)
            if kept is not None and "allow_methods=" in kept[1]:
                return Finding("method-not-allowed", kept[0], kept[1], "allow_methods")
        if self.s is None:
            return Finding(
                "method-not-allowed",
                f"the preflight response does not allow the method {method}",
                f'list it in the server\'s CORS settings, e.g. allow_methods=["GET", "{method}"], so the'
                f" preflight answers Access-Control-Allow-Methods: {method}",
                "allow_methods",
            )
        return Finding(
            "method-not-allowed",
            f"{method} is not in allow_methods={_fmt(configured)}{default_note}",
            _kw("allow_methods", _with(configured, method)),
            "allow_methods",
        )

    def every_cause(self, code: str, setting: str) -> Finding | None:
        """One finding for a preflight refused for its method and headers together."""
        found = combined_fix(self)
        return Finding(code, found[0], found[1], setting) if found else None

    def lowercase_finding(self, method: str) -> Finding:
        return Finding(
            "lowercase-method",
            f"the page sends the method '{method}' in lower case: browsers upper-case only DELETE, GET,"
            " HEAD, OPTIONS, POST and PUT, and Access-Control-Allow-Methods is compared"
            f" case-sensitively, so '{method.upper()}' does not allow '{method}'",
            f"write method: '{method.upper()}' in the page's fetch() call"
            + (f" (and keep '{method.upper()}' in allow_methods)" if self.s else ""),
            "allow_methods",
        )

    def header_finding(self, header: str) -> Finding:
        configured = self.setting("allow_headers")
        resp = self.o.failed_response
        acah = (resp.get("access-control-allow-headers") or "") if resp is not None else ""
        if header == "authorization" and ("*" in configured or "*" in acah):
            return self.authorization_finding("error")
        if self.s is not None and any("," in c for c in configured):
            joined = joined_names_fix(configured, self.unsafe, self.mw)
            return Finding("header-not-allowed", *joined, "allow_headers")
        every = self.every_cause("header-not-allowed", "allow_headers")
        if every is not None:
            return every
        if self.s is None:
            missing = [header]
            resp = self.o.failed_response
            if resp is not None and resp.get("access-control-allow-headers") is not None:
                listed = {
                    x.strip().lower()
                    for x in (resp.get("access-control-allow-headers") or "").split(",")
                }
                missing = [h for h in sorted(self.unsafe) if h not in listed] or [header]
            return Finding(
                "header-not-allowed",
                f"the request header '{header}' is not allowed by the preflight response"
                + (
                    f" (nor {', '.join(m for m in missing if m != header)})"
                    if len(missing) > 1
                    else ""
                ),
                f"allow it in the server's CORS settings, e.g. {_kw('allow_headers', missing)}",
                "allow_headers",
            )
        covered = {c.lower() for c in configured} | _SAFELISTED_NAMES
        missing = [h for h in sorted(self.unsafe) if h not in covered] or [header]
        if "*" in configured:
            fixed = [*configured, *[m for m in missing if m not in configured]]
        else:
            fixed = list(configured)
            for m in missing:
                fixed = _with(fixed, m)
        names = ", ".join(f"'{m}'" for m in missing)
        return Finding(
            "header-not-allowed",
            f"the request header{'s' if len(missing) > 1 else ''} {names}"
            f" {'are' if len(missing) > 1 else 'is'} not in allow_headers={_fmt(configured)}",
            f"add {'them' if len(missing) > 1 else 'it'}: {_kw('allow_headers', fixed)}",
            "allow_headers",
        )

    def authorization_finding(self, severity: Literal["error", "warning"]) -> Finding:
        configured = self.setting("allow_headers") or ["*"]
        fixed = (
            list(configured)
            if "authorization" in [c.lower() for c in configured]
            else [*configured, "authorization"]
        )
        if severity == "warning":
            cause = (
                "Access-Control-Allow-Headers: * is used to allow Authorization; Chromium 156 still"
                " accepts that with the deprecation warning AuthorizationCoveredByWildcard, but the"
                " Fetch standard says * never covers Authorization and browsers are removing it"
            )
        else:
            cause = (
                'allow_headers=["*"] does not cover Authorization: the Fetch standard requires it to be'
                " listed explicitly"
                + (
                    " (corskit follows the standard)"
                    if self.s is not None and self.s.kind == "corskit"
                    else ""
                )
                + (
                    ", and with credentials '*' is only a literal name"
                    if self.o.request.credentials == "include"
                    else ""
                )
            )
        return Finding(
            "authorization-wildcard",
            cause,
            f"list it explicitly: {_kw('allow_headers', fixed)}",
            "allow_headers",
            severity,
        )

    def credentials_finding(self) -> Finding:
        every = self.every_cause("credentials-not-allowed", "allow_credentials")
        if every is not None:  # the preflight also lacks a method or a header
            return every
        return Finding(
            "credentials-not-allowed",
            "the request is sent with credentials: 'include' (cookies / HTTP auth) but the response"
            " does not carry Access-Control-Allow-Credentials: true"
            + (
                " because allow_credentials is False"
                if self.s is not None and not self.s.get("allow_credentials")
                else ""
            ),
            "allow_credentials=True (with the trusted origins listed explicitly in allow_origins);"
            " or, if the request needs no cookies, call fetch() without credentials: 'include'",
            "allow_credentials",
        )

    def wildcard_finding(self) -> Finding:
        o = self.origin
        configured = [c for c in self.setting("allow_origins") if c != "*"]
        if self.s is not None:
            fix = f"{_kw('allow_origins', _with(configured, o))}, allow_credentials=True (list the trusted origins; '*' cannot be used with credentials)"
        else:
            fix = (
                f"send the request's origin instead of '*' (Access-Control-Allow-Origin: {o}, with"
                " Vary: Origin) and Access-Control-Allow-Credentials: true, e.g."
                f' allow_origins=["{o}"], allow_credentials=True'
            )
        return Finding(
            "wildcard-with-credentials",
            "the response says Access-Control-Allow-Origin: * but the request is credentialed"
            " (credentials: 'include'); browsers refuse '*' for credentialed requests",
            fix,
            "allow_origins",
        )

    def duplicate_finding(self) -> Finding:
        resp = self.o.failed_response
        lines = resp.get_all("access-control-allow-origin") if resp else []
        if len(lines) > 1:
            shown = " and ".join(f"'{v}'" for v in lines)
            return Finding(
                "duplicate-acao",
                f"the response has {len(lines)} Access-Control-Allow-Origin headers ({shown}): usually a"
                " reverse proxy or gateway (nginx add_header, an API gateway's CORS option) adds one and"
                " the app adds another",
                "handle CORS in one place only: remove the proxy's Access-Control-* headers (e.g. nginx"
                " add_header lines) or remove the app's CORS middleware",
                None,
            )
        value = self.o.failure_params.get("value", "")
        return Finding(
            "duplicate-acao",
            f"Access-Control-Allow-Origin is the list '{value}'; it must be exactly one origin (or *)",
            "send only the request's origin when it is allowed (corskit's and Starlette's middleware do"
            " this from allow_origins=[...])",
            "allow_origins",
        )

    def preflight_rejected(self) -> Finding:
        resp = self.o.failed_response
        status = resp.status if resp else self.o.status
        outside = self.s.outside if self.s else []
        auth_like = status in (401, 403)
        if outside:
            names = ", ".join(outside)
            why = {
                "asgi": " (a middleware added with add_middleware after CORS is outside it)",
                "flask": " (a before_request function runs before the view and flask-cors' headers)",
            }.get(self.framework or "", "")
            cause = (
                f"the preflight was answered {status} by {names}, which runs before {self.mw}{why};"
                " browsers never send cookies or Authorization on a preflight"
            )
            fix = (
                "make CORS the outermost layer: call app.add_middleware(CORSMiddleware, ...) after"
                f" adding {names}, or use corskit.outermost(app, ...); or let OPTIONS requests through"
                " without authentication"
            )
            return Finding("preflight-rejected", cause, fix, None)
        if status == 405:
            cause = (
                "the preflight (OPTIONS) reached a route that has no OPTIONS handler and got 405 Method"
                " Not Allowed: no CORS middleware answered it"
            )
        elif auth_like:
            cause = (
                f"the preflight was answered {status} without CORS headers; browsers never send cookies"
                " or Authorization on a preflight, so an authentication layer that runs before CORS"
                " refuses it"
            )
        else:
            cause = f"the preflight was answered {status} without CORS headers: nothing that handles CORS answered it"
        if auth_like:
            fix = (
                "let OPTIONS preflights through without authentication (browsers never send"
                " credentials on them), or have CORS answer them first: add CORSMiddleware last with"
                " app.add_middleware(...) or use corskit.outermost(app, ...)"
            )
        else:
            fix = (
                "make sure CORS middleware answers OPTIONS preflights before routing and"
                " authentication: add it last with app.add_middleware(CORSMiddleware, ...) or use"
                " corskit.outermost(app, ...)"
            )
        return Finding("preflight-rejected", cause, fix, None)

    def from_reason(self, reason: str, detail: str) -> Finding | None:
        if reason in ("origin-not-allowed", "origin-null"):
            return self.origin_finding()
        if reason == "method-not-allowed":
            return self.method_finding(detail or self.method)
        if reason == "header-not-allowed":
            listed = {x.lower() for x in self.setting("allow_headers")}
            candidates = [h for h in sorted(self.unsafe) if h not in listed]
            preferred = [h for h in candidates if h not in _SAFELISTED_NAMES]
            name = detail or next(iter(preferred or candidates), "")
            return self.header_finding(name)
        if reason == "authorization-not-covered-by-wildcard":
            return self.authorization_finding("error")
        if reason in ("header-list-too-long", "header-list-malformed"):
            return Finding(
                "header-not-allowed",
                f"the server refused the Access-Control-Request-Headers list ({reason})",
                "send fewer / shorter custom headers, or raise the middleware's limit",
                "allow_headers",
            )
        return None

    def preflight_failure(self) -> Finding:
        err = self.o.cors_error or ""
        resp = self.o.failed_response
        if err == "PreflightDisallowedRedirect" and resp is not None:
            return self.preflight_redirect(resp)
        uncovered = self.path_not_covered() if "MissingAllowOrigin" in err else None
        if uncovered is not None:
            return uncovered
        by_error = {
            "PreflightWildcardOriginNotAllowed": self.wildcard_finding,
            "PreflightInvalidAllowCredentials": self.credentials_finding,
            "PreflightMultipleAllowOriginValues": self.duplicate_finding,
            "PreflightAllowOriginMismatch": self.mismatch_finding,
            "PreflightInvalidAllowOriginValue": self.mismatch_finding,
        }
        if err in by_error:
            return by_error[err]()
        if err in ("InvalidAllowMethodsPreflightResponse", "InvalidAllowHeadersPreflightResponse"):
            return self.unparsable_finding(err)
        if err == "MethodDisallowedByPreflightResponse":
            return self.method_finding(self.o.failure_params.get("method", self.method))
        if err == "HeaderDisallowedByPreflightResponse":
            return self.header_finding(self.o.failure_params.get("header", ""))
        # PreflightMissingAllowOriginHeader / PreflightInvalidStatus: the server refused it.
        has_cors = resp is not None and any(
            k.startswith("access-control-allow-") for k, _ in resp.headers
        )
        found = (
            self.refused_by_settings(resp, has_cors)
            if self.s is not None
            else self.refused_by_server(resp, has_cors)
        )
        if found is not None:
            return found
        if err == "PreflightMissingAllowOriginHeader":
            return self.origin_finding()
        return Finding(
            "blocked", f"the preflight failed ({err})", "see the Chromium message above", None
        )

    def preflight_redirect(self, resp: WireResponse) -> Finding:
        cause, fix = redirect_cause(resp, self.o.final_url, self.framework)
        return Finding("preflight-redirect", cause, fix, None)

    def unparsable_finding(self, err: str) -> Finding:
        which = "Methods" if "Methods" in err else "Headers"
        value = self.o.failure_params.get("value", "")
        return Finding(
            "allow-list-unparsable",
            f"Access-Control-Allow-{which}: '{value}' is not a comma-separated list of tokens"
            f" ('{self.o.failure_params.get('bad_token', '')}' is not a token)",
            "separate items with commas, e.g. 'GET, POST' (in settings: a list of single names"
            f', allow_{which.lower()}=["GET", "POST"])',
            f"allow_{which.lower()}",
        )

    def refused_by_settings(self, resp: WireResponse | None, has_cors: bool) -> Finding | None:
        """A refused preflight, explained by the CORS settings found in the app."""
        assert self.s is not None
        origin = self.o.request_origin or self.origin
        reason, detail = config_reason(self.s, origin, self.method, self.unsafe, True, self.path)
        if self.s.outside and (not reason or (resp is not None and resp.status in (401, 405))):
            return self.preflight_rejected()
        if reason:
            found = self.from_reason(reason, detail)
            if found is not None:
                return found
        if not has_cors:
            return self.preflight_rejected()
        return None

    def refused_by_server(self, resp: WireResponse | None, has_cors: bool) -> Finding | None:
        """A refused preflight, explained from the response alone (no settings found)."""
        reason, detail = server_reason_from_body(self.o)
        if reason:
            found = self.from_reason(reason, detail)
            if found is not None:
                return found
        if resp is not None and resp.status in (401, 403, 407):
            return self.preflight_rejected()
        if self.in_process and not has_cors:
            return self.missing_middleware()
        if resp is not None and resp.status in (404, 405) and not has_cors:
            return self.preflight_rejected()
        if resp is not None and has_cors and not (200 <= resp.status <= 299):
            acam = resp.get("access-control-allow-methods") or ""
            allowed = {m.strip() for m in acam.split(",")} | SAFELISTED_METHODS
            if self.method not in allowed:
                return self.method_finding(self.method)
            return Finding(
                "preflight-rejected",
                f"the server refused the preflight with {resp.status}",
                "answer the preflight with 204 (or 200) and the CORS headers; check which method or"
                " header the server's CORS settings are missing",
                None,
            )
        return None

    def mismatch_finding(self) -> Finding:
        value = self.o.failure_params.get("value", "")
        o = self.o.request_origin or self.origin
        if self.s is not None or normalise_config_origin(value) == self.origin:
            typo = self.origin_finding() if self.s is not None else None
            if typo is not None and typo.code in ("origin-typo", "localhost-vs-127"):
                return typo
        if normalise_config_origin(value) == self.origin:
            return Finding(
                "origin-typo",
                f"the server sends Access-Control-Allow-Origin: '{value}' but browsers compare it byte for"
                f" byte with '{self.origin}' (no trailing slash, lower case, no default port)",
                f"configure the origin exactly as '{self.origin}', e.g. allow_origins=[\"{self.origin}\"]",
                "allow_origins",
            )
        return Finding(
            "origin-mismatch",
            f"the server answers Access-Control-Allow-Origin: '{value}', which is not the page's origin {o}",
            f'send the request\'s origin when it is allowed, e.g. allow_origins=["{self.origin}"]',
            "allow_origins",
        )

    def actual_failure(self) -> Finding:
        err = self.o.cors_error or ""
        resp = self.o.failed_response
        if err == "WildcardOriginNotAllowed":
            return self.wildcard_finding()
        if err == "InvalidAllowCredentials":
            return self.credentials_finding()
        if err == "MultipleAllowOriginValues":
            return self.duplicate_finding()
        if err in ("AllowOriginMismatch", "InvalidAllowOriginValue"):
            if self.o.request_origin == "null" and self.o.redirected:
                return self.null_origin_finding()
            return self.mismatch_finding()
        if err == "RedirectContainsCredentials":
            return Finding(
                "redirect-credentials",
                f"the redirect goes to '{self.o.failure_params.get('redirect_to', '')}', which contains a user name"
                " and password; browsers refuse that for cross-origin requests",
                "redirect to a URL without user:password@ (send credentials in a header instead)",
                None,
            )
        # MissingAllowOriginHeader
        uncovered = self.path_not_covered() if err == "MissingAllowOriginHeader" else None
        if uncovered is not None:
            return uncovered
        if resp is not None and resp.status >= 500:
            errors = "; ".join(self.o.app_errors[:1])
            return Finding(
                "server-error-without-cors",
                f"the server answered {resp.status} without CORS headers"
                + (f" (the app raised {errors})" if errors else "")
                + ": in Starlette/FastAPI the error response comes from ServerErrorMiddleware, which sits"
                " outside CORSMiddleware, so the browser reports a CORS error instead of the 500",
                "fix the exception; and install CORS outside everything with corskit.outermost(app, ...)"
                " so error responses carry CORS headers too",
                None,
            )
        if self.o.redirected and self.o.request_origin == "null":
            return self.null_origin_finding()
        if self.s is not None:
            reason, detail = config_reason(
                self.s, self.origin, self.method, self.unsafe, False, self.path
            )
            if reason:
                found = self.from_reason(reason, detail)
                if found is not None:
                    return found
            return Finding(
                "blocked",
                f"the response has no Access-Control-Allow-Origin although {self.mw} allows {self.origin};"
                " something after the middleware (a proxy?) or a route removed it, or this path is not"
                " behind the middleware",
                "check that every route is behind the CORS middleware",
                None,
            )
        return self.origin_finding()

    def null_origin_finding(self) -> Finding:
        return Finding(
            "redirect-null-origin",
            "the request was redirected across origins, so the browser now sends Origin: null (a"
            " tainted origin) and the server does not allow that; do not allow 'null' (any sandboxed"
            " page can send it)",
            f"call the final URL ({self.o.final_url}) directly instead of going through the redirect",
            None,
        )
