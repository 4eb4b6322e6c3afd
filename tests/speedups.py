"""Run corskit's ASGI adapter with its C loops (``corskit._speedups``) or its Python ones.

The C module is optional (built when a compiler is present); the Python versions in
``corskit._loops`` are the reference. Tests that drive the adapter run under both.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest

from corskit import _loops, asgi

#: The C loops, set up, or None when corskit._speedups was not built.
C_LOOPS = _loops.c_loops()
#: The implementations this interpreter can run: always "python", "c" when built.
IMPLEMENTATIONS = ["python", *(["c"] if C_LOOPS is not None else [])]
T = TypeVar("T")


def require_c() -> None:
    """Skip without the C module, except in CI, where the build must have produced it."""
    if C_LOOPS is None:
        if os.environ.get("CI"):
            pytest.fail("corskit._speedups was not built (scripts/bootstrap.sh compiles it)")
        pytest.skip("corskit._speedups was not built (no C compiler at install time)")


@contextmanager
def implementation(name: str) -> Iterator[None]:
    """Make ``corskit.asgi`` use the C (``"c"``) or Python (``"python"``) loops."""
    # The adapter's own names are patched: it imported the loops from corskit._loops by name.
    saved = asgi._find_origin, asgi._send_filter, asgi._preflight_fields  # type: ignore[attr-defined]
    loops = _loops.PY_LOOPS
    if name == "c":
        require_c()
        assert C_LOOPS is not None
        loops = C_LOOPS
    asgi._find_origin, asgi._send_filter, asgi._preflight_fields = loops  # type: ignore[attr-defined]
    try:
        yield
    finally:
        asgi._find_origin, asgi._send_filter, asgi._preflight_fields = saved  # type: ignore[attr-defined]


def run_both(
    run: Callable[[Any], T], scope: Any, key: Callable[[T], Any] = lambda result: result
) -> T:
    """``run(scope)`` with each implementation (on a deep copy of *scope* each time);
    asserts that their answers agree (compared through *key*) and returns the first."""
    answers = []
    for name in IMPLEMENTATIONS:
        with implementation(name):
            answers.append(run(copy.deepcopy(scope)))
    for other in answers[1:]:
        assert key(other) == key(answers[0]), f"C and Python differ: {answers}"
    return answers[0]
