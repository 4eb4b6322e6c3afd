"""Per-route policies: longest-prefix match on the canonical request path.

>>> from corskit import CORSPolicy
>>> table = RouteTable({
...     "/public": CORSPolicy(allow_origins=["*"]),
...     "/api/v1": CORSPolicy(allow_origins=["https://app.example.com"], allow_credentials=True),
... })
>>> table.match("/public/items/1"), table.match("/api/v1/me"), table.match("/apix"), table.match("/")
('/public', '/api/v1', None, None)
>>> table.match("/public/../api/v1/me"), table.match("/API/v1/me")
('<ambiguous>', '<ambiguous>')

How a request path is matched (the lessons of flask-cors's CVE-2020-25032, CVE-2024-6839,
CVE-2024-6844 and CVE-2024-6866):

- Prefixes are compared *segment by segment*: ``/api`` matches ``/api`` and ``/api/x``,
  never ``/apix``. The longest matching prefix wins, by segments, whatever the order
  of the mapping (no "longest regex first" priority games).
- The path is the percent-decoded path the framework routes on (ASGI ``path`` minus
  ``root_path``, WSGI ``PATH_INFO``). ``+`` is a plain character (never a space) and the
  comparison is case-sensitive, as Starlette, Flask and Django route.
- A path that servers could read in more than one way is *ambiguous*: dot segments
  (``/public/../private``, also as ``%2e%2e``), empty segments (``/public//x``), a
  backslash, an encoded slash or backslash (``%2f``, ``%5c``), a ``;`` parameter, a
  doubly-encoded character, or a case variant of a configured prefix. corskit works out
  the route under every such reading, with and without the normalisations servers in
  front of or behind the app apply (``;params`` stripped from each segment, before or
  after decoding, as Tomcat, Jetty and Spring do; slashes merged; dot segments resolved); if they all pick the same route, that route's
  policy answers; if they disagree, the request gets **the most restrictive answer**:
  no CORS grant at all (a preflight gets 403, an actual response no
  ``Access-Control-Allow-*`` headers), reason ``path-ambiguous``. Browsers resolve dot
  segments before sending, so no browser request is refused this way unless the page
  itself builds a malformed URL. Control characters and paths over 8 KiB are refused
  the same way.
- A path that matches no prefix gets the middleware's default policy.

The FastAPI way, one call per router (the policy is registered under the router's full
prefix and picked up by :func:`corskit.outermost` or ``routes=routes_of(app)``)::

    corskit.include_router(app, public_router, CORSPolicy(allow_origins=["*"]))
    corskit.outermost(app, allow_origins=["https://app.example.com"], allow_credentials=True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .bounded import BoundedCache
from .engine import Engine, Reason
from .policy import CORSPolicy
from .problems import CATALOGUE, CORSConfigError, Problem, escape

__all__ = ["AMBIGUOUS", "RouteTable", "include_router", "route_prefix", "routes_of"]

AMBIGUOUS = "<ambiguous>"
MAX_PATH = 8192
_CACHE_SIZE = 4096  # route cache: at most this many paths...
_CACHE_BYTES = 1 << 20  # ... holding at most this many bytes of paths (bounded.key_size),
_CACHE_KEY_LIMIT = 2048  # each at most this long (longer paths are never cached)
# RFC 3986 pchar minus "%" and ";" (never literal in a canonical route), plus non-ASCII
# (frameworks route on the decoded path, so "/café" is a plain prefix); the space too
# ("/my docs", as routed from "/my%20docs"), no other whitespace.
_SEGMENT = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,=:@ \u00a1-\U0010ffff]+")  # a space: '/my docs'
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MISS = object()


def _problem(code: str, field: str, value: object, fix: str | None = None) -> Problem:
    info = CATALOGUE[code]
    return Problem(code, field, escape(value), info.why, fix or info.fix, info.severity)


def route_prefix(key: object) -> str | None:
    """The path prefix of a routes key: a str, a FastAPI ``APIRouter`` (its ``prefix``)
    or a Starlette ``Mount`` (its ``path``). None when the key is none of these."""
    if isinstance(key, str):
        return key
    for attribute in ("prefix", "path"):
        value = getattr(key, attribute, None)
        if isinstance(value, str):
            return value or "/"
    return None


def _normalise_prefix(text: str, field: str) -> tuple[tuple[str, ...] | None, list[Problem]]:
    if not text.startswith("/"):
        return None, [
            _problem(
                "route-prefix-invalid",
                field,
                text,
                f"Start the prefix with '/': '/{text.lstrip('/')}'.",
            )
        ]
    body = text[1:]
    if body.endswith("/"):
        body = body[:-1]
    if not body:
        return (), []
    segments = tuple(body.split("/"))
    for seg in segments:
        if not seg or seg in (".", "..") or not _SEGMENT.fullmatch(seg):
            return None, [
                _problem("route-prefix-invalid", field, text, _prefix_fix(text, segments))
            ]
    return segments, []


def _prefix_fix(text: str, segments: tuple[str, ...]) -> str:
    """How to write a refused prefix, never suggesting a prefix that covers more paths."""
    from urllib.parse import unquote

    decoded = unquote(text)
    if decoded != text and _normalise_prefix(decoded, "")[0] is not None:
        return f"Write the decoded path the framework routes on: {decoded!r}."
    kept = [s for s in segments if s not in ("", ".")]
    if kept and ".." not in kept and all(_SEGMENT.fullmatch(s) for s in kept):
        return (
            f"Write the plain path: {'/' + '/'.join(kept)!r}."  # only empty or '.' segments dropped
        )
    return (
        "Write the plain, decoded path the framework routes on, without '..', ';', '%' or control "
        "characters (a space is fine)."
    )


_refusal_engine = Engine.refusing(Reason.PATH_AMBIGUOUS)


def refusal_engine() -> Engine:
    """The shared engine that answers ambiguous paths (reason ``path-ambiguous``)."""
    return _refusal_engine


class RouteTable:
    """Path prefix -> policy, validated at construction (every problem at once).

    *routes* is a mapping (or an iterable of pairs) whose keys are path prefixes (or
    routers, see :func:`route_prefix`) and whose values are :class:`CORSPolicy` objects
    or dicts of policy settings. Raises :class:`~corskit.CORSConfigError`.
    """

    __slots__ = (
        "_cache",
        "_depth",
        "_engines",
        "_exact",
        "_folded",
        "_refuse",
        "policies",
    )

    def __init__(self, routes: Mapping[Any, Any] | Iterable[tuple[Any, Any]]) -> None:
        problems: list[Problem] = []
        items: list[tuple[Any, Any]]
        if isinstance(routes, Mapping):
            items = list(routes.items())
        elif isinstance(routes, (str, bytes)):
            raise CORSConfigError(
                [
                    _problem(
                        "wrong-type", "routes", routes, "Give routes={'/prefix': CORSPolicy(...)}."
                    )
                ]
            )
        else:
            try:
                items = [tuple(pair) for pair in routes]
            except TypeError:
                raise CORSConfigError(
                    [
                        _problem(
                            "wrong-type",
                            "routes",
                            routes,
                            "Give routes={'/prefix': CORSPolicy(...)}.",
                        )
                    ]
                ) from None
        policies: dict[str, CORSPolicy] = {}
        exact: dict[tuple[str, ...], str] = {}
        folded: dict[tuple[str, ...], str] = {}
        for key, value in items:
            text = route_prefix(key)
            field = f"routes[{text!r}]" if text is not None else "routes"
            if text is None:
                problems.append(
                    _problem(
                        "wrong-type",
                        "routes",
                        key,
                        "Use a path prefix str (or an APIRouter) as the key.",
                    )
                )
                continue
            segments, found = _normalise_prefix(text, field)
            problems += found
            policy = self._policy(value, field, problems)
            if segments is None or policy is None:
                continue
            name = "/" + "/".join(segments)
            if segments in exact:
                problems.append(
                    _problem(
                        "route-prefix-invalid", field, text, f"{name!r} is given twice; keep one."
                    )
                )
                continue
            fold = tuple(s.lower() for s in segments)
            if fold in folded:
                problems.append(
                    _problem(
                        "route-prefix-invalid",
                        field,
                        text,
                        f"It differs from {folded[fold]!r} only in case; keep one.",
                    )
                )
                continue
            exact[segments] = name
            folded[fold] = name
            policies[name] = policy
        if problems:
            raise CORSConfigError(problems)
        self.policies = policies
        self._exact = exact
        self._folded = folded
        self._engines: dict[str, Engine] = {name: p.engine for name, p in policies.items()}
        self._depth = max((len(s) for s in exact), default=0)
        self._cache: BoundedCache[object, Engine | None] = BoundedCache(_CACHE_SIZE, _CACHE_BYTES)
        self._refuse = refusal_engine()

    @staticmethod
    def _policy(value: Any, field: str, problems: list[Problem]) -> CORSPolicy | None:
        if isinstance(value, CORSPolicy):
            return value
        if isinstance(value, Mapping):
            try:
                return CORSPolicy(**value)
            except CORSConfigError as exc:
                for p in exc.problems:
                    problems.append(
                        Problem(p.code, f"{field}.{p.field}", p.value, p.why, p.fix, p.severity)
                    )
                return None
            except TypeError as exc:
                problems.append(
                    _problem("wrong-type", field, value, f"Give CORSPolicy settings ({exc}).")
                )
                return None
        problems.append(
            _problem("wrong-type", field, value, "Give a CORSPolicy (or a dict of its settings).")
        )
        return None

    def __repr__(self) -> str:
        return f"RouteTable({self.policies!r})"

    def __len__(self) -> int:
        return len(self.policies)

    # -- per request ---------------------------------------------------------------------

    def lookup(self, path: str, raw: bytes | None = None) -> Engine | None:
        """The engine for *path* (decoded) or None for the default policy.

        *raw* is the request's still-encoded path when the server provides it; it lets
        encoded slashes and dots be seen. Ambiguous paths get the refusing engine.
        """
        if raw is not None and b"%" not in raw:
            raw = None  # nothing encoded: the raw path reads as the decoded one
        key: object = path if raw is None else (raw, path)  # the answer depends on both
        hit = self._cache.get(key, _MISS)
        if hit is not _MISS:
            return hit  # type: ignore[return-value]
        name = self.match(path, raw)
        engine = (
            self._refuse if name == AMBIGUOUS else (None if name is None else self._engines[name])
        )
        if len(path) + (len(raw) if raw is not None else 0) <= _CACHE_KEY_LIMIT:
            self._cache.remember(key, engine)  # long paths are answered, never kept
        return engine

    def match(self, path: str, raw: bytes | None = None) -> str | None:
        """The matching prefix, None (default policy) or :data:`AMBIGUOUS`."""
        if len(path) > MAX_PATH or (raw is not None and len(raw) > 3 * MAX_PATH):
            return AMBIGUOUS
        found: set[str | None] = set()
        for segments in _readings(path, raw):
            if segments is None:
                return AMBIGUOUS
            for fold in (False, True):
                found.add(self._longest(segments, fold))
                if len(found) > 1:
                    return AMBIGUOUS
        return found.pop() if found else None

    def _longest(self, segments: list[str], fold: bool) -> str | None:
        n = min(len(segments), self._depth)
        if fold:
            table = self._folded
            segments = [s.lower() for s in segments[:n]]
        else:
            table = self._exact
        while n > 0:
            name = table.get(tuple(segments[:n]))
            if name is not None:
                return name
            n -= 1
        return table.get(())


def _split(path: str) -> list[str]:
    return path[1:].split("/") if path.startswith("/") else path.split("/")


def _is_plain(path: str, raw: bytes | None) -> bool:
    """True when every server reads *path* the same way (no readings to compare)."""
    return (
        not any(mark in path for mark in _MARKS)
        and not _CONTROL.search(path)
        and not path.startswith(".")
        and (raw is None or raw.split(b"?", 1)[0] == path.encode("latin-1", "replace"))
    )


_MARKS = (";", "\\", "%", "//", "/.")


def _readings(path: str, raw: bytes | None) -> Iterable[list[str] | None]:
    """Every segment list a server might route *path* as (None: refuse outright).

    The bases are the path as given, decoded once more, with backslashes as slashes,
    and the raw path split before decoding. Each base is then read with and without
    each normalisation servers apply: ``;params`` stripped from every segment (Tomcat,
    Jetty, Spring), empty segments merged, dot segments resolved (RFC 3986,
    remove_dot_segments: https://www.rfc-editor.org/rfc/rfc3986#section-5.2.4), and
    merging before or after resolving.
    """
    if _is_plain(path, raw):
        yield _split(path)
        return
    bases = _bases(path, raw)
    if bases is None:
        yield None
        return
    seen: set[tuple[str, ...]] = set()
    for segments in bases:
        for reading in _normalisations(segments):
            key = tuple(reading)
            if key not in seen:
                seen.add(key)
                yield reading


def _bases(path: str, raw: bytes | None) -> list[list[str]] | None:
    """The segment lists before normalisation; None when a control character shows up."""
    from urllib.parse import unquote

    strings = [path]
    if "%" in path:  # a server (or a proxy) that decodes once more
        strings.append(unquote(path))
    bases: list[list[str]] = []
    for text in strings:
        if _CONTROL.search(text):
            return None
        bases.append(_split(text))
        if "\\" in text:
            bases.append(_split(text.replace("\\", "/")))
    if raw is not None:
        # Split the still-encoded path first: an encoded slash or backslash is then part of
        # a segment, as servers that route on the raw path see it.
        text = raw.decode("latin-1").split("?", 1)[0]  # some servers keep the query in raw_path
        segments = [unquote(seg) for seg in _split(text)]
        if any(_CONTROL.search(seg) for seg in segments):
            return None
        bases.append(segments)
        if any("\\" in seg or "/" in seg for seg in segments):
            bases.append(_split("/".join(segments).replace("\\", "/")))
        if ";" in text:  # Tomcat strips ';params' before decoding: '..%3b' stays '..;'
            bases.append([unquote(seg.split(";", 1)[0]) for seg in _split(text)])
    return bases


def _normalisations(segments: list[str]) -> Iterable[list[str]]:
    for stripped in (
        (segments, _strip_params(segments)) if any(";" in s for s in segments) else (segments,)
    ):
        yield stripped
        merged = [s for s in stripped if s]
        yield merged
        yield _resolve_dots(stripped)
        yield _resolve_dots(merged)
        yield [s for s in _resolve_dots(stripped) if s]


def _strip_params(segments: list[str]) -> list[str]:
    return [s.split(";", 1)[0] for s in segments]


def _resolve_dots(segments: list[str]) -> list[str]:
    out: list[str] = []
    for seg in segments:
        if seg == "..":
            if out:
                out.pop()
        elif seg != ".":
            out.append(seg)
    return out


# -- FastAPI / Starlette helpers ----------------------------------------------------------


def routes_of(app: Any) -> dict[str, CORSPolicy]:
    """The live per-route registry of a Starlette/FastAPI *app* (on ``app.state``), filled by
    :func:`include_router`. Pass it as ``routes=routes_of(app)`` to ``add_middleware``;
    :func:`corskit.outermost` reads it by itself."""
    state = getattr(app, "state", None)
    if state is None:
        raise TypeError("routes_of() needs a Starlette or FastAPI application")
    registry = getattr(state, "corskit_routes", None)
    if registry is None:
        registry = {}
        state.corskit_routes = registry
    return registry


def include_router(
    app: Any,
    router: Any,
    policy: CORSPolicy | Mapping[str, Any],
    *,
    prefix: str = "",
    **include: Any,
) -> None:
    """``app.include_router(router, prefix=prefix, **include)`` and register *policy* for the
    router's full prefix (``prefix + router.prefix``), validated now.

    >>> from fastapi import FastAPI, APIRouter
    >>> app, public = FastAPI(), APIRouter(prefix="/public")
    >>> include_router(app, public, CORSPolicy(allow_origins=["*"]), prefix="/v1")
    >>> sorted(routes_of(app))
    ['/v1/public']
    """
    full = (prefix.rstrip("/") + (getattr(router, "prefix", "") or "")) or "/"
    checked = RouteTable({full: policy})  # validate now, at start-up
    app.include_router(router, prefix=prefix, **include)
    routes_of(app).update(checked.policies)
