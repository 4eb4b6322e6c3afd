"""The ASGI adapter's per-request loops, and the loader of their C twins.

- :func:`find_origin_py`: the ``Origin`` value of a request's header list;
- :func:`preflight_fields_py`: on ``OPTIONS``, a preflight's three request headers;
- :func:`send_filter_py`: the ``send`` an app gets, which adds a decision's headers to
  its ``http.response.start`` message.

These Python versions are the reference. ``corskit._speedups`` (``_speedups.c``, built
when a C compiler is present) holds the same loops for the common shape of input
(a list of 2-tuples of bytes, a dict message) and hands everything else to the Python
code here; ``tests/core/test_speedups.py`` checks that both answer alike on random
inputs. ``CORSKIT_NO_EXTENSIONS=1`` in the environment makes corskit ignore the C module.

Translation only, no CORS rules: the decision's headers come precomputed from
:mod:`corskit.engine` (``Decision.tail``).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from types import MethodType
from typing import Any

from .headers import merge_vary

__all__ = [
    "SPEEDUPS",
    "apply_tail",
    "find_origin",
    "preflight_fields",
    "scan_origin",
    "send_filter",
]

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
Header = tuple[bytes, bytes]
Tail = tuple[Header, ...]
#: Access-Control-Request-Method, the Access-Control-Request-Headers lines, -Private-Network
#: (corskit.engine.PreflightFields).
Fields = tuple[bytes, list[bytes], "bytes | None"]

CORS_NAMES = frozenset(
    {
        b"access-control-allow-origin",
        b"access-control-allow-credentials",
        b"access-control-expose-headers",
    }
)
# Response headers that rule out the fast path: Vary and the CORS headers, in any case
# (ASGI asks for lower-case names, hand-written apps send any spelling; field names are
# case-insensitive: RFC 9110, https://www.rfc-editor.org/rfc/rfc9110#name-field-names).
# A tuple of lower-case names for the C module, a set for Python.
WATCHED = (*sorted(CORS_NAMES), b"vary")
_WATCHED_SET = frozenset(WATCHED)
#: What :func:`find_origin` answers for several ``Origin`` headers or an unusual header
#: list: then :func:`scan_origin` decides.
SEVERAL: Any = object()


def scan_origin(raw: Any) -> tuple[bytes | None, bool]:
    """(the last ``Origin`` value or None, whether there were several): the full scan.

    One pass in bytecode: cheaper than ``dict(raw)`` for the dozen headers a browser
    sends, since servers hand over fresh bytes objects that a dict would hash first.
    """
    origin = None
    duplicated = False
    for name, value in raw:
        if name == b"origin":
            if origin is not None:
                duplicated = True
            origin = value  # the last one, as dict(raw) would give
    return origin, duplicated


def find_origin_py(raw: Any) -> Any:
    """The ``Origin`` value, None without one, or :data:`SEVERAL` (then ask :func:`scan_origin`).

    Its own loop, not a call to :func:`scan_origin`: this runs on every request without
    the C loops, and the extra call and tuple cost about 0.01-0.02x of Starlette's time.
    """
    origin = None
    for name, value in raw:
        if name == b"origin":
            if origin is not None:
                return SEVERAL
            origin = value
    return origin


def preflight_fields_py(raw: Any) -> Fields | None:
    """(Access-Control-Request-Method, -Headers lines, -Private-Network) of a request, or
    None without Access-Control-Request-Method (then it is not a preflight: Fetch,
    CORS-preflight request).

    The method and private-network values are the last ones sent; the header list may be
    split over several lines (e.g. behind AWS API Gateway), so every line is kept.
    """
    method = None
    lines: list[bytes] = []
    private_network = None
    for name, value in raw:
        if name == b"access-control-request-method":
            method = value
        elif name == b"access-control-request-headers":
            lines.append(value)
        elif name == b"access-control-request-private-network":
            private_network = value
    return None if method is None else (method, lines, private_network)


def send_with_cors_py(bound: tuple[Send, Tail], message: Message) -> Awaitable[None]:
    """The ``send`` an app gets: adds the decision's headers to ``http.response.start``.

    Bound to ``(send, tail)`` per request; returns send's own awaitable (no coroutine of
    its own per message). Never writes to the app's message or header list: the server
    gets a new message (an app may reuse one dict for every response).
    """
    if message["type"] != "http.response.start":
        return bound[0](message)
    headers = message.get("headers")
    if headers.__class__ is list:
        for name, _ in headers:
            # The app set Vary or a CORS header, in any case: merge with care.
            if name.__class__ is not bytes or name.lower() in _WATCHED_SET:
                out = apply_tail(headers, bound[1])
                break
        else:
            out = [*headers, *bound[1]]
    else:
        out = apply_tail(headers or (), bound[1])
    return bound[0]({**message, "headers": out})


def send_filter_py(send: Send, tail: Tail) -> Send:
    """The app's ``send`` for a decision whose headers are *tail*."""
    return MethodType(send_with_cors_py, (send, tail))


