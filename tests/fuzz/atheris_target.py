"""Coverage-guided fuzz target (atheris/libFuzzer) over corskit's engine and ASGI middleware.

Run it through ``scripts/fuzz.sh`` (bounded time; crashing inputs land in
``tests/fuzz/corpus/``); ``python tests/fuzz/atheris_target.py FILE`` replays one file.
``tests/fuzz/test_corpus_replay.py`` replays every saved input in the test suite, without
atheris: the input bytes are decoded by :class:`ByteReader`, not by atheris' provider.

One input drives one of several policies through:

- the whole middleware with arbitrary request headers (names and byte values, repeated
  headers), method, path and app response headers; the response must be well-formed, and
  the same with the adapter's C loops (``corskit._speedups``) as with its Python ones;
- ``Engine.preflight`` / ``Engine.actual`` with arbitrary bytes;
- ``OriginMatcher`` against the slow reference matcher;
- ``parse_header_list`` against the reference parser.

Any exception or broken invariant raises, which libFuzzer reports as a crash.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root

CONFIGS: list[dict[str, Any]] = [
    {
        "allow_origins": ["https://app.example.com"],
        "allow_methods": ["GET", "POST", "PUT"],
        "allow_headers": ["Content-Type", "X-Custom"],
        "allow_credentials": True,
    },
    {
        "allow_origins": ["*"],
        "allow_headers": ["*"],
        "allow_methods": ["*"],
        "expose_headers": ["X-Total"],
    },
    {
        "allow_origins": ["https://app.example.com", "https://*.example.org", "http://localhost:*"],
        "allow_headers": ["*", "authorization"],
        "allow_credentials": True,
        "expose_headers": ["x-a"],
        "allow_private_network": True,
    },
    {
        "allow_origin_regex": r"https://[^/]+\.example\.net",
        "allow_methods": ["*"],
        "preflight_status": 200,
    },
    {
        "allow_origins": ["null", "https://*.example.org:*"],
        "dangerously_allow_null_origin": True,
        "max_age": -1,
    },
]
PATTERN_CONFIG = 2
NAMES = [
    b"origin",
    b"access-control-request-method",
    b"access-control-request-headers",
    b"access-control-request-private-network",
    b"host",
    b"Origin",
    b"vary",
]
VALUES = [
    b"https://app.example.com",
    b"https://a.example.org",
    b"http://localhost:5173",
    b"null",
    b"PUT",
    b"content-type,x-custom",
    b"authorization",
    b"true",
    b"https://a.example.net",
]
RESPONSE_NAMES = [
    b"content-type",
    b"vary",
    b"Vary",
    b"x-app",
    b"access-control-allow-origin",
    b"access-control-expose-headers",
]
TCHAR = frozenset(b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


class ByteReader:
    """Consumes the fuzzer's bytes deterministically (independent of atheris)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            return 0
        self.pos += 1
        return self.data[self.pos - 1]

    def choice(self, items: list[Any]) -> Any:
        return items[self.byte() % len(items)]

    def blob(self, limit: int) -> bytes:
        n = (
            min(self.byte() * 256 + self.byte(), limit)
            if self.byte() & 1
            else min(self.byte(), limit)
        )
        out = self.data[self.pos : self.pos + n]
        self.pos += len(out)
        return out

    def value(self) -> bytes:
        kind = self.byte() % 4
        if kind == 0:
            return self.choice(VALUES)  # type: ignore[no-any-return]
        if kind == 1:  # near a valid value, with fuzz bytes mixed in
            return self.choice(VALUES)[: self.byte() % 24] + self.blob(16)  # type: ignore[no-any-return]
        if kind == 2:  # long: repeated fuzz bytes
            return self.blob(8) * (self.byte() * 64)
        return self.blob(4096)


_STATE: dict[str, Any] = {}


def _setup() -> None:
    if _STATE:
        return
    from corskit import CORSConfigWarning, CORSMiddleware

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CORSConfigWarning)
        _STATE["middleware"] = [
            CORSMiddleware(_app, debug=bool(i % 2), **c) for i, c in enumerate(CONFIGS)
        ]


@contextmanager
def log_checked() -> Iterator[None]:
    """While active, the ``corskit`` logger is at DEBUG and every line it emits is checked."""
    logger = logging.getLogger("corskit")
    handler = _LogCheck()
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


class _LogCheck(logging.Handler):
    """Every corskit log line must be one line of printable ASCII."""

    def emit(self, record: logging.LogRecord) -> None:
        line = record.getMessage()
        if not all(0x20 <= ord(c) < 0x7F for c in line):
            raise AssertionError(f"unsafe log line: {line!r}")  # propagates out of logger.debug


_RESPONSE: list[list[tuple[bytes, bytes]]] = [[]]


