"""The CORS check and the CORS-preflight response check, and what JavaScript may read
(Fetch standard, CORS check: https://fetch.spec.whatwg.org/#cors-check)."""

from __future__ import annotations

from ..transports import (
    WireResponse,
)
from . import messages
from .model import (
    MAX_AGE_CAPS,
    MAX_AGE_DEFAULT,
    REDIRECT_STATUSES,
    CheckResult,
    Credentials,
    Note,
    PreflightResult,
)
from .spec import (
    CORS_NON_WILDCARD_REQUEST_HEADER_NAMES,
    FORBIDDEN_RESPONSE_HEADER_NAMES,
    SAFELISTED_METHODS,
    SAFELISTED_RESPONSE_HEADER_NAMES,
    extract_list,
)
from .url import is_valid_url


def cors_check(
    response: WireResponse, request_origin: str, credentials: Credentials
) -> CheckResult:
    """Chromium's ``CheckAccess`` (https://source.chromium.org/chromium/chromium/src/+/main:services/network/public/cpp/cors/cors.cc), which implements Fetch's CORS check (https://fetch.spec.whatwg.org/#cors-check).

    ACAO is read as Chromium's ``GetNormalizedHeader`` reads it: each value trimmed, then
    duplicates joined by ", " (two headers ``*`` and empty give ``'*, '``).  Errors are the
    non-preflight names; :func:`check_preflight_response` maps them to their ``Preflight`` twins."""
    acao = normalized_header(response, "access-control-allow-origin")
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
        if not is_valid_url(acao):
            return CheckResult("InvalidAllowOriginValue", {"value": acao})
        return CheckResult("AllowOriginMismatch", {"value": acao})
    if include:
        acac = normalized_header(response, "access-control-allow-credentials")
        if acac != "true":
            return CheckResult("InvalidAllowCredentials", {"value": acac or ""})
    return CheckResult(None)


def normalized_header(response: WireResponse, name: str) -> str | None:
    """Every value of *name* trimmed of HTTP whitespace, joined with ", " (None if absent),
    as Chromium's ``HttpResponseHeaders::GetNormalizedHeader`` gives it."""
    values = response.get_all(name)
    return ", ".join(v.strip(" \t") for v in values) if values else None


def max_age_per_browser(value: str | None) -> dict[str, int]:
    """How long each engine caches this preflight (https://fetch.spec.whatwg.org/#http-access-control-max-age): Chromium default 5, non-integer → 5,
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
    """Process a preflight response in Chromium's order (https://fetch.spec.whatwg.org/#cors-preflight-fetch, https://source.chromium.org/chromium/chromium/src/+/main:services/network/public/cpp/cors/cors.cc):

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
    parsed = _parse_allow_lists(response)
    if isinstance(parsed, PreflightResult):
        return parsed
    methods, allowed_headers = parsed
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
    check, notes = _header_check(allowed_headers, unsafe_names, include)
    return PreflightResult(check, methods, allowed_headers, max_age, notes)


def _parse_allow_lists(
    response: WireResponse,
) -> PreflightResult | tuple[list[str] | None, list[str] | None]:
    """Access-Control-Allow-Methods then -Headers as lists, or the "cannot parse" failure."""
    lists: list[list[str] | None] = []
    for name, error in (
        ("access-control-allow-methods", "InvalidAllowMethodsPreflightResponse"),
        ("access-control-allow-headers", "InvalidAllowHeadersPreflightResponse"),
    ):
        try:
            lists.append(extract_list(response.get(name)))
        except ValueError as exc:
            return PreflightResult(
                CheckResult(error, {"bad_token": str(exc), "value": response.get(name) or ""})
            )
    return lists[0], lists[1]


def _header_check(
    allowed_headers: list[str] | None, unsafe_names: list[str], include: bool
) -> tuple[CheckResult, tuple[Note, ...]]:
    """The header check of a preflight response (the method check passed)."""
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
        return CheckResult(None), tuple(notes)
    refused = [n.lower() for n in unsafe_names if n.lower() not in lower]
    if len(refused) > 1:
        notes.append(
            Note(
                "several-headers-disallowed",
                f"{len(refused)} request headers are not allowed ({', '.join(refused)}); Chromium"
                f" names only one of them, '{refused[0]}' (the first in its internal hash-map"
                " order), so allowing only that one makes it name the next",
            )
        )
    for name in unsafe_names:
        if name.lower() not in lower:
            return (
                CheckResult(
                    "HeaderDisallowedByPreflightResponse",
                    # Firefox's line is modelled with the first refused name in sorted order
                    # (not checked against Firefox with several refused headers).
                    {
                        "header": name.lower(),
                        "all": ",".join(refused),
                        "firefox_header": min(refused),
                    },
                ),
                tuple(notes),
            )
    return CheckResult(None), ()


def readable_response_headers(
    response: WireResponse, *, cors: bool, credentials: Credentials
) -> list[str]:
    """Response header names JavaScript can read with ``response.headers.get()`` (https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name):
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


def cors_headers_text(response: WireResponse) -> str:
    shown = [
        f"{k}: {v}"
        for k, v in response.headers
        if k.startswith("access-control-") or k in ("vary", "location")
    ]
    return "; ".join(shown) if shown else "no CORS headers"


def describe_check(
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