def apply_tail(headers: Iterable[Any], tail: Tail) -> list[Header]:
    """The response headers with a decision's CORS headers set and its ``Vary`` merged.

    *tail* is :attr:`Decision.tail`: the CORS headers, then ``(b"vary", names)`` if any.
    Names are compared case-insensitively; the app's own CORS headers are replaced, never
    duplicated (a duplicate ``Access-Control-Allow-Origin`` fails the browser's check).
    """
    if tail and tail[-1][0] == b"vary":
        ours, vary = tail[:-1], tail[-1][1]
    else:
        ours, vary = tail, b""
    out: list[Header] = []
    vary_at = -1
    earlier: list[bytes] = []  # the values of Vary fields before the last one
    replace = bool(ours)
    for name, value in headers:
        low = name.lower()
        if low == b"vary":
            if vary_at >= 0:
                earlier.append(out[vary_at][1])
            vary_at = len(out)
        elif replace and low in CORS_NAMES:
            continue
        out.append((name, value))
    out.extend(ours)
    if vary:
        _merge_into(out, vary_at, earlier, vary)
    return out


def _merge_into(out: list[Header], vary_at: int, earlier: list[bytes], vary: bytes) -> None:
    """Add the names of *vary* to the last ``Vary`` field of *out* (or a new one)."""
    if vary_at < 0:
        out.append((b"vary", vary))
        return
    name, value = out[vary_at]
    extra = vary
    if earlier:  # several Vary fields: never repeat a name one of them already has
        present = b", ".join(earlier)
        extra = b", ".join(x for x in extra.split(b", ") if merge_vary(present, x) != present)
    if extra:
        out[vary_at] = (name, merge_vary(value, extra))


# -- the loader -------------------------------------------------------------------------

Loops = tuple[Callable[[Any], Any], Callable[[Send, Tail], Send], Callable[[Any], "Fields | None"]]
#: (find_origin, send_filter, preflight_fields) in Python: the reference.
PY_LOOPS: Loops = (find_origin_py, send_filter_py, preflight_fields_py)


def c_loops() -> Loops | None:
    """(find_origin, send_filter, preflight_fields) from ``corskit._speedups``, set up; None
    if it was not built."""
    try:
        from . import _speedups
    except ImportError:  # no compiler at install time: the Python versions serve
        return None
    _speedups.setup(SEVERAL, WATCHED, send_with_cors_py, preflight_fields_py)
    return _speedups.find_origin, _speedups.send_filter, _speedups.preflight_fields


#: The C loops, or None when the module was not built or ``CORSKIT_NO_EXTENSIONS`` is set.
C_LOOPS = None if os.environ.get("CORSKIT_NO_EXTENSIONS") else c_loops()
SPEEDUPS = C_LOOPS is not None
find_origin, send_filter, preflight_fields = C_LOOPS or PY_LOOPS
