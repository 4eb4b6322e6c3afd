"""The browser simulation's algorithms against a scripted (real, hand-written) ASGI server:
the preflight as Chromium sends it, preflight processing order, redirects, credentials."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from corskit.doctor.fetch import FetchInputError, Outcome, simulate
from corskit.doctor.transports import ASGITransport, WireRequest

PAGE = "https://app.example.com"
Handler = Callable[[WireRequest], tuple[int, list[tuple[str, str]]]]


class Scripted:
    """An ASGI app answering from a function of the request, recording every request."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.seen: list[WireRequest] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            msg = await receive()
            body += msg.get("body", b"")
            if not msg.get("more_body"):
                break
        headers = [(k.decode(), v.decode()) for k, v in scope["headers"]]
        host = dict(headers).get("host", "testserver")
        query = scope["query_string"].decode()
        url = f"{scope['scheme']}://{host}{scope['path']}" + (f"?{query}" if query else "")
        req = WireRequest(scope["method"], url, headers, body)
        self.seen.append(req)
        status, out = self.handler(req)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.encode(), v.encode()) for k, v in out],
            }
        )
        await send({"type": "http.response.body", "body": b""})


def run(handler: Handler, url: str = "http://api.test/r", **kw: Any) -> tuple[Outcome, Scripted]:
    app = Scripted(handler)
    transport = ASGITransport(app)
    kw.setdefault("origin", PAGE)
    kw.setdefault("target_address_space", None)
    try:
        return simulate(transport, url, **kw), app
    finally:
        transport.close()


def permissive(req: WireRequest) -> tuple[int, list[tuple[str, str]]]:
    origin = req.get("origin") or ""
    out = [("access-control-allow-origin", origin), ("access-control-allow-credentials", "true")]
    if req.method == "OPTIONS":
        out += [
            ("access-control-allow-methods", req.get("access-control-request-method") or ""),
            ("access-control-allow-headers", req.get("access-control-request-headers") or ""),
        ]
        return 204, out
    return 200, out


def test_preflight_request_exactly_as_chromium_sends_it() -> None:
    outcome, app = run(
        permissive,
        method="put",
        headers=[
            ("X-B", "1"),
            ("Content-Type", "application/json"),
            ("X-A", "2"),
            ("Authorization", "Bearer t"),
        ],
        credentials="include",
        cookie="sid=1",
    )
    assert outcome.verdict == "allowed"
    assert outcome.preflight
    pre, actual = app.seen
    assert pre.method == "OPTIONS"
    names = [k for k, _ in pre.headers]
    assert "cookie" not in names and "authorization" not in names
    assert pre.get("accept") == "*/*"
    assert pre.get("access-control-request-method") == "PUT"  # 'put' is normalised
    assert pre.get("access-control-request-headers") == "authorization,content-type,x-a,x-b"
    assert pre.get("origin") == PAGE
    assert pre.get("sec-fetch-mode") == "cors"
    assert actual.method == "PUT"
    assert actual.get("cookie") == "sid=1"
    assert actual.get("authorization") == "Bearer t"
    assert actual.get("origin") == PAGE


def test_acrh_omitted_when_empty_and_patch_not_normalised() -> None:
    outcome, app = run(permissive, method="patch")
    pre = app.seen[0]
    assert pre.get("access-control-request-method") == "patch"
    assert pre.get("access-control-request-headers") is None
    assert outcome.verdict == "allowed"


@pytest.mark.parametrize(
    ("method", "headers", "body_stream", "preflight"),
    [
        ("GET", [], False, False),
        ("HEAD", [("Accept-Language", "en")], False, False),
        ("POST", [("Content-Type", "text/plain;charset=UTF-8")], False, False),
        ("POST", [("Content-Type", "multipart/form-data; boundary=x")], False, False),
        ("post", [("Content-Type", "application/x-www-form-urlencoded")], False, False),
        ("POST", [("Content-Type", "application/json")], False, True),
        ("POST", [], True, True),  # a ReadableStream body is always preflighted
        ("GET", [("Range", "bytes=0-10")], False, False),
        ("GET", [("Range", "bytes=-10")], False, True),
        ("GET", [("X-Requested-With", "XMLHttpRequest")], False, True),
        ("DELETE", [], False, True),
        ("GET", [("Save-Data", "on")], False, False),  # Chromium extension (noted)
    ],
)
def test_when_a_preflight_is_sent(
    method: str, headers: list[tuple[str, str]], body_stream: bool, preflight: bool
) -> None:
    outcome, app = run(permissive, method=method, headers=headers, body_stream=body_stream)
    assert outcome.preflight is preflight
    assert (app.seen[0].method == "OPTIONS") is preflight
    assert bool(outcome.preflight_reasons) is preflight


