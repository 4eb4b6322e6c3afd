"""CORS checks for your own test suite: would a browser let this page read this response?

:func:`assert_cors_allowed` and :func:`assert_cors_blocked` run the corskit doctor in-process
against an ASGI app (FastAPI, Starlette, ...) or a WSGI app (Flask, Django, ...): the doctor
simulates what Chromium does for ``fetch(path, {method, headers, credentials})`` from a page at
*origin* (the preflight when one is needed, the CORS checks, redirects; see the Fetch standard,
https://fetch.spec.whatwg.org/#http-cors-protocol) by calling the app object directly, so no
server and no network is involved.  On failure they raise :class:`AssertionError` with the
doctor's explanation: the verdict, the console message Chromium would print, the cause, the fix
and the ``corskit check`` command that shows every step.

With pytest, the ``cors`` fixture (installed with corskit as a pytest plugin) offers the same
checks as ``cors.assert_allowed(app, ...)`` and ``cors.assert_blocked(app, ...)``.

These helpers, like the whole doctor, have no dependency beyond corskit itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from corskit.doctor.diagnose import Diagnosis
    from corskit.doctor.fetch import Outcome

__all__ = ["CORSCheck", "CORSTester", "assert_cors_allowed", "assert_cors_blocked", "check_cors"]

Credentials = Literal["omit", "same-origin", "include"]
HeadersArg = Mapping[str, str] | Iterable[tuple[str, str]] | None

#: The URL the in-process transport gives the app (``Host: testserver``, as Starlette's and
#: Flask's test clients do).
_BASE = "http://testserver"


@dataclass
class CORSCheck:
    """One simulated request: the doctor's :class:`~corskit.doctor.fetch.Outcome` and
    :class:`~corskit.doctor.diagnose.Diagnosis`, plus the ``corskit check`` command line."""

    outcome: Outcome
    diagnosis: Diagnosis
    app: Any = None

    @property
    def command(self) -> str:
        """The ``corskit check`` command that shows every step of this request."""
        spec = self.outcome.request
        path = self.outcome.url[len(_BASE) :] or "/"
        method = spec.written_method or spec.method
        return _command(self.app, self.outcome.origin, method, path, spec.headers, spec.credentials)

    @property
    def allowed(self) -> bool:
        """True when the browser lets the page read the response."""
        return self.outcome.verdict == "allowed"

    def explain(self) -> str:
        """Verdict, console message, cause and fix, one per line (the assertion text)."""
        out = self.outcome
        lines = [f"verdict: {out.verdict} (Chromium)"]
        if out.network_error:
            lines.append(f"network error: {out.network_error}")
        if out.chromium_message:
            lines.append(f"console ({out.cors_error}): {out.chromium_message}")
        primary = self.diagnosis.primary
        if primary is not None:
            lines.append(f"cause ({primary.code}): {primary.cause}")
            checked = self.diagnosis.verification
            lines.append(f"fix: {primary.fix}" + (f" {checked.text}" if checked else ""))
        if out.verdict == "allowed" and out.cross_origin:
            readable = ", ".join(out.readable_headers) or "(none)"
            lines.append(f"readable response headers: {readable}")
        lines.append(f"see every step: {self.command}")
        from corskit.doctor.wire import for_display

        return for_display("\n".join(lines))


def _header_list(headers: HeadersArg) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if isinstance(headers, Mapping):
        return [(str(k), str(v)) for k, v in headers.items()]
    return [(str(k), str(v)) for k, v in headers]


def _shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _import_path(app: Any) -> str:
    """``module:name`` of *app* when a loaded module holds it under a name, else a placeholder."""
    import sys

    for mod_name, module in list(sys.modules.items()):
        if mod_name == "__main__" or module is None:
            continue
        for name, value in list(vars(module).items()):
            if value is app and not name.startswith("_"):
                return f"{mod_name}:{name}"
    return "your_module:app"


def _command(
    app: Any, origin: str, method: str, path: str, headers: Sequence[tuple[str, str]], cred: str
) -> str:
    parts = ["corskit check", _import_path(app), "--origin", _shell_quote(origin)]
    if method != "GET":
        parts += ["-X", _shell_quote(method)]
    parts += ["--path", _shell_quote(path)]
    for name, value in headers:
        parts += ["-H", _shell_quote(f"{name}: {value}")]
    if cred != "same-origin":
        parts += ["--credentials", cred]
    return " ".join(parts)


def _find_settings(app: Any) -> list[Any]:
    from corskit.doctor.appinfo import find_cors_settings

    found = list(find_cors_settings(app))
    inner = getattr(app, "wsgi_app", None)  # Flask: the middleware wraps app.wsgi_app
    if not found and inner is not None and inner is not app:
        found = list(find_cors_settings(inner))
    return found


def check_cors(
    app: Any,
    *,
    origin: str,
    method: str = "GET",
    path: str = "/",
    headers: HeadersArg = None,
    credentials: Credentials = "same-origin",
    body: str | bytes | None = None,
    cookie: str | None = None,
    verify: bool = True,
) -> CORSCheck:
    """Simulate the request against *app* in-process and return the doctor's result; with
    *verify*, the fix of a blocked request is tried on a copy of *app* (the diagnosis'
    ``verification`` says whether the same request then passes).

    An ASGI app's lifespan start-up runs before the request and its shut-down after it, as
    under a server.  Raises :class:`ValueError` when the request itself is malformed (fetch()
    would throw), :class:`TypeError` when *app* is neither an ASGI nor a WSGI application, and
    :class:`RuntimeError` when the app's lifespan start-up fails."""
    from corskit.doctor.diagnose import diagnose
    from corskit.doctor.fetch import simulate
    from corskit.doctor.transports import TransportError, transport_for_app
    from corskit.doctor.verify import verify_diagnosis

    if not path.startswith("/"):
        path = "/" + path
    try:
        transport = transport_for_app(app)
    except TransportError as exc:
        raise TypeError(f"not an ASGI or WSGI app: {exc}") from None
    options: dict[str, Any] = {
        "origin": origin,
        "method": method,
        "headers": _header_list(headers),
        "credentials": credentials,
        "body": body,
        "cookie": cookie,
        "target_address_space": None,
        "resolve_dns": False,
    }
    try:
        outcome = simulate(transport, _BASE + path, **options)
    except TransportError as exc:
        raise RuntimeError(str(exc)) from None
    finally:
        transport.close()
    diagnosis = diagnose(outcome, _find_settings(app), in_process=True, app=app)
    if verify and outcome.verdict == "blocked":
        diagnosis.verification = verify_diagnosis(diagnosis, app, _BASE + path, options)
    return CORSCheck(outcome, diagnosis, app)


