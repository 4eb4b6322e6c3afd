"""Output of ``corskit check``: readable text (colour on a terminal) and one JSON object.

Colour is used when the stream is a terminal, ``NO_COLOR`` is unset (any non-empty value
turns colour off, see no-color.org) and ``TERM`` is not ``dumb``; ``FORCE_COLOR`` turns it on.
"""

from __future__ import annotations

import json
import os
import textwrap
from typing import IO, Any

from .diagnose import Diagnosis
from .exposure import unreadable_headers
from .fetch import Outcome, Step, shown_headers, shown_names
from .wire import for_display

__all__ = ["Style", "fix_json", "render_json", "render_text", "use_colour"]


def use_colour(stream: IO[str], *, disabled: bool = False) -> bool:
    """Whether to colour output written to *stream*."""
    if disabled or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Style:
    """ANSI styling that degrades to plain text."""

    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.colour else text

    def red(self, text: str) -> str:
        """Failures."""
        return self._wrap("31;1", text)

    def green(self, text: str) -> str:
        """Successes."""
        return self._wrap("32;1", text)

    def yellow(self, text: str) -> str:
        """Warnings."""
        return self._wrap("33", text)

    def bold(self, text: str) -> str:
        """Headings."""
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        """Details."""
        return self._wrap("2", text)

    def cyan(self, text: str) -> str:
        """Requests."""
        return self._wrap("36", text)


#: Outcome warnings that diagnose() turns into findings (shown under "Also").
_AS_FINDINGS = frozenset({"AuthorizationCoveredByWildcard", "max-age-capped"})

_MARKS = {
    "preflight": "->",
    "request": "->",
    "response": "<-",
    "redirect": "=>",
    "plan": "* ",
    "note": "* ",
}


def _step_line(step: Step, st: Style, verbose: bool) -> list[str]:
    if step.kind == "check":
        mark = st.green("ok") if step.ok else st.red("FAIL")
        first = f"  [{mark}] {step.text}"
    else:
        mark = _MARKS.get(step.kind, "* ")
        text = step.text
        if step.kind in ("preflight", "request"):
            text = st.cyan(text)
        first = (
            f"  {mark} {text}"
            if step.kind != "redirect" or step.ok is not False
            else f"  {st.red('=>')} {text}"
        )
    lines = [first]
    if not verbose:
        return lines
    for message in (step.request, step.response):
        if message is not None:
            shown, omitted = shown_headers(message.headers)
            lines += [st.dim(f"       {k}: {v}") for k, v in shown]
            if omitted:
                lines.append(st.dim(f"       ... {omitted} more headers not shown"))
    return lines


