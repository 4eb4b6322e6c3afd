"""Per-route policies: longest-prefix match on the canonical path,
and the path-matching bypasses of flask-cors's CVEs, against a real uvicorn server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from corskit import CORSConfigError, CORSMiddleware, CORSPolicy, RouteTable
from corskit.options import PolicyOptions
from corskit.routing import AMBIGUOUS
from tests.servers import serve_asgi

from .helpers import ADMIN, APP, EVIL, get, preflight, raw_request

PUBLIC = CORSPolicy(allow_origins=["*"], allow_methods=["GET"])
ADMIN_POLICY = CORSPolicy(
    allow_origins=[ADMIN], allow_methods=["GET", "PUT", "DELETE"], allow_credentials=True
)
API = CORSPolicy(allow_origins=["*"], allow_methods=["GET", "PUT"])
DEFAULT: PolicyOptions = {
    "allow_origins": [APP],
    "allow_methods": ["GET", "PUT"],
    "allow_credentials": True,
}
# "/api" (public, "*") is listed before the more specific, stricter "/api/admin": the
# order must not matter (CVE-2024-6839 was a priority bug).
ROUTES: dict[str, CORSPolicy] = {
    "/public": PUBLIC,
    "/api": API,
    "/api/admin": ADMIN_POLICY,
    "/c++": PUBLIC,
}


def starlette_app() -> Any:
    """Routes that see the literal path, like a real app with catch-all routes."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    def handler(label: str) -> Any:
        async def endpoint(request: Request) -> PlainTextResponse:
            return PlainTextResponse(f"{label}: {request.url.path}")

        return endpoint

    return Starlette(
        routes=[
            Route("/public/{rest:path}", handler("public")),
            Route("/api/admin/{rest:path}", handler("admin"), methods=["GET", "PUT", "DELETE"]),
            Route("/api/{rest:path}", handler("api"), methods=["GET", "PUT"]),
            Route("/private/{rest:path}", handler("private")),
            Route("/{rest:path}", handler("other")),
        ]
    )


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    app = CORSMiddleware(starlette_app(), routes=ROUTES, **DEFAULT)
    with serve_asgi(app) as base:
        yield base


# --- the table, in memory --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/public", "/public"),
        ("/public/", "/public"),
        ("/public/items/1", "/public"),
        ("/publicx", None),
        ("/publi", None),
        ("/api", "/api"),
        ("/apix/admin", None),
        ("/api/admin", "/api/admin"),
        ("/api/admin/users", "/api/admin"),
        ("/api/adminx", "/api"),
        ("/", None),
        ("", None),
        ("/c++/x", "/c++"),
        ("/c  /x", None),
        ("/public/a/b/../c", "/public"),  # both readings stay in /public
        ("/public//items", "/public"),
    ],
)
def test_longest_segment_prefix(path: str, expected: str | None) -> None:
    assert RouteTable(ROUTES).match(path) == expected


def test_order_of_the_mapping_does_not_matter() -> None:
    reversed_routes = dict(reversed(list(ROUTES.items())))
    for path in ("/api/admin/x", "/api/x", "/public/x", "/x"):
        assert RouteTable(ROUTES).match(path) == RouteTable(reversed_routes).match(path)


@pytest.mark.parametrize(
    "path",
    [
        "/public/../api/admin/users",
        "/public/./../api/admin",
        "/api/admin/../../public",  # resolves to /public, routes literally under /api/admin
        "/api//admin/users",
        "/public\\..\\api\\admin",
        "/API/admin/users",
        "/Public/x",
        "/api/Admin",
        "/api;x=1/admin",
        "/api/admin;jsessionid=1/x",
        "/public/x\x00",
        "/api/%2e%2e/public",  # a server that decodes twice
        "/" + "a/" * 5000,
    ],
)
def test_ambiguous_paths(path: str) -> None:
    assert RouteTable(ROUTES).match(path) == AMBIGUOUS


def test_encoded_slash_seen_in_the_raw_path() -> None:
    table = RouteTable(ROUTES)
    # /api%2Fadmin: decoded "/api/admin" (the admin route) but one segment "api/admin" raw.
    assert table.match("/api/admin/x", b"/api%2Fadmin/x") == AMBIGUOUS
    assert table.match("/public/a/b", b"/public/a%2Fb") == "/public"  # same route either way
    assert table.match("/public/x", b"/public/x?next=%2Fapi%2Fadmin") == "/public"