def _run(
    app: Any,
    origin: str,
    method: str,
    path: str,
    headers: HeadersArg,
    credentials: Credentials,
    body: str | bytes | None,
) -> tuple[CORSCheck, str]:
    """The check, and the request in words for the assertion text."""
    result = check_cors(
        app,
        origin=origin,
        method=method,
        path=path,
        headers=headers,
        credentials=credentials,
        body=body,
    )
    cred = "" if credentials == "same-origin" else f" with credentials {credentials!r}"
    return result, f"{method} {path} from {origin}{cred}"


def assert_cors_allowed(
    app: Any,
    *,
    origin: str,
    method: str = "GET",
    path: str = "/",
    headers: HeadersArg = None,
    credentials: Credentials = "same-origin",
    read_headers: Iterable[str] = (),
    body: str | bytes | None = None,
) -> CORSCheck:
    """Fail unless a page at *origin* can read the response to this request, and every header
    named in *read_headers* is readable by its script (CORS-safelisted or exposed)."""
    result, what = _run(app, origin, method, path, headers, credentials, body)
    if not result.allowed:
        raise AssertionError(
            f"CORS: expected {what} to be allowed, but the browser blocks it\n{result.explain()}"
        )
    from corskit.doctor.exposure import read_header_findings

    found = read_header_findings(result.outcome, result.diagnosis.settings, read_headers)
    if found:
        result.diagnosis.findings[:0] = found
        problems = "; ".join(f"{f.cause} (fix: {f.fix})" for f in found)
        raise AssertionError(
            f"CORS: {what} is allowed, but the page's script cannot read what it needs:"
            f" {problems}\n{result.explain()}"
        )
    return result


def assert_cors_blocked(
    app: Any,
    *,
    origin: str,
    method: str = "GET",
    path: str = "/",
    headers: HeadersArg = None,
    credentials: Credentials = "same-origin",
    body: str | bytes | None = None,
    error: str | None = None,
    symptom: str | None = None,
) -> CORSCheck:
    """Fail unless the browser blocks this request.  *error* (a Chromium ``CorsError`` name such
    as ``MissingAllowOriginHeader``) and *symptom* (a doctor symptom code such as
    ``origin-not-allowed``) optionally pin down why."""
    result, what = _run(app, origin, method, path, headers, credentials, body)
    if result.allowed:
        raise AssertionError(
            f"CORS: expected {what} to be blocked, but the browser allows it\n{result.explain()}"
        )
    got_error = result.outcome.cors_error
    if error is not None and got_error != error:
        raise AssertionError(
            f"CORS: {what} is blocked with {got_error}, not {error}\n{result.explain()}"
        )
    got_symptom = result.diagnosis.symptom
    if symptom is not None and got_symptom != symptom:
        raise AssertionError(
            f"CORS: {what} is blocked because of {got_symptom}, not {symptom}\n{result.explain()}"
        )
    return result


class CORSTester:
    """What the pytest ``cors`` fixture returns: the checks above as methods.

    ``CORSTester(app)`` binds a default app, so ``cors.assert_allowed(origin=...)`` works too."""

    def __init__(self, app: Any = None) -> None:
        self.app = app

    def _app(self, app: Any) -> Any:
        chosen = app if app is not None else self.app
        if chosen is None:
            raise TypeError("no app given: pass the app, or bind one with cors.app = app")
        return chosen

    def check(self, app: Any = None, **kwargs: Any) -> CORSCheck:
        """:func:`check_cors`."""
        return check_cors(self._app(app), **kwargs)

    def assert_allowed(self, app: Any = None, **kwargs: Any) -> CORSCheck:
        """:func:`assert_cors_allowed`."""
        return assert_cors_allowed(self._app(app), **kwargs)

    def assert_blocked(self, app: Any = None, **kwargs: Any) -> CORSCheck:
        """:func:`assert_cors_blocked`."""
        return assert_cors_blocked(self._app(app), **kwargs)
