"""What the page's JavaScript can read of a cross-origin response, and how to expose the rest.

A script reads a response header with ``response.headers.get(NAME)``; for a CORS response
only the CORS-safelisted response-header names and the names listed in
``Access-Control-Expose-Headers`` are readable (``*`` means every name, but only for a
request without credentials), and ``Set-Cookie`` never is: Fetch standard, CORS filtered
response (https://fetch.spec.whatwg.org/#concept-filtered-response-cors) and
CORS-safelisted response-header name
(https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name).

:func:`read_header_findings` judges the names a page needs (``corskit check --read-header``,
``corskit.testing.assert_cors_allowed(read_headers=...)``): an error for each it cannot read,
with one fix in the words of the CORS layer found that keeps the names already exposed.
:func:`unreadable_note` lists, as a note, the headers a response sends that the page cannot
read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .causes import Finding
from .fetch import Outcome
from .fetch.model import Note
from .fetch.spec import (
    FORBIDDEN_RESPONSE_HEADER_NAMES,
    SAFELISTED_RESPONSE_HEADER_NAMES,
    extract_list,
)
from .layers import Fix
from .wire import WireResponse

__all__ = [
    "NOT_EXPOSED",
    "NOT_READABLE",
    "NOT_SENT",
    "apply",
    "can_read",
    "exposed_names",
    "read_header_findings",
    "unreadable_headers",
    "unreadable_note",
]

#: finding code: a header the page needs is not exposed
NOT_EXPOSED = "header-not-exposed"
#: finding code: a header no CORS setting can make readable (Set-Cookie)
NOT_READABLE = "header-never-readable"
#: warning code: a header the page needs is readable but this response does not send it
NOT_SENT = "header-not-sent"
#: note code: headers the response sends that the page cannot read
NOTE_CODE = "headers-not-readable"

_SAFE = frozenset(SAFELISTED_RESPONSE_HEADER_NAMES)


def exposed_names(response: WireResponse) -> set[str]:
    """The names in *response*'s Access-Control-Expose-Headers, lower case (none when the
    value cannot be parsed, as a browser reads it)."""
    try:
        return {
            e.lower() for e in extract_list(response.get("access-control-expose-headers")) or []
        }
    except ValueError:
        return set()


def _final_response(outcome: Outcome) -> WireResponse | None:
    actual = outcome.actual_responses()
    return actual[-1] if actual else None


def _applies(outcome: Outcome) -> bool:
    return outcome.verdict == "allowed" and outcome.cross_origin


def _wildcard_counts(outcome: Outcome, exposed: set[str]) -> bool:
    return "*" in exposed and outcome.request.credentials != "include"


def can_read(name: str, outcome: Outcome) -> bool:
    """Whether the page can read the response header *name* (whether or not it is sent)."""
    lower = name.strip().lower()
    if lower in FORBIDDEN_RESPONSE_HEADER_NAMES:
        return False
    if not outcome.cross_origin:
        return True
    response = _final_response(outcome)
    exposed = exposed_names(response) if response is not None else set()
    return lower in _SAFE or lower in exposed or _wildcard_counts(outcome, exposed)


def unreadable_headers(outcome: Outcome) -> list[str]:
    """The headers the response sends that the page cannot read (the CORS headers apart)."""
    response = _final_response(outcome)
    if response is None or not _applies(outcome):
        return []
    names: list[str] = []
    for name, _ in response.headers:
        if name.startswith("access-control-") or name in names:
            continue
        if not can_read(name, outcome):
            names.append(name)
    return names


def unreadable_note(outcome: Outcome) -> Note | None:
    """A note listing :func:`unreadable_headers` (None when there are none)."""
    names = unreadable_headers(outcome)
    if not names:
        return None
    return Note(
        NOTE_CODE,
        "the page's JavaScript cannot read these response headers (response.headers.get()"
        f" returns null): {', '.join(names)}; if it needs one, name it with --read-header for"
        " the fix",
    )


def _already_exposed(outcome: Outcome, settings: Any) -> list[str]:
    """The names the layer (or, without a known layer, the response) already exposes."""
    layer = getattr(settings, "layer", None)
    if layer is not None and getattr(settings, "kind", "") != "handwritten":
        return [str(n) for n in (layer.get("expose_headers") or ())]
    response = _final_response(outcome)
    value = response.get("access-control-expose-headers") if response is not None else None
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _fix_text(outcome: Outcome, settings: Any, missing: list[str]) -> tuple[str, Fix | None]:
    """The fix's text and, when a layer was found, the change of its settings."""
    kept = _already_exposed(outcome, settings)
    known = {k.lower() for k in kept}
    new = [*kept, *(m for m in missing if m.lower() not in known)]
    layer = getattr(settings, "layer", None)
    if layer is not None:
        fix = layer.fix({"expose_headers": new})
        return str(fix.text), fix
    if settings is not None and getattr(settings, "kind", "") in ("corskit", "starlette"):
        return f"{settings.class_name}(..., expose_headers={new!r})", None
    return f"send Access-Control-Expose-Headers: {', '.join(new)} on the response", None