def test_prefix_problems_are_reported_together() -> None:
    with pytest.raises(CORSConfigError) as caught:
        RouteTable(
            {
                "api": PUBLIC,
                "/api/../admin": PUBLIC,
                "/a%2Fb": PUBLIC,
                "/x//y": PUBLIC,
                "/a\\b": PUBLIC,
                "/q?x=1": PUBLIC,
                "/Admin": PUBLIC,
                "/admin/": PUBLIC,
                "/ok": {"allow_origins": ["*"], "allow_credentials": True},
                "/bad": 42,
            }
        )
    codes = caught.value.codes
    assert (
        codes.count("route-prefix-invalid") == 7
    )  # six malformed, /admin/ differs from /Admin by case only
    assert "wildcard-origin-with-credentials" in codes and "wrong-type" in codes
    fields = [p.field for p in caught.value.problems]
    assert "routes['/ok'].allow_origins" in fields


def test_router_objects_as_keys() -> None:
    from fastapi import APIRouter

    # routers are not hashable: give (router, policy) pairs
    table = RouteTable([(APIRouter(prefix="/v1/public"), PUBLIC), ("/v2", API)])
    assert table.match("/v1/public/x") == "/v1/public"
    assert table.match("/v2/x") == "/v2"


# --- a real server -----------------------------------------------------------------------


def test_each_route_gets_its_policy(server: str) -> None:
    r = get(server, "/public/items", EVIL)
    assert (r.status, r.acao, r.body) == (200, "*", b"public: /public/items")
    r = get(server, "/api/admin/users", ADMIN)
    assert (r.acao, r.get("access-control-allow-credentials")) == (ADMIN, "true")
    assert get(server, "/api/admin/users", EVIL).acao is None
    assert get(server, "/api/admin/users", APP).acao is None  # the default's origin is not admin's
    assert get(server, "/api/items", EVIL).acao == "*"
    r = get(server, "/elsewhere", APP)
    assert (r.acao, r.get("access-control-allow-credentials")) == (APP, "true")
    assert get(server, "/publicity", EVIL).acao is None  # segment-aware: not /public
    assert get(server, "/c++/x", EVIL).acao == "*"


def test_preflight_is_answered_by_the_target_route(server: str) -> None:
    r = preflight(server, "/public/items", EVIL, method="GET")
    assert (r.status, r.acao) == (204, "*")
    assert (
        preflight(server, "/public/items", EVIL, method="PUT").status == 403
    )  # public is GET only
    r = preflight(server, "/api/admin/users", ADMIN, method="DELETE")
    assert (r.status, r.acao, r.get("access-control-allow-methods")) == (204, ADMIN, "DELETE")
    assert preflight(server, "/api/admin/users", APP, method="PUT").status == 403
    assert (
        preflight(server, "/api/users", EVIL, method="DELETE").status == 403
    )  # /api allows GET, PUT
    assert preflight(server, "/other", APP, method="PUT").status == 204


# Each bypass: the attacker's page (EVIL) targets a path that a permissive policy's
# matcher might claim while the server routes it to stricter ground, or the reverse.
BYPASSES = [
    # CVE-2020-25032: "../" traversal, resource matching on a non-canonical path.
    "/public/../api/admin/users",
    "/public/../private/secret",
    "/public/%2e%2e/api/admin/users",
    "/public/%2E%2E/private/secret",
    "/public/.%2e/api/admin/users",
    "/public/..%2fapi%2fadmin/users",
    "/public/..%5capi%5cadmin",
    "/public/..\\api\\admin",
    "/public/./../api/admin/users",
    "/public//../api/admin/users",
    "/api/admin/../../public/x",
    "/api/admin/%2e%2e/%2e%2e/public/x",
    # CVE-2024-6839: priority of patterns; a less specific, more permissive prefix must
    # never win over the more specific one.
    "/api/admin/users",
    "/api//admin/users",
    "/api/./admin/users",
    "/api%2Fadmin/users",
    "/api;x/admin/users",
    # CVE-2024-6844: "+" decoded as a space.
    "/api/admin+/users",
    "/public+x",
    "/public%20x",
    "/c%20%20/x",
    # CVE-2024-6866: case-insensitive matching.
    "/API/ADMIN/users",
    "/Api/Admin/users",
    "/PUBLIC/x",
    "/Public/x",
    # double encoding
    "/public/%252e%252e/api/admin",
]


# The handler that served a request (from the app's body) and the policy it belongs to.
HANDLER_POLICY = {
    "public": PUBLIC,
    "api": API,
    "admin": ADMIN_POLICY,
    "private": None,
    "other": None,
}


def _allowed_by_handler(reply_body: bytes, origin: str) -> bool:
    label = reply_body.split(b":", 1)[0].decode("latin-1")
    policy = HANDLER_POLICY.get(label, None)
    engine = (policy or CORSPolicy(**DEFAULT)).engine
    return engine.actual(origin.encode()).allowed


