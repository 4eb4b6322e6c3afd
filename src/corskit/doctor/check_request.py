"""``corskit check``'s library side: the request to check (from flags or a DevTools copy), its
simulation and diagnosis (and the same request in real Chromium with ``browser=True``), a HAR
file's requests, and the text or JSON that the command prints.

Every failure the user can fix raises :class:`~corskit.doctor.errors.UsageError` (one line).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from corskit.doctor.errors import UsageError, for_pip_users, require

__all__ = [
    "CheckRequest",
    "CheckResult",
    "check_har",
    "from_copy",
    "is_url",
    "render_check",
    "render_har",
    "run_check",
]


@dataclass
class CheckRequest:
    """What ``corskit check`` simulates.  ``copied`` is the DevTools copy it came from (a
    :class:`~corskit.doctor.inputs.request.CopiedRequest`), ``secrets`` the header values
    masked wherever the request is printed."""

    target: str
    origin: str
    method: str = "GET"
    headers: list[tuple[str, str]] = field(default_factory=list)
    credentials: Literal["omit", "same-origin", "include"] = "same-origin"
    body: str | None = None
    cookie: str | None = None
    path: str | None = None
    body_stream: bool = False
    kind: Literal["fetch", "XMLHttpRequest"] = "fetch"
    local_network_granted: bool = False
    page_url: str | None = None
    base_url: str | None = None
    copied: Any = None
    read_headers: list[str] = field(default_factory=list)
    secrets: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.secrets = [*self.secrets, *self.headers]
        if self.cookie:
            self.secrets.append(("cookie", self.cookie))


@dataclass
class CheckResult:
    """The simulation's ``outcome``, its ``diagnosis``, and the real ``browser``'s report."""

    outcome: Any
    diagnosis: Any
    browser: Any = None

    @property
    def allowed(self) -> bool:
        """The simulation's verdict (the command's exit status)."""
        return bool(self.outcome.verdict == "allowed")

    @property
    def unreadable(self) -> list[str]:
        """Codes of the findings that a header the page must read is unreadable."""
        from corskit.doctor.exposure import NOT_EXPOSED, NOT_READABLE

        codes = (NOT_EXPOSED, NOT_READABLE)
        return [f.code for f in self.diagnosis.findings if f.code in codes]


def is_url(target: str) -> bool:
    """A URL target (sent over HTTP), as opposed to an in-process ``module:app``."""
    return "://" in target or target.lower().startswith(("http:", "https:"))


def from_copy(copied: Any, **given: Any) -> CheckRequest:
    """The request of a DevTools *copied* request; *given* (``origin``, ``method``,
    ``headers``, ``credentials``, ``body``, ``cookie``, and the other :class:`CheckRequest`
    fields) override the copy, ``headers`` add to its script headers."""
    origin = given.pop("origin", None) or copied.origin
    if origin is None:
        raise UsageError("the copy has no Origin nor Referer header; give --origin")
    extra = list(given.pop("headers", None) or [])
    body = given.pop("body", None)
    return CheckRequest(
        target=copied.url,
        origin=origin,
        method=given.pop("method", None) or copied.method,
        headers=[*copied.script_headers, *extra],
        credentials=given.pop("credentials", None) or copied.credentials,
        body=body if body is not None else copied.body,
        cookie=given.pop("cookie", None) or copied.cookie,
        copied=copied,
        secrets=list(copied.headers),
        **given,
    )


# ------------------------------------------------------------------------------------------
# running it


def _simulate(req: CheckRequest, timeout: float) -> tuple[Any, Any]:
    from corskit.doctor import exposure
    from corskit.doctor.appinfo import find_cors_settings
    from corskit.doctor.diagnose import diagnose
    from corskit.doctor.fetch import FetchInputError, simulate
    from corskit.doctor.transports import TransportError, open_transport
    from corskit.doctor.verify import verify_diagnosis

    try:
        transport, url = open_transport(
            req.target, timeout=timeout, path=req.path or "/", base_url=req.base_url
        )
    except TransportError as exc:
        raise UsageError(str(exc)) from None
    app = getattr(transport, "app", None)
    in_process = app is not None
    options = _simulate_options(req, in_process)
    try:
        outcome = simulate(transport, url, **options)
    except (FetchInputError, TransportError) as exc:
        raise UsageError(str(exc)) from None
    finally:
        transport.close()
    settings = find_cors_settings(app) if in_process else []
    diagnosis = diagnose(outcome, settings, in_process=in_process, app=app)
    exposure.apply(outcome, diagnosis, req.read_headers)
    diagnosis.verification = verify_diagnosis(
        diagnosis, app, url, options, read_headers=req.read_headers, timeout=timeout
    )
    return outcome, diagnosis


def _simulate_options(req: CheckRequest, in_process: bool) -> dict[str, Any]:
    """The keywords of :func:`~corskit.doctor.fetch.simulate` for *req*."""
    return {
        "origin": req.origin,
        "method": req.method,
        "headers": req.headers,
        "credentials": req.credentials,
        "body": req.body,
        "body_stream": req.body_stream,
        "kind": req.kind,
        "cookie": req.cookie,
        "page_url": req.page_url,
        "local_network_permission": req.local_network_granted,
        "target_address_space": None if in_process else "auto",
        "resolve_dns": not in_process,
    }


def _in_browser(
    req: CheckRequest, timeout: float, browser: str, chromium: str | None, firefox: str | None
) -> Any:
    from corskit.doctor.browser import BrowserUnavailable, browser_check

    try:
        return browser_check(
            req.target,
            origin=req.origin,
            method=req.method,
            headers=req.headers,
            credentials=req.credentials,
            body=req.body,
            path=req.path,
            chromium_path=chromium,
            timeout=timeout,
            browser=browser,
            firefox_path=firefox,
        )
    except BrowserUnavailable as exc:
        raise UsageError(f"--browser: {for_pip_users(str(exc), browser)}") from None


def run_check(
    req: CheckRequest,
    *,
    timeout: float = 10.0,
    browser: bool | str = False,
    chromium: str | None = None,
    firefox: str | None = None,
) -> CheckResult:
    """Simulate *req* (over the network or in-process) and diagnose it; with *browser*
    (``True`` or ``"chromium"``, or ``"firefox"``), run it in that headless browser too.  A
    missing extra is named before anything is sent."""
    name = "chromium" if browser is True else (browser or "")
    if name:
        if name == "chromium":
            require("playwright", "check --browser")
        if not is_url(req.target):
            require("uvicorn", "check --browser of an app")
    outcome, diagnosis = _simulate(req, timeout)
    report = _in_browser(req, timeout, name, chromium, firefox) if name else None
    return CheckResult(outcome, diagnosis, report)


# ------------------------------------------------------------------------------------------
# output


def _copy_summary(req: CheckRequest) -> str:
    """What was read from a DevTools copy (secrets masked)."""
    from corskit.doctor.inputs.request import mask

    copied = req.copied
    names = {"curl-bash": "Copy as cURL (bash)", "curl-cmd": "Copy as cURL (cmd)"}
    source = names.get(copied.source, "Copy as fetch")
    where = {"origin": "its Origin header", "referer": "its Referer", "referrer": "its referrer"}
    given = "given with --origin" if req.origin != copied.origin else where[copied.origin_from]
    shown = ", ".join(f"{n}: {mask(n, v)}" for n, v in req.headers) or "none"
    added = ", ".join(n for n, _ in copied.browser_headers) or "none"
    why = " (a cookie was sent)" if copied.cookie and req.credentials == "include" else ""
    lines = [
        f"From DevTools' {source}: {req.method} {req.target}",
        f"  page origin   {req.origin} ({given})",
        f"  set by script {shown}",
        f"  set apart     {added} (added by the browser itself)",
        f"  credentials   {req.credentials}{why}",
        *[f"  note: {n}" for n in copied.notes],
    ]
    return "\n".join(lines) + "\n\n"


def _copy_json(req: CheckRequest) -> dict[str, Any]:
    copied = req.copied
    return {
        "source": copied.source,
        "url": req.target,
        "method": req.method,
        "origin": req.origin,
        "origin_from": copied.origin_from if req.origin == copied.origin else "--origin",
        "script_headers": [[n, v] for n, v in req.headers],
        "browser_headers": [n for n, _ in copied.browser_headers],
        "credentials": req.credentials,
        "notes": list(copied.notes),
    }


def _read_headers_json(req: CheckRequest, outcome: Any) -> list[dict[str, Any]]:
    """``--read-header`` names: whether the page can read each (None: blocked, nothing read)."""
    from corskit.doctor.exposure import can_read

    blocked = outcome.verdict != "allowed"
    return [
        {"name": n, "readable": None if blocked else can_read(n, outcome)} for n in req.read_headers
    ]


def render_check(
    req: CheckRequest,
    result: CheckResult,
    *,
    as_json: bool = False,
    colour: bool = False,
    verbose: bool = False,
) -> str:
    """What ``corskit check`` prints: the report (text or one JSON object), Chromium's beside
    it, and for a copied request what was read from the copy; copied secrets are masked."""
    from corskit.doctor.inputs.request import scrub_secrets
    from corskit.doctor.render import render_json, render_text

    if as_json:
        data = render_json(result.outcome, result.diagnosis, target=req.target)
        data["read_headers"] = _read_headers_json(req, result.outcome)
        if req.copied is not None:
            data["input"] = _copy_json(req)
        if result.browser is not None:
            data["browser"] = result.browser.to_json()
        text = json.dumps(data, indent=2) + "\n"
    else:
        head = _copy_summary(req) if req.copied is not None else ""
        text = head + render_text(
            result.outcome, result.diagnosis, colour=colour, verbose=verbose, target=req.target
        )
        if result.browser is not None:
            text += result.browser.render_text(colour)
    return scrub_secrets(text, req.secrets) if req.copied is not None else text


def check_har(
    path: str, *, live: bool = False, timeout: float = 10.0, credentials: str | None = None
) -> list[Any]:
    """Every cross-origin fetch/XHR of the HAR file at *path*, diagnosed offline from the
    recording (or re-sent with *live*): a list of
    :class:`~corskit.doctor.inputs.har_check.HarVerdict`."""
    from corskit.doctor.inputs.har import HarError, parse_har
    from corskit.doctor.inputs.har_check import check_live, check_offline

    try:
        with open(path, "rb") as fh:
            items = parse_har(fh.read())
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except HarError as exc:
        raise UsageError(f"--har {path}: {exc}") from None
    if not live:
        return [check_offline(item, credentials=credentials) for item in items]
    return [check_live(item, timeout=timeout, credentials=credentials) for item in items]


def render_har(results: list[Any], *, as_json: bool = False, colour: bool = False) -> str:
    """``corskit check --har``'s table and diagnoses, or the JSON list (secrets masked)."""
    from corskit.doctor.inputs.har_check import har_json, render_har_report

    if as_json:
        return json.dumps(har_json(results), indent=2) + "\n"
    return render_har_report(results, colour=colour)