def test_chromium_only_safelisted_header_is_noted() -> None:
    outcome, _ = run(permissive, headers=[("Save-Data", "on")])
    assert any(w.code == "chromium-extra-safelisted" for w in outcome.warnings)


def _preflight(status: int, headers: list[tuple[str, str]]) -> Handler:
    def handler(req: WireRequest) -> tuple[int, list[tuple[str, str]]]:
        if req.method == "OPTIONS":
            return status, headers
        return 200, [("access-control-allow-origin", PAGE)]

    return handler


ACAO = ("access-control-allow-origin", PAGE)


@pytest.mark.parametrize(
    ("status", "headers", "kw", "error"),
    [
        # Chromium checks ACAO/ACAC before the status: a 401 without ACAO is "No ACAO".
        (401, [], {}, "PreflightMissingAllowOriginHeader"),
        (401, [ACAO], {}, "PreflightInvalidStatus"),
        (404, [ACAO, ("access-control-allow-methods", "PUT")], {}, "PreflightInvalidStatus"),
        (302, [ACAO, ("location", "/elsewhere")], {}, "PreflightDisallowedRedirect"),
        (307, [("location", "/elsewhere")], {}, "PreflightDisallowedRedirect"),
        (
            204,
            [ACAO, ("access-control-allow-methods", "GET PUT")],
            {},
            "InvalidAllowMethodsPreflightResponse",
        ),
        (
            204,
            [
                ACAO,
                ("access-control-allow-methods", "PUT"),
                ("access-control-allow-headers", "x a"),
            ],
            {"headers": [("X-A", "1")]},
            "InvalidAllowHeadersPreflightResponse",
        ),
        (
            204,
            [ACAO, ("access-control-allow-methods", "put")],
            {},
            "MethodDisallowedByPreflightResponse",
        ),
        (204, [ACAO], {}, "MethodDisallowedByPreflightResponse"),
        (204, [ACAO, ("access-control-allow-methods", "*")], {}, None),
        (
            204,
            [
                ACAO,
                ("access-control-allow-methods", "*"),
                ("access-control-allow-credentials", "true"),
            ],
            {"credentials": "include"},
            "MethodDisallowedByPreflightResponse",
        ),
        (
            204,
            [ACAO, ("access-control-allow-methods", "PUT")],
            {"credentials": "include"},
            "PreflightInvalidAllowCredentials",
        ),
        (
            204,
            [("access-control-allow-origin", "*"), ("access-control-allow-methods", "PUT")],
            {"credentials": "include"},
            "PreflightWildcardOriginNotAllowed",
        ),
        (
            204,
            [ACAO, ACAO, ("access-control-allow-methods", "PUT")],
            {},
            "PreflightMultipleAllowOriginValues",
        ),
        (
            204,
            [
                ACAO,
                ("access-control-allow-methods", "PUT"),
                ("access-control-allow-headers", "x-b"),
            ],
            {"headers": [("X-C", "1"), ("X-A", "1")]},
            "HeaderDisallowedByPreflightResponse",
        ),
        (
            204,
            [
                ACAO,
                ("access-control-allow-methods", "PUT"),
                ("access-control-allow-headers", "X-A, X-C"),
            ],
            {"headers": [("X-C", "1"), ("x-a", "1")]},
            None,
        ),
        (
            204,
            [
                ACAO,
                ("access-control-allow-methods", "PUT"),
                ("access-control-allow-headers", "*"),
                ("access-control-allow-credentials", "true"),
            ],
            {"headers": [("X-A", "1")], "credentials": "include"},
            "HeaderDisallowedByPreflightResponse",
        ),
        (
            200,
            [ACAO, ("access-control-allow-methods", "PUT"), ("access-control-allow-headers", "*")],
            {"headers": [("X-A", "1")]},
            None,
        ),
    ],
)
def test_preflight_processing_order(
    status: int, headers: list[tuple[str, str]], kw: dict[str, Any], error: str | None
) -> None:
    kw.setdefault("method", "PUT")
    outcome, _ = run(_preflight(status, headers), **kw)
    assert outcome.cors_error == error, outcome.steps
    assert outcome.verdict == ("allowed" if error is None else "blocked")