@pytest.mark.parametrize("target", BYPASSES)
@pytest.mark.parametrize("origin", [EVIL, APP])
def test_bypass_attempts_never_get_more_than_the_serving_route_allows(
    server: str, target: str, origin: str
) -> None:
    r = get(server, target, origin)
    if r.acao is not None:
        # a grant is only ever the one of the route that really served the request
        assert r.status == 200 and _allowed_by_handler(r.body, origin), (
            target,
            r.status,
            r.body,
            r.cors(),
        )
    p = preflight(server, target, origin, method="GET")
    if p.acao is not None:
        assert p.status == 204 and r.status == 200 and _allowed_by_handler(r.body, origin), (
            target,
            p.status,
        )


@pytest.mark.parametrize(
    "target", [t for t in BYPASSES if "admin" in t.lower() or "private" in t or "%" in t]
)
def test_attacker_never_reaches_admin_or_private_with_a_grant(server: str, target: str) -> None:
    r = get(server, target, EVIL)
    if r.body.startswith((b"admin", b"private", b"other")):
        assert r.cors() == {}, (target, r.body, r.cors())
    assert preflight(server, target, EVIL, method="DELETE").acao is None


@pytest.mark.parametrize(
    "target",
    [
        "/public/../api/admin/users",
        "/api/admin/%2e%2e/%2e%2e/public/x",
        "/API/admin/users",
        "/api%2Fadmin/x",
    ],
)
def test_ambiguous_paths_get_the_most_restrictive_answer(server: str, target: str) -> None:
    # Even the origins that some reading would allow get nothing.
    for origin in (APP, ADMIN):
        r = get(server, target, origin)
        assert r.cors() == {}, (target, origin, r.cors())
        assert preflight(server, target, origin, method="GET").status == 403


def test_plus_and_space_are_different_paths(server: str) -> None:
    assert get(server, "/c++/x", EVIL).acao == "*"
    assert get(server, "/c%2B%2B/x", EVIL).acao == "*"  # %2B is "+"
    assert get(server, "/c%20%20/x", EVIL).acao is None


def test_root_path_is_removed_before_matching() -> None:
    app = CORSMiddleware(starlette_app(), routes={"/public": PUBLIC}, **DEFAULT)
    with serve_asgi(app, root_path="/mounted") as base:
        # uvicorn prefixes path (and raw_path) with root_path; the app routes what follows.
        assert get(base, "/public/x", EVIL).acao == "*"
        assert get(base, "/other", EVIL).acao is None


def test_routes_without_match_use_the_default_and_static_policies_are_untouched() -> None:
    mw = CORSMiddleware(starlette_app(), **DEFAULT)
    assert mw.routes == {} and mw._state[2] is None
    mw.routes = {"/public": PUBLIC}
    assert mw.routes == {"/public": PUBLIC}
    mw.routes = None
    assert mw._state[2] is None


def test_fastapi_include_router_and_outermost() -> None:
    from fastapi import APIRouter, FastAPI

    import corskit

    app = FastAPI()
    public = APIRouter(prefix="/public")
    private = APIRouter(prefix="/me")

    @public.get("/plans")
    async def plans() -> dict[str, str]:
        return {"plan": "free"}

    @private.get("")
    async def me() -> dict[str, str]:
        raise RuntimeError("boom")  # an unhandled 500 still carries CORS headers (outermost)

    corskit.include_router(app, public, PUBLIC, prefix="/v1")
    corskit.outermost(app, allow_origins=[APP], allow_credentials=True)
    # registered after outermost(): picked up when the stack is built
    corskit.include_router(app, private, ADMIN_POLICY, prefix="/v1")
    with serve_asgi(app) as base:
        r = get(base, "/v1/public/plans", EVIL)
        assert (r.status, r.acao) == (200, "*")
        r = get(base, "/v1/me", ADMIN)
        assert (r.status, r.acao, r.get("access-control-allow-credentials")) == (500, ADMIN, "true")
        assert get(base, "/v1/me", APP).acao is None
        assert get(base, "/v1/other", APP).acao == APP
    assert set(app.state.corskit.routes) == {"/v1/public", "/v1/me"}


def test_fastapi_add_middleware_with_routes_of() -> None:
    from fastapi import APIRouter, FastAPI

    import corskit

    app = FastAPI()
    public = APIRouter(prefix="/public")

    @public.get("/x")
    async def x() -> dict[str, int]:
        return {"x": 1}

    app.add_middleware(corskit.CORSMiddleware, allow_origins=[APP], routes=corskit.routes_of(app))
    corskit.include_router(app, public, PUBLIC)  # the middleware is built on the first request
    with serve_asgi(app) as base:
        assert get(base, "/public/x", EVIL).acao == "*"
        assert raw_request(base, "GET", "/public/x").status == 200
