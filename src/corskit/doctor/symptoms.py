"""The doctor's symptom codes and their short titles (one table, read by every report)."""

from __future__ import annotations

__all__ = ["SYMPTOMS"]

#: symptom code -> short title
SYMPTOMS: dict[str, str] = {
    "allowed": "the browser allows this request",
    "same-origin": "not a cross-origin request",
    "cors-middleware-missing": "no CORS middleware",
    "origin-not-allowed": "origin not allowed",
    "origin-typo": "configured origin does not match what browsers send",
    "path-not-covered": "the CORS layer does not handle this path",
    "localhost-vs-127": "localhost and 127.0.0.1 are different origins",
    "wildcard-with-credentials": "wildcard origin with credentials",
    "credentials-not-allowed": "credentials not allowed",
    "preflight-rejected": "preflight rejected before CORS could answer",
    "method-not-allowed": "method missing from allow_methods",
    "lowercase-method": "lower-case method name",
    "header-not-allowed": "request header missing from allow_headers",
    "authorization-wildcard": 'Authorization is not covered by allow_headers=["*"]',
    "duplicate-acao": "duplicate Access-Control-Allow-Origin",
    "origin-mismatch": "Access-Control-Allow-Origin names another origin",
    "invalid-acao": "invalid Access-Control-Allow-Origin value",
    "allow-list-unparsable": "Access-Control-Allow-Methods/-Headers cannot be parsed",
    "preflight-redirect": "the preflight was redirected",
    "redirect-null-origin": "Origin became null after a cross-origin redirect",
    "redirect-credentials": "redirect URL with user name/password",
    "server-error-without-cors": "server error without CORS headers",
    "cors-config-invalid": "corskit refused its CORS configuration (CORSConfigError)",
    "max-age-capped": "Access-Control-Max-Age above a browser's cap",
    "cookie-not-sent": "a cookie that will not be sent",
    "local-network-access": "Local Network Access (public page calling a private address)",
    "network-error": "network error",
    "blocked": "blocked by CORS",
    "header-not-exposed": "a response header the page needs is not exposed",
    "header-never-readable": "a response header JavaScript can never read",
    "header-not-sent": "a response header the page needs is not sent",
}
