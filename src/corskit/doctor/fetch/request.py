"""Building the requests a browser sends: the checks ``fetch()`` makes before sending
(:func:`prepare`), when a CORS-preflight is needed, and the preflight and main requests as
they go on the wire (Fetch standard, main fetch: https://fetch.spec.whatwg.org/#main-fetch)."""

from __future__ import annotations

from ..transports import (
    TransportError,
    WireRequest,
    validate_http_url,
)
from .model import CHROMIUM_UA, Credentials, FetchInputError, RequestSpec
from .netspace import (
    same_site,
)
from .spec import (
    SAFELISTED_METHODS,
    Origin,
    chromium_extra_safelisted,
    cors_unsafe_request_header_names,
    is_cors_safelisted_request_header,
    is_forbidden_method,
    is_forbidden_request_header,
    is_token,
    normalize_method,
    origin_of_url,
    parse_mime_type,
    parse_origin,
)


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
    page_url: str | None = None,
) -> RequestSpec:
    """Do what ``fetch(url, init)`` does before anything is sent, and validate the inputs.

    Raises :class:`FetchInputError` where ``fetch()`` throws (or the inputs are malformed)."""
    written_url = url
    try:
        url = validate_http_url(url)
        origin_of_url(url)
    except (TransportError, ValueError) as exc:
        raise FetchInputError(str(exc)) from None
    try:
        page = parse_origin(origin)
    except ValueError as exc:
        raise FetchInputError(f"malformed origin {origin!r}: {exc}") from None
    if page_url is not None:
        page_url = _check_page_url(page_url, page)
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
    combined, dropped = _header_list(headers)
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
        written_url=written_url,
        page_url=page_url,
        dropped_headers=tuple(dropped),
    )


def _header_list(
    headers: list[tuple[str, str]] | tuple[tuple[str, str], ...],
) -> tuple[dict[str, tuple[str, list[str]]], list[str]]:
    """The script's headers as ``fetch()`` keeps them: lower-case name -> (name as written,
    values), and the forbidden names it drops.  Raises :class:`FetchInputError` where
    ``fetch()`` throws."""
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
    return combined, dropped


def _check_page_url(page_url: str, page: Origin) -> str:
    """The URL the page was served from, as sent; it must be at the page's origin unless
    that origin is opaque (a sandboxed document keeps the URL it was loaded from)."""
    try:
        sent = validate_http_url(page_url)
        served_from = origin_of_url(sent)
    except (TransportError, ValueError) as exc:
        raise FetchInputError(f"page URL: {exc}") from None
    if not page.opaque and not page.same_origin(served_from):
        raise FetchInputError(
            f"the page URL {sent} is not at the page's origin {page.serialize()}"
            " (only a page whose origin is null, e.g. a sandboxed iframe, has another)"
        )
    return sent


def preflight_reasons(
    method: str,
    headers: list[tuple[str, str]] | tuple[tuple[str, str], ...],
    body_stream: bool = False,
) -> list[str]:
    """Why a CORS request needs a preflight (https://fetch.spec.whatwg.org/#cors-safelisted-method, https://fetch.spec.whatwg.org/#cors-safelisted-request-header), in plain words; empty = no preflight
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
    """The CORS-preflight request exactly as Chromium sends it (https://fetch.spec.whatwg.org/#cors-preflight-fetch): ``OPTIONS``, no
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
