"""What browsers print when CORS blocks a request (Chromium:
https://source.chromium.org/chromium/chromium/src/+/main:third_party/blink/renderer/platform/loader/cors/cors_error_string.cc).

:func:`chromium_message` builds Chromium's console text exactly (frame, optional
"(redirected from …)", the preflight prefix for the errors Chromium marks as preflight errors,
and the detail string of each ``CorsError``); :func:`firefox_message` gives Firefox's text for
the same failure.  Error names are Chromium's ``network::mojom::CorsError`` values without the
``k`` prefix, which is also how DevTools' protocol (``corsErrorStatus.corsError``) spells them.
"""

from __future__ import annotations

__all__ = [
    "CORS_ERRORS",
    "FIREFOX_DID_NOT_SUCCEED",
    "PREFLIGHT_PREFIXED",
    "chromium_detail",
    "chromium_message",
    "encode_hint",
    "firefox_message",
    "firefox_messages",
    "network_error_message",
]

#: The current ``CorsError`` enum (25 values, https://source.chromium.org/chromium/chromium/src/+/main:third_party/blink/renderer/platform/loader/cors/cors_error_string.cc).
CORS_ERRORS = (
    "DisallowedByMode",
    "InvalidResponse",
    "WildcardOriginNotAllowed",
    "MissingAllowOriginHeader",
    "MultipleAllowOriginValues",
    "InvalidAllowOriginValue",
    "AllowOriginMismatch",
    "InvalidAllowCredentials",
    "CorsDisabledScheme",
    "PreflightInvalidStatus",
    "PreflightDisallowedRedirect",
    "PreflightWildcardOriginNotAllowed",
    "PreflightMissingAllowOriginHeader",
    "PreflightMultipleAllowOriginValues",
    "PreflightInvalidAllowOriginValue",
    "PreflightAllowOriginMismatch",
    "PreflightInvalidAllowCredentials",
    "InvalidAllowMethodsPreflightResponse",
    "InvalidAllowHeadersPreflightResponse",
    "MethodDisallowedByPreflightResponse",
    "HeaderDisallowedByPreflightResponse",
    "RedirectContainsCredentials",
    "InsecureLocalNetwork",
    "InvalidLocalNetworkAccess",
    "LocalNetworkAccessPermissionDenied",
)

#: Errors that get "Response to preflight request doesn't pass access control check: "
#: (``IsPreflightError``).  The method/header/"Cannot parse" errors are preflight failures
#: but are *not* prefixed.
PREFLIGHT_PREFIXED = frozenset(
    {
        "PreflightWildcardOriginNotAllowed",
        "PreflightMissingAllowOriginHeader",
        "PreflightMultipleAllowOriginValues",
        "PreflightInvalidAllowOriginValue",
        "PreflightAllowOriginMismatch",
        "PreflightInvalidAllowCredentials",
        "PreflightInvalidStatus",
        "PreflightDisallowedRedirect",
    }
)

_PREFIX = "Response to preflight request doesn't pass access control check: "
_VALID_VALUE = " Have the server send the header with a valid value."
_XHR_CREDENTIALS = (
    " The credentials mode of requests initiated by the XMLHttpRequest is controlled by the"
    " withCredentials attribute."
)


def encode_hint(value: str) -> str:
    """Chromium's ``EncodeHint``: non-printable or non-ASCII characters become ``\\uXXXX``."""
    out = []
    for ch in value:
        code = ord(ch)
        if 0x20 <= code < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\u{code:04X}")
    return "".join(out)


def _base(error: str) -> str:
    """The non-preflight twin of a ``Preflight…`` access error (same detail text)."""
    if error in PREFLIGHT_PREFIXED and error not in (
        "PreflightInvalidStatus",
        "PreflightDisallowedRedirect",
    ):
        return error[len("Preflight") :]
    return error


