"""The optional C loops (``corskit._speedups``) answer exactly as the Python reference.

``corskit.asgi`` uses the C ``find_origin`` and ``send_filter`` when the module was built;
anything but the common shape (a list of 2-tuples of bytes, a dict message) goes back to
the Python code. These tests compare the two on arbitrary inputs, check that the C side
never mutates the app's header list, leaks no reference, and fails cleanly on misuse.
(tests/core/helpers.py and the fuzz tests also run every middleware request both ways.)
"""

from __future__ import annotations

import asyncio
import copy
import gc
import os
import shutil
import subprocess
import sys
import weakref
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corskit import CORSMiddleware, _loops

from ..speedups import implementation, require_c

try:
    from corskit import _speedups
except ImportError:  # pragma: no cover
    _speedups = None  # type: ignore[assignment]


@pytest.fixture(autouse=True)
def c_module() -> None:
    require_c()  # tests.speedups set the module up (corskit._loops.c_loops) when it loaded


def resolved(find: Any, raw: Any) -> Any:
    """What the adapter ends up with: (origin, duplicated), or the exception type."""
    try:
        origin = find(raw)
        return _loops.scan_origin(raw) if origin is _loops.SEVERAL else (origin, False)
    except Exception as exc:  # the reference raises on malformed pairs: so must C's path
        return type(exc)


NAMES = st.one_of(
    st.sampled_from([b"origin", b"Origin", b"ORIGIN", b"origin ", b"host", b"originx", b"orig"]),
    st.binary(max_size=8),
    st.sampled_from([bytearray(b"origin"), "origin", None, 7]),
)
VALUES = st.one_of(
    st.binary(max_size=12), st.sampled_from([b"https://a.example", b"", "text", None])
)
PAIRS = st.one_of(
    st.tuples(NAMES, VALUES),
    st.tuples(NAMES, VALUES).map(list),
    st.tuples(NAMES, VALUES, VALUES),  # malformed: three items
    st.tuples(NAMES),
)
RAW = st.one_of(st.lists(PAIRS, max_size=8), st.lists(PAIRS, max_size=4).map(tuple))


@settings(max_examples=400, deadline=None)
@given(RAW)
def test_find_origin_resolves_as_the_reference(raw: Any) -> None:
    reference = resolved(lambda raw: _loops.SEVERAL, raw)  # the full scan, always
    assert resolved(_speedups.find_origin, raw) == reference
    assert resolved(_loops.find_origin_py, raw) == reference


def test_find_origin_common_cases() -> None:
    value = b"https://app.example"
    assert _speedups.find_origin([(b"host", b"x"), (b"origin", value)]) is value
    assert _speedups.find_origin([(b"host", b"x")]) is None
    assert _speedups.find_origin([]) is None
    assert _speedups.find_origin([(b"origin", b"a"), (b"origin", b"b")]) is _loops.SEVERAL
    assert (
        _speedups.find_origin(((b"origin", b"a"),)) is _loops.SEVERAL
    )  # not a list: Python decides
    assert _speedups.find_origin([[b"origin", value]]) is value  # 2-lists, as some servers send


PREFLIGHT_NAMES = st.one_of(
    NAMES,
    st.sampled_from(
        [
            b"access-control-request-method",
            b"access-control-request-headers",
            b"access-control-request-private-network",
            b"Access-Control-Request-Method",
            b"access-control-request-headerz",
            bytearray(b"access-control-request-method"),
            "access-control-request-headers",
        ]
    ),
)
PREFLIGHT_PAIRS = st.one_of(
    st.tuples(PREFLIGHT_NAMES, VALUES),
    st.tuples(PREFLIGHT_NAMES, VALUES).map(list),
    st.tuples(PREFLIGHT_NAMES, VALUES, VALUES),  # malformed: three items
)
PREFLIGHT_RAW = st.one_of(
    st.lists(PREFLIGHT_PAIRS, max_size=8), st.lists(PREFLIGHT_PAIRS, max_size=4).map(tuple)
)


def fields_or_error(loop: Any, raw: Any) -> Any:
    """A preflight's fields as the adapter gets them, or the exception type."""
    try:
        return loop(raw)
    except Exception as exc:
        return type(exc)


