"""The Fetch CORS rules through the ASGI adapter (in memory) and the engine."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from corskit import CORSMiddleware, Reason
from corskit.headers import merge_vary

from ..speedups import IMPLEMENTATIONS
from .helpers import call, cors, make_app, policy, preflight_headers

APP = "https://app.example.com"
EVIL = "https://evil.example"
PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


# --- classification --------------------------------------------------------------------


def test_preflight_is_options_with_origin_and_acrm_and_never_reaches_the_app() -> None:
    mw = cors(allow_origins=[APP], allow_methods=["PUT"])
    r = call(mw, "OPTIONS", preflight_headers(APP, "PUT"))
    assert (r.status, r.app_called) == (204, False)


def test_preflight_for_any_path_is_answered_by_the_middleware() -> None:
    mw = cors(allow_origins=[APP], allow_methods=["PUT"])
    assert call(mw, "OPTIONS", preflight_headers(APP, "PUT"), path="/does/not/exist").status == 204


def test_options_without_acrm_is_an_actual_request_and_reaches_the_app() -> None:
    mw = cors(allow_origins=[APP])
    r = call(mw, "OPTIONS", [("origin", APP)])
    assert r.app_called and r.status == 200
    assert r.get("access-control-allow-origin") == APP
    assert r.get("access-control-allow-methods") is None


def test_options_with_acrm_but_no_origin_reaches_the_app() -> None:
    mw = cors(allow_origins=[APP])
    r = call(mw, "OPTIONS", [("access-control-request-method", "PUT")])
    assert r.app_called
    assert r.cors_names() == []
    assert r.vary_names() == ["origin"]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH"])
def test_other_methods_with_acrm_are_actual_requests(method: str) -> None:
    mw = cors(allow_origins=[APP])
    r = call(mw, method, preflight_headers(APP, "PUT"))
    assert r.app_called and r.get("access-control-allow-origin") == APP
    assert r.get("access-control-allow-methods") is None


def test_lowercase_options_is_not_a_preflight() -> None:
    mw = cors(allow_origins=[APP], allow_methods=["PUT"])
    assert call(mw, "options", preflight_headers(APP, "PUT")).app_called


# --- preflight answers ------------------------------------------------------------------


def test_preflight_success_is_204_without_body() -> None:
    mw = cors(
        allow_origins=[APP],
        allow_methods=["PUT"],
        allow_headers=["X-Token"],
        allow_credentials=True,
        max_age=300,
    )
    r = call(mw, "OPTIONS", preflight_headers(APP, "PUT", "x-token"))
    assert r.status == 204 and r.body == b""
    assert r.get("access-control-allow-origin") == APP
    assert r.get("access-control-allow-methods") == "PUT"
    assert r.get("access-control-allow-headers") == "x-token"
    assert r.get("access-control-allow-credentials") == "true"
    assert r.get("access-control-max-age") == "300"
    assert r.get("vary") == PREFLIGHT_VARY
    assert r.get("access-control-expose-headers") is None


def test_preflight_status_200_is_selectable_for_legacy_clients() -> None:
    mw = cors(allow_origins=[APP], allow_methods=["PUT"], preflight_status=200)
    r = call(mw, "OPTIONS", preflight_headers(APP, "PUT"))
    assert r.status == 200 and r.body == b""
    assert r.get("content-length") == "0"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (preflight_headers(EVIL, "PUT"), "origin-not-allowed"),
        (preflight_headers("null", "PUT"), "origin-null"),
        (preflight_headers(APP, "DELETE"), "method-not-allowed"),
        (preflight_headers(APP, "put"), "method-not-allowed"),
        (preflight_headers(APP, "PUT", "x-other"), "header-not-allowed"),
        (preflight_headers(APP, "PUT", "x-token,authorization"), "header-not-allowed"),
        (preflight_headers(APP, "PUT", "x token"), "header-list-malformed"),
        (
            [("origin", APP), ("origin", EVIL), ("access-control-request-method", "PUT")],
            "origin-duplicated",
        ),
    ],
)
def test_preflight_failure_is_403_without_cors_headers(
    headers: list[tuple[str, str]], reason: str
) -> None:
    mw = cors(
        allow_origins=[APP],
        allow_methods=["PUT"],
        allow_headers=["X-Token"],
        allow_credentials=True,
        expose_headers=["X-Total"],
    )
    r = call(mw, "OPTIONS", headers)
    assert (r.status, r.app_called) == (403, False)
    assert r.cors_names() == []
    assert r.body == b""
    assert r.vary_names() == [
        "origin",
        "access-control-request-method",
        "access-control-request-headers",
    ]
    debug = call(
        cors(allow_origins=[APP], allow_methods=["PUT"], allow_headers=["X-Token"], debug=True),
        "OPTIONS",
        headers,
    )
    assert debug.status == 403 and debug.cors_names() == []
    assert debug.body.decode().startswith(f"corskit: preflight refused: {reason}")


def test_debug_body_names_the_offending_method_and_header() -> None:
    mw = cors(allow_origins=[APP], allow_methods=["PUT"], allow_headers=["X-Token"], debug=True)
    assert call(mw, "OPTIONS", preflight_headers(APP, "DELETE")).body == (
        b"corskit: preflight refused: method-not-allowed (DELETE)\n"
    )
    r = call(mw, "OPTIONS", preflight_headers(APP, "PUT", "x-token,x-nope"))
    assert r.body == b"corskit: preflight refused: header-not-allowed (x-nope)\n"
    assert r.get("content-type") == "text/plain; charset=utf-8"
    assert r.get("content-length") == str(len(r.body))


def test_debug_body_escapes_hostile_values() -> None:
    mw = cors(allow_origins=[APP], allow_methods=["*"], debug=True)
    r = call(
        mw, "OPTIONS", [("origin", APP), ("access-control-request-method", "PUT\r\nX-Evil: 1")]
    )
    assert b"\r" not in r.body and b"\nX-Evil" not in r.body


# --- methods -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
def test_safelisted_methods_are_always_allowed(method: str) -> None:
    r = call(
        cors(allow_origins=[APP], allow_methods=["PUT"]), "OPTIONS", preflight_headers(APP, method)
    )
    assert r.status == 204 and r.get("access-control-allow-methods") == method


def test_acam_echoes_the_requested_method_only() -> None:
    mw = cors(allow_origins=[APP], allow_methods=["PUT", "DELETE", "PATCH"])
    assert (
        call(mw, "OPTIONS", preflight_headers(APP, "DELETE")).get("access-control-allow-methods")
        == "DELETE"
    )


@pytest.mark.parametrize(
    ("configured", "requested", "allowed"),
    [
        (["PATCH"], "PATCH", True),
        (["PATCH"], "patch", False),  # fetch() sends 'patch' as written; ACAM is case-sensitive
        (["patch"], "patch", True),
        (["patch"], "PATCH", False),
        (["put"], "PUT", True),  # normalised like Fetch does: the browser sends PUT for 'put'
        (["delete"], "DELETE", True),
        (["PUT"], "put", False),  # a browser never sends 'put'
        (["QUERY"], "QUERY", True),
        (["QUERY"], "query", False),
        (["*"], "CUSTOM", True),
        (["*"], "patch", True),
        (["*"], "BAD METHOD", False),
    ],
)
def test_method_matching_is_case_sensitive_with_fetch_normalisation(
    configured: list[str], requested: str, allowed: bool
) -> None:
    mw = cors(allow_origins=[APP], allow_methods=configured)
    r = call(mw, "OPTIONS", preflight_headers(APP, requested))
    assert (r.status == 204) is allowed
    if allowed:
        assert r.get("access-control-allow-methods") == requested


def test_wildcard_methods_echo_the_method_so_credentials_work() -> None:
    mw = cors(allow_origins=[APP], allow_methods=["*"], allow_credentials=True)
    r = call(mw, "OPTIONS", preflight_headers(APP, "PROPFIND"))
    assert r.status == 204 and r.get("access-control-allow-methods") == "PROPFIND"


# --- request headers ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["accept", "accept-language", "content-language", "content-type"])
def test_safelisted_request_header_names_are_always_allowed(name: str) -> None:
    # As in Starlette (docs/differences.md, D19): a JSON API need not list Content-Type.
    r = call(cors(allow_origins=[APP]), "OPTIONS", preflight_headers(APP, "GET", name))
    assert r.status == 204 and r.get("access-control-allow-headers") == name


def test_header_names_are_case_insensitive_and_echoed_lowercase() -> None:
    mw = cors(allow_origins=[APP], allow_headers=["X-Token"])
    r = call(mw, "OPTIONS", preflight_headers(APP, "GET", "X-TOKEN, Content-Type"))
    assert r.status == 204 and r.get("access-control-allow-headers") == "x-token,content-type"


def test_wildcard_headers_allow_any_name_but_authorization() -> None:
    mw = cors(allow_origins=[APP], allow_headers=["*"])
    r = call(mw, "OPTIONS", preflight_headers(APP, "GET", "x-anything,x-else"))
    assert r.status == 204 and r.get("access-control-allow-headers") == "x-anything,x-else"
    for acrh in ["authorization", "x-a,authorization", "Authorization"]:
        assert call(mw, "OPTIONS", preflight_headers(APP, "GET", acrh)).status == 403
    assert (
        policy(allow_origins=[APP], allow_headers=["*"])
        .engine.preflight(APP.encode(), b"GET", [b"authorization"], None)
        .reason
        == Reason.AUTHORIZATION_NOT_COVERED
    )


@pytest.mark.parametrize("credentials", [False, True])
def test_authorization_is_allowed_when_listed_beside_the_wildcard(credentials: bool) -> None:
    mw = cors(
        allow_origins=[APP], allow_headers=["*", "Authorization"], allow_credentials=credentials
    )
    r = call(mw, "OPTIONS", preflight_headers(APP, "GET", "authorization,x-custom"))
    assert r.status == 204 and r.get("access-control-allow-headers") == "authorization,x-custom"


def test_authorization_listed_alone_is_allowed() -> None:
    r = call(
        cors(allow_origins=[APP], allow_headers=["Authorization"]),
        "OPTIONS",
        preflight_headers(APP, "GET", "authorization"),
    )
    assert r.status == 204


def test_acrh_split_over_several_lines_is_accepted() -> None:
    mw = cors(allow_origins=[APP], allow_headers=["x-a", "x-b", "x-c"])
    r = call(
        mw,
        "OPTIONS",
        [
            *preflight_headers(APP, "GET"),
            ("access-control-request-headers", "x-a"),
            ("access-control-request-headers", "x-b, x-c"),
        ],
    )
    assert r.status == 204
    assert r.get("access-control-allow-headers") == "x-a,x-b,x-c"
    r = call(
        mw,
        "OPTIONS",
        [
            *preflight_headers(APP, "GET"),
            ("access-control-request-headers", "x-a"),
            ("access-control-request-headers", "x-nope"),
        ],
    )
    assert r.status == 403


@pytest.mark.parametrize("acrh", ["  x-a ,\tx-b  ", "x-a,,x-b", "x-a, x-b,", " ", "", "\tx-a"])
def test_acrh_padded_with_whitespace_or_empty_items_is_accepted(acrh: str) -> None:
    r = call(
        cors(allow_origins=[APP], allow_headers=["x-a", "x-b"]),
        "OPTIONS",
        preflight_headers(APP, "GET", acrh),
    )
    assert r.status == 204


def test_empty_acrh_sends_no_allow_headers() -> None:
    r = call(
        cors(allow_origins=[APP], allow_headers=["x-a"]),
        "OPTIONS",
        preflight_headers(APP, "GET", ""),
    )
    assert r.status == 204 and r.get("access-control-allow-headers") is None


@pytest.mark.parametrize("wildcard", [False, True])
@pytest.mark.parametrize(
    "acrh",
    [
        ",".join(["x-a"] + [""] * 10_000),
        "," * 10_000,
        "x-a," * 25_000,
        "x" * 100_000,
        "x-a" + " " * 100_000 + ",x-b",
    ],
    ids=[
        "10000-commas-after-a-name",
        "10000-commas",
        "100KB-of-names",
        "100KB-name",
        "100KB-of-spaces",
    ],
)
def test_hostile_acrh_lists_are_refused(acrh: str, wildcard: bool) -> None:
    mw = cors(allow_origins=[APP], allow_headers=["*"] if wildcard else ["x-a", "x-b"])
    r = call(mw, "OPTIONS", preflight_headers(APP, "GET", acrh))
    assert r.status == 403 and r.cors_names() == []
    d = mw.policy.engine.preflight(APP.encode(), b"GET", [acrh.encode()], None)
    assert d.reason in (Reason.HEADER_LIST_TOO_LONG, Reason.HEADER_LIST_MALFORMED)


def test_hostile_acrh_over_many_lines_is_refused() -> None:
    mw = cors(allow_origins=[APP], allow_headers=["*"])
    lines = [("access-control-request-headers", "x-a")] * 5_000
    assert call(mw, "OPTIONS", [*preflight_headers(APP, "GET"), *lines]).status == 403


def test_many_empty_items_are_malformed() -> None:
    engine = policy(allow_origins=[APP], allow_headers=["*"]).engine
    assert (
        engine.preflight(APP.encode(), b"GET", [b"," * 20 + b"x-a"], None).reason
        == Reason.HEADER_LIST_MALFORMED
    )


# --- actual responses -------------------------------------------------------------------


def test_actual_response_for_an_allowed_origin() -> None:
    mw = cors(allow_origins=[APP], allow_credentials=True, expose_headers=["X-Total", "ETag"])
    r = call(mw, "GET", [("origin", APP)])
    assert r.app_called
    assert r.get_all("access-control-allow-origin") == [APP]
    assert r.get("access-control-allow-credentials") == "true"
    assert r.get("access-control-expose-headers") == "x-total, etag"
    assert r.vary_names() == ["origin"]


def test_actual_response_for_a_disallowed_origin_has_only_vary() -> None:
    mw = cors(allow_origins=[APP], allow_credentials=True, expose_headers=["X-Total"])
    for origin in [EVIL, "null", APP + ".evil.test", "https://APP.example.com", "garbage"]:
        r = call(mw, "GET", [("origin", origin)])
        assert r.app_called and r.status == 200
        assert r.cors_names() == [], origin
        assert r.vary_names() == ["origin"]


def test_duplicated_origin_gets_no_cors_headers() -> None:
    mw = cors(allow_origins=[APP, "https://b.example.com"])
    r = call(mw, "GET", [("origin", APP), ("origin", "https://b.example.com")])
    assert r.app_called and r.cors_names() == []


def test_wildcard_answers_star_on_every_response_without_vary() -> None:
    mw = cors(allow_origins=["*"], expose_headers=["X-Total"])
    for headers in ([("origin", APP)], [("origin", "null")], []):
        r = call(mw, "GET", headers)
        assert r.get_all("access-control-allow-origin") == ["*"]
        assert r.get("access-control-expose-headers") == "x-total"
        assert r.get("access-control-allow-credentials") is None
        assert r.get("vary") is None  # Fetch: a static ACAO needs no Vary


def test_acao_is_a_single_value_replacing_the_apps_own() -> None:
    app = make_app(
        headers=[
            (b"access-control-allow-origin", b"*"),
            (b"access-control-allow-credentials", b"false"),
            (b"access-control-expose-headers", b"x-app"),
        ]
    )
    r = call(cors(app, allow_origins=[APP], allow_credentials=True), "GET", [("origin", APP)])
    assert r.get_all("access-control-allow-origin") == [APP]
    assert r.get_all("access-control-allow-credentials") == ["true"]
    assert r.get_all("access-control-expose-headers") == []


def test_requests_without_origin_get_vary_origin_and_nothing_else() -> None:
    mw = cors(allow_origins=[APP], allow_credentials=True, expose_headers=["x-total"])
    r = call(mw, "GET")
    assert r.app_called and r.cors_names() == [] and r.vary_names() == ["origin"]


@pytest.mark.parametrize("origins", [[APP], ["https://*.example.com"], ["*", APP]])
def test_the_app_status_and_body_are_untouched(origins: list[str]) -> None:
    app = make_app(
        status=418, headers=[(b"content-type", b"text/plain"), (b"x-app", b"1")], body=b"teapot"
    )
    r = call(cors(app, allow_origins=origins), "DELETE", [("origin", APP)])
    assert (r.status, r.body) == (418, b"teapot")
    assert r.get("x-app") == "1" and r.get("content-type") == "text/plain"


# --- Vary ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("app_vary", "expected"),
    [
        ([], ["origin"]),
        ([b"Accept-Encoding"], ["accept-encoding", "origin"]),
        ([b"Origin"], ["origin"]),
        ([b"origin"], ["origin"]),
        ([b"Accept, Origin"], ["accept", "origin"]),
        (
            [b"Accept-Encoding", b"Accept-Language"],
            ["accept-encoding", "accept-language", "origin"],
        ),
        ([b"Origin", b"Accept-Encoding"], ["origin", "accept-encoding"]),
        ([b"*"], ["*"]),
        ([b""], ["origin"]),
    ],
)
@pytest.mark.parametrize("origin", [APP, EVIL, None])
def test_vary_is_merged_never_duplicated_or_overwritten(
    app_vary: list[bytes], expected: list[str], origin: str | None
) -> None:
    app = make_app(headers=[(b"vary", v) for v in app_vary])
    r = call(cors(app, allow_origins=[APP]), "GET", [("origin", origin)] if origin else [])
    assert r.vary_names() == expected


def test_vary_with_wildcard_keeps_the_apps_vary_untouched() -> None:
    app = make_app(headers=[(b"Vary", b"Accept-Encoding")])
    r = call(cors(app, allow_origins=["*"]), "GET", [("origin", APP)])
    assert r.get_all("vary") == ["Accept-Encoding"]


def test_vary_on_preflights_lists_the_request_headers_it_depends_on() -> None:
    mw = cors(allow_origins=[APP], allow_methods=["PUT"], allow_private_network=True)
    r = call(mw, "OPTIONS", preflight_headers(APP, "PUT"))
    assert r.get("vary") == PREFLIGHT_VARY + ", Access-Control-Request-Private-Network"


def test_merge_vary() -> None:
    assert merge_vary(b"Accept-Encoding", b"Origin") == b"Accept-Encoding, Origin"
    assert merge_vary(b"  ", b"Origin") == b"Origin"
    assert merge_vary(b"accept,ORIGIN", b"Origin") == b"accept,ORIGIN"
    assert merge_vary(b"*", b"Origin, Accept") == b"*"
    assert merge_vary(b"Accept", b"Origin, Access-Control-Request-Method") == (
        b"Accept, Origin, Access-Control-Request-Method"
    )


# --- max-age, private network --------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_age", "header"), [(600, "600"), (0, "0"), (-1, "0"), (None, None), (7200, "7200")]
)
def test_max_age_header(max_age: int | None, header: str | None) -> None:
    r = call(
        cors(allow_origins=[APP], allow_methods=["PUT"], max_age=max_age),
        "OPTIONS",
        preflight_headers(APP, "PUT"),
    )
    assert r.get("access-control-max-age") == header


@pytest.mark.parametrize(
    ("allowed", "value", "granted"),
    [(True, "true", True), (True, "TRUE", True), (True, "false", False), (False, "true", False)],
)
def test_private_network_access(allowed: bool, value: str, granted: bool) -> None:
    mw = cors(allow_origins=[APP], allow_methods=["PUT"], allow_private_network=allowed)
    r = call(
        mw,
        "OPTIONS",
        [*preflight_headers(APP, "PUT"), ("access-control-request-private-network", value)],
    )
    assert r.status == 204  # the CORS part is answered either way; the browser decides about PNA
    assert (r.get("access-control-allow-private-network") == "true") is granted
    actual = call(mw, "GET", [("origin", APP), ("access-control-request-private-network", "true")])
    assert actual.get("access-control-allow-private-network") is None


# --- websocket and lifespan ----------------------------------------------------------------


def _run_scope(
    mw: CORSMiddleware, scope: dict[str, Any], incoming: list[dict[str, Any]]
) -> tuple[list[tuple[Any, Any, Any]], list[dict[str, Any]]]:
    import asyncio

    seen: list[tuple[Any, Any, Any]] = []
    sent: list[dict[str, Any]] = []
    queue = list(incoming)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append((scope, receive, send))

    async def receive() -> dict[str, Any]:
        return queue.pop(0)

    async def send(message: Any) -> None:
        sent.append(message)

    async def main() -> None:  # the middleware returns an awaitable, not always a coroutine
        await mw(scope, receive, send)

    mw.app = app
    asyncio.run(main())
    if seen:
        assert seen[0][1] is receive and seen[0][2] is send  # passed through untouched
    return seen, sent


def _ws_scope(origin: str | None) -> dict[str, Any]:
    headers = [(b"origin", origin.encode())] if origin else []
    return {"type": "websocket", "path": "/ws", "headers": headers, "subprotocols": []}


def test_lifespan_passes_through_untouched() -> None:
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
    seen, sent = _run_scope(cors(allow_origins=[APP], check_websocket_origin=True), scope, [])
    assert seen and seen[0][0] is scope and sent == []


@pytest.mark.parametrize("origin", [APP, EVIL, None])
def test_websocket_passes_through_untouched_by_default(origin: str | None) -> None:
    scope = _ws_scope(origin)
    seen, sent = _run_scope(cors(allow_origins=[APP]), scope, [{"type": "websocket.connect"}])
    assert seen and seen[0][0] is scope and sent == []


@pytest.mark.parametrize(
    ("origin", "allowed"), [(APP, True), (None, True), (EVIL, False), ("null", False)]
)
def test_websocket_origin_check_is_opt_in(origin: str | None, allowed: bool) -> None:
    mw = cors(allow_origins=[APP], check_websocket_origin=True)
    seen, sent = _run_scope(mw, _ws_scope(origin), [{"type": "websocket.connect"}])
    assert bool(seen) is allowed
    if not allowed:
        assert sent == [{"type": "websocket.close", "code": 1008}]


def test_websocket_origin_check_uses_patterns_and_wildcard() -> None:
    mw = cors(allow_origins=["https://*.example.com"], check_websocket_origin=True)
    assert _run_scope(mw, _ws_scope("https://a.example.com"), [{"type": "websocket.connect"}])[0]
    assert not _run_scope(mw, _ws_scope("https://example.com"), [{"type": "websocket.connect"}])[0]
    mw = cors(allow_origins=["*"], check_websocket_origin=True)
    assert _run_scope(mw, _ws_scope(EVIL), [{"type": "websocket.connect"}])[0]


# --- reasons and logging ----------------------------------------------------------------


def test_every_refusal_has_a_reason_code() -> None:
    engine = policy(allow_origins=[APP], allow_methods=["PUT"], allow_headers=["x-a"]).engine
    assert engine.actual(EVIL.encode()).reason == Reason.ORIGIN_NOT_ALLOWED
    assert engine.actual(b"null").reason == Reason.ORIGIN_NULL
    assert engine.actual(APP.encode()).reason == Reason.ACTUAL_ALLOWED
    assert engine.no_origin.reason == Reason.NO_ORIGIN
    assert engine.preflight(APP.encode(), b"PUT", [b"x-a"], None).reason == Reason.PREFLIGHT_ALLOWED
    assert engine.preflight(APP.encode(), b"PATCH", [], None).reason == Reason.METHOD_NOT_ALLOWED
    assert (
        engine.preflight(APP.encode(), b"PUT", [b"x-b"], None).reason == Reason.HEADER_NOT_ALLOWED
    )
    assert (
        engine.preflight(APP.encode(), b"PUT", [b"x a"], None).reason
        == Reason.HEADER_LIST_MALFORMED
    )
    assert (
        engine.preflight(APP.encode(), b"PUT", [b"x-a," * 100], None).reason
        == Reason.HEADER_LIST_TOO_LONG
    )
    assert engine.duplicated_origin(True).reason == Reason.ORIGIN_DUPLICATED
    assert set(Reason.ALL) >= {
        "preflight-allowed",
        "actual-allowed",
        "no-origin",
        "origin-not-allowed",
        "origin-null",
        "origin-duplicated",
        "method-not-allowed",
        "header-not-allowed",
        "authorization-not-covered-by-wildcard",
        "header-list-malformed",
        "header-list-too-long",
    }


def test_refusals_are_logged_at_debug_on_the_corskit_logger(
    caplog: pytest.LogCaptureFixture,
) -> None:
    mw = cors(allow_origins=[APP], allow_methods=["PUT"])
    with caplog.at_level(logging.DEBUG, logger="corskit"):
        call(mw, "OPTIONS", preflight_headers(APP, "DELETE"), path="/items")
        call(mw, "GET", [("origin", EVIL)], path="/items")
        call(mw, "GET", [("origin", APP)])  # allowed: nothing logged
        call(mw, "GET")  # no Origin: nothing logged
    records = [r for r in caplog.records if r.name == "corskit"]
    runs = len(IMPLEMENTATIONS)  # call() runs each request with the C and the Python loops
    assert [r.levelno for r in records] == [logging.DEBUG] * 2 * runs
    first, second = (r.getMessage() for r in records[::runs])
    assert (
        "preflight refused" in first
        and "reason=method-not-allowed" in first
        and "detail=DELETE" in first
    )
    assert "path=/items" in first and f"origin={APP}" in first
    assert "reason=origin-not-allowed" in second and f"origin={EVIL}" in second


def test_nothing_is_logged_above_debug(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="corskit"):
        call(cors(allow_origins=[APP]), "OPTIONS", preflight_headers(EVIL, "PUT"))
    assert [r for r in caplog.records if r.name == "corskit"] == []


def test_log_lines_cannot_be_forged(caplog: pytest.LogCaptureFixture) -> None:
    mw = cors(allow_origins=[APP], allow_methods=["*"])
    hostile_origin = "https://evil.example\r\nINFO forged line"
    with caplog.at_level(logging.DEBUG, logger="corskit"):
        call(mw, "GET", [("origin", hostile_origin)], path="/a\nb")
        call(mw, "OPTIONS", [("origin", hostile_origin), ("access-control-request-method", "PUT")])
        call(
            mw,
            "OPTIONS",
            [
                ("origin", APP),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "x\r\ny"),
            ],
        )
    messages = [r.getMessage() for r in caplog.records if r.name == "corskit"]
    assert len(messages) == 3 * len(IMPLEMENTATIONS)  # one per request and implementation
    for message in messages:
        assert "\r" not in message and "\n" not in message
    assert "\\x0d\\x0aINFO forged line" in messages[0]
    assert "path=/a\\x0ab" in messages[0]


# --- the engine is sans-IO and reusable ----------------------------------------------------


def test_engine_decisions_are_plain_data() -> None:
    engine = policy(allow_origins=[APP], allow_methods=["PUT"], allow_credentials=True).engine
    d = engine.preflight(APP.encode(), b"PUT", [], None)
    assert d.allowed and d.status == 204
    assert dict(d.headers)[b"access-control-allow-origin"] == APP.encode()
    assert d.vary == PREFLIGHT_VARY.encode()
    assert engine.actual(APP.encode()) == engine.actual(APP.encode())


def test_decided_holds_only_what_classify_answers() -> None:
    """Engine.decided, which the ASGI adapter reads before classify, gives the same decision
    for every origin; with an origin function it stays empty (a refusal may be overturned)."""
    from corskit import OriginFunction
    from corskit.dynamic import raw_getter

    static = cors(allow_origins=[APP], allow_credentials=True).policy.engine
    for origin in (APP.encode(), EVIL.encode(), b"null", b"https://" + b"x" * 5000):
        static.classify(origin, False, None, [], raw_getter)
    assert {APP.encode(), EVIL.encode(), b"null"} <= set(static.decided)
    assert not any(len(o) > 4096 for o in static.decided)  # oversized: refused unhashed
    for origin, decision in static.decided.items():
        assert static.classify(origin, False, None, [], raw_getter) is decision
    dynamic = cors(
        allow_origins=[APP], allow_origin_func=OriginFunction(lambda o: True, threads=0)
    ).policy.engine
    dynamic.classify(EVIL.encode(), False, None, [], raw_getter)
    dynamic.classify(APP.encode(), False, None, [], raw_getter)
    assert dict(dynamic.decided) == {}
