"""How real servers and frameworks read a request path: an independent reference for the
route table (not corskit's code), used by the property test and the atheris target.

Each reading is a list of segments one plausible server in front of or behind the app
routes on. The route table must give one answer for all of them or ``path-ambiguous``.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from corskit import CORSPolicy, RouteTable
from corskit.routing import AMBIGUOUS

ROUTES = {
    "/api": CORSPolicy(allow_origins=["https://partner.example"], allow_credentials=True),
    "/api/admin": CORSPolicy(allow_origins=["https://admin.example"], allow_credentials=True),
    "/public": CORSPolicy(allow_origins=["*"]),
}
PREFIXES = [tuple(p.strip("/").split("/")) for p in ROUTES]

# Pieces random paths are built from: dot segments, ';params', percent-encodings (once and
# twice), doubled and back slashes, case variants, and the route names themselves.
PIECES = [
    "api", "admin", "public", "x", "API", "Admin", "", ".", "..", "..;", ";", ";x=1", "..;jsessionid=1",
    "%2e", "%2e%2e", "%2E%2E", ".%2e", "%3b", "..%3b", "%2f", "%2F", "%5c", "\\", "..\\", "a;b",
    "admin;v=1", "api;x", "%252e%252e", "%25", "%61dmin", "+", " ",
]  # fmt: skip


def _resolve(segments: list[str]) -> list[str]:
    """RFC 3986 remove_dot_segments, on segments."""
    out: list[str] = []
    for seg in segments:
        if seg == "..":
            if out:
                out.pop()
        elif seg != ".":
            out.append(seg)
    return out


def _merge(segments: list[str]) -> list[str]:
    return [s for s in segments if s]


def _params(segments: list[str]) -> list[str]:
    return [s.split(";", 1)[0] for s in segments]


def _split(path: str) -> list[str]:
    return path.lstrip("/").split("/") if path.startswith("/") else path.split("/")


def _starlette(raw: str) -> list[str]:  # routes the decoded path literally
    return _split(unquote(raw))


def _tomcat(raw: str) -> list[str]:  # ';params' stripped before decoding, then dots resolved
    return _resolve([unquote(s) for s in _params(_split(raw))])


def _spring(raw: str) -> list[str]:  # decoded, ';params' stripped, slashes merged, dots resolved
    return _resolve(_merge(_params(_split(unquote(raw)))))


def _nginx(raw: str) -> list[str]:  # decoded, dots resolved, slashes merged
    return _merge(_resolve(_split(unquote(raw))))


def _raw_router(raw: str) -> list[str]:  # splits the encoded path, then decodes each segment
    return [unquote(s) for s in _split(raw)]


def _double_decoding(raw: str) -> list[str]:  # a proxy decodes once more, then resolves
    return _resolve(_split(unquote(unquote(raw))))


def _backslash(raw: str) -> list[str]:  # IIS-like: a backslash is a slash
    return _resolve(_split(unquote(raw).replace("\\", "/")))


READERS: list[Callable[[str], list[str]]] = [
    _starlette, _tomcat, _spring, _nginx, _raw_router, _double_decoding, _backslash,
]  # fmt: skip


def route_of(segments: list[str]) -> str | None:
    """The longest configured prefix of *segments* (case-sensitive), as the app would pick."""
    best: tuple[str, ...] | None = None
    for prefix in PREFIXES:
        if tuple(segments[: len(prefix)]) == prefix and (best is None or len(prefix) > len(best)):
            best = prefix
    return None if best is None else "/" + "/".join(best)


def check(table: RouteTable, raw: str) -> None:
    """The property: readings that disagree give ``path-ambiguous``; an answer that is not
    ambiguous is the route every reading picks."""
    routes = {route_of(reader(raw)) for reader in READERS}
    answer = table.match(unquote(raw), raw.encode("latin-1", "replace"))
    if len(routes) > 1:
        assert answer == AMBIGUOUS, (raw, routes, answer)
    elif answer != AMBIGUOUS:
        assert {answer} == routes, (raw, routes, answer)
