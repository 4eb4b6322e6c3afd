"""Live reconfiguration: atomic, validated swaps of a running
middleware's policy and routes, under load on a real uvicorn server."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest

from corskit import CORSConfigError, CORSMiddleware, CORSPolicy
from tests.servers import serve_asgi

from .helpers import APP, EVIL, get, preflight, text_app

OTHER = "https://other.example.com"
# Two policies that differ in every header they send, so any mix is detectable.
A = CORSPolicy(
    allow_origins=[APP],
    allow_methods=["PUT"],
    allow_headers=["x-a"],
    allow_credentials=True,
    expose_headers=["x-from-a"],
    max_age=100,
)
B = CORSPolicy(
    allow_origins=[APP, OTHER],
    allow_methods=["PATCH", "PUT"],
    allow_headers=["x-b"],
    expose_headers=["x-from-b"],
    max_age=200,
)
ROUTE_A = CORSPolicy(allow_origins=["*"], expose_headers=["x-route-a"])
ROUTE_B = CORSPolicy(allow_origins=[OTHER], expose_headers=["x-route-b"], max_age=5)


def expected_actual(policy: CORSPolicy, origin: str) -> dict[str, str]:
    d = policy.engine.actual(origin.encode())
    return {n.decode(): v.decode() for n, v in d.headers}


def expected_preflight(
    policy: CORSPolicy, origin: str, method: str, acrh: str
) -> tuple[int, dict[str, str]]:
    d = policy.engine.preflight(origin.encode(), method.encode(), [acrh.encode()], None)
    return d.status, {n.decode(): v.decode() for n, v in d.headers}


def cors_of(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


def test_invalid_reconfiguration_is_refused_and_the_old_policy_stays() -> None:
    mw = CORSMiddleware(text_app("x"), policy=A)
    with serve_asgi(mw) as base:
        with pytest.raises(CORSConfigError) as caught:
            mw.reconfigure(allow_origins=["*"], allow_credentials=True)
        assert caught.value.codes == ("wildcard-origin-with-credentials",)
        with pytest.raises(CORSConfigError):
            mw.reconfigure(policy=B, routes={"no-slash": ROUTE_A})  # bad routes: nothing swapped
        with pytest.raises(TypeError):
            mw.policy = {"allow_origins": [APP]}  # type: ignore[assignment]
        with pytest.raises(TypeError):
            mw.reconfigure(policy=B, allow_origins=[APP])
        assert mw.policy is A and mw.routes == {}
        assert get(base, "/", APP).cors() == expected_actual(A, APP)
        mw.reconfigure(allow_origins=[OTHER])  # keyword settings: a complete new policy
        assert mw.policy == CORSPolicy(allow_origins=[OTHER])
        assert get(base, "/", OTHER).acao == OTHER and get(base, "/", APP).acao is None
        mw.policy = mw.policy.replace(allow_origins=[APP])  # a patch
        assert get(base, "/", APP).acao == APP
        mw.reconfigure(routes={"/r": ROUTE_A})  # routes only: the policy stays
        assert mw.policy.allow_origins == (APP,) and get(base, "/r/x", EVIL).acao == "*"
        mw.reconfigure(routes=None)
        assert get(base, "/r/x", EVIL).acao is None


def test_reconfiguration_under_load_never_mixes_two_policies() -> None:
    mw = CORSMiddleware(text_app("x"), policy=A, routes={"/r": ROUTE_A})
    configs = [(A, {"/r": ROUTE_A}), (B, {"/r": ROUTE_B})]
    # What each request may legitimately get: exactly the answer of one configuration.
    get_answers = [expected_actual(p, APP) for p, _ in configs]
    route_answers = [expected_actual(r["/r"], OTHER) for _, r in configs]
    pf_answers = [expected_preflight(p, APP, "PUT", "x-a") for p, _ in configs]
    assert len({str(a) for a in get_answers}) == 2 and len({str(a) for a in pf_answers}) == 2
    swaps = 0
    stop = threading.Event()

    def swapper() -> None:
        nonlocal swaps
        while not stop.is_set() and swaps < 2000:
            policy, routes = configs[swaps % 2]
            mw.reconfigure(policy=policy, routes=routes)
            swaps += 1
            time.sleep(0.0005)

    seen: dict[str, set[int]] = {"get": set(), "route": set(), "preflight": set()}

    async def load(base: str) -> None:
        async with httpx.AsyncClient(
            base_url=base, limits=httpx.Limits(max_connections=64), timeout=20
        ) as client:

            async def one(i: int) -> None:
                kind = i % 3
                if kind == 0:
                    r = await client.get("/data", headers={"Origin": APP})
                    got = cors_of(r)
                    assert got in get_answers, got
                    seen["get"].add(get_answers.index(got))
                elif kind == 1:
                    r = await client.get("/r/data", headers={"Origin": OTHER})
                    got = cors_of(r)
                    assert got in route_answers, got
                    seen["route"].add(route_answers.index(got))
                else:
                    r = await client.options(
                        "/data",
                        headers={
                            "Origin": APP,
                            "Access-Control-Request-Method": "PUT",
                            "Access-Control-Request-Headers": "x-a",
                        },
                    )
                    got_pf = (r.status_code, cors_of(r))
                    assert got_pf in pf_answers, got_pf
                    seen["preflight"].add(pf_answers.index(got_pf))

            for batch in range(4):
                await asyncio.gather(*[one(batch * 100 + i) for i in range(100)])

    with serve_asgi(mw) as base:
        thread = threading.Thread(target=swapper)
        thread.start()
        try:
            asyncio.run(load(base))
        finally:
            stop.set()
            thread.join(10)
    assert swaps >= 50, swaps
    # both configurations were really served while swapping
    assert seen["get"] == {0, 1} or seen["preflight"] == {0, 1} or seen["route"] == {0, 1}, seen


def test_a_request_keeps_the_configuration_it_started_with() -> None:
    mw_holder: dict[str, CORSMiddleware] = {}

    async def slow_app(scope: Any, receive: Any, send: Any) -> None:
        mw_holder["mw"].reconfigure(policy=B)  # swapped while this request runs
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    mw = CORSMiddleware(slow_app, policy=A)
    mw_holder["mw"] = mw
    with serve_asgi(mw) as base:
        assert get(base, "/", APP).cors() == expected_actual(A, APP)  # decided before the swap
        assert mw.policy is B
        assert preflight(base, "/", OTHER, method="PATCH").status == 204


def test_outermost_app_can_be_reconfigured() -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    import corskit

    async def hello(request: Any) -> PlainTextResponse:
        return PlainTextResponse("hi")

    app = corskit.outermost(Starlette(routes=[Route("/", hello)]), policy=A)
    with serve_asgi(app) as base:
        assert get(base, "/", OTHER).acao is None
        app.state.corskit.reconfigure(policy=B)
        assert get(base, "/", OTHER).acao == OTHER