def test_first_disallowed_header_is_reported_lowercase() -> None:
    handler = _preflight(204, [ACAO, ("access-control-allow-methods", "PUT")])
    outcome, _ = run(handler, method="PUT", headers=[("X-Zeta", "1"), ("X-Alpha", "1")])
    assert outcome.chromium_message is not None
    # Chromium names the first refused header in Blink's hash-map order (header_order.py), as
    # Chromium 150 does for this pair; Firefox's line keeps the first in name order
    assert outcome.chromium_message.endswith(
        "Request header field x-zeta is not allowed by Access-Control-Allow-Headers in preflight response."
    )
    assert outcome.firefox_message is not None
    assert (
        "header ‘x-alpha’ is not allowed according to header ‘Access-Control-Allow-Headers’"
        in outcome.firefox_message
    )


def test_authorization_covered_by_wildcard_chromium_allows_spec_forbids() -> None:
    handler = _preflight(
        204, [ACAO, ("access-control-allow-methods", "PUT"), ("access-control-allow-headers", "*")]
    )
    outcome, _ = run(handler, method="PUT", headers=[("Authorization", "Bearer x")])
    assert outcome.verdict == "allowed"
    assert outcome.spec_verdict == "blocked"
    note = next(w for w in outcome.warnings if w.code == "AuthorizationCoveredByWildcard")
    assert note.spec_message == (
        "Request header field authorization is not allowed by Access-Control-Allow-Headers in preflight response."
    )


def test_preflight_uses_original_credentials_mode_and_no_cookie() -> None:
    outcome, app = run(permissive, method="DELETE", credentials="include", cookie="sid=1")
    assert outcome.verdict == "allowed"
    assert app.seen[0].get("cookie") is None
    assert app.seen[1].get("cookie") == "sid=1"


def test_cookie_only_with_include_cross_origin() -> None:
    _, app = run(permissive, credentials="same-origin", cookie="sid=1")
    assert app.seen[0].get("cookie") is None


def test_same_origin_request_is_not_cors() -> None:
    outcome, app = run(
        lambda req: (200, []), url="https://app.example.com/r", method="PUT", cookie="sid=1"
    )
    assert outcome.verdict == "allowed"
    assert not outcome.preflight
    assert not outcome.cross_origin
    assert app.seen[0].get("cookie") == "sid=1"


# -- redirects (Fetch: HTTP-redirect fetch) ----------------------------------------------------------


def _redirect_chain(chain: dict[str, tuple[int, str]], final_acao: str | None = None) -> Handler:
    def handler(req: WireRequest) -> tuple[int, list[tuple[str, str]]]:
        origin = req.get("origin") or ""
        base = [
            ("access-control-allow-origin", origin),
            ("access-control-allow-credentials", "true"),
        ]
        if req.method == "OPTIONS":
            return 204, [
                *base,
                ("access-control-allow-methods", req.get("access-control-request-method") or ""),
                ("access-control-allow-headers", req.get("access-control-request-headers") or ""),
            ]
        if req.url in chain:
            status, location = chain[req.url]
            return status, [*base, ("location", location)]
        if final_acao is not None:
            return 200, [("access-control-allow-origin", final_acao)]
        return 200, base

    return handler


def test_post_301_becomes_get_and_drops_body_headers() -> None:
    chain = {"http://api.test/r": (301, "http://api.test/s")}
    outcome, app = run(
        _redirect_chain(chain),
        method="POST",
        headers=[("Content-Type", "application/json")],
        body="{}",
    )
    assert outcome.verdict == "allowed"
    methods = [r.method for r in app.seen]
    assert methods == ["OPTIONS", "POST", "GET"]  # no preflight after the redirect: GET is simple
    assert app.seen[-1].get("content-type") is None
    assert app.seen[-1].body == b""