async def _app(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": list(_RESPONSE[0])})
    await send({"type": "http.response.body", "body": b"ok"})


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


def _drive(mw: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    """Run *scope* with the adapter's C loops and with its Python ones: same messages."""
    from tests.speedups import run_both

    return run_both(lambda s: _drive_once(mw, s), scope)


def _drive_once(mw: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    coro = mw(scope, _receive, send)
    try:
        coro.send(None)
    except StopIteration:
        return sent
    coro.close()
    raise AssertionError("the middleware suspended although nothing it awaits does")


def _check(sent: list[dict[str, Any]], origins: list[bytes], app_cors: bool) -> None:
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert len(starts) == 1 and sent[0] is starts[0], sent
    assert 100 <= starts[0]["status"] <= 599
    assert sent[-1]["type"] == "http.response.body"
    headers = [(bytes(n), bytes(v)) for n, v in starts[0].get("headers") or []]
    for name, value in headers:
        assert name and all(c in TCHAR for c in name), name
        assert b"\r" not in value and b"\n" not in value and b"\x00" not in value, (name, value)
    acao = [v for n, v in headers if n.lower() == b"access-control-allow-origin"]
    if not app_cors:
        assert len(acao) <= 1, headers
        if acao:
            assert acao[0] == b"*" or (len(origins) == 1 and acao[0] == origins[0]), (acao, origins)


def test_one_input(data: bytes) -> None:
    """The fuzz target: decode *data* into one scenario and check every invariant."""
    _setup()
    from corskit.headers import MAX_EMPTY_ITEMS, parse_header_list
    from corskit.origins import OriginMatcher, parse_pattern
    from tests.fuzz.reference import RefPattern, ref_matches, ref_parse_header_list

    r = ByteReader(data)
    index = r.byte() % len(CONFIGS)
    mw = _STATE["middleware"][index]
    mode = r.byte() % 4

    if mode == 0:  # parsers against their references
        lines = [r.value() for _ in range(1 + r.byte() % 3)]
        limit = r.byte() * 16
        assert parse_header_list(lines, limit) == ref_parse_header_list(
            lines, limit, MAX_EMPTY_ITEMS
        ), lines
        origin = r.value()
        matcher = _STATE.setdefault(
            "matcher",
            OriginMatcher(
                [
                    parse_pattern(p)[0]
                    for p in (
                        "https://app.example.com",
                        "https://*.example.org",
                        "http://localhost:*",
                        "https://*.example.com:*",
                    )
                ]
            ),
        )
        refs = [
            RefPattern(scheme="https", host="app.example.com"),
            RefPattern(scheme="https", host="example.org", subdomains=True),
            RefPattern(scheme="http", host="localhost", port="*"),
            RefPattern(scheme="https", host="example.com", subdomains=True, port="*"),
        ]
        assert matcher.matches(origin) == ref_matches(refs, origin), origin
        return

    if mode == 1:  # the engine directly
        engine = mw.policy.engine
        origin = r.value()
        decision = engine.preflight(
            origin,
            r.value(),
            [r.value() for _ in range(r.byte() % 3)],
            r.value() if r.byte() & 1 else None,
        )
        assert decision.status in (200, 204, 403)
        for _name, value in decision.tail:
            assert b"\r" not in value and b"\n" not in value and b"\x00" not in value
        engine.actual(origin)
        return

    # modes 2 and 3: the whole middleware
    headers: list[tuple[bytes, bytes]] = []
    for _ in range(r.byte() % 10):
        name = r.choice(NAMES) if r.byte() % 4 else r.blob(12) or b"x"
        headers.append((name, r.value()))
    if mode == 3:  # a preflight shape, with fuzzed values
        headers = [(b"origin", r.value()), (b"access-control-request-method", r.value()), *headers]
    method = "OPTIONS" if mode == 3 else r.choice(["GET", "POST", "OPTIONS", "PUT", "options"])
    path = r.blob(24).decode("latin-1")
    _RESPONSE[0] = [
        (r.choice(RESPONSE_NAMES), r.choice([b"x", b"Origin", b"*", b"Accept"]))
        for _ in range(r.byte() % 3)
    ]
    app_cors = any(n.lower().startswith(b"access-control-") for n, _ in _RESPONSE[0])
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode("latin-1"),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
    }
    sent = _drive(mw, scope)
    _check(sent, [v for n, v in headers if n == b"origin"], app_cors)


def main() -> None:
    import atheris  # type: ignore[import-not-found,import-untyped,unused-ignore]

    with atheris.instrument_imports(include=["corskit"]):
        import corskit
        import corskit.asgi
        import corskit.engine
        import corskit.headers
        import corskit.origins  # noqa: F401
    _setup()
    with log_checked():
        atheris.Setup(sys.argv, test_one_input)
        atheris.Fuzz()


if __name__ == "__main__":
    main()
