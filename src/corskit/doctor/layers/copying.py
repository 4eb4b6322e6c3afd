"""Copies of an app with one CORS layer's configuration changed, for checking a fix.

The doctor verifies a fix by running the same simulated request through a copy of the app
in which the layer's settings have their new values. The user's app is never changed: every
object on the way from the app to the layer (named by the layer's ``where``, e.g.
``app.user_middleware[1]`` or ``app.wsgi_app``) is copied shallowly, and only the copies
point at the new layer. A Starlette or FastAPI copy gets its middleware stack rebuilt from
its (copied) ``user_middleware`` on its first request.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any

__all__ = [
    "CannotVerify",
    "changed_entry",
    "path_of",
    "replace_at",
    "replaced",
    "with_kwargs",
]


class CannotVerify(Exception):
    """The doctor cannot build a copy of the app with this change (the message says why)."""


_STEP = re.compile(r"\.([A-Za-z_]\w*)|\[([^\]]*)\]")
Step = tuple[str, Any]


def path_of(where: str) -> list[Step]:
    """The attribute and item steps from the app to the object at *where* (``app.app``,
    ``app.user_middleware[2]``, ``app.after_request_funcs[None][0] (resources[...])``)."""
    head = where.split(" ", 1)[0]
    if not head.startswith("app"):
        raise CannotVerify(f"the layer at {where} is not reached from the app object")
    rest, pos, steps = head[3:], 0, []
    for match in _STEP.finditer(rest):
        if match.start() != pos:
            break
        pos = match.end()
        if match.group(1):
            steps.append(("attr", match.group(1)))
            continue
        try:
            steps.append(("item", ast.literal_eval(match.group(2))))
        except (ValueError, SyntaxError):
            break
    if pos != len(rest):
        raise CannotVerify(f"cannot follow {where} in the app object")
    return steps


def _reset_stack(obj: Any) -> None:
    """A Starlette/FastAPI copy rebuilds its middleware stack from its own user_middleware."""
    if isinstance(getattr(obj, "user_middleware", None), list) and hasattr(obj, "middleware_stack"):
        obj.middleware_stack = None


def replace_at(obj: Any, steps: list[Step], make: Callable[[Any], Any]) -> Any:
    """A copy of *obj* in which the object at *steps* is ``make(object)``; *obj* and every
    object on the way are left as they are."""
    if not steps:
        return make(obj)
    (kind, key), rest = steps[0], steps[1:]
    if kind == "attr":
        new = copy.copy(obj)
        setattr(new, key, replace_at(getattr(obj, key), rest, make))
        _reset_stack(new)
        return new
    if isinstance(obj, dict):
        items: Any = copy.copy(obj)  # keeps a defaultdict's type
    elif isinstance(obj, (list, tuple)):
        items = list(obj)
    else:
        raise CannotVerify(f"cannot copy a {type(obj).__name__} to change item {key!r}")
    items[key] = replace_at(obj[key], rest, make)
    return type(obj)(items) if isinstance(obj, tuple) else items


def replaced(app: Any, where: str, make: Callable[[Any], Any]) -> AbstractContextManager[Any]:
    """The context in which the copy of *app* with ``make(object at where)`` runs."""

    @contextmanager
    def context() -> Iterator[Any]:
        yield replace_at(app, path_of(where), make)

    return context()


def with_kwargs(entry: Any, changes: Mapping[str, Any]) -> Any:
    """A registered middleware entry (Starlette's ``Middleware``) with keyword *changes*."""
    cls = getattr(entry, "cls", None)
    if cls is None:
        raise CannotVerify(f"cannot rebuild the entry {type(entry).__name__}")
    args = tuple(getattr(entry, "args", ()) or ())
    kwargs = {**dict(getattr(entry, "kwargs", {}) or {}), **changes}
    return type(entry)(cls, *args, **kwargs)


def changed_entry(entry: Any, names: tuple[str, ...], changes: Mapping[str, Any]) -> Any:
    """*entry* with its positional arguments turned into keywords (*names*, in order) and
    *changes* applied, so a change to a setting given positionally takes effect."""
    args = tuple(getattr(entry, "args", ()) or ())
    given = dict(zip(names, args, strict=False))
    stripped = copy.copy(entry)
    try:
        stripped.args = args[len(given) :]
        stripped.kwargs = {**given, **dict(getattr(entry, "kwargs", {}) or {})}
    except AttributeError as exc:
        raise CannotVerify(f"cannot rebuild the entry {type(entry).__name__}") from exc
    return with_kwargs(stripped, changes)
