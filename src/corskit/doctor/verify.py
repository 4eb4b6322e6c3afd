"""Verified fixes: the doctor's fix applied to a copy of the app, and the same request again.

For an in-process target, the layer the fix is for builds a copy of the app with its
settings changed (:meth:`~corskit.doctor.layers.base.Layer.copy_with`; the user's app is
never changed), and the same simulated request runs through the copy on the same kind of
in-process transport. The fix is *verified* only when that request then passes. Anything
the doctor cannot check is said, with the reason: a URL target (a remote server's
configuration), a change in the page, a proxy, the app's own code. The whole check is
bounded in time, and any failure while checking is a reason, never a crash.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from .causes import Finding
from .fetch import Outcome
from .layers import Layer
from .layers.copying import CannotVerify

__all__ = ["REMOTE", "Verification", "not_a_settings_change", "verify_diagnosis", "verify_fix"]

REMOTE = "the doctor cannot change a remote server's configuration"
PASSES = "the same request passes with this change"

# Why a fix that is not a change of a CORS layer's settings cannot be checked on a copy.
_PAGE = (
    "the fix is a change in the page (its fetch() call or its URL), which the doctor cannot make"
)
_ORDER = "the fix changes the order of the app's middleware, which the doctor does not rebuild"
_NOT_SETTINGS = {
    "lowercase-method": _PAGE,
    "redirect-null-origin": _PAGE,
    "preflight-redirect": _PAGE,
    "redirect-credentials": _PAGE,
    "cookie-not-sent": "the fix is in the cookie's attributes or the page's credentials mode",
    "local-network-access": "the fix is the user's permission or where the page is served",
    "duplicate-acao": "the fix removes one of two layers (a proxy or a mounted application)",
    "preflight-rejected": (
        "the fix changes the app's middleware order or its authentication code, which the"
        " doctor does not rebuild"
    ),
    "cors-middleware-order": _ORDER,
    "middleware-order": _ORDER,
    "server-error-without-cors": "the fix is in the app's code (the exception it raises)",
    "cors-config-invalid": "the fix corrects each problem corskit names, which the doctor leaves to you",
    "cors-middleware-missing": "the fix adds a CORS layer; the doctor checks changes to a layer it found",
    "network-error": "the fix is in the redirect chain",
}


@dataclass(frozen=True)
class Verification:
    """``verified`` is True when the same request passed with the fix, False when it did
    not, None when the doctor could not check (``reason`` says why, or what still fails)."""

    verified: bool | None
    reason: str | None = None

    @property
    def text(self) -> str:
        """The parenthesis after the fix."""
        if self.verified:
            return f"(verified: {PASSES})"
        return f"(not verified: {self.reason})"

    def to_json(self) -> dict[str, Any]:
        return {"verified": self.verified, "not_verified_reason": self.reason}


def not_a_settings_change(finding: Finding) -> Verification:
    """Why *finding*'s fix cannot be checked by changing a layer's settings."""
    reason = _NOT_SETTINGS.get(finding.code, "the fix is not a change of a CORS layer's settings")
    if finding.code == "origin-not-allowed" and "serve the page" in finding.fix:
        reason = _PAGE
    return Verification(None, reason)


def verify_diagnosis(
    diagnosis: Any,
    app: Any,
    url: str,
    options: dict[str, Any],
    *,
    read_headers: Sequence[str] = (),
    timeout: float = 10.0,
) -> Verification | None:
    """Whether the fix of *diagnosis*' primary finding makes the same request pass: the
    request is :func:`~corskit.doctor.fetch.simulate` to *url* with *options*, in-process
    on a copy of *app* (None: a URL target). It passes when it is allowed and every name in
    *read_headers* is readable. None when there is nothing to fix."""
    from .exposure import can_read

    primary = diagnosis.primary
    if primary is None or primary.severity != "error":
        return None
    if app is None:
        return Verification(None, REMOTE)

    def rerun(changed: Any) -> Outcome:
        from .fetch import simulate
        from .transports import ASGITransport, transport_for_app

        transport = transport_for_app(changed, timeout=timeout)
        try:
            if isinstance(transport, ASGITransport):
                transport.start()
            return simulate(transport, url, **options)
        finally:
            transport.close()

    def passes(outcome: Outcome) -> bool:
        readable = all(can_read(name, outcome) for name in read_headers)
        return outcome.verdict == "allowed" and readable

    layer = diagnosis.settings.layer if diagnosis.settings is not None else None
    return verify_fix(primary, layer, app, rerun, passes, timeout=timeout)


def verify_fix(
    finding: Finding,
    layer: Layer | None,
    app: Any,
    rerun: Callable[[Any], Outcome],
    passes: Callable[[Outcome], bool],
    *,
    timeout: float = 10.0,
) -> Verification:
    """Apply *finding*'s fix to a copy of *app* through *layer*, run the same request
    (*rerun*: the simulation on a given app object) and judge it with *passes*."""
    change = finding.change
    if change is None or not change.changes:
        return not_a_settings_change(finding)
    if layer is None or app is None:
        return Verification(None, "no CORS layer of the app was found to change")
    result: list[Verification] = []
    copy = _Copy(layer, app, dict(change.changes))
    worker = threading.Thread(
        target=lambda: result.append(_run(copy, rerun, passes)),
        name="corskit-verify",
        daemon=True,
    )
    worker.start()
    worker.join(timeout * 2 + 1)
    if not result:
        copy.abandon()
        return Verification(None, f"could not verify: the check took longer than {timeout * 2:g} s")
    return result[0]


class _Abandoned(Exception):
    """The caller stopped waiting before the copy was built."""


class _Copy:
    """The changed copy of the app, built and run on the check's thread, and closed exactly
    once by whoever is last: the check's thread when it finishes, or the caller when the
    time bound passes first. A copy can change process-wide state while it is open (a Django
    project's settings are overridden for the whole process), so a check that outlives its
    bound must not keep the change in force after the caller has moved on."""

    def __init__(self, layer: Layer, app: Any, changes: dict[str, Any]) -> None:
        self.layer, self.app, self.changes = layer, app, changes
        self._lock = threading.Lock()
        self._context: AbstractContextManager[Any] | None = None
        self._abandoned = False

    def open(self) -> Any:
        """The copy of the app (on the check's thread)."""
        context = self.layer.copy_with(self.app, self.changes)
        changed = context.__enter__()
        with self._lock:
            abandoned = self._abandoned
            if not abandoned:
                self._context = context
        if abandoned:
            context.__exit__(None, None, None)
            raise _Abandoned
        return changed

    def close(self) -> None:
        """Undo the copy's changes, unless that is done already."""
        with self._lock:
            context, self._context = self._context, None
        if context is not None:
            context.__exit__(None, None, None)

    def abandon(self) -> None:
        """The caller stops waiting: undo the changes now (the check's thread, when it goes
        on, runs on the app as it is, and its answer is dropped)."""
        with self._lock:
            self._abandoned = True
        with contextlib.suppress(Exception):
            self.close()


def _run(
    copy: _Copy, rerun: Callable[[Any], Outcome], passes: Callable[[Outcome], bool]
) -> Verification:
    from ..problems import CORSConfigError

    try:
        changed = copy.open()
        try:
            outcome = rerun(changed)
        finally:
            copy.close()
    except CannotVerify as exc:
        return Verification(None, str(exc))
    except CORSConfigError as exc:
        problems = "; ".join(str(p) for p in exc.problems[:3])
        return Verification(False, f"the changed configuration is refused: {problems}")
    except Exception as exc:  # the user's app, rebuilt: anything can happen
        return Verification(None, f"could not verify: {type(exc).__name__}: {exc}"[:300])
    if passes(outcome):
        return Verification(True)
    what = outcome.cors_error or outcome.network_error or outcome.verdict
    return Verification(False, f"with this change the same request still fails ({what})")