def test_307_keeps_method_and_preflights_again_on_the_new_url() -> None:
    chain = {"http://api.test/r": (307, "http://other.test/s")}
    outcome, app = run(_redirect_chain(chain), method="PUT")
    assert outcome.verdict == "allowed"
    assert [(r.method, r.url) for r in app.seen] == [
        ("OPTIONS", "http://api.test/r"),
        ("PUT", "http://api.test/r"),
        ("OPTIONS", "http://other.test/s"),
        ("PUT", "http://other.test/s"),
    ]
    # page -> api.test -> other.test: the second hop taints the origin
    assert app.seen[2].get("origin") == "null"


def test_authorization_dropped_on_cross_origin_hop_and_origin_null() -> None:
    chain = {"http://api.test/r": (302, "http://other.test/s")}
    outcome, app = run(_redirect_chain(chain), headers=[("Authorization", "Bearer x")])
    final = app.seen[-1]
    assert final.url == "http://other.test/s"
    assert final.get("authorization") is None
    assert final.get("origin") == "null"
    assert outcome.verdict == "allowed"


def test_same_origin_redirect_keeps_origin() -> None:
    chain = {"http://api.test/r": (302, "http://api.test/s")}
    _, app = run(_redirect_chain(chain), headers=[("Authorization", "Bearer x")])
    assert app.seen[-1].get("origin") == PAGE
    assert app.seen[-1].get("authorization") == "Bearer x"


def test_same_origin_hops_then_cross_origin_keep_the_origin() -> None:
    # page A -> A (same origin) -> B: the hop to B starts from the page's own origin: no taint
    chain = {
        "https://app.example.com/r": (302, "https://app.example.com/x"),
        "https://app.example.com/x": (302, "http://other.test/y"),
    }
    outcome, app = run(_redirect_chain(chain), url="https://app.example.com/r")
    assert app.seen[-1].url == "http://other.test/y"
    assert app.seen[-1].get("origin") == PAGE
    assert outcome.verdict == "allowed"


def test_cross_origin_then_back_is_tainted() -> None:
    chain = {"http://api.test/r": (302, "https://app.example.com/x")}
    _, app = run(_redirect_chain(chain))
    assert app.seen[-1].get("origin") == "null"


def test_tainted_request_message_names_the_page_origin() -> None:
    # The request carries Origin: null, but Chromium's message names the page's origin.
    chain = {"http://api.test/r": (302, "http://other.test/s")}
    outcome, app = run(_redirect_chain(chain, final_acao=PAGE))
    assert app.seen[-1].get("origin") == "null"
    assert outcome.request_origin == "null"
    assert outcome.cors_error == "AllowOriginMismatch"
    assert outcome.chromium_message == (
        "Access to fetch at 'http://other.test/s' (redirected from 'http://api.test/r') from origin"
        " 'https://app.example.com' has been blocked by CORS policy: The 'Access-Control-Allow-Origin'"
        " header has a value 'https://app.example.com' that is not equal to the supplied origin. Have"
        " the server send the header with a valid value."
    )


def test_redirect_response_itself_must_pass_cors() -> None:
    def handler(req: WireRequest) -> tuple[int, list[tuple[str, str]]]:
        if req.url == "http://api.test/r":
            return 302, [("location", "http://api.test/s")]
        return 200, [("access-control-allow-origin", "*")]

    outcome, app = run(handler)
    assert outcome.cors_error == "MissingAllowOriginHeader"
    # the message names the URL that answered with the redirect; the Location is never requested
    assert outcome.chromium_message is not None
    assert outcome.chromium_message.startswith("Access to fetch at 'http://api.test/r' from origin")
    assert [r.url for r in app.seen] == ["http://api.test/r"]