#: The detail text of each CorsError (Chromium's cors_error_string.cc), as a template over the
#: values chromium_detail() fills in.
_DETAILS = {
    "MissingAllowOriginHeader": "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    "WildcardOriginNotAllowed": (
        "The value of the 'Access-Control-Allow-Origin' header in the response must not be"
        " the wildcard '*' when the request's credentials mode is 'include'.{xhr_suffix}"
    ),
    "MultipleAllowOriginValues": (
        "The 'Access-Control-Allow-Origin' header contains multiple values '{v}', but only"
        " one is allowed.{fetch_suffix}"
    ),
    "InvalidAllowOriginValue": (
        "The 'Access-Control-Allow-Origin' header contains the invalid value '{v}'.{fetch_suffix}"
    ),
    "AllowOriginMismatch": (
        "The 'Access-Control-Allow-Origin' header has a value '{v}' that is not equal to"
        " the supplied origin.{fetch_suffix}"
    ),
    "InvalidAllowCredentials": (
        "The value of the 'Access-Control-Allow-Credentials' header in the response is '{v}'"
        " which must be 'true' when the request's credentials mode is 'include'.{xhr_suffix}"
    ),
    "PreflightInvalidStatus": "It does not have HTTP ok status.",
    "PreflightDisallowedRedirect": "Redirect is not allowed for a preflight request.",
    "InvalidAllowMethodsPreflightResponse": (
        "Cannot parse Access-Control-Allow-Methods response header field in preflight response."
    ),
    "InvalidAllowHeadersPreflightResponse": (
        "Cannot parse Access-Control-Allow-Headers response header field in preflight response."
    ),
    "MethodDisallowedByPreflightResponse": (
        "Method {method} is not allowed by Access-Control-Allow-Methods in preflight response."
    ),
    "HeaderDisallowedByPreflightResponse": (
        "Request header field {header} is not allowed by"
        " Access-Control-Allow-Headers in preflight response."
    ),
    "RedirectContainsCredentials": (
        "Redirect location '{location}' contains a username and password, which is"
        " disallowed for cross-origin requests."
    ),
    "DisallowedByMode": "Cross origin requests are not allowed by request mode.",
    "CorsDisabledScheme": (
        "Cross origin requests are only supported for protocol schemes: chrome, "
        "chrome-extension, chrome-untrusted, data, http, https, isolated-app."
    ),
    "InvalidResponse": "The response is invalid.",
    "InsecureLocalNetwork": (
        "The request client is not a secure context and the resource is in more-private"
        " address space `{space}`."
    ),
    "InvalidLocalNetworkAccess": (
        "Request had a target IP address space of `{target_space}` yet the resource is in"
        " address space `{space}`."
    ),
    "LocalNetworkAccessPermissionDenied": (
        "Permission was denied for this request to access the `{space}` address space."
    ),
}


def chromium_detail(
    error: str,
    *,
    value: str = "",
    method: str = "",
    header: str = "",
    location: str = "",
    space: str = "",
    target_space: str = "",
    kind: str = "fetch",
) -> str:
    """The detail text of *error* (the part after "has been blocked by CORS policy: ").

    *value* is the offending header value, *method*/*header* the disallowed method or header,
    *location* the redirect location, *space* the address space; *kind* is ``fetch`` or
    ``XMLHttpRequest`` (it decides the suffixes)."""
    template = _DETAILS.get(_base(error))
    if template is None:
        raise ValueError(f"unknown CorsError {error!r}")
    text = template.format(
        v=encode_hint(value),
        method=encode_hint(method),
        header=encode_hint(header.lower()),
        location=encode_hint(location),
        space=space,
        target_space=target_space,
        fetch_suffix=_VALID_VALUE if kind == "fetch" else "",
        xhr_suffix=_XHR_CREDENTIALS if kind == "XMLHttpRequest" else "",
    )
    if error in PREFLIGHT_PREFIXED:
        text = _PREFIX + text
    return text


def chromium_message(
    error: str,
    *,
    url: str,
    origin: str,
    initial_url: str | None = None,
    kind: str = "fetch",
    **params: str,
) -> str:
    """The whole console line Chromium prints for *error* (https://source.chromium.org/chromium/chromium/src/+/main:third_party/blink/renderer/platform/loader/cors/cors_error_string.cc).

    *url* is the last URL of the request, *initial_url* the first one when the request was
    redirected (it adds "(redirected from '…') "), *origin* the serialized request origin
    (``null`` when tainted)."""
    redirected = f"(redirected from '{initial_url}') " if initial_url and initial_url != url else ""
    detail = chromium_detail(error, kind=kind, **params)
    return (
        f"Access to {kind} at '{url}' {redirected}from origin '{origin}' has been blocked by"
        f" CORS policy: {detail}"
    )