@settings(max_examples=400, deadline=None)
@given(PREFLIGHT_RAW)
def test_preflight_fields_answers_as_the_reference(raw: Any) -> None:
    assert fields_or_error(_speedups.preflight_fields, raw) == fields_or_error(
        _loops.preflight_fields_py, raw
    )


@pytest.mark.parametrize("last", [None, b"PUT"])
def test_preflight_fields_a_none_method_is_no_method(last: Any) -> None:
    # Not what a server sends, but both loops must agree: the last value None means "absent".
    raw = [(b"origin", b""), (b"access-control-request-method", b"GET")]
    raw.append((b"access-control-request-method", last))
    assert _speedups.preflight_fields(raw) == _loops.preflight_fields_py(raw)


def test_preflight_fields_common_cases() -> None:
    acrm, acrh = b"access-control-request-method", b"access-control-request-headers"
    pna = b"access-control-request-private-network"
    raw = [
        (b"origin", b"o"),
        (acrm, b"GET"),
        (acrh, b"a"),
        (acrm, b"PUT"),
        (acrh, b"b"),
        (pna, b"true"),
    ]
    fields = _speedups.preflight_fields(raw)
    assert fields is not None
    method, lines, private_network = fields
    assert (method, lines, private_network) == (b"PUT", [b"a", b"b"], b"true")
    assert method is raw[3][1] and lines[1] is raw[4][1]  # the request's own objects, last wins
    assert _speedups.preflight_fields([(b"origin", b"o"), (acrh, b"a")]) is None  # no method
    assert _speedups.preflight_fields([(acrm, b"PUT")]) == (b"PUT", [], None)
    assert _speedups.preflight_fields([]) is None
    assert _speedups.preflight_fields(((acrm, b"PUT"),)) == (b"PUT", [], None)  # Python's answer


RESPONSE_NAMES = st.sampled_from(
    [
        b"content-type",
        b"vary",
        b"Vary",
        b"VARY",
        b"vAry",
        b"access-control-allow-origin",
        b"Access-Control-Allow-Origin",
        b"Access-control-allow-origin",
        b"ACCESS-control-Allow-CREDENTIALS",
        b"access-control-expose-headerS",
        b"x-app",
        b"set-cookie",
        b"vary\xc0",
        b"Wary",
        bytearray(b"vary"),
        "vary",
    ]
)
RESPONSE_VALUES = st.sampled_from(
    [b"text/plain", b"Origin", b"Accept-Encoding", b"*", b"", b"origin, cookie"]
)
HEADER_LISTS = st.one_of(
    st.lists(
        st.one_of(
            st.tuples(RESPONSE_NAMES, RESPONSE_VALUES),
            st.tuples(RESPONSE_NAMES, RESPONSE_VALUES).map(list),
        ),
        max_size=6,
    ),
    st.lists(st.tuples(RESPONSE_NAMES, RESPONSE_VALUES), max_size=3).map(tuple),
    st.none(),
    st.just("absent"),
)
TYPES = st.sampled_from(
    ["http.response.start", "http.response.body", "http.response.trailers", "absent", 7]
)


async def _never_called(scope: Any, receive: Any, send: Any) -> None:
    """An ASGI app for a middleware whose decisions alone are used."""


def tails() -> list[tuple[tuple[bytes, bytes], ...]]:
    """Real decision tails: refused (Vary only), allowed with credentials and exposed headers."""
    mw = CORSMiddleware(
        _never_called,
        allow_origins=["https://app.example"],
        allow_credentials=True,
        expose_headers=["x-total"],
    )
    engine = mw.policy.engine
    return [
        engine.no_origin.tail,
        engine.actual(b"https://app.example").tail,
        engine.actual(b"https://evil.example").tail,
    ]


TAILS = st.sampled_from(tails())


def message_of(kind: Any, headers: Any) -> dict[str, Any]:
    message: dict[str, Any] = {"status": 200}
    if kind != "absent":
        message["type"] = kind
    if headers != "absent":
        message["headers"] = headers
    return message