def test_redirect_with_credentials_in_location() -> None:
    chain = {"http://api.test/r": (302, "http://user:pw@other.test/s")}
    outcome, app = run(_redirect_chain(chain))
    assert outcome.cors_error == "RedirectContainsCredentials"
    # as Chromium 150 prints it: an empty location, the redirecting URL, no "(redirected from"
    assert outcome.chromium_message == (
        "Access to fetch at 'http://api.test/r' from origin 'https://app.example.com' has been blocked"
        " by CORS policy: Redirect location '' contains a username and password, which is disallowed"
        " for cross-origin requests."
    )
    assert len(app.seen) == 1


def test_several_disallowed_headers_are_noted() -> None:
    handler = _preflight(204, [ACAO, ("access-control-allow-methods", "PUT")])
    outcome, _ = run(handler, method="PUT", headers=[("X-Zeta", "1"), ("X-Alpha", "1")])
    assert outcome.cors_error == "HeaderDisallowedByPreflightResponse"
    assert any(w.code == "several-headers-disallowed" for w in outcome.warnings)


def test_too_many_redirects() -> None:
    def handler(req: WireRequest) -> tuple[int, list[tuple[str, str]]]:
        n = int(req.url.rsplit("/", 1)[1] or 0)
        return 302, [("access-control-allow-origin", "*"), ("location", f"http://api.test/{n + 1}")]

    outcome, app = run(handler, url="http://api.test/0")
    assert outcome.verdict == "blocked"
    assert outcome.network_error == "net::ERR_TOO_MANY_REDIRECTS"
    assert outcome.cors_error is None
    assert outcome.chromium_message == "Failed to load resource: net::ERR_TOO_MANY_REDIRECTS"
    assert len(app.seen) == 21


def test_streamed_body_cannot_follow_307() -> None:
    chain = {"http://api.test/r": (307, "http://api.test/s")}
    outcome, _ = run(_redirect_chain(chain), method="POST", body_stream=True, body=b"x")
    assert outcome.verdict == "blocked"
    assert outcome.network_error is not None


# -- inputs fetch() rejects ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kw",
    [
        {"method": "TRACE"},
        {"method": "GE T"},
        {"headers": [("Bad Name", "x")]},
        {"headers": [("X-A", "a\nb")]},
        {"headers": [("X-A", "\u20ac")]},
        {"method": "GET", "body": "x"},
        {"origin": "app.example.com"},
        {"credentials": "sometimes"},
    ],
)
def test_fetch_input_errors(kw: dict[str, Any]) -> None:
    with pytest.raises(FetchInputError):
        run(permissive, **kw)


def test_forbidden_header_is_dropped_with_a_warning() -> None:
    outcome, app = run(permissive, headers=[("Cookie", "a=1"), ("Origin", "https://evil.example")])
    assert app.seen[0].get("cookie") is None
    assert app.seen[0].get("origin") == PAGE
    assert [w.code for w in outcome.warnings].count("forbidden-header") == 2


def test_string_body_gets_text_plain_content_type() -> None:
    outcome, app = run(permissive, method="POST", body="hello")
    assert not outcome.preflight
    assert app.seen[0].get("content-type") == "text/plain;charset=UTF-8"
    assert app.seen[0].body == b"hello"


def test_local_network_access_from_insecure_page() -> None:
    outcome, app = run(permissive, origin="http://app.example.com", target_address_space="loopback")
    assert outcome.cors_error == "InsecureLocalNetwork"
    assert app.seen == []  # nothing is sent


def test_local_network_permission_denied_has_if_permitted() -> None:
    outcome, _ = run(permissive, target_address_space="local")
    assert outcome.cors_error == "LocalNetworkAccessPermissionDenied"
    assert outcome.if_permitted is not None and outcome.if_permitted.verdict == "allowed"
    granted, _ = run(permissive, target_address_space="local", local_network_permission=True)
    assert granted.verdict == "allowed"


def test_loopback_page_calling_loopback_is_not_lna() -> None:
    outcome, _ = run(permissive, origin="http://localhost:5173", target_address_space="loopback")
    assert outcome.verdict == "allowed"


def test_outcome_json_shape() -> None:
    outcome, _ = run(permissive, method="PUT")
    data = outcome.to_json()
    for key in (
        "verdict",
        "preflight",
        "chromium_message",
        "cors_error",
        "steps",
        "readable_headers",
        "status",
    ):
        assert key in data
    assert data["steps"][0]["kind"] == "plan"
