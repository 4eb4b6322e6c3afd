"""The CORS-preflight fetch: the OPTIONS request a browser sends before a request that is not
"simple", and the checks of its answer (Fetch standard, CORS-preflight fetch:
https://fetch.spec.whatwg.org/#cors-preflight-fetch)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..transports import WireResponse
from .cors_check import (
    check_preflight_response,
    cors_check,
    cors_headers_text,
    describe_check,
    max_age_per_browser,
)
from .model import MAX_AGE_CAPS, CheckResult, Note, Outcome, PreflightResult
from .request import build_preflight
from .spec import SAFELISTED_METHODS

if TYPE_CHECKING:
    from .main_fetch import Simulation

__all__ = ["cors_preflight_fetch"]

_UNPARSABLE = ("InvalidAllowMethodsPreflightResponse", "InvalidAllowHeadersPreflightResponse")


def cors_preflight_fetch(
    sim: Simulation, url: str, method: str, unsafe: list[str], use_cors_preflight: bool
) -> Outcome | None:
    """Send the preflight for *method* and the *unsafe* header names; the blocked outcome when
    it fails, None when the main request may go."""
    spec = sim.spec
    pre = build_preflight(
        url,
        method=method,
        unsafe_names=unsafe,
        request_origin=sim.request_origin,
        page=spec.origin,
        user_agent=sim.ua,
    )
    acrh = pre.get("access-control-request-headers")
    sim.step(
        "preflight",
        f"OPTIONS {url} (Origin: {sim.request_origin}; Access-Control-Request-Method: {method}"
        + (f"; Access-Control-Request-Headers: {acrh}" if acrh else "")
        + "; no cookies, no Authorization)",
        request=pre,
    )
    sim.preflighted = True
    response = sim.send("preflight", pre)
    sim.step(
        "response",
        f"preflight answered {response.status}: {cors_headers_text(response)}",
        response=response,
    )
    if response.status == 407:
        return sim.proxy_auth_error(response, "preflight")
    result = check_preflight_response(
        response,
        request_origin=sim.request_origin,
        credentials=spec.credentials,
        method=method,
        unsafe_names=unsafe,
        use_cors_preflight=use_cors_preflight,
    )
    sim.notes.extend(n for n in result.notes if n not in sim.notes)
    err = result.check.error
    if err == "PreflightDisallowedRedirect":
        sim.step(
            "check",
            f"the preflight was answered with a {response.status} redirect; a preflight never follows redirects",
            False,
        )
    elif _describe_checks(sim, result, response, method, unsafe):
        return _fail(sim, result.check, response, url)
    if err is not None:
        return _fail(sim, result.check, response, url)
    _cache(sim, result)
    return None


def _describe_checks(
    sim: Simulation,
    result: PreflightResult,
    response: WireResponse,
    method: str,
    unsafe: list[str],
) -> bool:
    """Record the preflight's checks in order; True when the method check failed (the
    headers are then not looked at)."""
    access = cors_check(response, sim.request_origin, sim.spec.credentials)
    sim.step(
        "check",
        describe_check(access, response, sim.request_origin, sim.spec.credentials),
        access.ok,
    )
    if not access.ok:
        return False
    ok_status = 200 <= response.status <= 299
    sim.step(
        "check",
        f"status {response.status} "
        + ("is an ok status (200-299)" if ok_status else "is not an ok status (200-299)"),
        ok_status,
    )
    if not ok_status:
        return False
    err = result.check.error
    if err in _UNPARSABLE:
        which = "Methods" if "Methods" in (err or "") else "Headers"
        sim.step(
            "check",
            f"Access-Control-Allow-{which} cannot be parsed: '{result.check.params.get('bad_token')}' is not a token (use commas between items)",
            False,
        )
        return False
    acam = response.get("access-control-allow-methods")
    if err == "MethodDisallowedByPreflightResponse":
        sim.step(
            "check",
            f"method {method} is not in Access-Control-Allow-Methods ({acam if acam is not None else 'absent'}); the comparison is case-sensitive",
            False,
        )
        return True
    sim.step(
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
        sim.step(
            "check",
            f"request header '{result.check.params.get('header')}' is not in Access-Control-Allow-Headers ({acah if acah is not None else 'absent'})",
            False,
        )
    elif unsafe:
        sim.step(
            "check",
            f"request headers {', '.join(sorted(unsafe))} are allowed by Access-Control-Allow-Headers: {acah}",
            True,
        )
    return False


def _cache(sim: Simulation, result: PreflightResult) -> None:
    """The preflight passed: how long each browser keeps it."""
    ages = max_age_per_browser(result.max_age)
    sim.max_age = ages
    raw = result.max_age
    if raw is not None and raw.strip().isdigit():
        seconds = int(raw.strip())
        over = [f"{b} {cap} s" for b, cap in MAX_AGE_CAPS.items() if seconds > cap]
        if over:
            sim.notes.append(
                Note(
                    "max-age-capped",
                    f"Access-Control-Max-Age: {seconds} is more than some browsers"
                    f" keep a preflight ({', '.join(over)}); 600 is the largest value every engine honours in full",
                )
            )
    sim.step(
        "note",
        "preflight passed; cached for " + ", ".join(f"{b} {s} s" for b, s in ages.items()),
    )


def _fail(sim: Simulation, check: CheckResult, response: WireResponse, url: str) -> Outcome:
    return sim.outcome(
        "blocked",
        error=check.error,
        stage="preflight",
        params=check.params,
        response=response,
        message_url=url,
    )
