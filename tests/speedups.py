"""Run corskit's ASGI adapter with its C loops (``corskit._speedups``) or its Python ones.

The C module is optional (built when a compiler is present); the Python versions in
``corskit.asgi`` are the reference. Tests that drive the adapter run under both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from corskit import asgi

try:
    from corskit import _speedups
except ImportError:  # pragma: no cover - no compiler when corskit was installed
    _speedups = None  # type: ignore[assignment]

#: The implementations this interpreter can run: always "python", "c" when built.
IMPLEMENTATIONS = ["python", *(["c"] if _speedups is not None else [])]


def require_c() -> None:
    """Skip without the C module, except in CI, where the build must have produced it."""
    if _speedups is None:
        if os.environ.get("CI"):
            pytest.fail("corskit._speedups was not built (scripts/bootstrap.sh compiles it)")
        pytest.skip("corskit._speedups was not built (no C compiler at install time)")


@contextmanager
def implementation(name: str) -> Iterator[None]:
    """Make ``corskit.asgi`` use the C (``"c"``) or Python (``"python"``) loops."""
    saved = asgi._find_origin, asgi._send_filter
    if name == "python":
        asgi._find_origin, asgi._send_filter = asgi._find_origin_py, asgi._send_filter_py
    else:
        require_c()
        _speedups.setup(asgi._SEVERAL, asgi._WATCHED, asgi._send_with_cors_py)  # idempotent
        asgi._find_origin, asgi._send_filter = _speedups.find_origin, _speedups.send_filter
    try:
        yield
    finally:
        asgi._find_origin, asgi._send_filter = saved
