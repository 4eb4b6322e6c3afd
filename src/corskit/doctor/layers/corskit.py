"""corskit's own middleware: the doctor asks its engine instead of modelling it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...policy import CORSPolicy

__all__ = ["build", "decide"]


def build(settings: dict[str, Any]) -> CORSPolicy | None:
    """The policy a ``user_middleware`` entry would build, or None when it does not build."""
    from ...policy import CORSPolicy

    try:
        return CORSPolicy(**settings)
    except Exception:  # an invalid configuration: the caller falls back to a model
        return None


def decide(
    policy: CORSPolicy, origin: str, method: str, unsafe: list[str], preflight: bool
) -> tuple[str, str]:
    """How *policy* decides this request: ``(reason, detail)``, or ``("", "")`` when it
    allows it."""
    engine = policy.engine
    if preflight:
        lines = [",".join(sorted(unsafe)).encode("latin-1")] if unsafe else []
        d = engine.preflight(origin.encode("latin-1"), method.encode("latin-1"), lines, None)
    else:
        d = engine.actual(origin.encode("latin-1"))
    return ("" if d.allowed else d.reason), str(getattr(d, "detail", "") or "")