def deliver(make: Any, tail: Any, message: Any) -> Any:
    """(return value, what send received, the app's list afterwards) or the exception type."""
    received: list[Any] = []

    def send(m: Any) -> str:
        received.append(copy.deepcopy(m))
        return "awaitable"

    original = message.get("headers") if isinstance(message, dict) else None
    before = copy.deepcopy(original)
    message_before = copy.deepcopy(message)
    try:
        result = make(send, tail)(message)
    except Exception as exc:
        return type(exc)
    assert original == before, "the app's own header list was changed"
    assert message == message_before, "the app's own message was changed"
    if isinstance(message, dict) and isinstance(original, list):
        assert message["headers"] is original
    return result, received


@settings(max_examples=500, deadline=None)
@given(TYPES, HEADER_LISTS, TAILS)
def test_send_filter_delivers_as_the_reference(kind: Any, headers: Any, tail: Any) -> None:
    c = deliver(_speedups.send_filter, tail, message_of(kind, copy.deepcopy(headers)))
    py = deliver(_loops.send_filter_py, tail, message_of(kind, copy.deepcopy(headers)))
    assert c == py


def test_send_filter_on_other_messages_and_objects() -> None:
    tail = tails()[1]
    for message in ([("type", "http.response.start")], "not a message", None):
        c = deliver(_speedups.send_filter, tail, message)
        assert c == deliver(_loops.send_filter_py, tail, message)


def test_send_filter_returns_what_send_returns_and_keeps_the_app_list() -> None:
    tail = tails()[0]
    app_list = [(b"content-type", b"text/plain")]
    sentinel = object()
    got: list[Any] = []
    f = _speedups.send_filter(lambda m: got.append(m) or sentinel, tail)  # type: ignore[arg-type, func-returns-value, return-value]
    message = {"type": "http.response.start", "status": 200, "headers": app_list}
    assert f(message) is sentinel
    assert app_list == [(b"content-type", b"text/plain")]
    assert message == {
        "type": "http.response.start",
        "status": 200,
        "headers": app_list,
    }  # untouched
    assert got[0]["headers"] == [(b"content-type", b"text/plain"), *tail]
    assert got[0] is not message and got[0]["headers"] is not app_list


def test_send_filter_reads_keys_and_types_that_are_other_string_objects() -> None:
    # The C filter compares names by identity first: equal strings that are other objects
    # (built at run time, so not the interned literals) must give the same answer.
    def fresh(text: str) -> str:
        return "".join(list(text))

    tail = tails()[1]
    for type_key, headers_key in (("type", "headers"), (fresh("type"), fresh("headers"))):
        for kind in ("http.response.start", "http.response.body", "x"):
            for value in (kind, fresh(kind), fresh(kind)):
                message = {type_key: value, "status": 200, headers_key: [(b"x", b"y")]}
                c = deliver(_speedups.send_filter, tail, message)
                assert c == deliver(_loops.send_filter_py, tail, message)


def test_send_filter_misuse_raises_type_error() -> None:
    # Wrong calls on purpose; the senders are plain functions (whatever send returns comes back).
    f = _speedups.send_filter(lambda m: None, ())  # type: ignore[arg-type, return-value]
    with pytest.raises(TypeError):
        f()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        f({}, {})  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        f(message={})  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        _speedups.send_filter(lambda m: None, [])  # type: ignore[arg-type, return-value]  # the tail is a tuple
    with pytest.raises(TypeError):
        _speedups.send_filter(lambda m: None)  # type: ignore[call-arg, arg-type, return-value]
    assert _speedups.send_filter(lambda m: None, ())({"type": "x"}) is None  # type: ignore[arg-type, return-value]


