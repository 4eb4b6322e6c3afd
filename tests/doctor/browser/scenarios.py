"""The differential suite's grammar: servers × requests × origins → scenarios.

Servers are of two kinds:

* ``corskit`` servers: ``corskit.CORSMiddleware`` with a given configuration, in front of a
  tiny ASGI app (paths ``/c/<name>/...``);
* ``broken`` servers: the hand-written ASGI apps of :mod:`tests.doctor.browser.broken`
  (paths ``/b/<name>/...``).

Both kinds are served from the *same* dispatcher app on two uvicorn servers (``A`` and ``B``
on 127.0.0.1), so redirects can hop to another origin. Requests are the shapes people send
from front-ends: simple GET, POST with a JSON body (preflighted), custom headers,
``Authorization``, lower-case ``patch``, the three credentials modes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.doctor.browser import broken

APP = "https://app.example.com"
EVIL = "https://evil.example"
SUB = "https://api.app.example.com"
INSECURE = "http://app.example.com"


@dataclass(frozen=True)
class Req:
    """A fetch() shape."""

    name: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: str = "same-origin"
    body: str | None = None


REQUESTS: dict[str, Req] = {
    r.name: r
    for r in (
        Req("get"),
        Req("get-omit", credentials="omit"),
        Req("get-include", credentials="include"),
        Req("post-text", "POST", (("Content-Type", "text/plain"),), body="hello"),
        Req("post-json", "POST", (("Content-Type", "application/json"),), body='{"a": 1}'),
        Req(
            "post-json-include",
            "POST",
            (("Content-Type", "application/json"),),
            credentials="include",
            body='{"a": 1}',
        ),
        Req("put-custom", "PUT", (("X-Custom", "1"),)),
        Req("get-authorization", "GET", (("Authorization", "Bearer t0ken"),)),
        Req(
            "get-authorization-include",
            "GET",
            (("Authorization", "Bearer t0ken"),),
            credentials="include",
        ),
        Req("patch-lower", "patch", (("Content-Type", "application/json"),), body="{}"),
        Req("patch-upper", "PATCH", (("Content-Type", "application/json"),), body="{}"),
        Req("delete-include", "DELETE", credentials="include"),
        Req("get-custom-include", "GET", (("X-Custom", "1"),), credentials="include"),
        Req("get-two-custom", "GET", (("X-Zeta", "1"), ("X-Alpha", "2"))),
    )
}


@dataclass(frozen=True)
class CorskitServer:
    """A corskit CORSMiddleware configuration."""

    name: str
    options: dict[str, Any]
    origins: tuple[str, ...]
    requests: tuple[str, ...]

    def __hash__(self) -> int:
        return hash(self.name)


@dataclass(frozen=True)
class BrokenServer:
    """A hand-written server (see :mod:`tests.doctor.browser.broken`)."""

    name: str
    origins: tuple[str, ...]
    requests: tuple[str, ...]


ALL_REQUESTS = tuple(REQUESTS)
CORE_REQUESTS = (
    "get",
    "get-include",
    "post-json",
    "post-json-include",
    "put-custom",
    "get-authorization",
    "patch-lower",
)
PREFLIGHT_REQUESTS = (
    "post-json",
    "post-json-include",
    "put-custom",
    "get-authorization",
    "patch-lower",
    "patch-upper",
)
SIMPLE_REQUESTS = ("get", "get-include", "post-text")

CORSKIT_SERVERS: tuple[CorskitServer, ...] = (
    CorskitServer(
        "exact",
        dict(
            allow_origins=[APP],
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Content-Type", "X-Custom"],
        ),
        (APP, EVIL),
        ALL_REQUESTS,
    ),
    CorskitServer(
        "credentials",
        dict(
            allow_origins=[APP],
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Content-Type", "X-Custom", "Authorization"],
            allow_credentials=True,
        ),
        (APP, EVIL),
        ALL_REQUESTS,
    ),
    CorskitServer(
        "wildcard",
        dict(allow_origins=["*"], allow_methods=["*"], allow_headers=["*"]),
        (APP, EVIL),
        ALL_REQUESTS,
    ),
    CorskitServer(
        "subdomains",
        dict(
            allow_origins=["https://*.example.com"],
            allow_methods=["GET", "POST", "PATCH"],
            allow_headers=["content-type"],
            allow_credentials=True,
        ),
        (APP, SUB, EVIL),
        (*CORE_REQUESTS, "patch-upper"),
    ),
    CorskitServer(
        "defaults",
        dict(allow_origins=[APP]),
        (APP,),
        (*CORE_REQUESTS, "post-text", "get-two-custom"),
    ),
    CorskitServer(
        "headers-star-credentials",
        dict(
            allow_origins=[APP, INSECURE],
            allow_methods=["GET", "POST", "PUT"],
            allow_headers=["*"],
            allow_credentials=True,
            dangerously_tolerate_insecure_origins=True,
        ),
        (APP, INSECURE),
        (
            "get-include",
            "put-custom",
            "get-authorization",
            "get-authorization-include",
            "get-two-custom",
            "get-custom-include",
        ),
    ),
)

BROKEN_SERVERS: tuple[BrokenServer, ...] = (
    BrokenServer(
        "reflect-everything", (APP, EVIL, "null"), (*CORE_REQUESTS, "patch-upper", "delete-include")
    ),
    BrokenServer("wildcard-with-credentials", (APP,), (*CORE_REQUESTS, "get-omit")),
    BrokenServer(
        "wildcard-no-credentials",
        (APP, "null"),
        (*CORE_REQUESTS, "get-authorization-include", "patch-upper"),
    ),
    BrokenServer("duplicate-acao", (APP,), ("get", "post-json")),
    BrokenServer("duplicate-acao-star", (APP,), ("get", "post-json")),
    BrokenServer("acao-trailing-slash", (APP,), ("get", "post-json")),
    BrokenServer("acao-no-scheme", (APP,), ("get", "post-json")),
    BrokenServer("acao-space-list", (APP,), ("get", "post-json")),
    BrokenServer("acao-null", (APP, "null"), ("get", "post-json")),
    BrokenServer("acao-uppercase", (APP,), ("get", "post-json")),
    BrokenServer(
        "acac-capital-true", (APP,), ("get", "get-include", "post-json", "post-json-include")
    ),
    BrokenServer("acac-missing", (APP,), ("get", "get-include", "post-json-include")),
    BrokenServer("acam-space-separated", (APP,), ("get", "put-custom", "post-json")),
    BrokenServer(
        "acam-lowercase", (APP,), ("put-custom", "patch-lower", "patch-upper", "delete-include")
    ),
    BrokenServer(
        "acam-star", (APP,), ("put-custom", "patch-upper", "delete-include", "post-json-include")
    ),
    BrokenServer(
        "acah-star", (APP,), ("put-custom", "get-authorization", "get-two-custom", "post-json")
    ),
    BrokenServer("acah-space-separated", (APP,), ("put-custom", "post-json")),
    BrokenServer(
        "acah-fixed-list",
        (APP,),
        ("put-custom", "get-authorization", "get-two-custom", "post-json"),
    ),
    BrokenServer("preflight-401-with-cors", (APP,), ("get", "post-json", "get-authorization")),
    BrokenServer("preflight-401-bare", (APP,), ("post-json", "get-authorization")),
    BrokenServer("preflight-404-bare", (APP,), ("put-custom",)),
    BrokenServer("preflight-500-with-cors", (APP,), ("put-custom",)),
    BrokenServer("preflight-redirect", (APP,), ("get", "put-custom")),
    BrokenServer("actual-500-no-cors", (APP,), ("get", "post-json")),
    BrokenServer("actual-404-with-cors", (APP,), ("get",)),
    BrokenServer("redirect-same-origin", (APP,), ("get", "get-include", "post-text", "put-custom")),
    BrokenServer("redirect-same-origin-307", (APP,), ("post-json",)),
    BrokenServer("redirect-cross-origin-reflect", (APP,), ("get", "get-include", "post-json")),
    BrokenServer("redirect-cross-origin-star", (APP,), ("get", "get-include", "get-authorization")),
    BrokenServer("redirect-cross-origin-fixed", (APP,), ("get",)),
    BrokenServer("redirect-no-cors", (APP,), ("get",)),
    BrokenServer("redirect-credentials-in-location", (APP,), ("get",)),
    BrokenServer("redirect-303", (APP,), ("post-json", "post-text")),
)


@dataclass(frozen=True)
class Scenario:
    """One request from one origin to one server."""

    id: str
    kind: str  # "corskit" | "broken"
    server: str
    origin: str
    request: Req

    @property
    def path(self) -> str:
        prefix = "c" if self.kind == "corskit" else "b"
        return f"/{prefix}/{self.server}/data"


def _origin_label(origin: str) -> str:
    return {APP: "app", EVIL: "evil", SUB: "sub", INSECURE: "http-app", "null": "null"}[origin]


def generate() -> list[Scenario]:
    """Every scenario, in a stable order, with unique ids."""
    out: list[Scenario] = []
    for c in CORSKIT_SERVERS:
        for origin in c.origins:
            for name in c.requests:
                sid = f"c-{c.name}-{_origin_label(origin)}-{name}"
                out.append(Scenario(sid, "corskit", c.name, origin, REQUESTS[name]))
    for b in BROKEN_SERVERS:
        assert b.name in broken.SPECS, b.name
        for origin in b.origins:
            for name in b.requests:
                sid = f"b-{b.name}-{_origin_label(origin)}-{name}"
                out.append(Scenario(sid, "broken", b.name, origin, REQUESTS[name]))
    ids = [s.id for s in out]
    assert len(ids) == len(set(ids))
    return out
