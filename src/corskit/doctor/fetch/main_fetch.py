"""The simulation driver, named after Fetch's main fetch: one hop at a time, Local Network
Access first, then the CORS-preflight fetch when needed, the request, the CORS check, and the
HTTP-redirect fetch for the next hop (Fetch standard, main fetch:
https://fetch.spec.whatwg.org/#main-fetch)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from ..transports import NetworkError, Transport, WireRequest, WireResponse, time_budget
from . import messages
from .cookies import CookieIssue, analyse_set_cookie
from .cors_check import cors_check, cors_headers_text, describe_check, readable_response_headers
from .header_order import in_chromium_order
from .model import (
    CHROMIUM_UA,
    MAX_COOKIES,
    MAX_REDIRECTS,
    REDIRECT_STATUSES,
    Credentials,
    Note,
    Outcome,
    RequestSpec,
    Step,
    Verdict,
    shown_names,
)
from .netspace import AddressSpace, address_space, is_secure_context_origin, lna_applies
from .preflight_fetch import cors_preflight_fetch
from .redirect_fetch import http_redirect_fetch
from .request import build_request, preflight_reasons, prepare
from .spec import Origin, cors_unsafe_request_header_names, origin_of_url

__all__ = ["Hop", "Simulation", "simulate"]


class _Refused(Exception):
    """The browser fails the request with a network error; carries the outcome."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.network_error)
        self.outcome = outcome


@dataclass
class Hop:
    """The request as it stands on one hop of a redirect chain."""

    url: str
    method: str
    headers: list[tuple[str, str]]
    body: bytes | None
    tainting: str = "basic"
    redirects: int = 0