def _wrap(text: str, indent: str, width: int = 100, subsequent: str | None = None) -> str:
    return textwrap.fill(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def render_text(
    outcome: Outcome,
    diagnosis: Diagnosis,
    *,
    colour: bool = False,
    verbose: bool = False,
    target: str | None = None,
) -> str:
    """The human-readable report: steps, verdict, the browsers' console messages, cause, fix."""
    st = Style(colour)
    req = outcome.request
    out: list[str] = []
    head = f"{req.method} {outcome.url} from {outcome.origin} (credentials: {req.credentials})"
    if target and target != outcome.url:
        head += f"  [{target}]"
    out.append(st.bold(head))
    out.append("")
    out.append(st.bold("What the browser does"))
    for step in outcome.steps:
        out.extend(_step_line(step, st, verbose))
    out.append("")
    out += _verdict(outcome, st)
    out += _findings(outcome, diagnosis, st)
    if diagnosis.settings is not None:
        s = diagnosis.settings
        out.append("")
        out.append(
            st.dim(
                f"CORS settings found: {s.class_name} at {s.where}"
                + (f" (outside it: {', '.join(s.outside)})" if s.outside else "")
            )
        )
    return _shown("\n".join(out) + "\n", target)


def _shown(text: str, target: str | None) -> str:
    """*text* without the in-process placeholder host, unless the target is a URL."""
    return text if target is not None and "://" in target else for_display(text)


def _verdict(outcome: Outcome, st: Style) -> list[str]:
    """The verdict, the console messages or what JavaScript can read."""
    verdict = outcome.verdict.upper()
    coloured = st.green(verdict) if outcome.verdict == "allowed" else st.red(verdict)
    line = f"Verdict: {coloured} (Chromium 156)"
    if outcome.spec_verdict and outcome.spec_verdict != outcome.verdict:
        line += f"; the Fetch standard says {outcome.spec_verdict}"
    if outcome.firefox_differs:
        line += f"; Firefox: {outcome.firefox_verdict} (it does not enforce Local Network Access)"
    out = [st.bold(line) if not st.colour else line]
    if outcome.network_error:
        out.append(
            f"  network error: {outcome.network_error} (JavaScript sees TypeError: Failed to fetch)"
        )
    if outcome.chromium_message:
        out.append("")
        name = outcome.cors_error or (outcome.network_error or "").split(" ", 1)[0]
        out.append(st.bold(f"Chromium console ({name}):"))
        out.append("  " + st.red(outcome.chromium_message))
        if outcome.firefox_messages:
            out.append(st.bold("Firefox console:"))
            out.extend("  " + text for text in outcome.firefox_messages)
        out.append(
            st.dim(
                "  (JavaScript only sees: TypeError: Failed to fetch; in Firefox: TypeError:"
                " NetworkError when attempting to fetch resource.)"
            )
        )
    elif outcome.verdict == "allowed" and outcome.cross_origin:
        out.append(
            f"  JavaScript can read the response; readable headers: {shown_names(outcome.readable_headers) or '(none)'}"
        )
    if outcome.if_permitted is not None:
        p = outcome.if_permitted
        out.append(
            "  (corskit check --local-network granted shows the CORS checks that would follow)"
        )
        out.append(
            f"  With the local-network permission granted the request would be {p.verdict}"
            + (f": {p.chromium_message}" if p.chromium_message else ".")
        )
    return out


def _findings(outcome: Outcome, diagnosis: Diagnosis, st: Style) -> list[str]:
    """Cause and fix, the other findings, then the notes."""
    out: list[str] = []
    primary = diagnosis.primary
    if primary is not None and (primary.severity == "error" or outcome.verdict == "blocked"):
        out.append("")
        out.append(st.bold(f"Cause ({primary.code}):"))
        out.append(_wrap(primary.cause, "  "))
        out.append(st.bold("Fix:"))
        checked = diagnosis.verification
        out.append(_wrap(primary.fix + (f" {checked.text}" if checked else ""), "  "))
    others = [f for f in diagnosis.findings if f is not primary or primary.severity != "error"]
    if others:
        out.append("")
        out.append(st.bold("Also:"))
        for f in others:
            tag = st.yellow("warning") if f.severity == "warning" else st.red("error")
            label = "warning" if f.severity == "warning" else "error"
            body = textwrap.fill(
                f.cause,
                width=100,
                initial_indent=f"  [{label}] ",
                subsequent_indent=" " * (len(label) + 5),
                break_long_words=False,
                break_on_hyphens=False,
            )
            out.append(body.replace(f"[{label}]", f"[{tag}]", 1))
            out.append(_wrap(f"fix: {f.fix}", " " * (len(label) + 5)))
    notes = [w for w in outcome.warnings if w.code not in _AS_FINDINGS]
    if notes:
        out.append("")
        out.append(st.bold("Notes:"))
        for note in notes:
            out.append(_wrap(f"{note.text} [{note.code}]", "  - ", subsequent="    "))
    return out


def render_json(
    outcome: Outcome, diagnosis: Diagnosis, *, target: str | None = None
) -> dict[str, Any]:
    """One JSON object: the outcome (verdict, preflight, chromium_message, steps, ...) plus the
    diagnosis (symptom, cause, fix, findings, settings)."""
    data = outcome.to_json()
    diag = diagnosis.to_json()
    data["target"] = target
    data["symptom"] = (
        diag["symptom"]
        if outcome.verdict == "blocked"
        or (diagnosis.primary and diagnosis.primary.severity == "error")
        else None
    )
    primary = diagnosis.primary
    blocked_or_error = primary is not None and (
        outcome.verdict == "blocked" or primary.severity == "error"
    )
    data["cause"] = primary.cause if blocked_or_error and primary else None
    data["fix"] = fix_json(diagnosis) if blocked_or_error else None
    data["fix_text"] = primary.fix if blocked_or_error and primary else None
    data["findings"] = diag["findings"]
    data["settings"] = diag["settings"]
    data["unreadable_headers"] = unreadable_headers(outcome)
    shown: dict[str, Any] = json.loads(_shown(json.dumps(data), target))
    return shown


def fix_json(diagnosis: Diagnosis) -> dict[str, Any] | None:
    """The primary finding's fix: its text, the layer and the setting changes it makes (the
    library's own names and complete new values), and whether it was verified."""
    primary = diagnosis.primary
    if primary is None:
        return None
    change = primary.change
    checked = diagnosis.verification
    structured = change.to_json() if change is not None else {"layer": None, "changes": []}
    return {
        "text": primary.fix,
        "layer": structured["layer"] or None,
        "where": diagnosis.settings.where if change and diagnosis.settings else None,
        "changes": structured["changes"],
        "verified": checked.verified if checked is not None else None,
        "not_verified_reason": checked.reason if checked is not None else None,
    }