def network_error_message(network_error: str) -> str:
    """The console line Chromium prints when a request fails with a network error instead of
    a CORS error (``Failed to load resource: net::ERR_UNSAFE_REDIRECT``); *network_error* may
    carry an explanation after the error name, which Chromium does not print."""
    return f"Failed to load resource: {network_error.split(' ', 1)[0]}"


_FX_FRAME = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: {reason}"

#: Firefox's line for a request that failed below CORS (no response, or a preflight or a
#: redirect that failed its own check): ``CORSDidNotSucceed2``.
FIREFOX_DID_NOT_SUCCEED = "CORS request did not succeed). Status code: (null)."


def _firefox_reason(
    error: str, status: int | None, value: str, header: str, bad_token: str
) -> str | None:
    """The ``(Reason: ...)`` tail of Firefox's line for *error*, or None."""
    base = _base(error)
    status_text = "" if status is None else str(status)
    if error == "PreflightInvalidStatus":
        return f"CORS preflight response did not succeed). Status code: {status_text}."
    if error == "PreflightDisallowedRedirect":
        return "CORS request external redirect not allowed)."
    if base == "MissingAllowOriginHeader":
        return f"CORS header ‘Access-Control-Allow-Origin’ missing). Status code: {status_text}."
    if base in ("AllowOriginMismatch", "InvalidAllowOriginValue", "MultipleAllowOriginValues"):
        # Firefox 140 compares the combined value of several ACAO lines with the origin, so
        # two lines read "does not match ‘a, b’" (seen in tests/doctor/browser).
        return f"CORS header ‘Access-Control-Allow-Origin’ does not match ‘{value}’)."
    if base == "WildcardOriginNotAllowed":
        return (
            "Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’)."
        )
    if base == "InvalidAllowCredentials":
        return "expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’)."
    if error == "InvalidAllowMethodsPreflightResponse":
        return f"invalid token ‘{bad_token}’ in CORS header ‘Access-Control-Allow-Methods’)."
    if error == "InvalidAllowHeadersPreflightResponse":
        return f"invalid token ‘{bad_token}’ in CORS header ‘Access-Control-Allow-Headers’)."
    if error == "MethodDisallowedByPreflightResponse":
        return "Did not find method in CORS header ‘Access-Control-Allow-Methods’)."
    if error == "HeaderDisallowedByPreflightResponse":
        return (
            f"header ‘{header.lower()}’ is not allowed according to header"
            " ‘Access-Control-Allow-Headers’ from CORS preflight response)."
        )
    if error == "RedirectContainsCredentials":
        # Firefox refuses the redirect below CORS: only "did not succeed" (tests/doctor/browser).
        return FIREFOX_DID_NOT_SUCCEED
    return None


def firefox_message(
    error: str,
    *,
    url: str,
    status: int | None = None,
    value: str = "",
    header: str = "",
    bad_token: str = "",
) -> str | None:
    """Firefox's console text for the failure Chromium calls *error* (https://searchfox.org/mozilla-central/source/dom/locales/en-US/chrome/security/security.properties), or None when Firefox has no equivalent (e.g. Local Network Access, which Firefox
    does not enforce).  The credentials-with-``*`` line quotes the URL (``‘URL’``), as
    Firefox's ``CORSNotSupportingCredentials`` does."""
    reason = _firefox_reason(error, status, value, header, bad_token)
    if reason is None:
        return None
    if _base(error) == "WildcardOriginNotAllowed":
        url = f"‘{url}’"
    return _FX_FRAME.format(url=url, reason=reason)


def firefox_messages(
    error: str | None,
    *,
    url: str,
    stage: str | None,
    network_error: str | None = None,
    status: int | None = None,
    value: str = "",
    header: str = "",
    bad_token: str = "",
) -> tuple[str, ...]:
    """Every CORS line Firefox prints for a failure, in order (checked against Firefox ESR in
    tests/doctor/browser): one line for the failure itself, then, when the failing response was a
    preflight's or a redirect's, ``CORS request did not succeed`` for the request it stopped.
    A network error (*network_error*) gets no line: Firefox's text for those has not been
    checked against every cause."""
    failed = _FX_FRAME.format(url=url, reason=FIREFOX_DID_NOT_SUCCEED)
    if error is None:
        return ()
    first = firefox_message(
        error, url=url, status=status, value=value, header=header, bad_token=bad_token
    )
    if first is None:
        return ()
    if first != failed and stage in ("preflight", "redirect"):
        return (first, failed)
    return (first,)