class Simulation:
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
        """Send *request*; an answer the browser refuses (a network error such as
        net::ERR_INVALID_HTTP_RESPONSE) ends the simulation with that error, before any CORS
        check, as in Chromium."""
        try:
            response = self.transport.send(request)
        except NetworkError as exc:
            self.exchanges.append((kind, request, None))
            self.step(
                "response",
                f"{'the preflight' if kind == 'preflight' else request.method} to {request.url}"
                f" failed: Chromium refuses the answer with {exc.net_error} ({exc.detail})",
                False,
            )
            network_error = f"{exc.net_error} ({exc.detail})"
            raise _Refused(
                self.outcome("blocked", stage=kind, network_error=network_error)
            ) from None
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
                # after a tainting redirect (seen in Chromium 150, tests/doctor/browser).
                origin=self.spec.origin.serialize(),
                initial_url=self.url_list[0] if last != self.url_list[0] else None,
                kind=self.spec.kind,
                **{
                    k: v
                    for k, v in params.items()
                    if k in ("value", "method", "header", "location", "space", "target_space")
                },
            )
        elif network_error is not None:
            chromium = messages.network_error_message(network_error)
        firefox_lines = messages.firefox_messages(
            error,
            url=message_url or final_url,
            stage=stage,
            network_error=network_error,
            status=response.status if response is not None else None,
            value=params.get("value", ""),
            header=params.get("firefox_header", params.get("header", "")),
            bad_token=params.get("bad_token", ""),
        )
        firefox = firefox_lines[0] if firefox_lines else None
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
            firefox_messages=firefox_lines,
        )

    # -- Local Network Access (https://wicg.github.io/local-network-access/)
    def lna(self, url: str) -> Outcome | None:
        if self.target_space is None:
            return None
        page_space, secure = self.page_context()
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
        if not secure:
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

    def page_context(self) -> tuple[AddressSpace, bool]:
        """The page's address space and whether it is a secure context. Both come from the
        URL the page was served from when it is known, which is what decides them for a
        page whose origin is opaque (HTML, secure context:
        https://html.spec.whatwg.org/multipage/webappapis.html#secure-context); otherwise
        from the page's origin, and an opaque origin alone counts as public and not secure."""
        page = self.spec.origin
        if self.spec.page_url is not None:
            parsed = urlsplit(self.spec.page_url)
            host = (parsed.hostname or "").strip("[]")
            space: AddressSpace = address_space(host, resolve=self.resolve_dns) or "public"
            return space, parsed.scheme == "https" or space == "loopback"
        if page.opaque:
            return "public", False
        return address_space(page.host) or "public", is_secure_context_origin(page)

    def run(self) -> Outcome:
        """Run the simulation to its outcome."""
        try:
            return self._run()
        except _Refused as refused:
            return refused.outcome

    def _run(self) -> Outcome:
        spec = self.spec
        self.announce()
        hop = Hop(spec.url, spec.method, list(spec.headers), spec.body)
        while True:
            target = origin_of_url(hop.url)
            blocked = self.lna(hop.url)
            if blocked is not None:
                return blocked
            same = spec.origin.same_origin(target) and hop.tainting == "basic" and not self.tainted
            if same:
                self.step(
                    "plan", f"same-origin request ({spec.origin.serialize()}): CORS does not apply"
                )
            else:
                failed = self.cross_origin_plan(hop, target)
                if failed is not None:
                    return failed
            response = self.send_main(hop, same)
            if response.status == 407:
                return self.proxy_auth_error(response, "actual")
            location = response.get("location")
            is_redirect = response.status in REDIRECT_STATUSES and location is not None
            failed = self.check_response(hop, response, is_redirect)
            if failed is not None:
                return failed
            if not is_redirect:
                return self.allowed(hop, response)
            done = http_redirect_fetch(self, hop, response, location or "", target)
            if done is not None:
                return done

    def announce(self) -> None:
        """What fetch() does to the request before anything is sent."""
        spec = self.spec
        if spec.written_url and spec.written_url != spec.url:
            self.step(
                "plan",
                f"the browser parses the URL as the URL Standard says and sends {spec.url}"
                " (https://url.spec.whatwg.org/#concept-basic-url-parser)",
            )
        if spec.page_url is not None and spec.origin.opaque:
            space, secure = self.page_context()
            self.step(
                "plan",
                f"the page's origin is null (a sandboxed document) and it was served from"
                f" {spec.page_url}: it is {'a' if secure else 'not a'} secure context in the"
                f" {space} address space",
            )
        for name in spec.dropped_headers:
            self.notes.append(
                Note(
                    "forbidden-header",
                    f"'{name}' is a forbidden request header: scripts cannot set it, so the browser drops it",
                )
            )
        if spec.written_method != spec.method:
            self.step(
                "plan", f"fetch() normalises the method '{spec.written_method}' to '{spec.method}'"
            )
        elif spec.method.upper() != spec.method:
            self.step(
                "plan",
                f"fetch() sends the method '{spec.method}' as written: only DELETE, GET, HEAD,"
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

    def cross_origin_plan(self, hop: Hop, target: Origin) -> Outcome | None:
        """A cross-origin hop: the response tainting becomes "cors" and a CORS-preflight
        fetch runs when the method or a header needs one."""
        if hop.tainting == "basic":
            self.step(
                "plan",
                f"cross-origin request: the page {self.spec.origin.serialize()} calls {target.serialize()}",
            )
        hop.tainting = "cors"
        self.cross_origin = True
        # In the order Chromium's header check visits them, so the first refused one is the
        # one its console line names (header_order.py).
        in_order = in_chromium_order(hop.headers, trustworthy_url=is_secure_context_origin(target))
        unsafe = cors_unsafe_request_header_names(in_order, chromium=True)
        spec_unsafe = cors_unsafe_request_header_names(hop.headers, chromium=False)
        extra = [n for n in spec_unsafe if n not in unsafe]
        if extra and not any(n.code == "chromium-extra-safelisted" for n in self.notes):
            self.notes.append(
                Note(
                    "chromium-extra-safelisted",
                    f"Chromium does not preflight for {', '.join(extra)} (it safelists these client-hint"
                    " headers); the Fetch standard and Firefox do",
                )
            )
        use_cors_preflight = self.spec.body_stream
        reasons = preflight_reasons(hop.method, hop.headers, use_cors_preflight)
        if not self.reasons:
            self.reasons = reasons
        if reasons:
            self.step("plan", "a preflight is needed: " + "; ".join(reasons))
            return cors_preflight_fetch(self, hop.url, hop.method, unsafe, use_cors_preflight)
        self.step(
            "plan",
            f"no preflight: {hop.method} is CORS-safelisted and every header is"
            ' CORS-safelisted (a "simple request"), so the request goes straight to the server',
        )
        return None

    def send_main(self, hop: Hop, same: bool) -> WireResponse:
        """Send the request of this hop and record the response and its cookies."""
        spec = self.spec
        send_cookie = spec.credentials == "include" or (spec.credentials == "same-origin" and same)
        origin_header: str | None = self.request_origin
        if same and hop.method in ("GET", "HEAD"):
            origin_header = None
        request = build_request(
            hop.url,
            spec,
            method=hop.method,
            headers=hop.headers,
            body=hop.body,
            request_origin=origin_header,
            send_cookie=send_cookie,
            user_agent=self.ua,
        )
        extra_text = []
        if origin_header is not None:
            extra_text.append(f"Origin: {origin_header}")
        if spec.cookie:
            extra_text.append("with the cookie" if send_cookie else "without cookies")
        self.step(
            "request",
            f"{hop.method} {hop.url}" + (f" ({', '.join(extra_text)})" if extra_text else ""),
            request=request,
        )
        response = self.send("actual", request)
        self.step(
            "response",
            f"{response.status} from {hop.url}: {cors_headers_text(response)}",
            response=response,
        )
        self.cookies(response, hop.url, spec.origin)
        return response

    def check_response(self, hop: Hop, response: WireResponse, is_redirect: bool) -> Outcome | None:
        """The CORS check of a response received with "cors" tainting."""
        if hop.tainting != "cors" or response.status == 304:
            return None
        credentials = self.spec.credentials
        result = cors_check(response, self.request_origin, credentials)
        self.step(
            "check",
            describe_check(result, response, self.request_origin, credentials),
            result.ok,
        )
        if result.ok:
            return None
        return self.outcome(
            "blocked",
            error=result.error,
            stage="redirect" if is_redirect else "actual",
            params=result.params,
            response=response,
            # the message names the URL that answered (the Location is never requested), as
            # Chromium 150 does
            message_url=hop.url,
        )

    def proxy_auth_error(self, response: WireResponse, stage: str) -> Outcome:
        """A 407 from the server itself: Chromium fails the request with a network error
        before any CORS check, preflight or not (observed in Chromium 156)."""
        self.step(
            "check",
            "the server answered 407 Proxy Authentication Required, which only a proxy may"
            " send; Chromium fails the request with net::ERR_UNEXPECTED_PROXY_AUTH before any"
            " CORS check",
            False,
        )
        return self.outcome(
            "blocked",
            stage=stage,
            network_error="net::ERR_UNEXPECTED_PROXY_AUTH",
            response=response,
        )

    def allowed(self, hop: Hop, response: WireResponse) -> Outcome:
        """The last hop passed: what the page can read."""
        cors = hop.tainting == "cors"
        readable = readable_response_headers(response, cors=cors, credentials=self.spec.credentials)
        if not 200 <= response.status <= 399:
            self.step(
                "note",
                f"CORS lets the page read this response, but the server answered"
                f" {response.status}: that is an application error, not a CORS one",
            )
        if response.body_error:
            self.notes.append(
                Note(
                    "body-failed",
                    f"the body ended early ({response.body_error}): fetch() resolves, but"
                    " reading the body rejects with TypeError, and Chromium logs 'Failed to load"
                    f" resource: {response.body_error.split(' ', 1)[0]}'",
                )
            )
        if cors:
            self.step(
                "note",
                "JavaScript can read the status, the body and these response headers: "
                + (shown_names(readable) if readable else "(none)"),
            )
        return self.outcome("allowed", readable=readable)


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
    page_url: str | None = None,
    max_redirects: int = MAX_REDIRECTS,
    local_network_permission: bool = False,
    target_address_space: AddressSpace | Literal["auto"] | None = "auto",
    resolve_dns: bool = False,
    user_agent: str = CHROMIUM_UA,
) -> Outcome:
    """Simulate ``fetch(url, {method, headers, credentials, body})`` from a page at *origin*.

    *kind* is ``"fetch"`` or ``"XMLHttpRequest"`` (only the console text differs).  *cookie*
    is a ``Cookie`` header value the browser would attach when the credentials mode allows.
    *page_url* is the URL the page was served from, when it matters: for a page whose origin
    is ``null`` (a sandboxed iframe) it decides the page's address space and whether it is a
    secure context for Local Network Access.
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
        page_url=page_url,
    )

    def run(permission: bool) -> Outcome:
        return Simulation(
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
        if outcome.failed_stage == "local-network":
            _as_firefox_without_lna(outcome, outcome.if_permitted)
    return outcome


def _as_firefox_without_lna(outcome: Outcome, permitted: Outcome | None) -> None:
    """Firefox does not enforce Local Network Access: its verdict and lines are those of
    the request with the permission granted. When Chromium refuses without asking (an
    insecure page), nothing was sent, so Firefox's verdict is unknown (``"unknown"``)."""
    if permitted is None:
        outcome.firefox_differs = "unknown"
        return
    outcome.firefox_messages = permitted.firefox_messages
    outcome.firefox_message = permitted.firefox_message
    if permitted.verdict != outcome.verdict:
        outcome.firefox_differs = permitted.verdict