def test_no_reference_is_leaked() -> None:
    tail = tails()[1]

    def send(m: Any) -> None:
        return None

    app_list = [(b"content-type", b"text/plain")]
    preflight = [
        (b"access-control-request-method", b"PUT"),
        (b"access-control-request-headers", b"x"),
    ]
    gc.collect()  # tails()'s middleware is garbage in a cycle: freed now, not mid-loop
    gc.disable()
    try:
        counts = (
            sys.getrefcount(send),
            sys.getrefcount(tail),
            sys.getrefcount(app_list),
            sys.getrefcount(app_list[0]),
            sys.getrefcount(preflight[0][1]),
            sys.getrefcount(preflight[1][1]),
        )
        for _ in range(20_000):
            f = _speedups.send_filter(send, tail)  # type: ignore[arg-type]  # a plain function: no awaitable to count
            f({"type": "http.response.start", "status": 200, "headers": app_list})
            f({"type": "http.response.body", "body": b""})
            f(
                {"type": "http.response.start", "headers": [(b"vary", b"Origin")]}
            )  # the Python merge
            _speedups.find_origin([(b"origin", b"https://a.example")])
            _speedups.preflight_fields(preflight)
        del f
        after = (
            sys.getrefcount(send),
            sys.getrefcount(tail),
            sys.getrefcount(app_list),
            sys.getrefcount(app_list[0]),
            sys.getrefcount(preflight[0][1]),
            sys.getrefcount(preflight[1][1]),
        )
    finally:
        gc.enable()
    assert after == counts


def test_a_cycle_through_the_filter_is_collected() -> None:
    class Send:
        def __call__(self, message: Any) -> None:
            return None

    send = Send()
    send.filter = _speedups.send_filter(send, ())  # type: ignore[attr-defined, arg-type]
    alive = weakref.ref(send)
    del send
    gc.collect()
    assert alive() is None


def test_setup_is_required_before_use() -> None:
    code = (
        "import corskit._speedups as s\n"
        "for call in (lambda: s.find_origin([]), lambda: s.send_filter(print, ()),\n"
        "             lambda: s.preflight_fields([])):\n"
        "    try:\n        call()\n    except RuntimeError as e:\n        print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.count("setup() was not called") == 3


def test_no_extensions_switch_uses_the_python_loops() -> None:
    code = "import corskit.asgi as a, corskit._loops as l; print(a.SPEEDUPS, a._find_origin is l.find_origin_py)"
    env_off = {"CORSKIT_NO_EXTENSIONS": "1", "PATH": "/usr/bin:/bin"}
    off = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env=env_off,
        check=True,
    )
    on = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert off.stdout.split() == ["False", "True"]
    assert on.stdout.split() == ["True", "False"]


def test_both_implementations_serve_a_request() -> None:
    app_list = [(b"content-type", b"text/plain"), (b"vary", b"Accept-Encoding")]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": app_list})
        await send({"type": "http.response.body", "body": b"ok"})

    mw = CORSMiddleware(app, allow_origins=["https://app.example"])
    answers = []
    for name in ("c", "python"):
        sent: list[Any] = []

        async def send(message: Any, sent: list[Any] = sent) -> None:
            sent.append(message)

        async def main() -> None:
            await mw(
                {
                    "type": "http",
                    "method": "GET",
                    "path": "/",
                    "headers": [(b"origin", b"https://app.example")],
                },
                None,  # type: ignore[arg-type]  # no body to receive
                send,
            )

        with implementation(name):
            asyncio.run(main())
        answers.append(sent[0]["headers"])
    assert answers[0] == answers[1]
    assert (b"vary", b"Accept-Encoding, Origin") in answers[0]
    assert app_list == [(b"content-type", b"text/plain"), (b"vary", b"Accept-Encoding")]


@pytest.mark.timeout(300)
def test_installation_without_a_c_compiler_runs_the_python_loops(tmp_path: Path) -> None:
    """setup.py marks the extension optional: no compiler, no failure, pure Python."""
    root = Path(__file__).resolve().parents[2]
    source = tmp_path / "corskit"  # a copy: building in place would leave build/ in the checkout
    shutil.copytree(
        root / "src",
        source / "src",
        ignore=shutil.ignore_patterns("*.so", "__pycache__", "*.egg-info"),
    )
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(root / name, source / name)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = {**os.environ, "CC": "/bin/false"}
    env.pop("CORSKIT_NO_EXTENSIONS", None)
    install = subprocess.run(
        [
            str(venv / "bin/python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "--no-deps",
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=tmp_path,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    probe = subprocess.run(
        [str(venv / "bin/python"), "-c", "import corskit.asgi as a; print(a.SPEEDUPS)"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=True,
    )
    assert probe.stdout.strip() == "False"