def _why(name: str, outcome: Outcome) -> str:
    response = _final_response(outcome)
    exposed = exposed_names(response) if response is not None else set()
    if "*" in exposed and outcome.request.credentials == "include":
        return (
            "Access-Control-Expose-Headers is '*', which covers every name only for a request"
            " without credentials (this one has credentials: 'include')"
        )
    return "it is not CORS-safelisted and not listed in Access-Control-Expose-Headers"


def _never(name: str) -> Finding:
    return Finding(
        NOT_READABLE,
        f"the page can never read {name}: browsers hide it from JavaScript on every response,"
        " whatever the CORS settings",
        "the browser stores the cookie itself (a credentialed request sends it back); if the"
        " page needs the value, send it in another response header and expose that one",
        None,
        "error",
    )


def read_header_findings(outcome: Outcome, settings: Any, names: Iterable[str]) -> list[Finding]:
    """An error for the response headers in *names* the page cannot read: one finding with
    one fix for those a setting can expose, one for each that nothing exposes (Set-Cookie).
    Nothing for a blocked or same-origin request (nothing to read / everything readable)."""
    if not _applies(outcome):
        return []
    wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    never = [n for n in wanted if n.lower() in FORBIDDEN_RESPONSE_HEADER_NAMES]
    missing = [n for n in wanted if n not in never and not can_read(n, outcome)]
    findings = [_never(n) for n in never]
    sent = _sent(outcome)
    for name in wanted:
        if name not in never and name.lower() not in sent and name not in missing:
            findings.append(_not_sent(name))
    if missing:
        shown = ", ".join(missing)
        absent = [m for m in missing if m.lower() not in sent]
        cause = (
            f"the request is allowed, but the page cannot read the response header(s) {shown}"
            f" (response.headers.get() returns null): {_why(missing[0], outcome)}"
        )
        if absent:
            cause += f"; the response does not send {', '.join(absent)} either"
        text, change = _fix_text(outcome, settings, missing)
        findings.insert(0, Finding(NOT_EXPOSED, cause, text, "expose_headers", change=change))
    return findings


def _not_sent(name: str) -> Finding:
    return Finding(
        NOT_SENT,
        f"the page may read {name}, but this response does not send it"
        " (response.headers.get() returns null)",
        f"send {name} on this response",
        None,
        "warning",
    )


def _sent(outcome: Outcome) -> set[str]:
    response = _final_response(outcome)
    return {n for n, _ in response.headers} if response is not None else set()


def apply(outcome: Outcome, diagnosis: Any, names: Iterable[str]) -> None:
    """Add to *diagnosis* the findings for *names* (``--read-header``); without names, add
    the note listing the headers the page cannot read to *outcome*."""
    wanted = list(names)
    if wanted:
        found = read_header_findings(outcome, diagnosis.settings, wanted)
        diagnosis.findings[:0] = found
        return
    note = unreadable_note(outcome)
    if note is not None:
        outcome.warnings.append(note)
